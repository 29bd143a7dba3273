"""The dashboard's figures: the city's gigabit picture and a school admin's own schools.

Every readiness figure comes from reports.readiness.readiness() (the one gigabit rule),
so the dashboard, the export workbook and the API never disagree. Each function answers
in a constant number of queries, however many schools there are.
"""

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_login import current_user

from app.access import visible_school_ids
from app.audit import AuditEntry
from app.codes import END_USER_CATEGORIES, LEARNING_LEVELS, OFFERING_KINDS, SCHOOL_FORMS
from app.extensions import db
from inventory import loan_service, stocktake_service
from inventory.models import Device, Offering
from reports.exports import INVENTORY_ACTIONS
from reports.readiness import (
    STATUS_AT_RISK,
    STATUS_PLANNED,
    STATUS_READY,
    SchoolReadiness,
    SiteReadiness,
    readiness,
)
from schools.models import InventoryConfirmation, School, SchoolYear
from schools.school_years import current_school_year, today_in_berlin, upcoming_school_year

STATUSES = (STATUS_READY, STATUS_PLANNED, STATUS_AT_RISK)


@dataclass
class Deadline:
    """The next first school day, against which plans are judged."""

    today: dt.date
    school_year: SchoolYear | None

    @property
    def first_school_day(self) -> dt.date | None:
        return self.school_year.first_school_day if self.school_year else None

    @property
    def days_left(self) -> int | None:
        day = self.first_school_day
        return (day - self.today).days if day else None


@dataclass
class GroupFigures:
    """Schools of one city district or school form, counted by status."""

    key: str
    total: int = 0
    ready: int = 0
    planned: int = 0
    at_risk: int = 0

    def add(self, status: str) -> None:
        self.total += 1
        setattr(self, status, getattr(self, status) + 1)


@dataclass
class AtRiskSchool:
    school: SchoolReadiness
    missing_sites: list[SiteReadiness]
    planned_date: dt.date | None  # when the last missing site is planned; None: no plan


@dataclass
class DeviceFigures:
    """End-user devices in use and students of one school form."""

    school_form: str
    devices: int
    students: int

    @property
    def per_student(self) -> float | None:
        return self.devices / self.students if self.students else None


@dataclass
class UnconfirmedSchool:
    school_number: str
    name: str
    last_change: dt.datetime | None


@dataclass
class CityFigures:
    deadline: Deadline
    current_year: SchoolYear | None
    schools: list[SchoolReadiness]
    statuses: dict[str, str]  # school_number -> ready / planned / at_risk
    at_risk: list[AtRiskSchool]
    by_district: list[GroupFigures]
    by_school_form: list[GroupFigures]
    devices_by_form: list[DeviceFigures]
    coverage: dict[tuple[str, str], int]  # (learning level, offering kind) -> schools
    schools_per_level: dict[str, int]  # learning level -> schools teaching it
    unconfirmed: list[UnconfirmedSchool]

    @property
    def schools_total(self) -> int:
        return len(self.schools)

    @property
    def schools_ready(self) -> int:
        return sum(1 for school in self.schools if school.ready)

    @property
    def sites_total(self) -> int:
        return sum(len(school.sites) for school in self.schools)

    @property
    def sites_ready(self) -> int:
        return sum(1 for school in self.schools for site in school.sites if site.ready)

    @property
    def school_share(self) -> float | None:
        return self.schools_ready / self.schools_total if self.schools_total else None

    @property
    def site_share(self) -> float | None:
        return self.sites_ready / self.sites_total if self.sites_total else None

    def count(self, status: str) -> int:
        return sum(1 for value in self.statuses.values() if value == status)

    @property
    def ready_flags(self) -> dict[str, bool]:
        return {school.school_number: school.ready for school in self.schools}


def deadline(today: dt.date | None = None) -> Deadline:
    today = today or today_in_berlin()
    return Deadline(today=today, school_year=upcoming_school_year(today))


def _group(schools, statuses, key, order=None) -> list[GroupFigures]:
    groups: dict[str, GroupFigures] = {}
    for school in schools:
        value = key(school) or ""
        groups.setdefault(value, GroupFigures(value)).add(statuses[school.school_number])
    if order:
        return sorted(groups.values(), key=lambda g: order.index(g.key) if g.key in order else 99)
    return sorted(groups.values(), key=lambda g: (g.key == "", g.key))


def at_risk_schools(
    schools: list[SchoolReadiness], first_school_day, today: dt.date | None = None
) -> list[AtRiskSchool]:
    """Schools at risk by the first school day, and (given today) those whose planned
    date has passed while the link is still not active: that plan has slipped."""
    return [
        AtRiskSchool(school, school.sites_not_ready, school.planned_date)
        for school in schools
        if school.status_by(first_school_day) == STATUS_AT_RISK
        or (today is not None and school.has_late_plan(today, first_school_day))
    ]


