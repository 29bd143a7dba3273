"""The school registry: schools, their sites, school years, inventory confirmations."""

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.codes import LEARNING_LEVELS, SCHOOL_FORMS, SCHOOL_OPERATORS
from app.extensions import db
from app.model_base import NEVER_REUSE_IDS, Versioned, code_check, utcnow


def coordinate_checks() -> tuple[sa.CheckConstraint, ...]:
    """WGS84 degrees: latitude -90..90, longitude -180..180."""
    return (
        sa.CheckConstraint("lat IS NULL OR lat BETWEEN -90 AND 90", name="lat_range"),
        sa.CheckConstraint("lon IS NULL OR lon BETWEEN -180 AND 180", name="lon_range"),
    )


class School(Versioned, db.Model):
    __tablename__ = "schools"
    __table_args__ = (
        code_check("school_form", SCHOOL_FORMS),
        sa.CheckConstraint("students IS NULL OR students >= 0", name="students_not_negative"),
        sa.CheckConstraint("classes IS NULL OR classes >= 0", name="classes_not_negative"),
        sa.CheckConstraint("length(school_number) = 6", name="school_number_six_digits"),
        code_check("operator", SCHOOL_OPERATORS),
        sa.CheckConstraint(
            "sozialindex IS NULL OR sozialindex BETWEEN 1 AND 9", name="sozialindex_1_to_9"
        ),
        *coordinate_checks(),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_number: Mapped[str] = mapped_column(sa.String(6), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), index=True)
    school_form: Mapped[str] = mapped_column(sa.String(32), index=True)
    street: Mapped[str] = mapped_column(sa.String(200), default="")
    postcode: Mapped[str] = mapped_column(sa.String(10), default="")
    city: Mapped[str] = mapped_column(sa.String(100), default="Bochum")
    district: Mapped[str] = mapped_column(sa.String(100), default="", index=True)
    students: Mapped[int | None] = mapped_column(sa.Integer)
    classes: Mapped[int | None] = mapped_column(sa.Integer)
    it_contact_email: Mapped[str] = mapped_column(sa.String(254), default="")
    # Comma-separated learning level codes, e.g. "sek1,sek2"; use .learning_levels.
    learning_levels_codes: Mapped[str] = mapped_column("learning_levels", sa.String(64), default="")
    is_demo: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    operator: Mapped[str] = mapped_column(
        sa.String(16), default="city", server_default="city", index=True
    )
    sozialindex: Mapped[int | None] = mapped_column(sa.Integer)
    startchancen: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    lat: Mapped[Decimal | None] = mapped_column(sa.Numeric(8, 6))
    lon: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 6))

    sites: Mapped[list["Site"]] = relationship(
        back_populates="school",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(Site.is_main.desc(), Site.name)",
    )

    @property
    def learning_levels(self) -> list[str]:
        codes = [code for code in self.learning_levels_codes.split(",") if code]
        return [code for code in LEARNING_LEVELS if code in codes]

    @learning_levels.setter
    def learning_levels(self, codes) -> None:
        unknown = set(codes) - set(LEARNING_LEVELS)
        if unknown:
            raise ValueError(f"unknown learning levels: {sorted(unknown)}")
        self.learning_levels_codes = ",".join(code for code in LEARNING_LEVELS if code in codes)

    @property
    def main_site(self) -> "Site | None":
        return next((site for site in self.sites if site.is_main), None)

    def __repr__(self) -> str:
        return f"<School {self.school_number}>"


class Site(Versioned, db.Model):
    """A building of a school (Standort); exactly one per school is the main site."""

    __tablename__ = "sites"
    __table_args__ = (
        sa.Index(
            "uq_sites_one_main_per_school",
            "school_id",
            unique=True,
            sqlite_where=sa.text("is_main"),
            postgresql_where=sa.text("is_main"),
        ),
        *coordinate_checks(),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(
        sa.ForeignKey("schools.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    street: Mapped[str] = mapped_column(sa.String(200), default="")
    postcode: Mapped[str] = mapped_column(sa.String(10), default="")
    city: Mapped[str] = mapped_column(sa.String(100), default="Bochum")
    is_main: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    lat: Mapped[Decimal | None] = mapped_column(sa.Numeric(8, 6))
    lon: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 6))

    school: Mapped[School] = relationship(back_populates="sites")

    def __repr__(self) -> str:
        return f"<Site {self.id} {self.name}>"


class SchoolYear(Versioned, db.Model):
    __tablename__ = "school_years"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    start_year: Mapped[int] = mapped_column(sa.Integer, unique=True)
    label: Mapped[str] = mapped_column(sa.String(7), unique=True)
    first_school_day: Mapped[dt.date] = mapped_column(sa.Date)

    @staticmethod
    def label_for(start_year: int) -> str:
        return f"{start_year}/{(start_year + 1) % 100:02d}"

    def __repr__(self) -> str:
        return f"<SchoolYear {self.label}>"


class InventoryConfirmation(db.Model):
    """A school admin's "our inventory is complete" for one school year."""

    __tablename__ = "inventory_confirmations"
    __table_args__ = (sa.UniqueConstraint("school_id", "school_year_id"), NEVER_REUSE_IDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id", ondelete="CASCADE"))
    school_year_id: Mapped[int] = mapped_column(
        sa.ForeignKey("school_years.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow)
    # The counts of the school year's confirmed stock-takes when the confirmation was made
    # (inventory/stocktake_service.py); all None when it rests on no stock-take.
    stock_takes: Mapped[int | None] = mapped_column(sa.Integer)
    found: Mapped[int | None] = mapped_column(sa.Integer)
    missing: Mapped[int | None] = mapped_column(sa.Integer)
    moved: Mapped[int | None] = mapped_column(sa.Integer)
    unknown: Mapped[int | None] = mapped_column(sa.Integer)
