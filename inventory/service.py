"""The one door for writes to the inventory: devices, network links, offerings.

Every channel (web forms, API, import, seed, CLI) calls these functions with typed
values keyed by field code (inventory/kinds.py). They clean the values with the
registry's rules, keep the invariants, flush and never commit: the caller owns the
transaction (app/saving.py). The import's large files go through bulk_create() and
bulk_update(), which take rows already cleaned by clean_record() and write them in
batches; the same invariants hold there.

Invariants kept here and nowhere else:
- a record belongs to its school; its site, if given, is one of the school's sites;
- a device or link without a site belongs to the school's main site (stored as such);
- an inventory number is unique city-wide;
- a device's funding code and its funding shares agree (inventory/funding_service.py);
- a device still bound to its funding's purpose is retired only with a reason
  (inventory/funding_rules.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from app.audit import record_bulk_creates, record_bulk_updates
from app.errors import DuplicateError, InvalidFieldsError
from app.extensions import db
from app.rules import require, validate
from app.saving import check_version
from inventory.funding_rules import unexplained_retirement
from inventory.funding_service import follow_funding_codes
from inventory.kinds import KINDS
from inventory.models import Device, NetworkLink, Offering
from schools.models import School

MODELS = {"devices": Device, "links": NetworkLink, "offerings": Offering}
KIND_OF = {model: kind for kind, model in MODELS.items()}
DUPLICATE_DEVICE = _l("A device with this inventory number exists already.")
BATCH = 1000


def kind_of(record) -> str:
    return KIND_OF[type(record)]


def _site_id(school: School, site_id: int | None) -> int | None:
    """The site a record is stored at: the given one (of this school) or the main site."""
    if site_id is None:
        main = school.main_site
        return main.id if main is not None else None
    if all(site.id != site_id for site in school.sites):
        message = _l("School %(number)s has no such site.", number=school.school_number)
        raise InvalidFieldsError({"site": [str(message)]})
    return site_id


def clean_record(
    kind: str, school: School, values: dict, record=None, *, current: dict | None = None
) -> dict:
    """The values cleaned by the registry's rules, with the site resolved; for a new
    record all fields (defaults for the missing ones). No query: the import calls this
    for every row with the school's sites loaded."""
    spec = KINDS[kind]
    if record is None:
        values = require(spec, values)
    elif current is None and spec.checks:
        # the rules across fields see the stored values of the fields not changed
        current = {s.code: getattr(record, _attribute(s.code)) for s in spec.editable}
    cleaned = validate(spec, values, current=current)
    if kind == "devices":
        _refuse_unexplained_retirement(cleaned, record, current)
    if "site" in cleaned:
        cleaned["site"] = _site_id(school, cleaned["site"])
    return cleaned


def _refuse_unexplained_retirement(cleaned: dict, record, current: dict | None) -> None:
    """A device still bound to its funding's purpose is retired only with a reason."""
    if "status" not in cleaned:
        return
    merged = {**(current or {}), **cleaned}
    problems = unexplained_retirement(merged, record.status if record is not None else None)
    if problems:
        raise InvalidFieldsError({code: [str(msg)] for code, msg in problems.items()})


def _attribute(code: str) -> str:
    return "site_id" if code == "site" else code


def column_values(cleaned: dict) -> dict:
    """Cleaned values by model attribute (site -> site_id)."""
    return {_attribute(code): value for code, value in cleaned.items()}


def inventory_number_taken(number: str, except_id: int | None = None) -> bool:
    stmt = sa.select(Device.id).where(Device.inventory_number == number)
    if except_id is not None:
        stmt = stmt.where(Device.id != except_id)
    return db.session.scalar(stmt) is not None


def _refuse_duplicate(kind: str, cleaned: dict, record=None) -> None:
    number = cleaned.get("inventory_number")
    except_id = record.id if record is not None else None
    if kind == "devices" and number is not None and inventory_number_taken(number, except_id):
        raise DuplicateError("inventory_number", str(DUPLICATE_DEVICE))


def create(kind: str, school: School, values: dict):
    """A new device, link or offering of the school."""
    cleaned = clean_record(kind, school, values)
    _refuse_duplicate(kind, cleaned)
    record = MODELS[kind](school_id=school.id, **column_values(cleaned))
    set_committed_value(record, "school", school)
    db.session.add(record)
    db.session.flush()
    if kind == "devices" and record.funding is not None:
        follow_funding_codes([(record.id, record.funding)], new=True)
    return record


def update(record, values: dict, version: int | None = None):
    """Change a record's fields (only those given)."""
    check_version(record, version)
    kind = kind_of(record)
    cleaned = clean_record(kind, record.school, values, record)
    _refuse_duplicate(kind, cleaned, record)
    funding = getattr(record, "funding", None)
    for attribute, value in column_values(cleaned).items():
        setattr(record, attribute, value)
    db.session.flush()
    if kind == "devices" and cleaned.get("funding", funding) != funding:
        follow_funding_codes([(record.id, record.funding)])
    return record