def devices_by_school_form(school_ids=None) -> list[DeviceFigures]:
    """End-user devices (laptops, tablets, desktops) in use per school form, with students."""
    device_stmt = (
        sa.select(School.school_form, sa.func.count(Device.id))
        .join(School, School.id == Device.school_id)
        .where(Device.category.in_(END_USER_CATEGORIES), Device.status == "in_use")
        .group_by(School.school_form)
    )
    student_stmt = sa.select(
        School.school_form, sa.func.coalesce(sa.func.sum(School.students), 0)
    ).group_by(School.school_form)
    if school_ids is not None:
        device_stmt = device_stmt.where(Device.school_id.in_(school_ids))
        student_stmt = student_stmt.where(School.id.in_(school_ids))
    devices = dict(db.session.execute(device_stmt).all())
    students = dict(db.session.execute(student_stmt).all())
    forms = [form for form in SCHOOL_FORMS if form in students or form in devices]
    return [
        DeviceFigures(form, int(devices.get(form, 0)), int(students.get(form, 0))) for form in forms
    ]


def offering_coverage(school_ids=None) -> tuple[dict[tuple[str, str], int], dict[str, int]]:
    """How many schools offer each (learning level, kind), counting available offerings;
    and how many schools teach each learning level."""
    coverage_stmt = (
        sa.select(
            Offering.learning_level,
            Offering.kind,
            sa.func.count(sa.distinct(Offering.school_id)),
        )
        .where(Offering.status == "available")
        .group_by(Offering.learning_level, Offering.kind)
    )
    levels_stmt = sa.select(School.learning_levels_codes)
    if school_ids is not None:
        coverage_stmt = coverage_stmt.where(Offering.school_id.in_(school_ids))
        levels_stmt = levels_stmt.where(School.id.in_(school_ids))
    coverage = {(level, kind): count for level, kind, count in db.session.execute(coverage_stmt)}
    per_level = dict.fromkeys(LEARNING_LEVELS, 0)
    for codes in db.session.scalars(levels_stmt):
        for code in (codes or "").split(","):
            if code in per_level:
                per_level[code] += 1
    return coverage, per_level


def last_changes(school_numbers) -> dict[str, dt.datetime]:
    """When each school's inventory last changed (its latest audit entry of a change, as in
    the workbook's Schulen sheet; an export is no change), in one grouped query."""
    stmt = (
        sa.select(AuditEntry.school_number, sa.func.max(AuditEntry.created_at))
        .where(AuditEntry.school_number.is_not(None))
        .where(AuditEntry.action.in_(INVENTORY_ACTIONS))
        .group_by(AuditEntry.school_number)
    )
    if school_numbers is not None:
        stmt = stmt.where(AuditEntry.school_number.in_(list(school_numbers)))
    return dict(db.session.execute(stmt).all())


def unconfirmed_schools(school_year: SchoolYear | None, school_ids=None) -> list[UnconfirmedSchool]:
    """Schools without an inventory confirmation for the school year, with their last change."""
    stmt = sa.select(School.school_number, School.name).order_by(School.name, School.school_number)
    if school_year is not None:
        confirmed = sa.select(InventoryConfirmation.school_id).where(
            InventoryConfirmation.school_year_id == school_year.id
        )
        stmt = stmt.where(School.id.not_in(confirmed))
    if school_ids is not None:
        stmt = stmt.where(School.id.in_(school_ids))
    rows = db.session.execute(stmt).all()
    changed = last_changes([row.school_number for row in rows]) if rows else {}
    return [
        UnconfirmedSchool(row.school_number, row.name, changed.get(row.school_number))
        for row in rows
    ]


def city_figures(today: dt.date | None = None) -> CityFigures:
    """Everything the department's dashboard shows, in a constant number of queries."""
    due = deadline(today)
    schools = readiness()
    statuses = {s.school_number: s.status_by(due.first_school_day) for s in schools}
    coverage, per_level = offering_coverage()
    current = current_school_year(due.today)
    return CityFigures(
        deadline=due,
        current_year=current,
        schools=schools,
        statuses=statuses,
        at_risk=at_risk_schools(schools, due.first_school_day, due.today),
        by_district=_group(schools, statuses, lambda s: s.district),
        by_school_form=_group(schools, statuses, lambda s: s.school_form, list(SCHOOL_FORMS)),
        devices_by_form=devices_by_school_form(),
        coverage=coverage,
        schools_per_level=per_level,
        unconfirmed=unconfirmed_schools(current),
    )


# --- a school admin's own schools ----------------------------------------------------


