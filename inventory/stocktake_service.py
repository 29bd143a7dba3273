"""The one door for stock-taking (Inventur): start, scan, results, confirm.

Typed values in, flush only: the caller owns the transaction (app/saving.py). Rooms,
sites and statuses of devices change only through inventory.service, so their history
is written like any other change.

- A stock-take counts the devices of one site, or of one room at a site, of one school
  in one school year. Starting a scope that is open already joins the open stock-take.
- The devices expected there are those recorded at that site (and room), except the
  ordered (not delivered yet) and the retired ones.
- A scan is one inventory number (typed, from a scanner, or a label's URL). Another
  school's number is "unknown", exactly like a number nobody has: its existence is never
  revealed. A device seen twice counts once, also when two people scan it in the same
  moment: the row's unique key decides (INSERT ... ON CONFLICT DO NOTHING).
- Found devices are seen where they are recorded; moved ones are seen but recorded in
  another room or at another site; missing ones are expected and not seen.
"""

import datetime as dt
import re
import urllib.parse
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite

from app.errors import DomainError, InvalidFieldsError, NoSchoolYearError
from app.extensions import db
from app.model_base import utcnow
from app.saving import check_version
from inventory import service
from inventory.kinds import INVENTORY_NUMBER_PATTERN
from inventory.models import Device
from inventory.stocktake_models import StockTake, StockTakeScan
from schools.models import School, SchoolYear, Site
from schools.school_years import current_school_year

NUMBER = re.compile(INVENTORY_NUMBER_PATTERN)
NOT_COUNTED = ("ordered", "retired")  # not (yet, or no longer) expected in a room

FOUND = "found"
ALREADY_SEEN = "already_seen"
ELSEWHERE = "elsewhere"
UNKNOWN = "unknown"
OUTCOMES = (FOUND, ALREADY_SEEN, ELSEWHERE, UNKNOWN)


class StockTakeClosedError(DomainError):
    """The stock-take is confirmed: it takes no more scans and no second confirmation."""


@dataclass(frozen=True)
class ScanResult:
    outcome: str  # one of OUTCOMES
    number: str
    device: Device | None = None  # only ever a device of the stock-take's school

    @property
    def counted(self) -> bool:
        """This scan added a line to the result (not a repeat)."""
        return self.outcome != ALREADY_SEEN


@dataclass
class Results:
    found: list[Device] = field(default_factory=list)
    missing: list[Device] = field(default_factory=list)
    moved: list[Device] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    @property
    def figures(self) -> dict[str, int]:
        return {
            "found": len(self.found),
            "missing": len(self.missing),
            "moved": len(self.moved),
            "unknown": len(self.unknown),
        }


# --- reading a scanned text --------------------------------------------------------------


def number_from_scan(text: str) -> str:
    """The inventory number in what was typed or scanned: the text itself, or, for a label's
    QR code (the device's URL, e.g. https://host/devices/BO-1234), its last path segment.
    Inventory numbers never hold "/", so a "/" means a URL or a path."""
    text = (text or "").strip()
    if "/" in text:
        path = urllib.parse.urlsplit(text).path if "://" in text else text.split("?")[0]
        segments = [segment for segment in path.split("/") if segment]
        text = urllib.parse.unquote(segments[-1]).strip() if segments else ""
    return text


def _checked_number(text: str) -> str:
    number = number_from_scan(text)
    if not number:
        raise InvalidFieldsError({"inventory_number": [str(_l("Please enter a number."))]})
    if not NUMBER.fullmatch(number):
        message = _l("This is not an inventory number (letters, digits, “-” and “_”).")
        raise InvalidFieldsError({"inventory_number": [str(message)]})
    return number


# --- start -------------------------------------------------------------------------------


def _room(room: str | None) -> str:
    room = (room or "").strip()
    if len(room) > 64:
        raise InvalidFieldsError({"room": [str(_l("At most 64 characters."))]})
    return room


def open_stock_take(school: School, site: Site, room: str, school_year: SchoolYear):
    return db.session.scalar(
        sa.select(StockTake).where(
            StockTake.school_id == school.id,
            StockTake.school_year_id == school_year.id,
            StockTake.site_id == site.id,
            StockTake.room == room,
            StockTake.status == "open",
        )
    )


