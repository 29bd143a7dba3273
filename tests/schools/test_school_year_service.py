"""The rules of a school year, tested once on schools.service (the web pages, the API
and the demo seed all call it)."""

import datetime as dt

import pytest
import sqlalchemy as sa

from app.errors import DuplicateError, InvalidFieldsError, StaleVersionError
from app.extensions import db
from app.saving import saving
from schools import service
from schools.models import SchoolYear


@pytest.fixture(autouse=True)
def _messages(app):
    with app.test_request_context():
        yield


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(SchoolYear))


def test_a_new_school_year_is_labelled_after_its_start_year(app):
    with saving():
        year = service.create_school_year(2031, dt.date(2031, 8, 13))
    assert (year.label, year.start_year, year.first_school_day) == (
        "2031/32",
        2031,
        dt.date(2031, 8, 13),
    )


def test_a_taken_start_year_is_a_duplicate(app, make_school_year):
    make_school_year(2026)
    with pytest.raises(DuplicateError) as refused, saving():
        service.create_school_year(2026, dt.date(2026, 8, 26))
    assert refused.value.field == "label"
    assert _count() == 1


def test_moving_a_year_onto_a_taken_start_year_is_a_duplicate(app, make_school_year):
    make_school_year(2026)
    other = make_school_year(2027)
    with pytest.raises(DuplicateError), saving():
        service.update_school_year(other, 2026, dt.date(2026, 8, 26))


@pytest.mark.parametrize(
    ("start_year", "first_day", "field"),
    [
        (2031, dt.date(2030, 8, 13), "first_school_day"),
        (2031, None, "first_school_day"),
        (2031, "2031-08-13", "first_school_day"),  # text is the channels' to parse
        (1899, dt.date(1899, 8, 13), "label"),
    ],
)
def test_invalid_values_are_refused_at_their_field(app, start_year, first_day, field):
    with pytest.raises(InvalidFieldsError) as refused, saving():
        service.create_school_year(start_year, first_day)
    assert field in refused.value.fields
    assert _count() == 0


def test_update_with_an_old_version_is_refused_and_without_one_applies(app, make_school_year):
    year = make_school_year(2026, dt.date(2026, 9, 2))
    old = year.version
    with saving():
        service.update_school_year(year, 2026, dt.date(2026, 8, 31))
    with pytest.raises(StaleVersionError), saving():
        service.update_school_year(year, 2026, dt.date(2026, 8, 26), version=old)
    db.session.expire_all()
    assert year.first_school_day == dt.date(2026, 8, 31)


def test_put_creates_then_changes(app):
    with saving():
        _year, created = service.put_school_year(2027, dt.date(2027, 8, 25))
    assert created
    with saving():
        year, created = service.put_school_year(2027, dt.date(2027, 8, 26))
    assert not created and year.first_school_day == dt.date(2027, 8, 26)
    assert _count() == 1


def test_the_service_flushes_and_leaves_the_commit_to_the_caller(app):
    service.create_school_year(2031, dt.date(2031, 8, 13))
    db.session.rollback()
    assert _count() == 0
