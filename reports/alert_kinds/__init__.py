"""The kinds of alerts about single records (a link's contract, a device's warranty, ...).

Adding a kind is one module that builds one RecordAlertKind, plus its line in
KIND_MODULES. reports/record_alerts.py does the rest for every kind the same way: the
outbox rows (unique on kind, record, stage, recipient), claims, leases, retries, one
mail per school's IT contact and one digest per department recipient, the JobRun
counts and the "Benachrichtigungen" page. The interface (docs/alerts.md "Adding an
alert kind"):

- `due(today) -> Iterable[DueRecord]`: what is due on that day, one DueRecord per
  record and school, each with its stage and a line of German text (it is called
  inside force_locale("de")). Everything else follows from it: a record that is no
  longer due (changed, retired) gets no further mail, and its pending rows are closed.
- `stage_label(stage) -> str`: a stage code in words, for mails and the page.
- `what(count) -> str`: the subject's words for that many records
  ("2 Verträge vor der Kündigungsfrist").
- `label`, `intro`: the kind's name on the page, and the mails' first sentence.
"""

import datetime as dt
import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import quote

from flask import current_app
from flask_babel import gettext, ngettext

# One line per kind: the module that defines ALERT (a RecordAlertKind).
KIND_MODULES = (
    "reports.alert_kinds.contract",
    "reports.alert_kinds.warranty",
    "reports.alert_kinds.loan_overdue",
)


@dataclass(frozen=True)
class DueRecord:
    """One record that is due for an alert today."""

    school_id: int
    # What the alert is about, at most 64 characters: the record and the date it warns
    # about ("link:12@2027-09-30"), so a renewed contract is warned about again.
    record_key: str
    stage: str  # at most 32 characters, e.g. "lead-30"
    text: str  # one line for the mails: what, when, how many days are left
    url: str = ""  # the record's page


@dataclass(frozen=True)
class RecordAlertKind:
    name: str  # the outbox's alert_kind, at most 16 characters
    label: object  # (lazy) the kind on the page: "Vertrag"
    intro: object  # (lazy) the mails' first sentence
    due: Callable[[dt.date], Iterable[DueRecord]]
    stage_label: Callable[[str], str]
    what: Callable[[int], str]


def record_kinds() -> list[RecordAlertKind]:
    return [importlib.import_module(module).ALERT for module in KIND_MODULES]


def record_kind(name: str) -> RecordAlertKind | None:
    return next((kind for kind in record_kinds() if kind.name == name), None)


# --- helpers for the kinds ---------------------------------------------------------


def config_days(key: str) -> list[int]:
    """A config value of days: a list, one number, or "90,30" from the environment."""
    value = current_app.config[key]
    if isinstance(value, str | int):
        value = str(value).split(",")
    return sorted({int(days) for days in value if int(days) >= 0}, reverse=True)


def lead_stage(deadline: dt.date, today: dt.date, lead_days: list[int]) -> str | None:
    """The stage due on `today` for a deadline: "lead-<n>" from n days before it until
    the next (smaller) lead time, the smallest through the deadline itself; None before
    the first lead time and after the deadline."""
    days_left = (deadline - today).days
    if days_left < 0:
        return None
    reached = sorted(days for days in lead_days if days >= 0 and days_left <= days)
    return f"lead-{reached[0]}" if reached else None


def lead_days_of(stage: str) -> int | None:
    prefix, _, number = stage.partition("-")
    if prefix != "lead" or not (number.isascii() and number.isdigit()):
        return None
    return int(number)


def record_url(*parts: object) -> str:
    """A page under BASE_URL (the job runs without a request): record_url("links", 12,
    "edit") is BASE_URL/links/12/edit."""
    path = "/".join(quote(str(part), safe="") for part in parts)
    return f"{current_app.config['BASE_URL'].rstrip('/')}/{path}"


def format_date(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def in_days(days: int) -> str:
    """ "in 30 days", or "today"."""
    if days == 0:
        return gettext("today")
    return ngettext("in %(num)d day", "in %(num)d days", days)
