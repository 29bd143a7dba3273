"""Funding programmes (Förderprogramme) and the shares of a device's price they paid.

A programme is department data (code, name, funder, rate, cap per device, period and the
purpose-binding rule). A device carries one or more shares: (programme, amount in EUR,
grant reference, i.e. the Zuwendungsbescheid number). A share without an amount is
"the whole price" (how the old single `funding` code of a device is kept): it is then
the device's only share.
"""

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.model_base import NEVER_REUSE_IDS, Versioned


class FundingProgramme(Versioned, db.Model):
    __tablename__ = "funding_programmes"
    __table_args__ = (
        sa.CheckConstraint("rate IS NULL OR (rate > 0 AND rate <= 100)", name="rate_percent"),
        sa.CheckConstraint(
            "cap_per_device IS NULL OR cap_per_device > 0", name="cap_per_device_positive"
        ),
        sa.CheckConstraint(
            "binding_years IS NULL OR binding_years >= 0", name="binding_years_not_negative"
        ),
        sa.CheckConstraint(
            "period_start IS NULL OR period_end IS NULL OR period_start <= period_end",
            name="period_in_order",
        ),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The code files and the API use ("digitalpakt", "gute_schule_2020", ...).
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    funder: Mapped[str] = mapped_column(sa.String(200), default="")
    # Funding rate in percent of the eligible cost (DigitalPakt: 90); None = not known.
    rate: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 2))
    cap_per_device: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2))
    period_start: Mapped[dt.date | None] = mapped_column(sa.Date)
    period_end: Mapped[dt.date | None] = mapped_column(sa.Date)
    # Purpose binding: to the end of the n-th calendar year after the period's end
    # (DigitalPakt: 5). None = no binding recorded.
    binding_years: Mapped[int | None] = mapped_column(sa.Integer)
    notes: Mapped[str] = mapped_column(sa.Text, default="")

    def bound_until(self) -> dt.date | None:
        """The last day of the purpose binding of devices funded by this programme."""
        if self.binding_years is None or self.period_end is None:
            return None
        return dt.date(self.period_end.year + self.binding_years, 12, 31)

    def __repr__(self) -> str:
        return f"<FundingProgramme {self.code}>"


class FundingShare(db.Model):
    __tablename__ = "funding_shares"
    __table_args__ = (
        sa.UniqueConstraint("device_id", "programme_id", name="uq_funding_shares_device_programme"),
        sa.CheckConstraint("amount IS NULL OR amount >= 0", name="amount_not_negative"),
        sa.Index("ix_funding_shares_programme_device", "programme_id", "device_id"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(sa.ForeignKey("devices.id", ondelete="CASCADE"))
    programme_id: Mapped[int] = mapped_column(
        sa.ForeignKey("funding_programmes.id", ondelete="RESTRICT")
    )
    # None = the whole price of the device (then the device's only share).
    amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2))
    grant_reference: Mapped[str] = mapped_column(sa.String(100), default="")

    programme: Mapped[FundingProgramme] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<FundingShare device={self.device_id} programme={self.programme_id}>"
