"""GET /readiness: the gigabit rule of reports/readiness.py, against a school year's first day."""

import datetime as dt

import pytest


@pytest.fixture
def department(token_for):
    return token_for("department")[1]


@pytest.fixture
def schools(make_school, make_site, make_link, make_school_year):
    make_school_year(2026, dt.date(2026, 8, 26))
    make_school_year(2027, dt.date(2027, 8, 25))
    ready = make_school(name="A Bereit")
    make_link(ready, down_mbps=1000, up_mbps=1000, status="active")
    planned = make_school(name="B Geplant")
    make_link(planned, down_mbps=250, up_mbps=40, status="active", technology="vdsl")
    make_link(
        planned, down_mbps=1000, up_mbps=1000, status="ordered", planned_date=dt.date(2027, 3, 1)
    )
    split = make_school(name="C Zwei Standorte")
    make_link(split, down_mbps=1000, up_mbps=1000, status="active")
    make_site(split, name="Nebenstelle")  # no link at all
    return ready, planned, split


def _by_number(body):
    return {item["school_number"]: item for item in body["items"]}


def test_readiness_per_school_and_site(api, department, schools):
    ready, planned, split = schools
    body = api.get("/readiness?school_year=2026", token=department).get_json()
    assert body["school_year"] == "2026/27" and body["first_school_day"] == "2026-08-26"
    items = _by_number(body)
    assert [item["name"] for item in body["items"]] == ["A Bereit", "B Geplant", "C Zwei Standorte"]

    assert items[ready.school_number]["ready"] is True
    assert items[ready.school_number]["status"] == "ready"

    b = items[planned.school_number]
    assert b["ready"] is False and b["status"] == "at_risk"  # planned after 2026's first day
    (site,) = b["sites"]
    assert site["reason"] == "too_slow"
    assert site["best_link"]["down_mbps"] == 250
    assert site["planned_link"]["planned_date"] == "2027-03-01"

    c = items[split.school_number]
    assert c["ready"] is False
    assert {s["name"]: (s["ready"], s["reason"]) for s in c["sites"]} == {
        "Hauptstandort": (True, "ready"),
        "Nebenstelle": (False, "no_active_link"),
    }


def test_status_is_measured_against_the_chosen_school_year(api, department, schools):
    _ready, planned, _split = schools
    body = api.get("/readiness?school_year=2027", token=department).get_json()
    assert _by_number(body)[planned.school_number]["status"] == "planned"
    assert _by_number(body)[planned.school_number]["planned_date"] == "2027-03-01"


def test_default_school_year_is_the_upcoming_one(api, department, schools, monkeypatch):
    import schools.school_years as school_years

    monkeypatch.setattr(school_years, "today_in_berlin", lambda: dt.date(2026, 10, 1))
    body = api.get("/readiness", token=department).get_json()
    assert body["school_year"] == "2027/28"


def test_school_admin_sees_only_own_schools_readiness(api, token_for, schools):
    ready, _planned, _split = schools
    _user, token = token_for("school_admin", schools=[ready])
    body = api.get("/readiness", token=token).get_json()
    assert [item["school_number"] for item in body["items"]] == [ready.school_number]


def test_readiness_needs_a_constant_number_of_queries(
    api, department, schools, make_school, make_link, count_queries
):
    api.get("/readiness", token=department)
    with count_queries() as few:
        api.get("/readiness?school_year=2026", token=department)
    for _ in range(5):
        make_link(make_school())
    with count_queries() as more:
        body = api.get("/readiness?school_year=2026", token=department).get_json()
    assert len(body["items"]) == 8
    assert few.count == more.count
