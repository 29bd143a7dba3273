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


# NRW's summer holidays start on a Monday and end on the Tuesday before the first school
# day (a Wednesday): six weeks and two days, 44 days before it (every year of
# data/nrw_school_years.csv; tests/schools/test_school_years.py checks each).
SUMMER_HOLIDAY_DAYS = 44


def last_school_day_before_summer(on_or_after: dt.date) -> dt.date | None:
    """The last school day before the summer holidays, the first on or after the day: the
    weekday before the holidays that end with a school year's first school day. None when
    no such school year is recorded yet."""
    years = db.session.scalars(
        sa.select(SchoolYear.first_school_day)
        .where(SchoolYear.first_school_day > on_or_after)
        .order_by(SchoolYear.first_school_day)
        .limit(2)
    )
    for first_school_day in years:
        day = first_school_day - dt.timedelta(days=SUMMER_HOLIDAY_DAYS + 1)
        while day.weekday() >= 5:  # Saturday, Sunday
            day -= dt.timedelta(days=1)
        if day >= on_or_after:
            return day
    return None
