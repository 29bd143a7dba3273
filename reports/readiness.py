"""The gigabit rule (shared/DESIGN.md "The gigabit rule"), in one place.

A site is ready when it has an *active* link with down >= GIGABIT_MIN_DOWN_MBPS and
up >= GIGABIT_MIN_UP_MBPS. A school is ready when all its sites are. Planned or
ordered links are the plan, never readiness; terminated links count for nothing.
readiness() answers for any set of schools in a constant number of queries (3).
"""

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from inventory.models import NetworkLink
from schools.models import School, Site

PLAN_STATUSES = ("planned", "ordered")

# Why a site is not ready (codes; the UI and mails translate them).
REASON_READY = "ready"
REASON_NO_LINK = "no_active_link"
REASON_TOO_SLOW = "too_slow"

# A school's status against a first school day.
STATUS_READY = "ready"
STATUS_PLANNED = "planned"  # every site that is not ready has a fast link planned by the day
STATUS_AT_RISK = "at_risk"  # no plan, or a plan after the day

# A not-ready site's plan, judged on a day against a first school day.
PLAN_NONE = "no_plan"  # no fast link planned, or planned without a date
PLAN_OVERDUE = "overdue"  # the planned date has passed and the link is still not active
PLAN_TOO_LATE = "too_late"  # planned only after the first school day
PLAN_IN_TIME = "in_time"
PLAN_LATE_STATES = (PLAN_OVERDUE, PLAN_TOO_LATE)

# The groups of the alert digest, in its order.
GROUP_NO_PLAN = "no_plan"
GROUP_LATE = "late"  # some plan too late or overdue
GROUP_IN_TIME = "in_time"
PLAN_GROUPS = (GROUP_NO_PLAN, GROUP_LATE, GROUP_IN_TIME)


@dataclass(frozen=True)
class Thresholds:
    down: int
    up: int

    @classmethod
    def from_config(cls) -> "Thresholds":
        config = current_app.config
        return cls(int(config["GIGABIT_MIN_DOWN_MBPS"]), int(config["GIGABIT_MIN_UP_MBPS"]))

    def met_by(self, link) -> bool:
        return link.down_mbps >= self.down and link.up_mbps >= self.up


@dataclass(frozen=True)
class LinkSummary:
    id: int
    provider: str
    technology: str
    down_mbps: int
    up_mbps: int
    status: str
    planned_date: dt.date | None
    meets_thresholds: bool

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "provider": self.provider,
            "technology": self.technology,
            "down_mbps": self.down_mbps,
            "up_mbps": self.up_mbps,
            "status": self.status,
            "planned_date": self.planned_date.isoformat() if self.planned_date else None,
        }


@dataclass
class SiteReadiness:
    site_id: int
    name: str
    is_main: bool
    ready: bool
    reason: str
    best_link: LinkSummary | None  # the best active link, ready or not
    planned_link: LinkSummary | None  # the earliest planned/ordered link that would be ready

    def status_by(self, deadline: dt.date | None) -> str:
        if self.ready:
            return STATUS_READY
        plan = self.planned_link
        if plan and plan.planned_date and (deadline is None or plan.planned_date <= deadline):
            return STATUS_PLANNED
        return STATUS_AT_RISK

    def plan_state(self, today: dt.date, deadline: dt.date | None) -> str | None:
        """None for a ready site, else no_plan, overdue, too_late or in_time."""
        if self.ready:
            return None
        plan = self.planned_link
        if plan is None or plan.planned_date is None:
            return PLAN_NONE
        if plan.planned_date < today:
            return PLAN_OVERDUE
        if deadline is not None and plan.planned_date > deadline:
            return PLAN_TOO_LATE
        return PLAN_IN_TIME


