"""The inventory: devices, network links and learning-level offerings of each school."""

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.codes import (
    DEVICE_CATEGORIES,
    DEVICE_STATUSES,
    DEVICE_USES,
    FUNDING_SOURCES,
    LEARNING_LEVELS,
    LINK_STATUSES,
    LINK_TECHNOLOGIES,
    OFFERING_KINDS,
    OFFERING_STATUSES,
)
from app.extensions import db
from app.model_base import NEVER_REUSE_IDS, Versioned, code_check
from inventory.funding_models import FundingShare
from schools.models import School, Site


class Device(Versioned, db.Model):
    __tablename__ = "devices"
    __table_args__ = (
        code_check("category", DEVICE_CATEGORIES),
        code_check("status", DEVICE_STATUSES),
        code_check("use", DEVICE_USES, nullable=True),
        code_check("learning_level", LEARNING_LEVELS, nullable=True),
        code_check("funding", FUNDING_SOURCES, nullable=True),
        sa.CheckConstraint("price IS NULL OR price >= 0", name="price_not_negative"),
        sa.Index("ix_devices_school_category_status", "school_id", "category", "status"),
        sa.Index("ix_devices_school_room", "school_id", "room"),
        # A school's devices in number order (the lists' default), deep pages included.
        sa.Index("ix_devices_school_inventory_number", "school_id", "inventory_number"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id", ondelete="CASCADE"))
    site_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("sites.id", ondelete="SET NULL"), index=True
    )
    inventory_number: Mapped[str] = mapped_column(sa.String(64), unique=True)
    category: Mapped[str] = mapped_column(sa.String(32))
    manufacturer: Mapped[str] = mapped_column(sa.String(100), default="")
    model: Mapped[str] = mapped_column(sa.String(100), default="")
    serial_number: Mapped[str] = mapped_column(sa.String(100), default="")
    status: Mapped[str] = mapped_column(sa.String(16), default="in_use")
    use: Mapped[str | None] = mapped_column(sa.String(16))  # DEVICE_USES; None: not recorded
    room: Mapped[str] = mapped_column(sa.String(64), default="")
    learning_level: Mapped[str | None] = mapped_column(sa.String(16))
    purchase_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    price: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2))
    funding: Mapped[str | None] = mapped_column(sa.String(32))
    warranty_until: Mapped[dt.date | None] = mapped_column(sa.Date)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    # Why a device still bound to its funding's purpose was retired (funding_rules.py).
    retired_reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    school: Mapped[School] = relationship()
    site: Mapped[Site | None] = relationship()
    # The programmes that paid for the device (inventory/funding_models.py).
    funding_shares: Mapped[list[FundingShare]] = relationship(
        order_by=FundingShare.id, cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def bound_until(self) -> dt.date | None:
        """Zweckgebunden bis: the latest end of the purpose binding of its programmes."""
        ends = [share.programme.bound_until() for share in self.funding_shares]
        return max((end for end in ends if end is not None), default=None)

    def __repr__(self) -> str:
        return f"<Device {self.inventory_number}>"


class NetworkLink(Versioned, db.Model):
    __tablename__ = "network_links"
    __table_args__ = (
        code_check("technology", LINK_TECHNOLOGIES),
        code_check("status", LINK_STATUSES),
        sa.CheckConstraint("down_mbps > 0", name="down_mbps_positive"),
        sa.CheckConstraint("up_mbps > 0", name="up_mbps_positive"),
        sa.CheckConstraint(
            "monthly_cost IS NULL OR monthly_cost >= 0", name="monthly_cost_not_negative"
        ),
        sa.CheckConstraint(
            "notice_period_months IS NULL OR notice_period_months BETWEEN 0 AND 120",
            name="notice_period_months_range",
        ),
        sa.Index("ix_network_links_school_status", "school_id", "status"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id", ondelete="CASCADE"))
    site_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("sites.id", ondelete="SET NULL"), index=True
    )
    provider: Mapped[str] = mapped_column(sa.String(100), default="")
    technology: Mapped[str] = mapped_column(sa.String(16))
    down_mbps: Mapped[int] = mapped_column(sa.Integer)
    up_mbps: Mapped[int] = mapped_column(sa.Integer)
    status: Mapped[str] = mapped_column(sa.String(16))
    planned_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    active_since: Mapped[dt.date | None] = mapped_column(sa.Date)
    contract_end: Mapped[dt.date | None] = mapped_column(sa.Date)
    monthly_cost: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2))
    notice_period_months: Mapped[int | None] = mapped_column(sa.Integer)
    notes: Mapped[str] = mapped_column(sa.Text, default="")

    school: Mapped[School] = relationship()
    site: Mapped[Site | None] = relationship()

    def __repr__(self) -> str:
        return f"<NetworkLink {self.id} {self.technology} {self.down_mbps}/{self.up_mbps}>"


class Offering(Versioned, db.Model):
    __tablename__ = "offerings"
    __table_args__ = (
        code_check("learning_level", LEARNING_LEVELS),
        code_check("kind", OFFERING_KINDS),
        code_check("status", OFFERING_STATUSES),
        sa.Index("ix_offerings_school_level", "school_id", "learning_level"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id", ondelete="CASCADE"))
    learning_level: Mapped[str] = mapped_column(sa.String(16))
    kind: Mapped[str] = mapped_column(sa.String(32))
    description: Mapped[str] = mapped_column(sa.String(500), default="")
    status: Mapped[str] = mapped_column(sa.String(16), default="available")
    since: Mapped[dt.date | None] = mapped_column(sa.Date)

    school: Mapped[School] = relationship()

    def __repr__(self) -> str:
        return f"<Offering {self.id} {self.kind}>"
