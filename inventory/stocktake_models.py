"""Stock-taking (Inventur): a school's count of the devices at a site or in a room, and the
inventory numbers scanned for it."""

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.codes import STOCK_TAKE_STATUSES
from app.extensions import db
from app.model_base import NEVER_REUSE_IDS, Versioned, code_check, utcnow
from schools.models import School, SchoolYear, Site


class StockTake(Versioned, db.Model):
    """One stock-take of a school in a school year, of a site or of one room at a site.

    At most one is open per scope at a time: a second person starting the same scope joins
    the open one. The figures are stored at confirmation (the devices move on afterwards)."""

    __tablename__ = "stock_takes"
    __table_args__ = (
        code_check("status", STOCK_TAKE_STATUSES),
        sa.Index(
            "uq_stock_takes_one_open_per_scope",
            "school_id",
            "school_year_id",
            "site_id",
            "room",
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        ),
        sa.Index("ix_stock_takes_school_year", "school_id", "school_year_id"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id", ondelete="CASCADE"))
    school_year_id: Mapped[int] = mapped_column(
        sa.ForeignKey("school_years.id", ondelete="CASCADE"), index=True
    )
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    room: Mapped[str] = mapped_column(sa.String(64), default="")  # "" = the whole site
    status: Mapped[str] = mapped_column(sa.String(16), default="open")
    started_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    started_at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
    found: Mapped[int | None] = mapped_column(sa.Integer)
    missing: Mapped[int | None] = mapped_column(sa.Integer)
    moved: Mapped[int | None] = mapped_column(sa.Integer)
    unknown: Mapped[int | None] = mapped_column(sa.Integer)

    school: Mapped[School] = relationship()
    school_year: Mapped[SchoolYear] = relationship()
    site: Mapped[Site] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    def __repr__(self) -> str:
        return f"<StockTake {self.id} {self.status}>"


class StockTakeScan(db.Model):
    """An inventory number seen at a stock-take: a device of the school (counted once, the
    unique key holds under concurrent scans) or an unknown number (kept once)."""

    __tablename__ = "stock_take_scans"
    __table_args__ = (
        sa.UniqueConstraint("stock_take_id", "device_id"),
        sa.Index(
            "uq_stock_take_scans_unknown_number",
            "stock_take_id",
            "number",
            unique=True,
            sqlite_where=sa.text("device_id IS NULL"),
            postgresql_where=sa.text("device_id IS NULL"),
        ),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stock_take_id: Mapped[int] = mapped_column(
        sa.ForeignKey("stock_takes.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[str] = mapped_column(sa.String(64))  # as typed (trimmed)
    device_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("devices.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    seen_at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<StockTakeScan {self.stock_take_id} {self.number}>"
