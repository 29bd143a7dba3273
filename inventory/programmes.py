"""The funding programmes' facts, edited by the department: the one door for their writes.

A programme's code is fixed (app/codes.py FUNDING_SOURCES, the CHECK on devices.funding);
its facts are data: name, funder, funding rate, cap per device, period and the purpose-
binding rule. They change what the rules of later device writes say (the cap, the
binding: inventory/funding_rules.py) and what the proof of use reports; devices already
stored are not rewritten. The fields' rules live here once, for the form and the service.
"""

from decimal import Decimal

from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.rules import Field, Kind, validate
from app.saving import check_version
from inventory.funding_models import FundingProgramme


def _period_in_order(values: dict) -> dict:
    start, end = values.get("period_start"), values.get("period_end")
    if start and end and end < start:
        return {"period_end": _l("The period cannot end before it starts.")}
    return {}


PROGRAMMES = Kind(
    name="funding_programmes",
    label=_l("Funding programmes"),
    sheet="Förderprogramme",
    key="code",
    fields=(
        Field("code", _l("Code"), editable=False),
        Field("name", _l("Name"), required=True, max_length=200),
        Field("funder", _l("Funder"), max_length=200),
        Field("rate", _l("Funding rate (percent)"), "decimal", min=Decimal("0.01"), max=100),
        Field(
            "cap_per_device",
            _l("Cap per device (EUR)"),
            "decimal",
            min=Decimal("0.01"),
            max=9_999_999,
        ),
        Field("period_start", _l("Period from"), "date"),
        Field("period_end", _l("Period to"), "date"),
        Field(
            "binding_years",
            _l("Purpose binding (calendar years after the period)"),
            "int",
            min=0,
            max=50,
        ),
        Field("notes", _l("Notes"), "multiline", max_length=5000),
    ),
    checks=(_period_in_order,),
)


def update_programme(
    programme: FundingProgramme, values: dict, version: int | None = None
) -> FundingProgramme:
    """Change a programme's facts (only those given); flushes, never commits."""
    check_version(programme, version)
    current = {spec.code: getattr(programme, spec.code) for spec in PROGRAMMES.editable}
    for code, value in validate(PROGRAMMES, values, current=current).items():
        setattr(programme, code, value)
    db.session.flush()
    return programme
