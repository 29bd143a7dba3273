"""The alert outbox's machinery, shared by every alert kind (shared/DESIGN.md "Alerts").

Exactly once: a mail is first written to the outbox (AlertDelivery, unique on alert
kind, kind, record, stage, recipient) with INSERT ... ON CONFLICT DO NOTHING, so a
rerun or a concurrent run adds nothing. Then a run *claims* pending rows: it locks them
(PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED; SQLite: a BEGIN IMMEDIATE write
transaction), sets a lease (`claimed_until`) and commits before it sends, so a
concurrent run skips them. Each send is committed on its own as sent, or stays pending
with its error and is retried by the next run; after ALERT_MAX_ATTEMPTS it is failed.
"""

import datetime as dt
import logging
import traceback

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.mail import MailError
from reports.models import AlertDelivery

log = logging.getLogger(__name__)

# How long a claim keeps other runs away from a mail; far longer than one send takes.
CLAIM_LEASE = dt.timedelta(minutes=30)
SUPERSEDED = "superseded:"
CANCELLED = "cancelled:"
UNIQUE_KEY = ["alert_kind", "kind", "record_key", "stage", "recipient"]
INSERT_BATCH = 500


def describe(exc: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()


def max_attempts() -> int:
    return int(current_app.config["ALERT_MAX_ATTEMPTS"])


def _insert(values: list[dict]):
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        stmt = postgresql.insert(AlertDelivery)
    elif dialect == "sqlite":
        stmt = sqlite.insert(AlertDelivery)
    else:  # pragma: no cover - only PostgreSQL and SQLite are supported
        raise RuntimeError(f"unsupported database {dialect}")
    return (
        stmt.values(values)
        .on_conflict_do_nothing(index_elements=UNIQUE_KEY)
        .returning(AlertDelivery.id)
    )


def queue(rows: list[dict], now: dt.datetime) -> int:
    """Write pending rows (alert_kind, kind, school_key, school_id, record_key,
    school_year_id, stage, recipient, subject) to the outbox; rows that exist already
    stay as they are. Returns how many were new; committed."""
    if not rows:
        return 0
    defaults = {
        "school_year_id": None,
        "status": "pending",
        "attempts": 0,
        "last_error": "",
        "created_at": now,
        "updated_at": now,
    }
    values = [defaults | row | {"subject": row["subject"][:300]} for row in rows]
    queued = 0
    for start in range(0, len(values), INSERT_BATCH):
        chunk = values[start : start + INSERT_BATCH]
        # RETURNING counts the new rows; rowcount is -1 for a multi-row insert on psycopg.
        queued += len(db.session.execute(_insert(chunk)).all())
    db.session.commit()
    return queued


def not_claimed(now: dt.datetime):
    return sa.or_(AlertDelivery.claimed_until.is_(None), AlertDelivery.claimed_until < now)


def close(where, error: str, now: dt.datetime) -> int:
    """Close the pending, unclaimed rows matching `where` as failed with that error
    (SUPERSEDED or CANCELLED first: closed on purpose, not an error); committed."""
    closed = db.session.execute(
        sa.update(AlertDelivery)
        .where(AlertDelivery.status == "pending", not_claimed(now), where)
        .values(status="failed", last_error=error, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return closed


def claim(where, now: dt.datetime) -> list[int]:
    """Lock and lease the pending rows matching `where`; committed before anything is
    sent, so a concurrent run skips them."""
    db.session.commit()
    stmt = (
        sa.select(AlertDelivery.id)
        .where(AlertDelivery.status == "pending", not_claimed(now), where)
        .order_by(AlertDelivery.id)
    )
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    elif dialect == "sqlite":
        # Take SQLite's write lock now, so no other process reads the same rows as free.
        db.session.connection().exec_driver_sql("BEGIN IMMEDIATE")
    try:
        ids = list(db.session.scalars(stmt))
        if ids:
            db.session.execute(
                sa.update(AlertDelivery)
                .where(AlertDelivery.id.in_(ids))
                .values(claimed_until=now + CLAIM_LEASE)
                .execution_options(synchronize_session=False)
            )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return ids


def claimed_rows(ids: list[int]) -> list[AlertDelivery]:
    """The claimed rows, detached, so the commit after each send does not expire (and
    reload) them."""
    deliveries = db.session.scalars(
        sa.select(AlertDelivery).where(AlertDelivery.id.in_(ids)).order_by(AlertDelivery.id)
    ).all()
    for delivery in deliveries:
        db.session.expunge(delivery)
    return list(deliveries)


def update(delivery_id: int, values: dict) -> None:
    db.session.execute(
        sa.update(AlertDelivery)
        .where(AlertDelivery.id == delivery_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def failure(delivery: AlertDelivery, exc: Exception) -> tuple[dict, str]:
    """The row's values after a failed send, and the error. A server that is down or
    busy gets another try on the next run; a mail that can never be sent (data no mail
    can carry, an address the server refuses for good, a bug while building it) is
    failed at once."""
    attempts = delivery.attempts + 1
    if isinstance(exc, MailError):
        error = str(exc)
        permanent = exc.permanent
        log.warning("alert mail to %s not sent: %s", delivery.recipient, error)
    else:
        error = describe(exc)
        permanent = True
        log.exception("alert mail to %s could not be built", delivery.recipient)
    error = error[:2000]
    values = {
        "attempts": attempts,
        "last_error": error,
        "status": "failed" if permanent or attempts >= max_attempts() else "pending",
    }
    return values, error


def delivery_state(delivery: AlertDelivery) -> str:
    """sent, pending, failed, superseded or cancelled (the last two are failed rows that
    were closed on purpose, not errors)."""
    if delivery.status == "failed":
        if delivery.last_error.startswith(SUPERSEDED):
            return "superseded"
        if delivery.last_error.startswith(CANCELLED):
            return "cancelled"
    return delivery.status