@dataclass
class SchoolOverview:
    readiness: SchoolReadiness
    status: str
    students: int | None
    learning_levels: list[str]
    devices_in_use: dict[str, int] = field(default_factory=dict)  # category -> count
    offerings: dict[str, dict[str, str]] = field(default_factory=dict)  # level -> kind -> status
    confirmed_at: dt.datetime | None = None
    confirmed_counts: dict | None = None  # the stock-take figures the confirmation stored
    stock_takes: "stocktake_service.YearFigures | None" = None  # this year's, confirmed ones
    last_stock_take_at: dt.datetime | None = None
    loans: loan_service.LoanFigures = field(default_factory=loan_service.LoanFigures)

    @property
    def school_number(self) -> str:
        return self.readiness.school_number

    @property
    def stock_take_counts(self) -> dict | None:
        """The counts behind the yearly confirmation: stored with it once confirmed, else
        this school year's confirmed stock-takes so far."""
        if self.confirmed_at is not None:
            return self.confirmed_counts
        if self.stock_takes is None:
            return None
        names = ("stock_takes", "found", "missing", "moved", "unknown")
        return {name: getattr(self.stock_takes, name) for name in names}

    @property
    def end_user_devices(self) -> int:
        return sum(self.devices_in_use.get(category, 0) for category in END_USER_CATEGORIES)

    @property
    def devices_per_student(self) -> float | None:
        return self.end_user_devices / self.students if self.students else None

    @property
    def levels_without_offerings(self) -> list[str]:
        """Learning levels the school teaches but has no available offering for."""
        return [
            level
            for level in self.learning_levels
            if "available" not in self.offerings.get(level, {}).values()
        ]


@dataclass
class SchoolsFigures:
    deadline: Deadline
    current_year: SchoolYear | None
    schools: list[SchoolOverview]


def own_schools_figures(user=None, today: dt.date | None = None) -> SchoolsFigures:
    """The schools the user may see, each at a glance, in a constant number of queries."""
    user = user if user is not None else current_user
    due = deadline(today)
    current = current_school_year(due.today)
    ids = visible_school_ids(user)
    school_rows = {
        row.id: row
        for row in db.session.execute(
            sa.select(School.id, School.students, School.learning_levels_codes).where(
                School.id.in_(ids)
            )
        )
    }
    overviews: dict[int, SchoolOverview] = {}
    for item in readiness(ids):
        row = school_rows.get(item.school_id)
        overviews[item.school_id] = SchoolOverview(
            readiness=item,
            status=item.status_by(due.first_school_day),
            students=row.students if row else None,
            learning_levels=[
                code
                for code in LEARNING_LEVELS
                if row and code in (row.learning_levels_codes or "").split(",")
            ],
        )
    for school_id, category, count in db.session.execute(
        sa.select(Device.school_id, Device.category, sa.func.count(Device.id))
        .where(Device.school_id.in_(ids), Device.status == "in_use")
        .group_by(Device.school_id, Device.category)
    ):
        if school_id in overviews:
            overviews[school_id].devices_in_use[category] = count
    offering_rows = db.session.execute(
        sa.select(Offering.school_id, Offering.learning_level, Offering.kind, Offering.status)
        .where(Offering.school_id.in_(ids))
        .distinct()
    )
    for school_id, level, kind, status in offering_rows:
        if school_id in overviews:
            kinds = overviews[school_id].offerings.setdefault(level, {})
            # An available offering of a kind outweighs a planned one.
            if kinds.get(kind) != "available":
                kinds[kind] = status
    if current is not None:
        for confirmation in db.session.scalars(
            sa.select(InventoryConfirmation).where(
                InventoryConfirmation.school_id.in_(ids),
                InventoryConfirmation.school_year_id == current.id,
            )
        ):
            if confirmation.school_id in overviews:
                overview = overviews[confirmation.school_id]
                overview.confirmed_at = confirmation.confirmed_at
                if confirmation.stock_takes is not None:
                    overview.confirmed_counts = {
                        name: getattr(confirmation, name)
                        for name in ("stock_takes", "found", "missing", "moved", "unknown")
                    }
        for school_id, figures in stocktake_service.year_figures(ids, current.id).items():
            if school_id in overviews:
                overviews[school_id].stock_takes = figures
    for school_id, when in stocktake_service.last_stock_takes(ids).items():
        if school_id in overviews:
            overviews[school_id].last_stock_take_at = when
    for school_id, loan_figures in loan_service.figures(ids, due.today).items():
        if school_id in overviews:
            overviews[school_id].loans = loan_figures
    for overview in overviews.values():
        overview.offerings = {
            level: dict(sorted(kinds.items(), key=lambda kv: list(OFFERING_KINDS).index(kv[0])))
            for level, kinds in overview.offerings.items()
        }
    return SchoolsFigures(deadline=due, current_year=current, schools=list(overviews.values()))


@dataclass(frozen=True)
class FloorWork:
    """A school's loans and its last stock-take, as the city's dashboard lists them."""

    school_number: str
    name: str
    loans: loan_service.LoanFigures
    last_stock_take_at: dt.datetime | None


def floor_work_by_school(school_ids=None, today: dt.date | None = None) -> list[FloorWork]:
    """Per school with any loan or confirmed stock-take: devices lent, overdue, returned
    damaged, and when its last stock-take was confirmed; by school number (3 queries)."""
    ids = school_ids if school_ids is not None else visible_school_ids()
    loans = loan_service.figures(ids, today)
    taken = stocktake_service.last_stock_takes(ids)
    active = set(loans) | set(taken)
    if not active:
        return []
    schools = db.session.execute(
        sa.select(School.id, School.school_number, School.name)
        .where(School.id.in_(active))
        .order_by(School.school_number)
    )
    return [
        FloorWork(
            number, name, loans.get(school_id, loan_service.LoanFigures()), taken.get(school_id)
        )
        for school_id, number, name in schools
    ]