def start(
    school: School,
    site_id: int,
    room: str | None = None,
    *,
    user=None,
    school_year: SchoolYear | None = None,
    today: dt.date | None = None,
) -> StockTake:
    """A new stock-take of the site (and room), or the open one of that scope."""
    if all(site.id != site_id for site in school.sites):
        message = _l("School %(number)s has no such site.", number=school.school_number)
        raise InvalidFieldsError({"site": [str(message)]})
    room = _room(room)
    year = school_year or current_school_year(today)
    if year is None:
        raise NoSchoolYearError()
    site = next(site for site in school.sites if site.id == site_id)
    existing = open_stock_take(school, site, room, year)
    if existing is not None:
        return existing
    stock_take = StockTake(
        school_id=school.id,
        school_year_id=year.id,
        site_id=site.id,
        room=room,
        status="open",
        started_by_id=getattr(user, "id", None),
        started_at=utcnow(),
    )
    db.session.add(stock_take)
    db.session.flush()
    return stock_take


# --- scan --------------------------------------------------------------------------------


def _same_room(recorded: str, expected: str) -> bool:
    return recorded.strip().casefold() == expected.strip().casefold()


def is_in_scope(stock_take: StockTake, device: Device) -> bool:
    """The device is recorded where the stock-take counts (its site, and room if given)."""
    site_id = device.site_id
    if site_id is None:  # a record without site belongs to the main site
        main = stock_take.school.main_site
        site_id = main.id if main is not None else None
    if site_id != stock_take.site_id:
        return False
    return not stock_take.room or _same_room(device.room, stock_take.room)


def school_device(school_id: int, number: str) -> Device | None:
    """The school's device with that number (exactly, else ignoring case); never another
    school's."""
    exact = db.session.scalar(
        sa.select(Device).where(Device.school_id == school_id, Device.inventory_number == number)
    )
    if exact is not None:
        return exact
    matches = db.session.scalars(
        sa.select(Device)
        .where(
            Device.school_id == school_id,
            sa.func.upper(Device.inventory_number) == number.upper(),
        )
        .limit(2)
    ).all()
    return matches[0] if len(matches) == 1 else None


