"""inventory.stocktake_service: start, scan outcomes, results, confirmation, figures, and
concurrent scans from two sessions (SQLite file, or PostgreSQL with TEST_DATABASE_URL)."""

import datetime as dt
import threading

import pytest
import sqlalchemy as sa

from app.audit import history_of
from app.errors import InvalidFieldsError, NoSchoolYearError
from app.extensions import db
from app.saving import saving
from inventory import stocktake_service as stocktake
from inventory.models import Device
from inventory.stocktake_models import StockTake, StockTakeScan
from schools.models import InventoryConfirmation

TODAY = dt.date(2026, 10, 1)


@pytest.fixture(autouse=True)
def _request(app):
    """Messages of refusals are translated: they need a request's locale."""
    with app.test_request_context():
        yield


@pytest.fixture
def year(make_school_year):
    return make_school_year(2026, dt.date(2026, 8, 26))


@pytest.fixture
def school(make_school):
    return make_school(name="Graf-Engelbert-Schule")


def start(school, site=None, room="", **kwargs):
    with saving():
        taken = stocktake.start(school, (site or school.main_site).id, room, today=TODAY, **kwargs)
    return taken


def scan(stock_take, text, user=None):
    with saving():
        result = stocktake.scan(stock_take, text, user=user)
    return result


def test_start_joins_the_open_stock_take_of_the_same_scope(school, year, make_site):
    first = start(school, room="A 101")
    assert start(school, room=" A 101 ").id == first.id
    assert start(school, room="A 102").id != first.id
    other_site = make_site(school)
    assert start(school, site=other_site, room="A 101").id != first.id
    assert first.school_year_id == year.id and first.status == "open"


def test_start_refuses_another_schools_site_and_needs_a_school_year(school, make_school, year):
    other = make_school()
    with pytest.raises(InvalidFieldsError) as refused:
        stocktake.start(school, other.main_site.id, today=TODAY)
    assert "site" in refused.value.fields
    with pytest.raises(NoSchoolYearError):
        stocktake.start(school, school.main_site.id, today=dt.date(2020, 1, 1))


def test_a_device_in_its_room_is_found(school, year, make_device):
    make_device(school, inventory_number="GES-001", room="A 101")
    result = scan(start(school, room="A 101"), "GES-001")
    assert result.outcome == stocktake.FOUND
    assert result.device.inventory_number == "GES-001"


def test_a_device_seen_again_is_already_seen_and_counted_once(school, year, make_device):
    make_device(school, inventory_number="GES-001", room="A 101")
    taken = start(school, room="A 101")
    scan(taken, "GES-001")
    assert scan(taken, "ges-001").outcome == stocktake.ALREADY_SEEN
    assert stocktake.scan_count(taken) == 1
    assert stocktake.results(taken).figures == {"found": 1, "missing": 0, "moved": 0, "unknown": 0}


def test_a_device_recorded_in_another_room_or_site_is_elsewhere(
    school, year, make_device, make_site
):
    annex = make_site(school, name="Nebenstelle")
    make_device(school, inventory_number="GES-002", room="B 202")
    make_device(school, inventory_number="GES-003", room="A 101", site=annex)
    taken = start(school, room="A 101")
    assert scan(taken, "GES-002").outcome == stocktake.ELSEWHERE
    assert scan(taken, "GES-003").outcome == stocktake.ELSEWHERE


def test_a_whole_site_stock_take_ignores_rooms(school, year, make_device):
    make_device(school, inventory_number="GES-004", room="B 202")
    assert scan(start(school), "GES-004").outcome == stocktake.FOUND


def test_an_unknown_number_is_unknown_and_kept_once(school, year):
    taken = start(school)
    assert scan(taken, "NIX-404").outcome == stocktake.UNKNOWN
    assert scan(taken, "NIX-404").outcome == stocktake.ALREADY_SEEN
    assert stocktake.results(taken).unknown == ["NIX-404"]


