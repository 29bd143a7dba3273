"""The one door for writes to the school registry: schools, their sites, school years.

Every channel (web forms, API, import, seed, CLI) calls these functions with typed
values keyed by field code (inventory/kinds.py). They clean the values with the
registry's rules, keep the invariants, flush and never commit: the caller owns the
transaction (app/saving.py).

Invariants kept here and nowhere else:
- a new school gets its main site ("Hauptstandort") at the school's address;
- a school has exactly one main site; a site becomes main only through make_main_site(),
  which un-marks the old one; the main site cannot be deleted or un-marked;
- a site's blank city is its school's city; a school's blank city is "Bochum";
- a new school's main site gets the school's address and coordinates;
- the records of a deleted site move to the main site;
- a school year is labelled after its start year ("2026/27"), which is unique, and its
  first school day lies in that year;
- a school's inventory is confirmed at most once per school year.
"""

import datetime as dt

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.errors import (
    DuplicateError,
    InvalidFieldsError,
    MainSiteNotDeletableError,
    NoSchoolYearError,
)
from app.extensions import db
from app.rules import Field, FieldError, clean, require, validate
from app.saving import check_version
from inventory.kinds import SCHOOLS, SITES
from schools.models import InventoryConfirmation, School, SchoolYear, Site
from schools.school_years import current_school_year

MAIN_SITE_NAME = "Hauptstandort"
DUPLICATE_SCHOOL = _l("A school with this number exists already.")
MAIN_SITE_STAYS = _l("A school needs a main site: make another site the main site instead.")


# --- schools -------------------------------------------------------------------------


def school_number_taken(number: str, except_id: int | None = None) -> bool:
    stmt = sa.select(School.id).where(School.school_number == number)
    if except_id is not None:
        stmt = stmt.where(School.id != except_id)
    return db.session.scalar(stmt) is not None


def _set_school_values(school: School, values: dict) -> None:
    for code, value in values.items():
        if code == "learning_levels":
            school.learning_levels = value
        else:
            setattr(school, code, value)


def clean_school(values: dict, school: School | None = None) -> dict:
    """The values cleaned by the registry's rules (all of them for a new school); a blank
    city is the default city. No query: the import calls this for every row."""
    cleaned = validate(SCHOOLS, require(SCHOOLS, values) if school is None else values)
    if "city" in cleaned and not cleaned["city"]:
        cleaned["city"] = SCHOOLS["city"].default
    return cleaned


def create_school(values: dict, *, is_demo: bool = False) -> School:
    """A new school with its main site at the school's address."""
    cleaned = clean_school(values)
    if school_number_taken(cleaned["school_number"]):
        raise DuplicateError("school_number", str(DUPLICATE_SCHOOL))
    school = School(is_demo=is_demo)
    _set_school_values(school, cleaned)
    school.sites.append(
        Site(
            name=MAIN_SITE_NAME,
            street=school.street,
            postcode=school.postcode,
            city=school.city,
            is_main=True,
            **main_site_coordinates(school),
        )
    )
    db.session.add(school)
    db.session.flush()
    return school


def main_site_coordinates(school: School) -> dict:
    """A new school's main site stands where the school does (its coordinates)."""
    return {"lat": school.lat, "lon": school.lon}


def update_school(school: School, values: dict, version: int | None = None) -> School:
    check_version(school, version)
    cleaned = clean_school(values, school)
    number = cleaned.get("school_number")
    if number is not None and school_number_taken(number, except_id=school.id):
        raise DuplicateError("school_number", str(DUPLICATE_SCHOOL))
    _set_school_values(school, cleaned)
    db.session.flush()
    return school


def delete_school(school: School, version: int | None = None) -> None:
    """Deletes the school; the database cascades to its sites, devices, links, offerings."""
    check_version(school, version)
    db.session.delete(school)
    db.session.flush()


# --- sites ---------------------------------------------------------------------------


def clean_site(school: School, values: dict, site: Site | None = None) -> dict:
    """The values cleaned by the registry's rules; a blank city is the school's city."""
    values = require(SITES, values) if site is None else values
    cleaned = validate(SITES, values)
    if "city" in cleaned and not cleaned["city"]:
        cleaned["city"] = school.city or SCHOOLS["city"].default
    return cleaned


def create_site(school: School, values: dict) -> Site:
    """A new site; with is_main it becomes the main site (make_main_site())."""
    cleaned = clean_site(school, values)
    wants_main = cleaned.pop("is_main", False)
    site = Site(school=school, is_main=False, **cleaned)
    db.session.add(site)
    db.session.flush()
    if wants_main:
        make_main_site(site)
    return site


def update_site(site: Site, values: dict, version: int | None = None) -> Site:
    """Change a site; is_main true makes it the main site, false on the main site is refused."""
    check_version(site, version)
    cleaned = clean_site(site.school, values, site)
    wants_main = cleaned.pop("is_main", None)
    if wants_main is False and site.is_main:
        raise InvalidFieldsError({"is_main": [str(MAIN_SITE_STAYS)]})
    for code, value in cleaned.items():
        setattr(site, code, value)
    db.session.flush()
    if wants_main and not site.is_main:
        make_main_site(site)
    return site


