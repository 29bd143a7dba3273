"""What the department keeps for the alerts: the digest recipients, and the queries of
the "Benachrichtigungen" page."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from wtforms import EmailField
from wtforms.validators import DataRequired, Length

from app.extensions import db
from app.forms import BaseForm, EmailAddress
from app.saving import SaveConflictError, commit
from reports.alerts import JOB_NAME, configured_recipients, normalize_email
from reports.models import AlertDelivery, AlertRecipient, JobRun

OUTBOX_FILTERS = ("pending", "sent", "failed")


class RecipientForm(BaseForm):
    email = EmailField(
        _l("Email address"), validators=[DataRequired(), EmailAddress(), Length(max=254)]
    )


class DuplicateError(Exception):
    """The natural key (an address, a school year label) exists already."""


# --- the page ----------------------------------------------------------------------


def recent_runs(limit: int = 20) -> list[JobRun]:
    return list(
        db.session.scalars(
            sa.select(JobRun)
            .where(JobRun.job == JOB_NAME)
            .order_by(JobRun.started_at.desc(), JobRun.id.desc())
            .limit(limit)
        )
    )


def outbox_query(status: str = "") -> sa.Select:
    stmt = sa.select(AlertDelivery).order_by(AlertDelivery.id.desc())
    if status in OUTBOX_FILTERS:
        stmt = stmt.where(AlertDelivery.status == status)
    return stmt


def outbox_counts() -> dict[str, int]:
    rows = db.session.execute(
        sa.select(AlertDelivery.status, sa.func.count()).group_by(AlertDelivery.status)
    )
    return {status: count for status, count in rows}


def saved_recipients() -> list[AlertRecipient]:
    return list(db.session.scalars(sa.select(AlertRecipient).order_by(AlertRecipient.email)))


def add_recipient(address: str) -> AlertRecipient:
    email = normalize_email(address)
    exists = db.session.scalar(sa.select(AlertRecipient.id).where(AlertRecipient.email == email))
    if exists is not None or email in configured_recipients():
        raise DuplicateError(email)
    recipient = AlertRecipient(email=email)
    db.session.add(recipient)
    try:
        commit()
    except SaveConflictError as exc:
        raise DuplicateError(email) from exc
    return recipient


def remove_recipient(recipient: AlertRecipient) -> None:
    db.session.delete(recipient)
    db.session.commit()