def test_another_schools_number_is_unknown_and_never_its_device(
    school, year, make_school, make_device
):
    other = make_school(name="Andere Schule")
    make_device(other, inventory_number="B-000001", room="A 101")
    taken = start(school, room="A 101")
    result = scan(taken, "B-000001")
    assert result.outcome == stocktake.UNKNOWN and result.device is None
    row = db.session.scalar(sa.select(StockTakeScan))
    assert row.device_id is None
    results = stocktake.results(taken)
    assert results.unknown == ["B-000001"] and not results.found and not results.moved


def test_a_label_url_is_read_as_its_inventory_number(school, year, make_device):
    make_device(school, inventory_number="GES-005")
    taken = start(school)
    result = scan(taken, "https://gute-schule.example.org/devices/GES-005")
    assert result.outcome == stocktake.FOUND
    assert stocktake.number_from_scan("/devices/GES%2D006?x=1") == "GES-006"


@pytest.mark.parametrize("text", ["", "   ", "a b", "x" * 65, "https://host/"])
def test_a_text_that_is_no_inventory_number_is_refused_and_stores_nothing(school, year, text):
    taken = start(school)
    with pytest.raises(InvalidFieldsError):
        stocktake.scan(taken, text)
    db.session.rollback()
    assert stocktake.scan_count(taken) == 0


def test_results_list_found_missing_moved_and_unknown(school, year, make_device):
    for number, room in [("R-1", "A 101"), ("R-2", "A 101"), ("R-3", "A 101"), ("R-4", "B 2")]:
        make_device(school, inventory_number=number, room=room)
    make_device(school, inventory_number="R-5", room="A 101", status="retired")
    make_device(school, inventory_number="R-6", room="A 101", status="ordered")
    taken = start(school, room="A 101")
    for number in ["R-1", "R-4", "X-9", "R-1"]:
        scan(taken, number)
    result = stocktake.results(taken)
    assert [d.inventory_number for d in result.found] == ["R-1"]
    assert [d.inventory_number for d in result.missing] == ["R-2", "R-3"]
    assert [d.inventory_number for d in result.moved] == ["R-4"]
    assert result.unknown == ["X-9"]


def test_confirm_moves_found_devices_marks_missing_ones_and_stores_the_figures(
    school, year, make_device, make_user
):
    user = make_user("school_admin", schools=[school])
    make_device(school, inventory_number="C-1", room="A 101")
    make_device(school, inventory_number="C-2", room="A 101")
    make_device(school, inventory_number="C-3", room="B 2")
    make_device(school, inventory_number="C-4", room="A 101", status="missing")
    taken = start(school, room="A 101", user=user)
    for number in ["C-1", "C-3", "C-4", "UNBEKANNT-1"]:
        scan(taken, number, user=user)
    with saving():
        stocktake.confirm(taken, mark_missing=True, user=user)

    devices = {d.inventory_number: d for d in db.session.scalars(sa.select(Device))}
    assert devices["C-3"].room == "A 101"  # moved here
    assert devices["C-2"].status == "missing"  # not seen
    assert devices["C-4"].status == "in_use"  # marked missing before, found again
    assert devices["C-1"].status == "in_use"
    assert taken.status == "confirmed" and taken.confirmed_by_id == user.id
    assert (taken.found, taken.missing, taken.moved, taken.unknown) == (2, 1, 1, 1)
    room_change = [e.changes for e in history_of(devices["C-3"]) if e.action == "update"]
    assert room_change == [{"room": ["B 2", "A 101"]}]
    assert history_of(devices["C-2"])[0].changes == {"status": ["in_use", "missing"]}


def test_confirm_without_moving_or_marking_changes_no_device(school, year, make_device):
    make_device(school, inventory_number="D-1", room="B 2")
    make_device(school, inventory_number="D-2", room="A 101")
    taken = start(school, room="A 101")
    scan(taken, "D-1")
    with saving():
        stocktake.confirm(taken, move_found_devices=False, mark_missing=False)
    rows = db.session.execute(sa.select(Device.inventory_number, Device.room, Device.status))
    assert sorted(rows) == [("D-1", "B 2", "in_use"), ("D-2", "A 101", "in_use")]
    assert (taken.found, taken.missing, taken.moved) == (0, 1, 1)


