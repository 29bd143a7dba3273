"""The audit log: every create, update and delete, written in the same transaction.

A session listener records changes of every mapped object (except the log itself
and the alert bookkeeping), so no view, import or API call can forget it.
"""

import contextlib
import contextvars
import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.extensions import db
from app.model_base import NEVER_REUSE_IDS, utcnow

# Columns never written to the log.
SECRET_COLUMNS = {"password_hash", "token_hash"}
# Columns that only reflect bookkeeping.
IGNORED_COLUMNS = {"version", "last_login_at", "last_used_at", "session_version"}

_actor_override: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "audit_actor", default=None
)
_channel_override: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "audit_channel", default=None
)

# Through which door a change came (DESIGN.md "AuditEntry").
CHANNELS = ("web", "import", "api", "cli")


OBJECT_ID_LENGTH = 64


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    __table_args__ = (
        sa.Index("ix_audit_entries_record", "object_type", "record_id"),
        sa.Index("ix_audit_entries_school_id_created_at", "school_id", "created_at"),
        sa.Index("ix_audit_entries_school_number_created_at", "school_number", "created_at"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(sa.String(254))
    action: Mapped[str] = mapped_column(sa.String(16))
    # What the entry is about: the record's table and primary key (ids are never reused),
    # and its school's id. object_id is the key it was known by then, for display only: a
    # number can be renamed or used again by another record.
    object_type: Mapped[str] = mapped_column(sa.String(32))
    object_id: Mapped[str] = mapped_column(sa.String(OBJECT_ID_LENGTH))
    record_id: Mapped[int | None] = mapped_column(sa.Integer)
    school_id: Mapped[int | None] = mapped_column(sa.Integer)  # no FK: outlives the school
    school_number: Mapped[str | None] = mapped_column(sa.String(6))
    changes: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    channel: Mapped[str | None] = mapped_column(sa.String(8))  # one of CHANNELS


@contextlib.contextmanager
def _set_within(variable: contextvars.ContextVar, value: str):
    token = variable.set(value)
    try:
        yield
    finally:
        variable.reset(token)


def acting_as(actor: str):
    """Name the actor for changes made outside a signed-in request (CLI, scheduler)."""
    return _set_within(_actor_override, actor)


def via(channel: str):
    """Name the channel of the changes made inside (the importer: "import")."""
    return _set_within(_channel_override, channel)


def current_channel() -> str:
    """import inside via("import"); cli for commands and jobs (acting_as); else api or
    web by the request's path."""
    override = _channel_override.get()
    if override:
        return override
    if _actor_override.get() or not has_request_context():
        return "cli"
    return "api" if request.path.startswith("/api/") else "web"


def _actor() -> tuple[int | None, str]:
    override = _actor_override.get()
    if override:
        return None, override
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id, current_user.email
    return None, "system"


def _jsonable(value):
    if value is None or type(value) in (str, int, bool):
        return value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _is_audited(obj) -> bool:
    return obj.__tablename__ not in {"audit_entries", "alert_deliveries", "job_runs"}


# The public key each kind of object is known by; others go by id.
KEY_COLUMNS = {
    "schools": "school_number",
    "devices": "inventory_number",
    "users": "email",
    "school_years": "label",
    "alert_recipients": "email",
    "funding_programmes": "code",
}


def object_key(obj) -> str:
    return str(getattr(obj, KEY_COLUMNS.get(obj.__tablename__, "id")))


NO_SCHOOL = (None, None)


def _school(session: Session, obj) -> tuple[int | None, str | None]:
    """(id, number) of the school a record belongs to; (None, None) for others."""
    if obj.__tablename__ == "schools":
        return obj.id, obj.school_number
    school = getattr(obj, "school", None)
    if school is not None:
        return school.id, school.school_number
    school_id = getattr(obj, "school_id", None)
    if school_id is None:
        return NO_SCHOOL
    from schools.models import School

    number = session.scalar(sa.select(School.school_number).where(School.id == school_id))
    return school_id, number


def _columns(obj):
    return [
        c.key
        for c in obj.__mapper__.column_attrs
        if c.key not in SECRET_COLUMNS | IGNORED_COLUMNS and c.key != "id"
    ]


def _unloaded_old_values(session: Session, obj, keys: list[str]) -> dict:
    """The stored values of attributes that were set while expired (e.g. after a commit):
    the session never loaded them, so their history has no old value; the row still has it."""
    if not keys:
        return {}
    mapper = obj.__mapper__
    columns = [mapper.column_attrs[key].columns[0] for key in keys]
    identity = mapper.primary_key_from_instance(obj)
    where = [c == v for c, v in zip(mapper.primary_key, identity, strict=True)]
    row = session.connection().execute(sa.select(*columns).where(*where)).one_or_none()
    return dict(zip(keys, row, strict=True)) if row is not None else {}


def _changes_of(obj, session: Session | None = None) -> dict:
    state = sa.inspect(obj)
    changed = {}
    for key in _columns(obj):
        history = state.attrs[key].history
        if history.has_changes():
            changed[key] = history
    unknown = [key for key, history in changed.items() if not history.deleted]
    stored = _unloaded_old_values(session, obj, unknown) if session is not None else {}
    changes = {}
    for key, history in changed.items():
        old = history.deleted[0] if history.deleted else stored.get(key)
        new = history.added[0] if history.added else None
        if old != new:
            changes[key] = [_jsonable(old), _jsonable(new)]
    # Many-to-many links (a school admin's schools) are changes of the owner.
    for rel in obj.__mapper__.relationships:
        if rel.secondary is None:
            continue
        history = state.attrs[rel.key].history
        if history.added or history.deleted:
            changes[rel.key] = [
                sorted(object_key(o) for o in (history.unchanged + history.deleted)),
                sorted(object_key(o) for o in (history.unchanged + history.added)),
            ]
    return changes


def _snapshot(obj) -> dict:
    return {key: [_jsonable(getattr(obj, key)), None] for key in _columns(obj)}


@sa.event.listens_for(Session, "before_flush")
def _collect(session: Session, _flush_context, _instances) -> None:
    pending = session.info.setdefault("audit_pending", [])
    with session.no_autoflush:
        for obj in session.dirty:
            if _is_audited(obj) and session.is_modified(obj):
                changes = _changes_of(obj, session)
                if changes:
                    pending.append(("update", obj, changes, _school(session, obj)))
        for obj in session.deleted:
            if _is_audited(obj):
                pending.append(("delete", obj, _snapshot(obj), _school(session, obj)))
        for obj in session.new:
            if _is_audited(obj):
                pending.append(("create", obj, None, NO_SCHOOL))


def _entry_rows(items) -> list[dict]:
    """AuditEntry rows for (action, obj, (school id, number), changes) items, by the
    current actor."""
    user_id, actor = _actor()
    channel = current_channel()
    now = utcnow()
    return [
        {
            "created_at": now,
            "user_id": user_id,
            "actor": actor,
            "action": action,
            "object_type": obj.__tablename__,
            "object_id": object_key(obj),
            "record_id": obj.id,
            "school_id": school_id,
            "school_number": school_number,
            "changes": changes,
            "channel": channel,
        }
        for action, obj, (school_id, school_number), changes in items
    ]


@sa.event.listens_for(Session, "after_flush")
def _write(session: Session, _flush_context) -> None:
    pending = session.info.pop("audit_pending", [])
    if not pending:
        return
    items = []
    with session.no_autoflush:
        for action, obj, changes, school in pending:
            if action == "create":
                changes = {key: [None, _jsonable(getattr(obj, key))] for key in _columns(obj)}
                school = _school(session, obj)
            items.append((action, obj, school, changes))
    session.connection().execute(sa.insert(AuditEntry.__table__), _entry_rows(items))


def record(
    action: str,
    object_type: str,
    object_id: str,
    school_number=None,
    changes=None,
    *,
    record_id: int | None = None,
    school_id: int | None = None,
):
    """Log an event that is not a row change (an import, an export, a login); record_id
    and school_id name the record it concerns, if any."""
    user_id, actor = _actor()
    if school_id is None and school_number:
        school_id = _school_ids({school_number}).get(school_number)
    db.session.add(
        AuditEntry(
            user_id=user_id,
            actor=actor,
            action=action,
            object_type=object_type,
            # an event's name (a file name) is cut to fit; records are keyed by record_id
            object_id=str(object_id)[:OBJECT_ID_LENGTH],
            record_id=record_id,
            school_id=school_id,
            school_number=school_number,
            changes=changes or {},
            channel=current_channel(),
        )
    )


def record_bulk_updates(entries: list[tuple]) -> None:
    """Log updates written with one bulk UPDATE, which the session listener cannot see
    (the importer's path for thousands of rows): entries of (obj, school_number, changes)
    with changes {column key: (old, new)}. One INSERT for all entries."""
    if not entries:
        return
    school_ids = _school_ids({number for _obj, number, _changes in entries if number})
    items = [
        (
            "update",
            obj,
            (_school_id_of(obj, school_ids.get(school_number)), school_number),
            {key: [_jsonable(old), _jsonable(new)] for key, (old, new) in changes.items()},
        )
        for obj, school_number, changes in entries
    ]
    db.session.execute(sa.insert(AuditEntry.__table__), _entry_rows(items))


def record_bulk_creates(table: sa.Table, rows: list[dict], school_numbers: dict[int, str]) -> None:
    """Log records inserted with one bulk INSERT (the import's and the seed's path), which
    the session listener cannot see: rows as inserted (with their id and school_id),
    school_numbers {school id: number}. One INSERT for all of them."""
    if not rows:
        return
    user_id, actor = _actor()
    channel = current_channel()
    now = utcnow()
    key = KEY_COLUMNS.get(table.name, "id")
    logged = [
        c for c in table.columns if c.key not in SECRET_COLUMNS | IGNORED_COLUMNS and c.key != "id"
    ]
    # Only dates and decimals need converting for JSON; the other columns pass as they are.
    converted = [c.key for c in logged if isinstance(c.type, sa.Date | sa.DateTime | sa.Numeric)]
    keys = [c.key for c in logged]
    entries = []
    for row in rows:
        changes = {c: [None, row.get(c)] for c in keys}
        for c in converted:
            changes[c][1] = _jsonable(changes[c][1])
        entries.append(
            {
                "created_at": now,
                "user_id": user_id,
                "actor": actor,
                "action": "create",
                "object_type": table.name,
                "object_id": str(row[key]),
                "record_id": row["id"],
                "school_id": row.get("school_id"),
                "school_number": school_numbers.get(row.get("school_id")),
                "changes": changes,
                "channel": channel,
            }
        )
    db.session.execute(sa.insert(AuditEntry.__table__), entries)


def _school_ids(numbers: set[str]) -> dict[str, int]:
    if not numbers:
        return {}
    from schools.models import School

    rows = db.session.execute(
        sa.select(School.school_number, School.id).where(School.school_number.in_(numbers))
    )
    return dict(rows.all())


def _school_id_of(obj, by_number: int | None) -> int | None:
    if obj.__tablename__ == "schools":
        return obj.id
    return getattr(obj, "school_id", None) or by_number


@sa.event.listens_for(Session, "after_rollback")
def _discard(session: Session) -> None:
    session.info.pop("audit_pending", None)


def record_school_id(obj) -> int | None:
    """The id of the school a record belongs to (a school's own id); None for others."""
    if obj.__tablename__ == "schools":
        return obj.id
    return getattr(obj, "school_id", None)


def history_of(obj, limit: int = 100) -> list[AuditEntry]:
    """The audit entries of one record, newest first (scope the record before calling).

    By the record's identity (table and id), within its school: another record that has
    or had the same number, or the same id in another school, never shows here."""
    stmt = sa.select(AuditEntry).where(
        AuditEntry.object_type == obj.__tablename__, AuditEntry.record_id == obj.id
    )
    school_id = record_school_id(obj)
    if school_id is not None:
        stmt = stmt.where(AuditEntry.school_id == school_id)
    return db.session.scalars(
        stmt.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(limit)
    ).all()


def school_history_query(school_id: int) -> sa.Select:
    """Everything recorded about a school and its records, newest first (by the school's
    id: a school that had the same number before does not show)."""
    return (
        sa.select(AuditEntry)
        .where(AuditEntry.school_id == school_id)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    )


def history_of_school(school_id: int, limit: int = 100) -> list[AuditEntry]:
    return db.session.scalars(school_history_query(school_id).limit(limit)).all()