def _insert_ignoring_repeats(values: dict) -> bool:
    """Insert a scan row; False when the unique key says it is there already (a repeat,
    perhaps by someone else at the same moment). Unlike a failed INSERT, ON CONFLICT DO
    NOTHING leaves a PostgreSQL transaction usable, and it needs no SAVEPOINT (which the
    sqlite3 driver would commit on release when it is the outermost one)."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = StockTakeScan.__table__
    statement = insert(table).values(values).on_conflict_do_nothing().returning(table.c.id)
    return db.session.execute(statement).scalar() is not None


def _locked_open(stock_take: StockTake, *, exclusive: bool) -> StockTake:
    """Re-read the stock-take's status under a row lock (PostgreSQL; SQLite has one writer
    anyway): scans share the lock, a confirmation takes it alone, so no scan slips in
    between the counting and the confirmation."""
    db.session.execute(
        sa.select(StockTake.id)
        .where(StockTake.id == stock_take.id)
        .with_for_update(read=not exclusive)
    )
    db.session.refresh(stock_take, ["status", "version"])
    if not stock_take.is_open:
        raise StockTakeClosedError()
    return stock_take


def scan(stock_take: StockTake, text: str, *, user=None) -> ScanResult:
    """Record one inventory number seen; tells whether the device is where it should be,
    already seen, recorded elsewhere, or unknown."""
    number = _checked_number(text)
    _locked_open(stock_take, exclusive=False)
    device = school_device(stock_take.school_id, number)
    values = {
        "stock_take_id": stock_take.id,
        "number": number,
        "device_id": device.id if device is not None else None,
        "user_id": getattr(user, "id", None),
        "seen_at": utcnow(),
    }
    if not _insert_ignoring_repeats(values):
        return ScanResult(ALREADY_SEEN, number, device)
    if device is None:
        return ScanResult(UNKNOWN, number)
    return ScanResult(FOUND if is_in_scope(stock_take, device) else ELSEWHERE, number, device)


def scan_count(stock_take: StockTake) -> int:
    """The lines so far: devices seen once each and unknown numbers once each."""
    return db.session.scalar(
        sa.select(sa.func.count(StockTakeScan.id)).where(
            StockTakeScan.stock_take_id == stock_take.id
        )
    )


# --- results and confirmation ------------------------------------------------------------


def expected_devices(stock_take: StockTake) -> list[Device]:
    """The school's devices recorded in the stock-take's scope (not ordered or retired)."""
    site_ids = [stock_take.site_id]
    stmt = sa.select(Device).where(
        Device.school_id == stock_take.school_id, Device.status.not_in(NOT_COUNTED)
    )
    main = stock_take.school.main_site
    if main is not None and main.id == stock_take.site_id:
        stmt = stmt.where(sa.or_(Device.site_id.in_(site_ids), Device.site_id.is_(None)))
    else:
        stmt = stmt.where(Device.site_id.in_(site_ids))
    devices = db.session.scalars(stmt.order_by(Device.inventory_number)).all()
    return [device for device in devices if is_in_scope(stock_take, device)]


def results(stock_take: StockTake) -> Results:
    """Found, missing, moved devices and unknown numbers, each list by number."""
    rows = db.session.execute(
        sa.select(StockTakeScan.number, Device)
        .outerjoin(Device, Device.id == StockTakeScan.device_id)
        .where(StockTakeScan.stock_take_id == stock_take.id)
        .order_by(StockTakeScan.number)
    ).all()
    result = Results()
    seen_ids = set()
    for number, device in rows:
        if device is None or device.school_id != stock_take.school_id:
            result.unknown.append(number)
            continue
        seen_ids.add(device.id)
        (result.found if is_in_scope(stock_take, device) else result.moved).append(device)
    result.missing = [d for d in expected_devices(stock_take) if d.id not in seen_ids]
    return result


def confirm(
    stock_take: StockTake,
    *,
    move_found_devices: bool = True,
    mark_missing: bool = False,
    user=None,
    version: int | None = None,
) -> Results:
    """Close the stock-take and store its figures. Devices seen elsewhere are moved to the
    stock-take's site (and room), devices not seen are marked `missing` if asked, and a
    device marked missing that was seen is in use again; all through inventory.service."""
    check_version(stock_take, version)
    _locked_open(stock_take, exclusive=True)
    result = results(stock_take)
    for device in result.found + result.moved:
        changes = {}
        if move_found_devices and device in result.moved:
            changes["site"] = stock_take.site_id
            if stock_take.room:
                changes["room"] = stock_take.room
        if device.status == "missing":
            changes["status"] = "in_use"
        if changes:
            service.update(device, changes)
    if mark_missing:
        for device in result.missing:
            if device.status != "missing":
                service.update(device, {"status": "missing"})
    figures = result.figures
    stock_take.status = "confirmed"
    stock_take.confirmed_by_id = getattr(user, "id", None)
    stock_take.confirmed_at = utcnow()
    for name, value in figures.items():
        setattr(stock_take, name, value)
    db.session.flush()
    return result


# --- figures for the school year ---------------------------------------------------------


@dataclass(frozen=True)
class YearFigures:
    stock_takes: int
    found: int
    missing: int
    moved: int
    unknown: int
    last_confirmed_at: dt.datetime


def year_figures(school_ids, school_year_id: int) -> dict[int, YearFigures]:
    """Per school, the sums of its confirmed stock-takes in the school year (one query)."""
    ids = list(school_ids) if not isinstance(school_ids, sa.Select) else school_ids
    rows = db.session.execute(
        sa.select(
            StockTake.school_id,
            sa.func.count(StockTake.id),
            sa.func.sum(StockTake.found),
            sa.func.sum(StockTake.missing),
            sa.func.sum(StockTake.moved),
            sa.func.sum(StockTake.unknown),
            sa.func.max(StockTake.confirmed_at),
        )
        .where(
            StockTake.school_id.in_(ids),
            StockTake.school_year_id == school_year_id,
            StockTake.status == "confirmed",
        )
        .group_by(StockTake.school_id)
    ).all()
    return {row[0]: YearFigures(*(int(v or 0) for v in row[1:6]), row[6]) for row in rows}


def last_stock_takes(school_ids) -> dict[int, dt.datetime]:
    """Per school, when its last stock-take was confirmed (any school year)."""
    ids = list(school_ids) if not isinstance(school_ids, sa.Select) else school_ids
    return dict(
        db.session.execute(
            sa.select(StockTake.school_id, sa.func.max(StockTake.confirmed_at))
            .where(StockTake.school_id.in_(ids), StockTake.status == "confirmed")
            .group_by(StockTake.school_id)
        ).all()
    )


def store_figures(confirmation) -> None:
    """Put the school year's stock-take figures on an inventory confirmation (a new one, or
    one being made): the yearly "complete" rests on this count."""
    figures = year_figures([confirmation.school_id], confirmation.school_year_id).get(
        confirmation.school_id
    )
    if figures is None:
        return
    confirmation.stock_takes = figures.stock_takes
    confirmation.found = figures.found
    confirmation.missing = figures.missing
    confirmation.moved = figures.moved
    confirmation.unknown = figures.unknown
