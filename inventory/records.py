"""Saving devices, network links and offerings from their forms: optimistic locking,
duplicate inventory numbers and nothing half-written."""

import enum

import sqlalchemy as sa

from app.audit import history_of
from app.extensions import db
from app.saving import SaveConflictError, StaleVersionError, check_version, commit
from inventory.forms import DeviceForm, NetworkLinkForm, OfferingForm
from inventory.models import Device, NetworkLink, Offering
from schools.models import School


class Outcome(enum.Enum):
    SAVED = "saved"
    STALE = "stale"  # someone else saved the record since the form was loaded
    DUPLICATE = "duplicate"  # the inventory number is taken (caught at commit)
    REJECTED = "rejected"  # the database refused the row for another reason


def _site_id(form, school: School) -> int | None:
    """The chosen site, or the school's main site when none was chosen."""
    if form.site.data:
        return form.site.data
    main = school.main_site
    return main.id if main is not None else None


def _text(value) -> str:
    return value or ""


def _code(value) -> str | None:
    return value or None


def fill_device(device: Device, form: DeviceForm, school: School) -> None:
    device.school_id = school.id
    device.site_id = _site_id(form, school)
    device.inventory_number = form.inventory_number.data
    device.category = form.category.data
    device.manufacturer = _text(form.manufacturer.data)
    device.model = _text(form.model.data)
    device.serial_number = _text(form.serial_number.data)
    device.status = form.status.data
    device.room = _text(form.room.data)
    device.learning_level = _code(form.learning_level.data)
    device.purchase_date = form.purchase_date.data
    device.price = form.price.data
    device.funding = _code(form.funding.data)
    device.warranty_until = form.warranty_until.data
    device.notes = _text(form.notes.data)


def fill_link(link: NetworkLink, form: NetworkLinkForm, school: School) -> None:
    link.school_id = school.id
    link.site_id = _site_id(form, school)
    link.provider = _text(form.provider.data)
    link.technology = form.technology.data
    link.down_mbps = form.down_mbps.data
    link.up_mbps = form.up_mbps.data
    link.status = form.status.data
    link.planned_date = form.planned_date.data
    link.active_since = form.active_since.data
    link.contract_end = form.contract_end.data
    link.notes = _text(form.notes.data)


def fill_offering(offering: Offering, form: OfferingForm, school: School) -> None:
    offering.school_id = school.id
    offering.learning_level = form.learning_level.data
    offering.kind = form.kind.data
    offering.description = _text(form.description.data)
    offering.status = form.status.data
    offering.since = form.since.data


FILLERS = {Device: fill_device, NetworkLink: fill_link, Offering: fill_offering}


def is_stale(record, form) -> bool:
    """True when the form was loaded from an older version of the record than the current one."""
    try:
        check_version(record, form.version.data)
    except StaleVersionError:
        return True
    return False


def save(record, form, school: School) -> Outcome:
    """Write a new or edited record from a validated form in one transaction.

    An edit whose form carries another version than the record is refused without writing;
    a concurrent save between our read and our commit is caught at commit (app.saving)."""
    if is_stale(record, form):
        return Outcome.STALE
    FILLERS[type(record)](record, form, school)
    if record.id is None:
        db.session.add(record)
    try:
        commit()
    except StaleVersionError:
        return Outcome.STALE
    except SaveConflictError:
        if isinstance(record, Device) and inventory_number_taken(
            form.inventory_number.data, record.id
        ):
            return Outcome.DUPLICATE
        return Outcome.REJECTED
    return Outcome.SAVED


def inventory_number_taken(inventory_number: str, except_id: int | None = None) -> bool:
    stmt = sa.select(Device.id).where(Device.inventory_number == inventory_number)
    if except_id is not None:
        stmt = stmt.where(Device.id != except_id)
    return db.session.scalar(stmt) is not None


def delete(record) -> Outcome:
    db.session.delete(record)
    try:
        commit()
    except StaleVersionError:
        return Outcome.STALE
    return Outcome.SAVED


def history(record) -> list:
    return history_of(record)


def last_editor(record) -> str:
    """Who changed the record last, according to the audit log."""
    entries = history(record)
    return entries[0].actor if entries else "?"