def delete(record, version: int | None = None) -> None:
    check_version(record, version)
    db.session.delete(record)
    db.session.flush()


# --- the import's bulk path ------------------------------------------------------------


def _new_ids(model, count: int):
    """Primary keys for new rows where the database cannot batch INSERT ... RETURNING.

    SQLite returns the ids of a multi-row INSERT in no guaranteed order, so there the ids
    are handed out here and the rows inserted with one executemany. They continue after
    the highest ever handed out (SQLite's AUTOINCREMENT counter), so a deleted record's
    id is never given again. A concurrent insert meanwhile fails the transaction, never
    mixes. PostgreSQL returns them in order: ids stay None (the sequence)."""
    if count == 0 or db.session.get_bind().dialect.name != "sqlite":
        return iter(lambda: None, 0)
    table = model.__tablename__
    highest = db.session.scalar(sa.select(sa.func.max(model.id))) or 0
    has_counter = db.session.scalar(
        sa.text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'")
    )
    if has_counter:
        counter = db.session.scalar(
            sa.text("SELECT seq FROM sqlite_sequence WHERE name = :name"), {"name": table}
        )
        highest = max(highest, counter or 0)
    return iter(range(highest + 1, highest + 1 + count))


def bulk_create(kind: str, rows: Sequence[tuple[School, dict]]) -> list[int]:
    """New records from values cleaned by clean_record(): one executemany INSERT and one
    INSERT of audit entries per batch, no ORM object per row. Returns the new ids in the
    order of the rows. rows is only sliced batch by batch, so it may build its values
    when sliced (the import keeps them as tuples)."""
    table = MODELS[kind].__table__
    ids = _new_ids(MODELS[kind], len(rows))
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    statement = sa.insert(table)
    if not sqlite:
        statement = statement.returning(table.c.id, sort_by_parameter_order=True)
    new_ids: list[int] = []
    for start in range(0, len(rows), BATCH):
        params, numbers = [], {}
        for school, cleaned in rows[start : start + BATCH]:
            numbers[school.id] = school.school_number
            row = {"school_id": school.id, "version": 1, **column_values(cleaned)}
            if sqlite:
                row["id"] = next(ids)
            params.append(row)
        result = db.session.execute(statement, params)
        if sqlite:
            batch_ids = [row["id"] for row in params]
        else:
            batch_ids = list(result.scalars())
            for row, new_id in zip(params, batch_ids, strict=True):
                row["id"] = new_id
        new_ids.extend(batch_ids)
        record_bulk_creates(table, params, numbers)
        if kind == "devices":
            follow_funding_codes(
                ((row["id"], row["funding"]) for row in params if row.get("funding")), new=True
            )
    return new_ids


def bulk_update(kind: str, rows: list[tuple[object, dict]]) -> None:
    """Apply cleaned changes to loaded records: one version-checked executemany per batch
    and one INSERT of audit entries, instead of one UPDATE per record. A record changed
    by someone else since it was loaded raises StaleDataError (the caller rolls back).

    All rows set every given column (unchanged columns to their stored value), so one
    statement shape serves the whole batch."""
    if not rows:
        return
    table = MODELS[kind].__table__
    keys = sorted({_attribute(code) for _record, changes in rows for code in changes})
    statement = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("b_id"), table.c.version == sa.bindparam("b_version"))
        .values(
            {**{key: sa.bindparam(f"b_{key}") for key in keys}, "version": sa.bindparam("b_next")}
        )
    )
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        params, entries, funding = [], [], []
        for record, changes in batch:
            changed = column_values(changes)
            if kind == "devices" and changed.get("funding", record.funding) != record.funding:
                funding.append((record.id, changed["funding"]))
            values = {key: changed.get(key, getattr(record, key)) for key in keys}
            params.append(
                {
                    "b_id": record.id,
                    "b_version": record.version,
                    "b_next": record.version + 1,
                    **{f"b_{key}": value for key, value in values.items()},
                }
            )
            audit_changes = {key: (getattr(record, key), value) for key, value in changed.items()}
            entries.append((record, record.school.school_number, audit_changes))
        result = db.session.execute(statement, params)
        if result.rowcount != len(batch):
            raise StaleDataError(f"{len(batch) - result.rowcount} rows changed meanwhile")
        record_bulk_updates(entries)
        follow_funding_codes(funding)
        for (record, _changes), row_params in zip(batch, params, strict=True):
            # the session's copies now match the database (and are not dirty)
            for key in keys:
                set_committed_value(record, key, row_params[f"b_{key}"])
            set_committed_value(record, "version", row_params["b_next"])