@dataclass
class SchoolReadiness:
    school_id: int
    school_number: str
    name: str
    school_form: str
    district: str
    it_contact_email: str
    sites: list[SiteReadiness] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return bool(self.sites) and all(site.ready for site in self.sites)

    @property
    def sites_not_ready(self) -> list[SiteReadiness]:
        return [site for site in self.sites if not site.ready]

    def status_by(self, deadline: dt.date | None) -> str:
        """ready, planned (all missing sites planned by the deadline) or at_risk."""
        if not self.sites:
            return STATUS_AT_RISK
        statuses = {site.status_by(deadline) for site in self.sites}
        if statuses == {STATUS_READY}:
            return STATUS_READY
        return STATUS_AT_RISK if STATUS_AT_RISK in statuses else STATUS_PLANNED

    def plan_group(self, today: dt.date, deadline: dt.date | None) -> str:
        """The digest's group: no_plan when some missing site has none, late when some
        plan is overdue or after the first school day, else in_time."""
        states = {site.plan_state(today, deadline) for site in self.sites_not_ready}
        if PLAN_NONE in states or not self.sites:
            return GROUP_NO_PLAN
        if states & set(PLAN_LATE_STATES):
            return GROUP_LATE
        return GROUP_IN_TIME

    def has_late_plan(self, today: dt.date, deadline: dt.date | None) -> bool:
        return any(
            site.plan_state(today, deadline) in PLAN_LATE_STATES for site in self.sites_not_ready
        )

    @property
    def planned_date(self) -> dt.date | None:
        """When the last missing site is planned to be ready (None: some site has no plan)."""
        dates = [
            site.planned_link.planned_date if site.planned_link else None
            for site in self.sites_not_ready
        ]
        if not dates or None in dates:
            return None
        return max(dates)

    @property
    def best_link(self) -> LinkSummary | None:
        """The main site's best active link (for one-line summaries)."""
        main = next((site for site in self.sites if site.is_main), None)
        return main.best_link if main else None


def _summary(link: NetworkLink, thresholds: Thresholds) -> LinkSummary:
    return LinkSummary(
        id=link.id,
        provider=link.provider,
        technology=link.technology,
        down_mbps=link.down_mbps,
        up_mbps=link.up_mbps,
        status=link.status,
        planned_date=link.planned_date,
        meets_thresholds=thresholds.met_by(link),
    )


def site_readiness(site: Site, links: list[NetworkLink], thresholds: Thresholds) -> SiteReadiness:
    """The rule for one site, given all links that belong to it."""
    active = [link for link in links if link.status == "active"]
    best = max(
        active,
        key=lambda lk: (thresholds.met_by(lk), min(lk.down_mbps, lk.up_mbps), lk.down_mbps),
        default=None,
    )
    plans = [link for link in links if link.status in PLAN_STATUSES and thresholds.met_by(link)]
    plan = min(
        plans,
        key=lambda lk: (lk.planned_date is None, lk.planned_date or dt.date.max),
        default=None,
    )
    ready = best is not None and thresholds.met_by(best)
    if ready:
        reason = REASON_READY
    elif best is None:
        reason = REASON_NO_LINK
    else:
        reason = REASON_TOO_SLOW
    return SiteReadiness(
        site_id=site.id,
        name=site.name,
        is_main=site.is_main,
        ready=ready,
        reason=reason,
        best_link=_summary(best, thresholds) if best else None,
        planned_link=_summary(plan, thresholds) if plan else None,
    )


def readiness(
    school_ids: sa.Select | list[int] | None = None, thresholds: Thresholds | None = None
) -> list[SchoolReadiness]:
    """Readiness of the given schools (a list of ids or a SELECT of ids; None: all),
    ordered by school name, in three queries however many schools there are."""
    thresholds = thresholds or Thresholds.from_config()
    school_stmt = sa.select(
        School.id,
        School.school_number,
        School.name,
        School.school_form,
        School.district,
        School.it_contact_email,
    ).order_by(School.name, School.school_number)
    site_stmt = sa.select(Site).order_by(Site.school_id, Site.is_main.desc(), Site.name)
    link_stmt = sa.select(NetworkLink).where(NetworkLink.status != "terminated")
    if school_ids is not None:
        school_stmt = school_stmt.where(School.id.in_(school_ids))
        site_stmt = site_stmt.where(Site.school_id.in_(school_ids))
        link_stmt = link_stmt.where(NetworkLink.school_id.in_(school_ids))

    schools = {
        row.id: SchoolReadiness(
            school_id=row.id,
            school_number=row.school_number,
            name=row.name,
            school_form=row.school_form,
            district=row.district,
            it_contact_email=row.it_contact_email,
        )
        for row in db.session.execute(school_stmt)
    }
    sites = db.session.scalars(site_stmt).all()
    main_site_of = {site.school_id: site.id for site in sites if site.is_main}
    links_by_site: dict[int, list[NetworkLink]] = {}
    for link in db.session.scalars(link_stmt):
        # A link without a site belongs to the school's main site.
        site_id = link.site_id or main_site_of.get(link.school_id)
        links_by_site.setdefault(site_id, []).append(link)
    for site in sites:
        if site.school_id in schools:
            schools[site.school_id].sites.append(
                site_readiness(site, links_by_site.get(site.id, []), thresholds)
            )
    return list(schools.values())


def school_readiness(school: School, thresholds: Thresholds | None = None) -> SchoolReadiness:
    return readiness([school.id], thresholds)[0]
