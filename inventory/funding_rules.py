"""The rules of a device's funding that need the programmes' data.

- A programme's cap per device (Höchstbetrag, e.g. REACT-EU and the immediate equipment
  programmes: 500 EUR): a device's `funding` code means the whole price from that
  programme, so a price above the cap cannot be funded by it alone. One of the devices'
  rules across fields (inventory/kinds.py), refused at the field `funding`.
- Purpose binding: a device still bound to its programme's purpose (Zweckbindung) can be
  retired (status `retired`) only with the reason given (`retired_reason`); the proof of
  use lists it with that reason. The rule holds when a device becomes retired, so the
  devices retired before the rule existed can still be edited; the write service
  (inventory/service.py clean_record) applies it.

Every channel (form, API, import, seed) goes through these rules alike. The programmes'
facts are read once per app context (one web request, one CLI command such as an
import), not once per row.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask import g
from flask_babel import format_date, format_decimal
from flask_babel import lazy_gettext as _l

from app.extensions import db
from inventory.funding_models import FundingProgramme
from schools.school_years import today_in_berlin


@dataclass(frozen=True)
class ProgrammeFacts:
    name: str
    cap: Decimal | None
    bound_until: dt.date | None


def programme_facts() -> dict[str, ProgrammeFacts]:
    """{programme code: its name, cap per device and end of purpose binding}."""
    facts = g.get("_funding_programme_facts")
    if facts is None:
        programmes = db.session.scalars(sa.select(FundingProgramme))
        facts = {
            p.code: ProgrammeFacts(p.name, p.cap_per_device, p.bound_until()) for p in programmes
        }
        g._funding_programme_facts = facts
    return facts


def price_within_cap(values: dict) -> dict:
    code, price = values.get("funding"), values.get("price")
    facts = programme_facts().get(code) if code is not None else None
    if facts is None or facts.cap is None or price is None:
        return {}
    name, cap = facts.name, facts.cap
    if price <= cap:
        return {}
    message = _l(
        "%(programme)s pays at most %(cap)s EUR per device, less than the price of "
        "%(price)s EUR: the whole price cannot come from this programme.",
        programme=name,
        cap=format_decimal(cap, format="#,##0.00"),
        price=format_decimal(price, format="#,##0.00"),
    )
    return {"funding": message}


def unexplained_retirement(values: dict, status_before: str | None) -> dict:
    """values: the device's values after the change (stored ones merged with the new);
    status_before: its stored status (None for a new device)."""
    if values.get("status") != "retired" or status_before == "retired":
        return {}
    if (values.get("retired_reason") or "").strip():
        return {}
    code = values.get("funding")
    facts = programme_facts().get(code) if code is not None else None
    if facts is None or facts.bound_until is None or facts.bound_until < today_in_berlin():
        return {}
    message = _l(
        "This device is bound to the purpose of %(programme)s until %(date)s: give the "
        "reason for retiring it.",
        programme=facts.name,
        date=format_date(facts.bound_until, format="dd.MM.yyyy"),
    )
    return {"retired_reason": message}
