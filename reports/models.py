"""What the alert job keeps: the outbox, the job runs, the department's recipients."""

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.model_base import NEVER_REUSE_IDS, code_check, utcnow
from schools.models import School, SchoolYear

# Who a mail is for: one school's IT contact, or the department (its digest).
DELIVERY_KINDS = ("school", "digest")
DELIVERY_STATUSES = ("pending", "sent", "failed")
# AlertDelivery.school_key for the department digest, which is about no single school.
DIGEST_SCHOOL_KEY = "all"
# AlertDelivery.alert_kind of the gigabit alerts (reports/alerts.py); the kinds about
# single records ("contract", "warranty", ...) are listed in reports/alert_kinds/.
GIGABIT = "gigabit"


def gigabit_record_key(school_key: str, school_year_id: int) -> str:
    """The gigabit alerts' record: a school (or the digest) in a school year."""
    return f"{school_key}:{school_year_id}"


def _default_record_key(context) -> str:
    """A row written without a record key is a gigabit alert's (school, school year)."""
    values = context.get_current_parameters()
    return gigabit_record_key(values["school_key"], values["school_year_id"])


class AlertDelivery(db.Model):
    """One mail of the outbox, written before it is sent; sent at most once.

    Unique on (alert_kind, kind, record_key, stage, recipient): what the alert is about
    (`record_key`: for the gigabit alerts the school and the school year, for the other
    kinds the record and the date it warns about), at which stage, to whom. Mails of the
    kinds about records bundle several rows: one mail lists every claimed row of one
    recipient, and each row is sent once."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        sa.UniqueConstraint("alert_kind", "kind", "record_key", "stage", "recipient"),
        code_check("kind", DELIVERY_KINDS),
        code_check("status", DELIVERY_STATUSES),
        sa.Index("ix_alert_deliveries_status", "status"),
        sa.Index("ix_alert_deliveries_alert_kind_status", "alert_kind", "status"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # No CHECK on purpose: a new kind is one module (reports/alert_kinds/), no migration.
    alert_kind: Mapped[str] = mapped_column(sa.String(16), default=GIGABIT)
    kind: Mapped[str] = mapped_column(sa.String(16))
    # The school number, or DIGEST_SCHOOL_KEY (NULL would defeat the unique key).
    school_key: Mapped[str] = mapped_column(sa.String(16))
    # What the row is about, e.g. "123456:3" (school, school year id) for the gigabit
    # alerts, "link:12@2027-09-30" (the link and its notice date) for contracts.
    record_key: Mapped[str] = mapped_column(sa.String(64), default=_default_record_key)
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("schools.id", ondelete="CASCADE"))
    # Only the gigabit alerts belong to a school year.
    school_year_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("school_years.id", ondelete="CASCADE")
    )
    stage: Mapped[str] = mapped_column(sa.String(32))
    recipient: Mapped[str] = mapped_column(sa.String(254))
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")
    subject: Mapped[str] = mapped_column(sa.String(300), default="")
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    claimed_until: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow, onupdate=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)

    school: Mapped[School | None] = relationship()
    school_year: Mapped[SchoolYear | None] = relationship()


class JobRun(db.Model):
    """One run of a scheduled or manual job, with its outcome."""

    __tablename__ = "job_runs"
    __table_args__ = (code_check("outcome", ("running", "success", "failed")), NEVER_REUSE_IDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(sa.String(64), index=True)
    trigger: Mapped[str] = mapped_column(sa.String(32), default="manual")
    started_at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
    outcome: Mapped[str] = mapped_column(sa.String(16), default="running")
    counts: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    error: Mapped[str] = mapped_column(sa.Text, default="")


class AlertRecipient(db.Model):
    """An address of the department digest, kept in the UI (adds to ALERT_RECIPIENTS)."""

    __tablename__ = "alert_recipients"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow)
