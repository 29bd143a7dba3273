"""The audit log: every create, update and delete, written in the same transaction.

A session listener records changes of every mapped object (except the log itself
and the alert bookkeeping), so no view, import or API call can forget it.
"""

import contextlib
import contextvars
import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from flask import has_request_context
from flask_login import current_user
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.extensions import db
from app.model_base import utcnow

# Columns never written to the log.
SECRET_COLUMNS = {"password_hash", "token_hash"}
# Columns that only reflect bookkeeping.
IGNORED_COLUMNS = {"version", "last_login_at", "last_used_at", "session_version"}

_actor_override: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "audit_actor", default=None
)


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    __table_args__ = (
        sa.Index("ix_audit_entries_object", "object_type", "object_id"),
        sa.Index("ix_audit_entries_school_number_created_at", "school_number", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(sa.String(254))
    action: Mapped[str] = mapped_column(sa.String(16))
    object_type: Mapped[str] = mapped_column(sa.String(32))
    object_id: Mapped[str] = mapped_column(sa.String(64))
    school_number: Mapped[str | None] = mapped_column(sa.String(6))
    changes: Mapped[dict] = mapped_column(sa.JSON, default=dict)


@contextlib.contextmanager
def acting_as(actor: str):
    """Name the actor for changes made outside a signed-in request (CLI, scheduler)."""
    token = _actor_override.set(actor)
    try:
        yield
    finally:
        _actor_override.reset(token)


def _actor() -> tuple[int | None, str]:
    override = _actor_override.get()
    if override:
        return None, override
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id, current_user.email
    return None, "system"


def _jsonable(value):
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
}


def object_key(obj) -> str:
    return str(getattr(obj, KEY_COLUMNS.get(obj.__tablename__, "id")))


def _school_number(session: Session, obj) -> str | None:
    if obj.__tablename__ == "schools":
        return obj.school_number
    school = getattr(obj, "school", None)
    if school is not None:
        return school.school_number
    school_id = getattr(obj, "school_id", None)
    if school_id is None:
        return None
    from schools.models import School

    return session.scalar(sa.select(School.school_number).where(School.id == school_id))


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
                    pending.append(("update", obj, changes, _school_number(session, obj)))
        for obj in session.deleted:
            if _is_audited(obj):
                pending.append(("delete", obj, _snapshot(obj), _school_number(session, obj)))
        for obj in session.new:
            if _is_audited(obj):
                pending.append(("create", obj, None, None))


def _entry_rows(items) -> list[dict]:
    """AuditEntry rows for (action, obj, school_number, changes) items, by the current actor."""
    user_id, actor = _actor()
    now = utcnow()
    return [
        {
            "created_at": now,
            "user_id": user_id,
            "actor": actor,
            "action": action,
            "object_type": obj.__tablename__,
            "object_id": object_key(obj),
            "school_number": school_number,
            "changes": changes,
        }
        for action, obj, school_number, changes in items
    ]


@sa.event.listens_for(Session, "after_flush")
def _write(session: Session, _flush_context) -> None:
    pending = session.info.pop("audit_pending", [])
    if not pending:
        return
    items = []
    with session.no_autoflush:
        for action, obj, changes, school_number in pending:
            if action == "create":
                changes = {key: [None, _jsonable(getattr(obj, key))] for key in _columns(obj)}
                school_number = _school_number(session, obj)
            items.append((action, obj, school_number, changes))
    session.connection().execute(sa.insert(AuditEntry.__table__), _entry_rows(items))


def record(action: str, object_type: str, object_id: str, school_number=None, changes=None):
    """Log an event that is not a row change (an import, an export, a login)."""
    user_id, actor = _actor()
    db.session.add(
        AuditEntry(
            user_id=user_id,
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            school_number=school_number,
            changes=changes or {},
        )
    )


def record_bulk_updates(entries: list[tuple]) -> None:
    """Log updates written with one bulk UPDATE, which the session listener cannot see
    (the importer's path for thousands of rows): entries of (obj, school_number, changes)
    with changes {column key: (old, new)}. One INSERT for all entries."""
    if not entries:
        return
    items = [
        (
            "update",
            obj,
            school_number,
            {key: [_jsonable(old), _jsonable(new)] for key, (old, new) in changes.items()},
        )
        for obj, school_number, changes in entries
    ]
    db.session.execute(sa.insert(AuditEntry.__table__), _entry_rows(items))


@sa.event.listens_for(Session, "after_rollback")
def _discard(session: Session) -> None:
    session.info.pop("audit_pending", None)


def history_of(object_type: str, object_id: str, limit: int = 100) -> list[AuditEntry]:
    """The audit entries of one object, newest first (scope the object before calling)."""
    return db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.object_type == object_type, AuditEntry.object_id == str(object_id))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(limit)
    ).all()


def history_of_school(school_number: str, limit: int = 100) -> list[AuditEntry]:
    """Everything recorded about a school and its records, newest first."""
    return db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.school_number == school_number)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(limit)
    ).all()
