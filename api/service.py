"""The work behind the API views: lists, and changes validated by the shared forms.

Every change goes through the same WTForms classes as the web pages and the importer,
so there is one set of rules. A stale version or a taken natural key answers 409,
a form error 422 with the messages per field; nothing is written half.
"""

import datetime as dt

import sqlalchemy as sa
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from api.parsing import if_match_version
from api.schemas import form_field_names
from app.access import visible_school_ids
from app.extensions import db
from app.saving import SaveConflictError, StaleVersionError, commit
from inventory.forms import DeviceForm, NetworkLinkForm, OfferingForm
from inventory.models import Device, NetworkLink, Offering
from reports.readiness import readiness
from schools.forms import SchoolForm, SchoolYearForm, SiteForm
from schools.models import School, SchoolYear, Site
from schools.school_years import school_year_by_start, upcoming_school_year

# Form field name -> model attribute, where they differ.
ATTRIBUTES = {"site": "site_id"}
# Schema attribute -> form field name (the schemas load `site` into `site_id`).
FORM_NAMES = {"site_id": "site"}


class ApiError(Exception):
    """An answer other than success: status, message and messages per field."""

    def __init__(self, status: int, message: str, fields: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.fields = fields or {}


# --- reading -----------------------------------------------------------------------------


def page_of(stmt: sa.Select, order_by, page: int, per_page: int) -> dict:
    """One page of a query in two statements: the count and the rows."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
    items = db.session.scalars(
        stmt.order_by(*order_by).limit(per_page).offset((page - 1) * per_page)
    ).all()
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


def _form_payload(payload: dict) -> dict:
    return {FORM_NAMES.get(key, key): value for key, value in payload.items()}


def check_version(record, sent: int | None) -> None:
    """409 when the client names a version (body or If-Match) that is no longer current."""
    expected = sent if sent is not None else if_match_version()
    if expected is not None and expected != record.version:
        raise ApiError(
            409,
            _(
                "This record was changed meanwhile (version %(current)s, you sent %(sent)s). "
                "Load it again and repeat your change.",
                current=record.version,
                sent=expected,
            ),
        )


def as_formdata(data: dict) -> MultiDict:
    """Typed values as the form fields' text input, so the forms validate them exactly as
    a web submission (WTForms' Optional() skips every check of values passed as `data=`)."""
    formdata = MultiDict()
    for name, value in data.items():
        if value is None or value is False:
            continue  # absent: empty text, unchecked box, the form's default
        if value is True:
            formdata.add(name, "y")
        elif isinstance(value, list | tuple):
            for item in value:
                formdata.add(name, str(item))
        elif isinstance(value, dt.date):
            formdata.add(name, value.isoformat())
        else:
            formdata.add(name, str(value))
    return formdata


def validated_form(form_class, data: dict, **form_kwargs):
    """The shared form, filled from the data and validated; 422 with its errors."""
    form = form_class(formdata=as_formdata(data), meta={"csrf": False}, **form_kwargs)
    if not form.validate():
        raise ApiError(
            422,
            _("Some fields are not valid."),
            {
                name: [str(message) for message in messages]
                for name, messages in form.errors.items()
            },
        )
    return form


def _current_values(record, form_class) -> dict:
    return {
        name: getattr(record, ATTRIBUTES.get(name, name)) for name in form_field_names(form_class)
    }


def _assign(record, form, names) -> None:
    """Copy validated form values to the record ("" and None as the column needs)."""
    columns = type(record).__mapper__.columns
    for name in names:
        value = form[name].data
        attribute = ATTRIBUTES.get(name, name)
        if attribute == "learning_levels":
            record.learning_levels = value or []
            continue
        column = columns[attribute]
        if value == "" and column.nullable:
            value = None
        elif value is None and not column.nullable:
            # Not given: the column's default ("Bochum" for a city), else empty text.
            default = column.default.arg if column.default is not None else None
            value = default if default is not None and not callable(default) else ""
        setattr(record, attribute, value)


def _commit() -> None:
    try:
        commit()
    except StaleVersionError as exc:
        raise ApiError(409, _("This record was changed meanwhile. Load it again.")) from exc
    except SaveConflictError as exc:
        raise ApiError(409, _("The change conflicts with existing data.")) from exc


def _refuse_duplicate(model, column, value, record=None, message="") -> None:
    if value is None:
        return
    value = value.strip() if isinstance(value, str) else value  # as the form strips it
    stmt = sa.select(model.id).where(column == value)
    if record is not None:
        stmt = stmt.where(model.id != record.id)
    if db.session.scalar(stmt) is not None:
        raise ApiError(409, message, {column.key: [message]})


def _update(record, form_class, payload: dict, **form_kwargs):
    payload = _form_payload(payload)
    check_version(record, payload.pop("version", None))
    data = _current_values(record, form_class) | payload
    form = validated_form(form_class, data, **form_kwargs)
    _assign(record, form, payload.keys())
    _commit()
    return record


def _create(record, form_class, payload: dict, **form_kwargs):
    form = validated_form(form_class, _form_payload(payload), **form_kwargs)
    _assign(record, form, form_field_names(form_class))
    db.session.add(record)
    _commit()
    return record


def delete(record) -> None:
    check_version(record, None)
    db.session.delete(record)
    _commit()


# Schools


def create_school(payload: dict) -> School:
    _refuse_duplicate(
        School,
        School.school_number,
        payload.get("school_number"),
        message=_("A school with this number exists already."),
    )
    school = School()
    form = validated_form(SchoolForm, payload, school=school)
    _assign(school, form, form_field_names(SchoolForm))
    # Every school has a main site; links and devices without a site belong to it.
    school.sites.append(
        Site(
            name="Hauptstandort",  # the name the demo data and imports use
            street=school.street,
            postcode=school.postcode,
            city=school.city or "Bochum",
            is_main=True,
        )
    )
    db.session.add(school)
    _commit()
    return school


def school_admin_may_change(payload: dict) -> bool:
    """School admins may change only their school's contact fields."""
    return set(payload) - {"version"} <= set(SchoolForm.CONTACT_FIELDS)


def update_school(school: School, payload: dict) -> School:
    _refuse_duplicate(
        School,
        School.school_number,
        payload.get("school_number"),
        record=school,
        message=_("A school with this number exists already."),
    )
    return _update(school, SchoolForm, payload, school=school)


# Sites


def create_site(school: School, payload: dict) -> Site:
    site = Site(is_main=False)
    form = validated_form(SiteForm, payload)
    names = [name for name in form_field_names(SiteForm) if name != "is_main"]
    _assign(site, form, names)
    site.school = school  # only now: this adds the site to the session (via school.sites)
    db.session.add(site)
    if form.is_main.data:
        _make_main(site)
    _commit()
    return site


def update_site(site: Site, payload: dict) -> Site:
    check_version(site, payload.pop("version", None))
    wants_main = payload.pop("is_main", None)
    if wants_main is False and site.is_main:
        message = _("A school needs a main site: make another site the main site instead.")
        raise ApiError(422, _("Some fields are not valid."), {"is_main": [message]})
    form = validated_form(SiteForm, _current_values(site, SiteForm) | payload)
    _assign(site, form, payload.keys())
    if wants_main and not site.is_main:
        _make_main(site)
    _commit()
    return site


def _make_main(site: Site) -> None:
    """Make the site the school's main site (the old one first, for the unique index)."""
    for other in site.school.sites:
        if other is not site and other.is_main:
            other.is_main = False
    db.session.flush()
    site.is_main = True


def delete_site(site: Site) -> None:
    if site.is_main:
        raise ApiError(409, _("The main site cannot be deleted; make another site main first."))
    delete(site)


# Devices, links, offerings


def create_device(school: School, payload: dict) -> Device:
    _refuse_duplicate(
        Device,
        Device.inventory_number,
        payload.get("inventory_number"),
        message=_("A device with this inventory number exists already."),
    )
    return _create(Device(school=school), DeviceForm, payload, school=school)


def update_device(device: Device, payload: dict) -> Device:
    _refuse_duplicate(
        Device,
        Device.inventory_number,
        payload.get("inventory_number"),
        record=device,
        message=_("A device with this inventory number exists already."),
    )
    return _update(device, DeviceForm, payload, school=device.school, device=device)


def create_link(school: School, payload: dict) -> NetworkLink:
    return _create(NetworkLink(school=school), NetworkLinkForm, payload, school=school)


def update_link(link: NetworkLink, payload: dict) -> NetworkLink:
    return _update(link, NetworkLinkForm, payload, school=link.school)


def create_offering(school: School, payload: dict) -> Offering:
    return _create(Offering(school=school), OfferingForm, payload, school=school)


def update_offering(offering: Offering, payload: dict) -> Offering:
    return _update(offering, OfferingForm, payload, school=offering.school)


# School years


def put_school_year(start_year: int, payload: dict) -> tuple[SchoolYear, bool]:
    """Create or change the school year starting in that year; (year, created)."""
    year = school_year_by_start(start_year)
    created = year is None
    if created:
        year = SchoolYear(start_year=start_year, label=SchoolYear.label_for(start_year))
    else:
        check_version(year, payload.pop("version", None))
    payload.pop("version", None)
    data = {"label": SchoolYear.label_for(start_year), **payload}
    form = validated_form(SchoolYearForm, data, school_year=year)
    year.first_school_day = form.first_school_day.data
    db.session.add(year)
    _commit()
    return year, created
