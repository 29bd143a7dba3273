"""The device list of a school: search, filters, a whitelisted sort and pagination."""

import dataclasses
import math

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.codes import DEVICE_CATEGORIES, DEVICE_STATUSES, LEARNING_LEVELS
from app.extensions import db
from inventory.models import Device
from schools.models import School

# The only columns the list may be sorted by (?sort=...); anything else sorts by number.
SORT_COLUMNS = {
    "inventory_number": Device.inventory_number,
    "category": Device.category,
    "status": Device.status,
    "room": Device.room,
    "purchase_date": Device.purchase_date,
    "price": Device.price,
    "warranty_until": Device.warranty_until,
}
SEARCH_COLUMNS = (
    Device.inventory_number,
    Device.manufacturer,
    Device.model,
    Device.serial_number,
    Device.room,
    Device.notes,
)


@dataclasses.dataclass
class DeviceFilters:
    q: str = ""
    category: str = ""
    status: str = ""
    room: str = ""
    learning_level: str = ""
    site: int | None = None
    sort: str = "inventory_number"
    dir: str = "asc"
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "DeviceFilters":
        """Read the query string; unknown codes and bad numbers are ignored, never an error."""

        def code(name, vocabulary):
            value = args.get(name, "").strip()
            return value if value in vocabulary else ""

        def positive_int(name):
            value = args.get(name, "").strip()
            return int(value) if value.isdigit() and 0 < int(value) < 2**31 else None

        sort = args.get("sort", "")
        return cls(
            q=args.get("q", "").strip()[:200],
            category=code("category", DEVICE_CATEGORIES),
            status=code("status", DEVICE_STATUSES),
            room=args.get("room", "").strip()[:64],
            learning_level=code("learning_level", LEARNING_LEVELS),
            site=positive_int("site"),
            sort=sort if sort in SORT_COLUMNS else "inventory_number",
            dir="desc" if args.get("dir") == "desc" else "asc",
            page=positive_int("page") or 1,
        )

    def query_args(self, **changes) -> dict:
        """The filters as query-string arguments (defaults left out), e.g. for page links."""
        values = dataclasses.replace(self, **changes)
        defaults = DeviceFilters()
        return {
            field.name: getattr(values, field.name)
            for field in dataclasses.fields(self)
            if getattr(values, field.name) != getattr(defaults, field.name)
        }

    @property
    def active(self) -> bool:
        return bool(
            self.q or self.category or self.status or self.room or self.learning_level or self.site
        )


@dataclasses.dataclass
class DevicePage:
    devices: list[Device]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def filtered_devices(school: School, filters: DeviceFilters) -> sa.Select:
    """The school's devices matching the filters (unsorted, unpaged)."""
    stmt = sa.select(Device).where(Device.school_id == school.id)
    if filters.q:
        pattern = f"%{_escape_like(filters.q.lower())}%"
        stmt = stmt.where(
            sa.or_(*(sa.func.lower(col).like(pattern, escape="\\") for col in SEARCH_COLUMNS))
        )
    if filters.category:
        stmt = stmt.where(Device.category == filters.category)
    if filters.status:
        stmt = stmt.where(Device.status == filters.status)
    if filters.room:
        stmt = stmt.where(Device.room == filters.room)
    if filters.learning_level:
        stmt = stmt.where(Device.learning_level == filters.learning_level)
    if filters.site:
        stmt = stmt.where(Device.site_id == filters.site)
    return stmt


def device_page(school: School, filters: DeviceFilters, per_page: int) -> DevicePage:
    """One page of the school's devices with their sites (two queries: count and rows)."""
    stmt = filtered_devices(school, filters)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
    pages = max(1, math.ceil(total / per_page))
    page = min(filters.page, pages)
    column = SORT_COLUMNS[filters.sort]
    order = column.desc() if filters.dir == "desc" else column.asc()
    # NULLs (no date, no price) go last in both directions, on SQLite and PostgreSQL alike;
    # a column without NULLs is sorted by itself, so (school_id, inventory_number), the
    # default, is read from its index.
    nulls_last = (column.is_(None),) if column.expression.nullable else ()
    rows = db.session.scalars(
        stmt.options(joinedload(Device.site))
        .order_by(*nulls_last, order, Device.inventory_number)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return DevicePage(devices=list(rows), total=total, page=page, per_page=per_page)


def rooms_of(school: School) -> list[str]:
    """The rooms that occur in the school's devices, for the room filter."""
    return list(
        db.session.scalars(
            sa.select(Device.room)
            .where(Device.school_id == school.id, Device.room != "")
            .distinct()
            .order_by(Device.room)
        )
    )
