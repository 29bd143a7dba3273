"""Contract alerts: a network link's notice date is near.

The notice date is the contract end minus the notice period (a link without a notice
period: the contract end itself). Stages: "lead-<n>" for each n in
CONTRACT_ALERT_LEAD_DAYS (default 90 and 30 days before the notice date), the smallest
through the notice date. Only active links count; a link whose contract end or notice
period changes is a new record (its key holds the notice date) and is warned about
again.
"""

import calendar
import datetime as dt

import sqlalchemy as sa
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l

from app.codes import LINK_TECHNOLOGIES
from app.extensions import db
from inventory.models import NetworkLink
from reports.alert_kinds import (
    DueRecord,
    RecordAlertKind,
    config_days,
    format_date,
    in_days,
    lead_days_of,
    lead_stage,
    record_url,
)

NAME = "contract"


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` months earlier, or that month's last day (31.12. minus three
    months is 30.09.)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def notice_date(contract_end: dt.date, notice_period_months: int | None) -> dt.date:
    return months_before(contract_end, notice_period_months or 0)


def _text(link: NetworkLink, notice: dt.date, today: dt.date) -> str:
    days = (notice - today).days
    parts = [
        link.provider or gettext("unknown provider"),
        str(LINK_TECHNOLOGIES.get(link.technology, link.technology)),
        f"{link.down_mbps}/{link.up_mbps} Mbit/s",
    ]
    if link.site is not None:
        parts.append(link.site.name)
    text = gettext(
        "Link %(id)d (%(what)s): contract ends on %(end)s, give notice by %(notice)s (%(left)s)",
        id=link.id,
        what=", ".join(parts),
        end=format_date(link.contract_end),
        notice=format_date(notice),
        left=in_days(days),
    )
    if link.monthly_cost is not None:
        cost = f"{link.monthly_cost:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
        text += "; " + gettext("%(cost)s EUR a month", cost=cost)
    return text


def due(today: dt.date) -> list[DueRecord]:
    lead_days = config_days("CONTRACT_ALERT_LEAD_DAYS")
    links = db.session.scalars(
        sa.select(NetworkLink)
        .where(
            NetworkLink.status == "active",
            NetworkLink.contract_end.is_not(None),
            NetworkLink.contract_end >= today,
        )
        .options(sa.orm.selectinload(NetworkLink.site))
        .order_by(NetworkLink.school_id, NetworkLink.id)
    )
    records = []
    for link in links:
        notice = notice_date(link.contract_end, link.notice_period_months)
        stage = lead_stage(notice, today, lead_days)
        if stage is None:
            continue
        records.append(
            DueRecord(
                school_id=link.school_id,
                record_key=f"link:{link.id}@{notice.isoformat()}",
                stage=stage,
                text=_text(link, notice, today),
                url=record_url("links", link.id, "edit"),
            )
        )
    return records


def stage_label(stage: str) -> str:
    days = lead_days_of(stage)
    if days is None:
        return stage
    return gettext("%(days)d days before the notice date", days=days)


def what(count: int) -> str:
    return ngettext(
        "%(num)d contract before its notice date",
        "%(num)d contracts before their notice date",
        count,
    )


ALERT = RecordAlertKind(
    name=NAME,
    label=_l("Contract"),
    intro=_l(
        "The notice date of these internet link contracts is near. Please decide whether "
        "to extend or to give notice, and record the new contract end."
    ),
    due=due,
    stage_label=stage_label,
    what=what,
)
