"""What the alert job keeps: the outbox, the job runs, the department's recipients."""

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.model_base import NEVER_REUSE_IDS, code_check, utcnow
from schools.models import School, SchoolYear

DELIVERY_KINDS = ("school", "digest")
DELIVERY_STATUSES = ("pending", "sent", "failed")
# AlertDelivery.school_key for the department digest, which is about no single school.
DIGEST_SCHOOL_KEY = "all"


class AlertDelivery(db.Model):
    """One mail of the outbox, written before it is sent; sent at most once."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        sa.UniqueConstraint("kind", "school_key", "school_year_id", "stage", "recipient"),
        code_check("kind", DELIVERY_KINDS),
        code_check("status", DELIVERY_STATUSES),
        sa.Index("ix_alert_deliveries_status", "status"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    # The school number, or DIGEST_SCHOOL_KEY (NULL would defeat the unique key).
    school_key: Mapped[str] = mapped_column(sa.String(16))
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("schools.id", ondelete="CASCADE"))
    school_year_id: Mapped[int] = mapped_column(
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
    school_year: Mapped[SchoolYear] = relationship()


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
