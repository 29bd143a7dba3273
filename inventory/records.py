"""The web forms' side of saving devices, network links and offerings: the outcome a
view shows (saved, stale, duplicate, rejected) of a write through inventory.service."""

import enum

from app.audit import history_of
from app.errors import DuplicateError, InvalidFieldsError, SaveConflictError, StaleVersionError
from app.form_rules import add_errors, form_values
from app.saving import check_version, saving
from inventory import service
from inventory.kinds import KINDS
from inventory.models import Device
from schools.models import School


class Outcome(enum.Enum):
    SAVED = "saved"
    STALE = "stale"  # someone else saved the record since the form was loaded
    DUPLICATE = "duplicate"  # the inventory number is taken (caught at commit)
    REJECTED = "rejected"  # the database refused the row for another reason


def is_stale(record, form) -> bool:
    """True when the form was loaded from an older version of the record than the current one."""
    try:
        check_version(record, form.version.data)
    except StaleVersionError:
        return True
    return False


def save(record, form, school: School) -> tuple[Outcome, object]:
    """Write a new (record None or unsaved) or edited record from a validated form in one
    transaction, through inventory.service; returns the outcome and the saved record.

    Refusals of the service (a rule, a foreign site) are shown at the form's fields."""
    values = form_values(form, KINDS[service.kind_of(record)])
    try:
        with saving():
            if record.id is None:
                record = service.create(service.kind_of(record), school, values)
            else:
                service.update(record, values, version=form.version.data)
    except StaleVersionError:
        return Outcome.STALE, record
    except DuplicateError as exc:
        add_errors(form, {exc.field: [exc.message]})
        return Outcome.DUPLICATE, record
    except InvalidFieldsError as exc:
        add_errors(form, exc.fields)
        return Outcome.REJECTED, record
    except SaveConflictError:
        # The database's unique index answered: a number taken meanwhile.
        number = values.get("inventory_number")
        if isinstance(record, Device) and number and service.inventory_number_taken(number):
            add_errors(form, {"inventory_number": [str(service.DUPLICATE_DEVICE)]})
            return Outcome.DUPLICATE, record
        return Outcome.REJECTED, record
    return Outcome.SAVED, record


def delete(record) -> Outcome:
    try:
        with saving():
            service.delete(record)
    except StaleVersionError:
        return Outcome.STALE
    return Outcome.SAVED


def history(record) -> list:
    return history_of(record)


def last_editor(record) -> str:
    """Who changed the record last, according to the audit log."""
    entries = history(record)
    return entries[0].actor if entries else "?"