def make_main_site(site: Site) -> None:
    """Make the site its school's main site; the old main site is un-marked first (the
    unique index, one main site per school, is checked at every statement)."""
    stmt = sa.select(Site).where(
        Site.school_id == site.school_id, Site.is_main.is_(True), Site.id != site.id
    )
    for other in db.session.scalars(stmt):
        other.is_main = False
    db.session.flush()
    site.is_main = True
    db.session.flush()


def delete_site(site: Site, version: int | None = None) -> None:
    """Deletes a site that is not the main site; its devices and links move to the main site."""
    from inventory.models import Device, NetworkLink

    check_version(site, version)
    if site.is_main:
        raise MainSiteNotDeletableError()
    main = site.school.main_site
    for model in (Device, NetworkLink):
        for record in db.session.scalars(sa.select(model).where(model.site_id == site.id)):
            record.site_id = main.id if main is not None else None
    db.session.delete(site)
    db.session.flush()


# --- school years --------------------------------------------------------------------

START_YEAR = Field("label", _l("School year"), type="int", required=True, min=1900, max=2998)
FIRST_SCHOOL_DAY = Field("first_school_day", _l("First school day"), type="date", required=True)
DUPLICATE_SCHOOL_YEAR = _l("This school year exists already.")
FIRST_DAY_IN_START_YEAR = _l("The first school day lies in the year the school year starts.")


def _clean_school_year(start_year: int, first_school_day: dt.date) -> tuple[int, dt.date]:
    """Both values by their rules; the first school day lies in the start year."""
    errors: dict[str, list[str]] = {}
    cleaned = {}
    for spec, value in ((START_YEAR, start_year), (FIRST_SCHOOL_DAY, first_school_day)):
        try:
            cleaned[spec.code] = clean(spec, value)
        except FieldError as exc:
            errors[spec.code] = [str(exc.args[0])]
    if not errors and cleaned["first_school_day"].year != cleaned["label"]:
        errors["first_school_day"] = [str(FIRST_DAY_IN_START_YEAR)]
    if errors:
        raise InvalidFieldsError(errors)
    return cleaned["label"], cleaned["first_school_day"]


def _school_year_taken(start_year: int, except_id: int | None = None) -> bool:
    stmt = sa.select(SchoolYear.id).where(SchoolYear.start_year == start_year)
    if except_id is not None:
        stmt = stmt.where(SchoolYear.id != except_id)
    return db.session.scalar(stmt) is not None


def create_school_year(start_year: int, first_school_day: dt.date) -> SchoolYear:
    """A new school year, labelled "2026/27" after its start year; a taken year is refused."""
    start_year, first_school_day = _clean_school_year(start_year, first_school_day)
    if _school_year_taken(start_year):
        raise DuplicateError("label", str(DUPLICATE_SCHOOL_YEAR))
    year = SchoolYear(
        start_year=start_year,
        label=SchoolYear.label_for(start_year),
        first_school_day=first_school_day,
    )
    db.session.add(year)
    db.session.flush()
    return year


def update_school_year(
    year: SchoolYear, start_year: int, first_school_day: dt.date, version: int | None = None
) -> SchoolYear:
    """Change a school year's first school day (or its start year, and so its label)."""
    check_version(year, version)
    start_year, first_school_day = _clean_school_year(start_year, first_school_day)
    if _school_year_taken(start_year, except_id=year.id):
        raise DuplicateError("label", str(DUPLICATE_SCHOOL_YEAR))
    year.start_year = start_year
    year.label = SchoolYear.label_for(start_year)
    year.first_school_day = first_school_day
    db.session.flush()
    return year


def put_school_year(
    start_year: int, first_school_day: dt.date, version: int | None = None
) -> tuple[SchoolYear, bool]:
    """Create or change the school year starting in that year; (year, created)."""
    year = db.session.scalar(sa.select(SchoolYear).where(SchoolYear.start_year == start_year))
    if year is None:
        return create_school_year(start_year, first_school_day), True
    return update_school_year(year, start_year, first_school_day, version), False


# --- inventory confirmation ------------------------------------------------------------


def inventory_confirmation(school: School, school_year: SchoolYear) -> InventoryConfirmation | None:
    return db.session.scalar(
        sa.select(InventoryConfirmation).where(
            InventoryConfirmation.school_id == school.id,
            InventoryConfirmation.school_year_id == school_year.id,
        )
    )


def confirm_inventory(
    school: School, user, school_year: SchoolYear | None = None
) -> tuple[InventoryConfirmation, bool]:
    """Record "our inventory is complete" for the school year (default: the current one);
    confirming again changes nothing. Returns (confirmation, created); NoSchoolYearError
    when there is no such school year."""
    school_year = school_year or current_school_year()
    if school_year is None:
        raise NoSchoolYearError()
    existing = inventory_confirmation(school, school_year)
    if existing is not None:
        return existing, False
    confirmation = InventoryConfirmation(
        school_id=school.id, school_year_id=school_year.id, user_id=getattr(user, "id", None)
    )
    from inventory import stocktake_service  # inventory builds on schools, not the reverse

    stocktake_service.store_figures(confirmation)  # the count the confirmation rests on
    try:
        with db.session.begin_nested():
            db.session.add(confirmation)
    except sa.exc.IntegrityError:
        # Someone confirmed in the same moment: theirs stands.
        return inventory_confirmation(school, school_year), False
    return confirmation, True
