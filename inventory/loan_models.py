"""Loans (Leihgeräte): a device of a school lent out under a loan contract.

A loan holds the contract's number and the device's dates and condition, never a pupil's
name, address or class (DSGVO Art. 5(1)(c), see docs/loans.md): the school keeps the
contract, which names the borrower; the school authority's inventory needs only to know
that the device is out, until when, and how it came back."""

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.model_base import NEVER_REUSE_IDS, Versioned
from inventory.models import Device
from schools.models import School


class Loan(Versioned, db.Model):
    __tablename__ = "loans"
    __table_args__ = (
        # A device is out on one loan at a time; the index decides also for two people
        # issuing it in the same moment.
        sa.Index(
            "uq_loans_one_open_per_device",
            "device_id",
            unique=True,
            sqlite_where=sa.text("returned_on IS NULL"),
            postgresql_where=sa.text("returned_on IS NULL"),
        ),
        sa.Index("ix_loans_school_due", "school_id", "returned_on", "due_on"),
        sa.Index("ix_loans_school_loan_number", "school_id", "loan_number"),
        sa.CheckConstraint("due_on >= issued_on", name="due_after_issue"),
        sa.CheckConstraint(
            "returned_on IS NULL OR returned_on >= issued_on", name="returned_after_issue"
        ),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id", ondelete="CASCADE"))
    device_id: Mapped[int] = mapped_column(
        sa.ForeignKey("devices.id", ondelete="CASCADE"), index=True
    )
    loan_number: Mapped[str] = mapped_column(sa.String(64))
    issued_on: Mapped[dt.date] = mapped_column(sa.Date)
    due_on: Mapped[dt.date] = mapped_column(sa.Date)
    condition_out: Mapped[str] = mapped_column(sa.Text, default="")
    returned_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    condition_in: Mapped[str] = mapped_column(sa.Text, default="")
    damaged: Mapped[bool] = mapped_column(sa.Boolean, default=False)

    school: Mapped[School] = relationship()
    device: Mapped[Device] = relationship()

    @property
    def is_open(self) -> bool:
        return self.returned_on is None

    @property
    def inventory_number(self) -> str:
        return self.device.inventory_number

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_open and self.due_on < today

    def __repr__(self) -> str:
        return f"<Loan {self.id} {self.loan_number}>"
