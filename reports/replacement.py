"""Replacement planning: which devices are due for replacement in which year, and what
that will cost at today's prices.

A device is due in the year of its purchase plus its category's service life
(`SERVICE_LIFE_YEARS`, see docs/replacement.md for the defaults and their source); a
device already past that year is due now (in the first year of the plan) and counted as
overdue. The cost of a replacement is the latest price paid in the city for a device of
the same category (the device bought last, with a price). Devices that are retired or
only ordered are not replaced; devices without a purchase date, or of a category without
a service life, cannot be planned and are counted apart.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from inventory.models import Device
from schools.models import School
from schools.school_years import today_in_berlin

# The BMF's AfA table for generally usable assets ("AfA-Tabelle AV", 15.12.2000, item
# 6.14.3.2): workstations, personal computers, notebooks and their peripherals (printers,
# scanners, screens and the like), mobile devices included: 3 years. No default for the
# other categories: an installation sets them in SERVICE_LIFE_YEARS.
DEFAULT_SERVICE_LIFE_YEARS: dict[str, int | None] = {
    "laptop": 3,
    "tablet": 3,
    "desktop": 3,
    "printer": 3,
    "document_camera": 3,
    "interactive_display": None,
    "projector": None,
    "access_point": None,
    "switch": None,
    "router": None,
    "server": None,
    "other": None,
}

REPLACED_STATUSES = ("in_use", "in_repair", "spare")
MAX_YEARS = 10


def service_lives(config=None) -> dict[str, int | None]:
    """The service life per category: the defaults, overridden by the configuration
    (checked when the app starts)."""
    config = current_app.config if config is None else config
    lives = dict(DEFAULT_SERVICE_LIFE_YEARS)
    for category, years in (config.get("SERVICE_LIFE_YEARS") or {}).items():
        if category not in lives:
            raise ValueError(f"SERVICE_LIFE_YEARS: unknown device category {category!r}")
        if years is not None and (type(years) is not int or not 1 <= years <= 50):
            raise ValueError(f"SERVICE_LIFE_YEARS[{category!r}]: a whole number of years 1-50")
        lives[category] = years
    return lives


def latest_prices() -> dict[str, Decimal]:
    """Per category, the price of the device bought last (by purchase date, then id)."""
    ranked = (
        sa.select(
            Device.category,
            Device.price,
            sa.func.row_number()
            .over(
                partition_by=Device.category,
                order_by=(Device.purchase_date.desc(), Device.id.desc()),
            )
            .label("rank"),
        )
        .where(Device.price.is_not(None), Device.purchase_date.is_not(None))
        .subquery()
    )
    rows = db.session.execute(
        sa.select(ranked.c.category, ranked.c.price).where(ranked.c.rank == 1)
    )
    return {category: Decimal(price) for category, price in rows}


@dataclass(frozen=True, slots=True)
class PlanRow:
    """Devices of one school and category due in one year."""

    year: int
    school_number: str
    school_name: str
    category: str
    count: int
    overdue: int  # of count, devices already past their service life
    unit_price: Decimal | None

    @property
    def cost(self) -> Decimal | None:
        return None if self.unit_price is None else self.unit_price * self.count


@dataclass
class Plan:
    first_year: int
    years: int
    rows: list[PlanRow] = field(default_factory=list)
    lives: dict[str, int | None] = field(default_factory=dict)
    prices: dict[str, Decimal] = field(default_factory=dict)
    undated: int = 0  # devices without a purchase date
    no_service_life: dict[str, int] = field(default_factory=dict)  # category -> devices

    @property
    def year_range(self) -> list[int]:
        return list(range(self.first_year, self.first_year + self.years))

    def totals_by_year(self) -> list[tuple[int, int, Decimal, bool]]:
        """(year, devices, cost, cost complete) for every year of the plan."""
        totals = []
        for year in self.year_range:
            rows = [row for row in self.rows if row.year == year]
            costs = [row.cost for row in rows]
            complete = all(cost is not None for cost in costs)
            total = sum((cost for cost in costs if cost is not None), Decimal(0))
            totals.append((year, sum(row.count for row in rows), total, complete))
        return totals


def plan(school_ids=None, *, first_year: int | None = None, years: int = 5) -> Plan:
    """The replacement plan for the given schools (a subquery or ids; None: all)."""
    if not 1 <= years <= MAX_YEARS:
        raise ValueError(f"years: 1 to {MAX_YEARS}")
    first_year = first_year or today_in_berlin().year
    lives = service_lives()
    result = Plan(first_year=first_year, years=years, lives=lives, prices=latest_prices())
    purchase_year = sa.extract("year", Device.purchase_date)
    stmt = (
        sa.select(
            School.school_number,
            School.name,
            Device.category,
            purchase_year.label("purchase_year"),
            sa.func.count(Device.id),
        )
        .join(School, School.id == Device.school_id)
        .where(Device.status.in_(REPLACED_STATUSES))
        .group_by(School.school_number, School.name, Device.category, purchase_year)
    )
    if school_ids is not None:
        stmt = stmt.where(Device.school_id.in_(school_ids))
    due: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    last_year = first_year + years - 1
    for number, name, category, bought, count in db.session.execute(stmt):
        if bought is None:
            result.undated += count
            continue
        life = lives.get(category)
        if life is None:
            result.no_service_life[category] = result.no_service_life.get(category, 0) + count
            continue
        year = int(bought) + life
        if year > last_year:
            continue
        counts = due[(max(year, first_year), number, name, category)]
        counts[0] += count
        if year < first_year:
            counts[1] += count
    result.rows = sorted(
        (
            PlanRow(year, number, name, category, count, overdue, result.prices.get(category))
            for (year, number, name, category), (count, overdue) in due.items()
        ),
        key=lambda row: (row.year, row.school_number, row.category),
    )
    return result
