"""The rule of a device's funding that needs the programmes' data: a programme's cap per
device (Höchstbetrag, e.g. REACT-EU and the immediate equipment programmes: 500 EUR).

A device's `funding` code means the whole price from that programme, so a price above
the programme's cap cannot be funded by it alone. The rule is one of the devices' rules
across fields (inventory/kinds.py), so the form, the API, the import and the seed refuse
such a device alike, at the field `funding`.

The caps are read once per app context (one web request, one CLI command such as an
import), not once per row.
"""

from decimal import Decimal

import sqlalchemy as sa
from flask import g
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

from app.extensions import db
from inventory.funding_models import FundingProgramme


def programme_caps() -> dict[str, tuple[str, Decimal]]:
    """{programme code: (name, cap per device)} of the programmes with a cap."""
    caps = g.get("_funding_caps")
    if caps is None:
        rows = db.session.execute(
            sa.select(
                FundingProgramme.code, FundingProgramme.name, FundingProgramme.cap_per_device
            ).where(FundingProgramme.cap_per_device.is_not(None))
        )
        caps = {code: (name, cap) for code, name, cap in rows}
        g._funding_caps = caps
    return caps


def price_within_cap(values: dict) -> dict:
    code, price = values.get("funding"), values.get("price")
    if code is None or price is None or code not in programme_caps():
        return {}
    name, cap = programme_caps()[code]
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
