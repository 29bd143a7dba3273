"""Which school year is current and which comes next, derived from a day."""

import datetime as dt

import sqlalchemy as sa

from app.extensions import db
from schools.models import SchoolYear


def today_in_berlin() -> dt.date:
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo("Europe/Berlin")).date()


def current_school_year(today: dt.date | None = None) -> SchoolYear | None:
    """The school year running on that day: the latest one whose first school day has come.

    (Formally a school year runs from 1 August; until its first school day, the summer
    holidays still belong, for our purposes, to the year before.)"""
    today = today or today_in_berlin()
    return db.session.scalar(
        sa.select(SchoolYear)
        .where(SchoolYear.first_school_day <= today)
        .order_by(SchoolYear.first_school_day.desc())
        .limit(1)
    )


def upcoming_school_year(today: dt.date | None = None) -> SchoolYear | None:
    """The next school year whose first school day is still ahead (or is today)."""
    today = today or today_in_berlin()
    return db.session.scalar(
        sa.select(SchoolYear)
        .where(SchoolYear.first_school_day >= today)
        .order_by(SchoolYear.first_school_day)
        .limit(1)
    )


def school_year_by_start(start_year: int) -> SchoolYear | None:
    return db.session.scalar(sa.select(SchoolYear).where(SchoolYear.start_year == start_year))