def test_a_device_moved_between_sites_goes_to_the_stock_takes_site(
    school, year, make_device, make_site
):
    annex = make_site(school, name="Nebenstelle")
    make_device(school, inventory_number="E-1", room="Keller")
    taken = start(school, site=annex)
    scan(taken, "E-1")
    with saving():
        stocktake.confirm(taken)
    device = db.session.scalar(sa.select(Device))
    assert device.site_id == annex.id and device.room == "Keller"


def test_a_confirmed_stock_take_takes_no_more_scans_or_confirmations(school, year):
    taken = start(school)
    with saving():
        stocktake.confirm(taken)
    with pytest.raises(stocktake.StockTakeClosedError):
        stocktake.scan(taken, "NEU-1")
    db.session.rollback()
    with pytest.raises(stocktake.StockTakeClosedError):
        stocktake.confirm(taken)
    db.session.rollback()
    assert stocktake.scan_count(taken) == 0
    # the scope can be counted again
    assert start(school).id != taken.id


def test_year_figures_sum_the_confirmed_stock_takes_and_the_confirmation_stores_them(
    school, year, make_device, make_user
):
    make_device(school, inventory_number="F-1", room="A")
    make_device(school, inventory_number="F-2", room="B")
    for room, numbers in [("A", ["F-1", "X-1"]), ("B", [])]:
        taken = start(school, room=room)
        for number in numbers:
            scan(taken, number)
        with saving():
            stocktake.confirm(taken)
    start(school, room="C")  # open: not counted
    figures = stocktake.year_figures([school.id], year.id)[school.id]
    assert (figures.stock_takes, figures.found, figures.missing, figures.unknown) == (2, 1, 1, 1)

    confirmation = InventoryConfirmation(school_id=school.id, school_year_id=year.id)
    stocktake.store_figures(confirmation)
    assert (confirmation.stock_takes, confirmation.found, confirmation.missing) == (2, 1, 1)
    assert stocktake.last_stock_takes([school.id])[school.id] == figures.last_confirmed_at


def _scan_in_own_session(app, stock_take_id, numbers, barrier, outcomes, errors):
    """One person's phone: its own app context, session and connection."""
    try:
        with app.app_context():
            taken = db.session.get(StockTake, stock_take_id)
            barrier.wait(timeout=30)
            for number in numbers:
                with saving():
                    outcomes.append(stocktake.scan(taken, number).outcome)
            db.session.remove()
    except Exception as error:  # noqa: BLE001  (reported by the test)
        errors.append(error)


def test_concurrent_scans_from_two_sessions_lose_nothing_and_count_a_device_once(
    app, school, year, make_device
):
    numbers = [f"K-{n:03d}" for n in range(40)]
    for number in numbers:
        make_device(school, inventory_number=number, room="Turnhalle")
    taken = start(school, room="Turnhalle")
    # both phones scan the shared half in the same order, and one half each
    shared, own_a, own_b = numbers[:20], numbers[20:30], numbers[30:]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    errors: list[Exception] = []
    threads = [
        threading.Thread(
            target=_scan_in_own_session,
            args=(app, taken.id, shared + own + ["FREMD-1"], barrier, outcomes, errors),
        )
        for own in (own_a, own_b)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    assert outcomes.count(stocktake.FOUND) == 40
    assert outcomes.count(stocktake.UNKNOWN) == 1
    assert outcomes.count(stocktake.ALREADY_SEEN) == 21
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(StockTakeScan.number, StockTakeScan.device_id).where(
            StockTakeScan.stock_take_id == taken.id
        )
    ).all()
    assert len(rows) == 41
    assert sorted(number for number, _ in rows) == sorted(numbers + ["FREMD-1"])
    assert stocktake.results(taken).figures == {
        "found": 40,
        "missing": 0,
        "moved": 0,
        "unknown": 1,
    }
