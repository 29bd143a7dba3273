"""Confirming a school's inventory for a school year (schools.service.confirm_inventory)."""

import datetime as dt

import pytest
import sqlalchemy as sa

from app.errors import NoSchoolYearError
from app.extensions import db
from app.saving import saving
from schools import service
from schools.models import InventoryConfirmation
from schools.school_years import today_in_berlin


def _confirmations() -> list[tuple]:
    rows = db.session.scalars(sa.select(InventoryConfirmation))
    return [(c.school_id, c.school_year_id, c.user_id) for c in rows]


def test_confirming_twice_records_one_confirmation_by_the_first(
    app, make_school, make_school_year, make_user
):
    year = make_school_year(2026, today_in_berlin() - dt.timedelta(days=30))
    school = make_school()
    first, second = make_user(schools=[school]), make_user(role="department")
    with saving():
        _confirmation, created = service.confirm_inventory(school, first)
    assert created
    with saving():
        again, created = service.confirm_inventory(school, second)
    assert not created and again.user_id == first.id
    assert _confirmations() == [(school.id, year.id, first.id)]


def test_a_named_school_year_is_confirmed_instead_of_the_current_one(
    app, make_school, make_school_year
):
    make_school_year(2026, today_in_berlin() - dt.timedelta(days=30))
    later = make_school_year(2099)
    school = make_school()
    with saving():
        service.confirm_inventory(school, None, later)
    assert _confirmations() == [(school.id, later.id, None)]


def test_without_a_current_school_year_nothing_is_written(app, make_school, make_school_year):
    make_school_year(2099)
    with pytest.raises(NoSchoolYearError), saving():
        service.confirm_inventory(make_school(), None)
    assert _confirmations() == []
