"""The work behind the API views: lists, and changes through the domain services.

Every change goes through the same write services as the web pages and the importer,
so there is one set of rules. A stale version or a taken natural key answers 409,
a broken rule 422 with the messages per field; nothing is written half.
"""

import contextlib

import sqlalchemy as sa
from flask_babel import gettext as _

from api.parsing import if_match_version
from app.access import visible_school_ids
from app.errors import (
    DuplicateError,
    InvalidFieldsError,
    MainSiteNotDeletableError,
    SaveConflictError,
    StaleVersionError,
)
from app.extensions import db
from app.saving import saving
from inventory import service as inventory_service
from reports.readiness import readiness
from schools import service as schools_service
from schools.forms import CONTACT_FIELDS
from schools.models import School, SchoolYear, Site
from schools.school_years import school_year_by_start, upcoming_school_year

# Model attribute -> field code, where they differ (the schemas load `site` into `site_id`).
ATTRIBUTES = {"site": "site_id"}
FORM_NAMES = {"site_id": "site"}


class ApiError(Exception):
    """An answer other than success: status, message and messages per field."""

    def __init__(self, status: int, message: str, fields: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.fields = fields or {}


# --- reading -----------------------------------------------------------------------------


class ListedRecord:
    """A record of one school as a list page shows it: its row's columns as attributes and
    its school, read without building an ORM object per row (what the item schemas dump
    of a device, link, offering or site is exactly that)."""

    def __init__(self, row, school: School):
        self.__dict__.update(row._asdict())
        self.school = school


def page_of(stmt: sa.Select, order_by, page: int, per_page: int, school=None) -> dict:
    """One page of a query in two statements: the count and the rows.

    The rows are picked by id first (a subquery the database answers from an index of
    the order, e.g. devices' (school_id, inventory_number), without reading the rows it
    skips), then only the page's rows are read: page 100 costs little more than page 1.
    With `school` (the records of one school) the items are ListedRecords, plain rows,
    and the statements are plain table statements on the session's connection."""
    model = stmt.column_descriptions[0]["entity"]
    offset = (page - 1) * per_page
    if school is None:
        total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
        ids = stmt.with_only_columns(model.id).order_by(*order_by).limit(per_page)
        items = db.session.scalars(
            sa.select(model).where(model.id.in_(ids.offset(offset))).order_by(*order_by)
        ).all()
        return {"items": items, "page": page, "per_page": per_page, "total": total}
    table = model.__table__
    where = stmt.whereclause
    connection = db.session.connection()
    total = connection.execute(
        sa.select(sa.func.count()).select_from(table).where(where)
    ).scalar_one()
    ids = sa.select(table.c.id).where(where).order_by(*order_by).limit(per_page).offset(offset)
    rows = connection.execute(
        sa.select(*table.columns).where(table.c.id.in_(ids)).order_by(*order_by)
    )
    items = [ListedRecord(row, school) for row in rows]
    return {"items": items, "page": page, "per_page": per_page, "total": total}


def equal_filters(model, args: dict, names) -> list:
    """column == value for each given filter (site: null site counts as the main site)."""
    criteria = []
    for name in names:
        if name in args and args[name] is not None:
            criteria.append(getattr(model, ATTRIBUTES.get(name, name)) == args[name])
    return criteria


def site_filter(model, school: School, site_id: int | None) -> list:
    if site_id is None:
        return []
    main = school.main_site
    if main is not None and main.id == site_id:
        return [sa.or_(model.site_id == site_id, model.site_id.is_(None))]
    return [model.site_id == site_id]


def readiness_report(start_year: int | None) -> dict:
    """The gigabit readiness of the caller's schools against a school year's first day."""
    if start_year is None:
        year = upcoming_school_year()
    else:
        year = school_year_by_start(start_year)
        if year is None:
            raise ApiError(404, _("There is no school year %(year)s.", year=start_year))
    deadline = year.first_school_day if year else None
    items = []
    for school in readiness(visible_school_ids()):
        items.append(
            {
                "school_number": school.school_number,
                "name": school.name,
                "ready": school.ready,
                "status": school.status_by(deadline),
                "planned_date": school.planned_date,
                "sites": [
                    {
                        "site_id": site.site_id,
                        "name": site.name,
                        "is_main": site.is_main,
                        "ready": site.ready,
                        "reason": site.reason,
                        "status": site.status_by(deadline),
                        "best_link": site.best_link,
                        "planned_link": site.planned_link,
                    }
                    for site in school.sites
                ],
            }
        )
    return {
        "school_year": year.label if year else None,
        "first_school_day": deadline,
        "items": items,
    }


# --- changing ----------------------------------------------------------------------------
# Every change goes through the domain services (schools/service.py, inventory/service.py),
# the one door of every channel; this maps their refusals to the API's answers.


@contextlib.contextmanager
def changing():
    """Commit the block's writes once; refusals answer 409 or 422, nothing is written."""
    try:
        with saving():
            yield
    except StaleVersionError as exc:
        raise ApiError(409, _("This record was changed meanwhile. Load it again.")) from exc
    except DuplicateError as exc:
        raise ApiError(409, exc.message, {exc.field: [exc.message]}) from exc
    except SaveConflictError as exc:
        raise ApiError(409, _("The change conflicts with existing data.")) from exc
    except MainSiteNotDeletableError as exc:
        message = _("The main site cannot be deleted; make another site main first.")
        raise ApiError(409, message) from exc
    except InvalidFieldsError as exc:
        raise ApiError(422, _("Some fields are not valid."), exc.fields) from exc


def _values(payload: dict) -> tuple[dict, int | None]:
    """(the field values by field code, the version the client names: body or If-Match)."""
    values = {FORM_NAMES.get(key, key): value for key, value in payload.items()}
    version = values.pop("version", None)
    return values, version if version is not None else if_match_version()


def delete(record) -> None:
    with changing():
        if isinstance(record, School):
            schools_service.delete_school(record, if_match_version())
        elif isinstance(record, Site):
            schools_service.delete_site(record, if_match_version())
        else:
            inventory_service.delete(record, if_match_version())


# Schools and sites


def create_school(payload: dict) -> School:
    with changing():
        school = schools_service.create_school(_values(payload)[0])
    return school


def school_admin_may_change(payload: dict) -> bool:
    """School admins may change only their school's contact fields."""
    return set(payload) - {"version"} <= set(CONTACT_FIELDS)


def update_school(school: School, payload: dict) -> School:
    values, version = _values(payload)
    with changing():
        schools_service.update_school(school, values, version)
    return school


def create_site(school: School, payload: dict) -> Site:
    with changing():
        site = schools_service.create_site(school, _values(payload)[0])
    return site


def update_site(site: Site, payload: dict) -> Site:
    values, version = _values(payload)
    with changing():
        schools_service.update_site(site, values, version)
    return site


def delete_site(site: Site) -> None:
    delete(site)


# Devices, links, offerings


def create_record(kind: str, school: School, payload: dict):
    with changing():
        record = inventory_service.create(kind, school, _values(payload)[0])
    return record


def update_record(record, payload: dict):
    values, version = _values(payload)
    with changing():
        inventory_service.update(record, values, version)
    return record


# School years


def put_school_year(start_year: int, payload: dict) -> tuple[SchoolYear, bool]:
    """Create or change the school year starting in that year; (year, created)."""
    values, version = _values(payload)
    with changing():
        year, created = schools_service.put_school_year(
            start_year, values["first_school_day"], version
        )
    return year, created
