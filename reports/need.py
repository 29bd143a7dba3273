"""Need by social index: end-user devices per student at each Sozialindex level.

The department asks where the devices are and where the need is: NRW's Schulsozialindex
(1 least, 9 most social strain) against the devices students work on. Devices count as
on the dashboard and the school page (laptops, tablets, desktops in use); students are
the schools' student numbers. Schools without an index (Förderschulen, Berufskollegs,
private schools) form a row of their own. Two grouped queries, however many schools.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from app.codes import END_USER_CATEGORIES, SCHOOL_OPERATORS
from app.extensions import db
from inventory.models import Device
from schools.models import School

SOZIALINDEX_LEVELS = tuple(range(1, 10))


@dataclass
class SozialindexFigures:
    """The schools of one Sozialindex level (None: no index)."""

    level: int | None
    schools: int = 0
    devices: int = 0
    students: int = 0

    @property
    def per_student(self) -> float | None:
        return self.devices / self.students if self.students else None


def parse_operator(value: str | None) -> str | None:
    """An operator filter from a request: a known operator code, else None (all)."""
    return value if value in SCHOOL_OPERATORS else None


def devices_by_sozialindex(
    school_ids=None, operator: str | None = None
) -> list[SozialindexFigures]:
    """One row per level 1..9 and one for schools without an index (each only when it has
    schools), for the given schools (ids or a SELECT of ids; None: all), optionally only
    those of one operator (e.g. "city": the city's own schools)."""
    school_filter = []
    if school_ids is not None:
        school_filter.append(School.id.in_(school_ids))
    if operator is not None:
        school_filter.append(School.operator == operator)
    rows = {
        level: SozialindexFigures(level, int(schools), 0, int(students))
        for level, schools, students in db.session.execute(
            sa.select(
                School.sozialindex,
                sa.func.count(School.id),
                sa.func.coalesce(sa.func.sum(School.students), 0),
            )
            .where(*school_filter)
            .group_by(School.sozialindex)
        )
    }
    device_stmt = (
        sa.select(School.sozialindex, sa.func.count(Device.id))
        .join(School, School.id == Device.school_id)
        .where(Device.category.in_(END_USER_CATEGORIES), Device.status == "in_use")
        .where(*school_filter)
        .group_by(School.sozialindex)
    )
    for level, devices in db.session.execute(device_stmt):
        if level in rows:
            rows[level].devices = int(devices)
    return [rows[level] for level in (*SOZIALINDEX_LEVELS, None) if level in rows]
