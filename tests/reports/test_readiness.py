"""The gigabit rule's edge cases (reports/readiness.py)."""

import datetime as dt

import pytest

from app.extensions import db
from inventory.models import NetworkLink
from reports.readiness import (
    REASON_NO_LINK,
    REASON_READY,
    REASON_TOO_SLOW,
    STATUS_AT_RISK,
    STATUS_PLANNED,
    STATUS_READY,
    readiness,
    school_readiness,
)
from schools.models import School, Site

DEADLINE = dt.date(2026, 9, 2)


def test_symmetric_gigabit_fibre_is_ready(make_school, make_link):
    school = make_school()
    make_link(school, down_mbps=1000, up_mbps=1000)
    result = school_readiness(school)
    assert result.ready and result.sites[0].reason == REASON_READY
    assert result.status_by(DEADLINE) == STATUS_READY


def test_gigabit_cable_with_slow_upload_is_not_ready(make_school, make_link):
    school = make_school()
    make_link(school, technology="cable", down_mbps=1000, up_mbps=50)
    result = school_readiness(school)
    site = result.sites[0]
    assert not result.ready and site.reason == REASON_TOO_SLOW
    assert (site.best_link.down_mbps, site.best_link.up_mbps) == (1000, 50)
    assert not site.best_link.meets_thresholds


def test_just_below_the_threshold_is_not_ready(make_school, make_link):
    school = make_school()
    make_link(school, down_mbps=10000, up_mbps=999)
    assert not school_readiness(school).ready


@pytest.mark.parametrize("status", ["planned", "ordered"])
def test_planned_or_ordered_fast_link_is_a_plan_not_readiness(make_school, make_link, status):
    school = make_school()
    make_link(
        school, status=status, down_mbps=10000, up_mbps=10000, planned_date=dt.date(2026, 8, 1)
    )
    result = school_readiness(school)
    site = result.sites[0]
    assert not result.ready and site.reason == REASON_NO_LINK
    assert site.best_link is None
    assert site.planned_link.status == status
    assert result.planned_date == dt.date(2026, 8, 1)
    assert result.status_by(DEADLINE) == STATUS_PLANNED
    assert result.status_by(dt.date(2026, 7, 1)) == STATUS_AT_RISK  # plan comes too late


def test_planned_slow_link_is_no_plan(make_school, make_link):
    school = make_school()
    make_link(
        school, status="planned", down_mbps=500, up_mbps=500, planned_date=dt.date(2026, 8, 1)
    )
    result = school_readiness(school)
    assert result.sites[0].planned_link is None
    assert result.status_by(DEADLINE) == STATUS_AT_RISK


def test_terminated_fast_link_counts_for_nothing(make_school, make_link):
    school = make_school()
    make_link(school, status="terminated", down_mbps=10000, up_mbps=10000)
    result = school_readiness(school)
    site = result.sites[0]
    assert not result.ready
    assert site.reason == REASON_NO_LINK
    assert site.best_link is None and site.planned_link is None


def test_school_with_one_of_two_sites_not_ready_is_not_ready(make_school, make_site, make_link):
    school = make_school()
    annex = make_site(school, name="Außenstelle")
    make_link(school, down_mbps=1000, up_mbps=1000)
    make_link(school, site=annex, technology="vdsl", down_mbps=250, up_mbps=40)
    result = school_readiness(school)
    assert not result.ready
    assert [(site.name, site.ready) for site in result.sites] == [
        ("Hauptstandort", True),
        ("Außenstelle", False),
    ]
    assert [site.name for site in result.sites_not_ready] == ["Außenstelle"]


def test_school_without_sites_is_not_ready(app):
    school = School(school_number="999999", name="Ohne Standort", school_form="grundschule")
    db.session.add(school)
    db.session.commit()
    result = school_readiness(school)
    assert not result.ready and result.status_by(DEADLINE) == STATUS_AT_RISK


def test_thresholds_come_from_config(app, make_school, make_link):
    school = make_school()
    make_link(school, technology="cable", down_mbps=1000, up_mbps=50)
    assert not school_readiness(school).ready
    app.config["GIGABIT_MIN_UP_MBPS"] = 50
    assert school_readiness(school).ready
    app.config.update(GIGABIT_MIN_UP_MBPS=1000, GIGABIT_MIN_DOWN_MBPS=500)
    assert not school_readiness(school).ready


def test_link_without_site_counts_for_the_main_site(make_school, make_site, make_link):
    school = make_school()
    annex = make_site(school, name="Außenstelle")
    make_link(school, site=None, down_mbps=1000, up_mbps=1000)
    result = school_readiness(school)
    by_name = {site.name: site for site in result.sites}
    assert by_name["Hauptstandort"].ready
    assert not by_name[annex.name].ready  # the main site's link does not serve the annex
    assert not result.ready


def test_links_of_other_schools_do_not_count(make_school, make_link):
    fast, slow = make_school(), make_school()
    make_link(fast)
    assert {r.school_number: r.ready for r in readiness([fast.id, slow.id])} == {
        fast.school_number: True,
        slow.school_number: False,
    }


def _add_schools(count: int, start: int) -> None:
    """count schools with two sites each and a link per site, in one transaction."""
    for number in range(start, start + count):
        school = School(
            school_number=f"{number:06d}", name=f"Schule {number}", school_form="gymnasium"
        )
        main = Site(name="Hauptstandort", is_main=True)
        annex = Site(name="Außenstelle", is_main=False)
        school.sites.extend([main, annex])
        db.session.add(school)
        db.session.add(
            NetworkLink(
                school=school,
                site=main,
                technology="fibre",
                down_mbps=1000,
                up_mbps=1000,
                status="active",
            )
        )
        db.session.add(
            NetworkLink(
                school=school, technology="cable", down_mbps=1000, up_mbps=50, status="active"
            )
        )
        db.session.add(
            NetworkLink(
                school=school,
                site=annex,
                technology="fibre",
                down_mbps=1000,
                up_mbps=1000,
                status="planned",
            )
        )
    db.session.commit()


def test_whole_city_in_a_constant_number_of_queries(app, count_queries):
    _add_schools(3, 200000)
    db.session.expire_all()
    with count_queries() as few:
        small = readiness()
    _add_schools(297, 300000)
    db.session.expire_all()
    with count_queries() as many:
        large = readiness()
    assert len(small) == 3 and len(large) == 300
    assert few.count == many.count == 3
    assert not any(school.ready for school in large)
    assert all(school.status_by(DEADLINE) == STATUS_AT_RISK for school in large)
