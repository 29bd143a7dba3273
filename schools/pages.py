"""The work behind the school registry pages: the list, the school page, the history and
what a deletion would take along (the changes go through schools/service.py)."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.access import scope_to_user
from app.audit import AuditEntry, history_of_school, school_history_query
from app.codes import DEVICE_CATEGORIES, DEVICE_STATUSES, END_USER_CATEGORIES, LEARNING_LEVELS
from app.extensions import db
from inventory.models import Device, NetworkLink, Offering
from reports.readiness import STATUS_AT_RISK, SchoolReadiness, readiness, school_readiness
from schools.models import School, SchoolYear, Site
from schools.school_years import upcoming_school_year

# How many history entries the school page shows; the history page shows up to the larger one.
RECENT_HISTORY = 15
HISTORY_PER_PAGE = 50  # entries per page of a school's whole history

# Badge CSS class of each readiness status.
BADGE_CLASSES = {"ready": "ready", "planned": "planned", STATUS_AT_RISK: "not-ready"}


# --- the school list -------------------------------------------------------------------


@dataclass
class SchoolListRow:
    school: School
    site_count: int
    readiness: SchoolReadiness | None
    status: str

    @property
    def badge(self) -> str:
        return BADGE_CLASSES.get(self.status, "not-ready")


@dataclass
class SchoolList:
    rows: list[SchoolListRow]
    school_forms: list[str]
    districts: list[str]
    school_year: SchoolYear | None


def school_list(q: str = "", school_form: str = "", district: str = "") -> SchoolList:
    """The visible schools matching the search, with readiness and site counts,
    in a constant number of queries however many schools there are."""
    criteria = []
    q = (q or "").strip()
    if q:
        criteria.append(
            sa.or_(
                School.name.icontains(q, autoescape=True),
                School.school_number.contains(q, autoescape=True),
            )
        )
    if school_form:
        criteria.append(School.school_form == school_form)
    if district:
        criteria.append(School.district == district)
    ids = scope_to_user(sa.select(School.id).where(*criteria), School.id)

    site_count = (
        sa.select(sa.func.count(Site.id))
        .where(Site.school_id == School.id)
        .correlate(School)
        .scalar_subquery()
    )
    schools = db.session.execute(
        sa.select(School, site_count)
        .where(School.id.in_(ids))
        .order_by(School.name, School.school_number)
    ).all()

    school_year = upcoming_school_year()
    deadline = school_year.first_school_day if school_year else None
    by_id = {item.school_id: item for item in readiness(ids)}
    rows = []
    for school, count in schools:
        item = by_id.get(school.id)
        status = item.status_by(deadline) if item else STATUS_AT_RISK
        rows.append(SchoolListRow(school, count, item, status))

    visible = scope_to_user(sa.select(School.school_form, School.district), School.id).subquery()
    forms = db.session.scalars(sa.select(visible.c.school_form).distinct()).all()
    districts = db.session.scalars(
        sa.select(visible.c.district)
        .where(visible.c.district != "")
        .distinct()
        .order_by(visible.c.district)
    ).all()
    return SchoolList(rows, sorted(forms), list(districts), school_year)


# --- the school page ---------------------------------------------------------------------


@dataclass
class DeviceCounts:
    """Device counts of one school by category and status (from one GROUP BY)."""

    counts: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def categories(self) -> list[str]:
        present = {category for category, _status in self.counts}
        return [code for code in DEVICE_CATEGORIES if code in present]

    @property
    def statuses(self) -> list[str]:
        present = {status for _category, status in self.counts}
        return [code for code in DEVICE_STATUSES if code in present]

    def count(self, category: str, status: str) -> int:
        return self.counts.get((category, status), 0)

    def category_total(self, category: str) -> int:
        return sum(n for (cat, _status), n in self.counts.items() if cat == category)

    def status_total(self, status: str) -> int:
        return sum(n for (_cat, st), n in self.counts.items() if st == status)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def end_user_in_use(self) -> int:
        return sum(self.count(category, "in_use") for category in END_USER_CATEGORIES)


def device_counts(school: School) -> DeviceCounts:
    rows = db.session.execute(
        sa.select(Device.category, Device.status, sa.func.count(Device.id))
        .where(Device.school_id == school.id)
        .group_by(Device.category, Device.status)
    )
    return DeviceCounts({(category, status): n for category, status, n in rows})


def devices_per_student(counts: DeviceCounts, students: int | None) -> float | None:
    """End-user devices in use per student (None when the school has no student count)."""
    if not students:
        return None
    return counts.end_user_in_use / students


@dataclass
class SchoolPage:
    school: School
    readiness: SchoolReadiness
    status: str
    school_year: SchoolYear | None
    links: list[NetworkLink]
    best_link_ids: set[int]
    devices: DeviceCounts
    devices_per_student: float | None
    offerings_by_level: list[tuple[str, list[Offering]]]
    history: list[AuditEntry]

    @property
    def badge(self) -> str:
        return BADGE_CLASSES.get(self.status, "not-ready")

    @property
    def sites_by_id(self) -> dict[int, Site]:
        return {site.id: site for site in self.school.sites}


def school_page(school: School) -> SchoolPage:
    """Everything the school page shows, each part in one query."""
    state = school_readiness(school)
    school_year = upcoming_school_year()
    status = state.status_by(school_year.first_school_day if school_year else None)
    links = db.session.scalars(
        sa.select(NetworkLink)
        .where(NetworkLink.school_id == school.id)
        .options(joinedload(NetworkLink.site))
        .order_by(NetworkLink.status, NetworkLink.down_mbps.desc(), NetworkLink.id)
    ).all()
    best = {site.best_link.id for site in state.sites if site.best_link is not None}
    counts = device_counts(school)
    offerings = db.session.scalars(
        sa.select(Offering)
        .where(Offering.school_id == school.id)
        .order_by(Offering.kind, Offering.id)
    ).all()
    grouped = [
        (level, [o for o in offerings if o.learning_level == level]) for level in LEARNING_LEVELS
    ]
    return SchoolPage(
        school=school,
        readiness=state,
        status=status,
        school_year=school_year,
        links=list(links),
        best_link_ids=best,
        devices=counts,
        devices_per_student=devices_per_student(counts, school.students),
        offerings_by_level=[(level, items) for level, items in grouped if items],
        history=history_of_school(school.id, limit=RECENT_HISTORY),
    )


def history_page(school: School, page: int, per_page: int = HISTORY_PER_PAGE):
    """One page of the school's whole history (a Flask-SQLAlchemy pagination)."""
    return db.paginate(
        school_history_query(school.id), page=page, per_page=per_page, error_out=False
    )


# --- changes -----------------------------------------------------------------------------


@dataclass
class DeleteImpact:
    sites: int
    devices: int
    links: int
    offerings: int


def school_delete_impact(school: School) -> DeleteImpact:
    def count(model) -> sa.ScalarSelect:
        return (
            sa.select(sa.func.count(model.id)).where(model.school_id == school.id).scalar_subquery()
        )

    row = db.session.execute(
        sa.select(count(Site), count(Device), count(NetworkLink), count(Offering))
    ).one()
    return DeleteImpact(*row)


@dataclass
class SiteDeleteImpact:
    devices: int
    links: int


def site_delete_impact(site: Site) -> SiteDeleteImpact:
    def count(model) -> sa.ScalarSelect:
        return sa.select(sa.func.count(model.id)).where(model.site_id == site.id).scalar_subquery()

    row = db.session.execute(sa.select(count(Device), count(NetworkLink))).one()
    return SiteDeleteImpact(*row)
