"""The audit history in words: field labels and values as the UI shows them (German
labels of codes, "429,00 €", "26.08.2026"), the channel, and a link to each record
that still exists. Labels and types come from the registry of kinds."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask import url_for
from flask_babel import format_currency, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.audit import AuditEntry
from app.extensions import db

CHANNEL_LABELS = {
    "web": _l("web"),
    "import": _l("import"),
    "api": _l("API"),
    "cli": _l("command line"),
}

# An audit entry's object type (its table) -> the registry's kind.
KIND_OF_TABLE = {
    "schools": "schools",
    "sites": "sites",
    "devices": "devices",
    "network_links": "links",
    "offerings": "offerings",
}
# Column keys of the log that name a field differently.
FIELD_OF_COLUMN = {"site_id": "site", "learning_levels_codes": "learning_levels"}
# Bookkeeping the history does not show.
HIDDEN_COLUMNS = {"school_id", "is_demo"}
MONEY_FIELDS = {"price", "amount", "cap_per_device"}
EMPTY = "—"


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class HistoryRow:
    entry: AuditEntry
    channel: str
    object_text: str
    url: str | None
    changes: list[Change] = field(default_factory=list)
    details: str = ""


def _fields(table: str) -> dict:
    from inventory.kinds import KINDS

    kind = KINDS.get(KIND_OF_TABLE.get(table, ""))
    return kind.by_code if kind else {}


def _extra_labels() -> dict[str, str]:
    return {
        "site_id": _("Site"),
        "first_school_day": _("First school day"),
        "label": _("School year"),
        "email": _("Email"),
        "role": _("Role"),
        "active": _("Active"),
        "schools": _("Schools"),
    }


def format_value(spec, value, site_names: dict[int, str]) -> str:
    """One stored value (as the log keeps it: codes, ISO dates, decimal text) in words."""
    if value is None or value == "" or value == []:
        return EMPTY
    kind = spec.type if spec is not None else None
    try:
        if kind == "code" and spec.vocabulary:
            return str(spec.vocabulary.get(value, value))
        if kind == "codes" and spec.vocabulary:
            items = value.split(",") if isinstance(value, str) else list(value)
            return ", ".join(str(spec.vocabulary.get(item, item)) for item in items if item)
        if kind == "decimal":
            number = Decimal(str(value))
            if spec.code in MONEY_FIELDS:
                return format_currency(number, "EUR")
            return format_decimal(number)
        if kind == "int":
            return format_decimal(int(value))
        if kind == "date":
            return dt.date.fromisoformat(str(value)[:10]).strftime("%d.%m.%Y")
        if kind == "bool" or isinstance(value, bool):
            return _("yes") if value else _("no")
        if kind == "site":
            return site_names.get(int(value), str(value))
    except (ValueError, TypeError, InvalidOperation):
        return str(value)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _site_ids(entries) -> set[int]:
    ids = set()
    for entry in entries:
        if entry.action == "update" and isinstance(entry.changes, dict):
            for value in entry.changes.get("site_id") or ():
                if isinstance(value, int):
                    ids.add(value)
    return ids


def _lookups(entries) -> tuple[dict[str, dict[int, str]], dict[int, str]]:
    """For each table, the records of these entries that still exist (id -> public key),
    and the names of the sites named in changes: one query for all."""
    from inventory.models import Device, NetworkLink, Offering
    from schools.models import School, Site

    models = {
        "schools": (School, School.school_number),
        "sites": (Site, Site.id),
        "devices": (Device, Device.inventory_number),
        "network_links": (NetworkLink, NetworkLink.id),
        "offerings": (Offering, Offering.id),
    }
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        if entry.object_type in models and entry.record_id is not None:
            wanted.setdefault(entry.object_type, set()).add(entry.record_id)
    selects = [
        sa.select(
            sa.literal(table).label("what"),
            models[table][0].id.label("id"),
            sa.cast(models[table][1], sa.String).label("value"),
        ).where(models[table][0].id.in_(ids))
        for table, ids in sorted(wanted.items())
    ]
    site_ids = _site_ids(entries)
    if site_ids:
        selects.append(
            sa.select(
                sa.literal("site_name").label("what"),
                Site.id.label("id"),
                Site.name.label("value"),
            ).where(Site.id.in_(site_ids))
        )
    found: dict[str, dict[int, str]] = {}
    if selects:
        for what, record_id, value in db.session.execute(sa.union_all(*selects)).all():
            found.setdefault(what, {})[record_id] = value
    return found, found.pop("site_name", {})


def _url(table: str, key: str) -> str | None:
    endpoints = {
        "schools": ("schools.school_detail", "school_number"),
        "sites": ("schools.site_edit", "site_id"),
        "devices": ("inventory.device_detail", "inventory_number"),
        "network_links": ("inventory.link_edit", "link_id"),
        "offerings": ("inventory.offering_edit", "offering_id"),
    }
    endpoint, argument = endpoints[table]
    value = int(key) if argument.endswith("_id") else key
    return url_for(endpoint, **{argument: value})


def _details(action: str, changes: dict) -> str:
    from inventory.kinds import KINDS

    if action == "export":
        return str(changes.get("filters") or "")
    kind = KINDS.get(changes.get("kind", ""))
    return _(
        "%(kind)s: %(created)s new, %(updated)s changed, %(unchanged)s unchanged, "
        "%(skipped)s skipped",
        kind=kind.label if kind else changes.get("kind", ""),
        created=changes.get("created", 0),
        updated=changes.get("updated", 0),
        unchanged=changes.get("unchanged", 0),
        skipped=changes.get("skipped", 0),
    )


def channel_of(entry: AuditEntry) -> str:
    """The entry's channel; entries from before the column by their actor."""
    if entry.channel:
        return entry.channel
    if entry.action == "import":
        return "import"
    return "web" if "@" in (entry.actor or "") else "cli"


def describe(entries) -> list[HistoryRow]:
    """The entries in words, in a constant number of queries."""
    from app.templating import HISTORY_OBJECTS

    entries = list(entries)
    current, site_names = _lookups(entries)
    extra = _extra_labels()
    rows = []
    for entry in entries:
        table = entry.object_type
        key = current.get(table, {}).get(entry.record_id)
        object_text = f"{HISTORY_OBJECTS.get(table, table)} {key or entry.object_id}"
        row = HistoryRow(
            entry=entry,
            channel=str(CHANNEL_LABELS.get(channel_of(entry), channel_of(entry))),
            object_text=object_text,
            url=_url(table, key) if key is not None else None,
        )
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        if entry.action == "update":
            specs = _fields(table)
            for column, pair in changes.items():
                if column in HIDDEN_COLUMNS or not isinstance(pair, list | tuple) or len(pair) != 2:
                    continue
                spec = specs.get(FIELD_OF_COLUMN.get(column, column))
                label = str(spec.label) if spec is not None else extra.get(column, column)
                row.changes.append(
                    Change(
                        label,
                        format_value(spec, pair[0], site_names),
                        format_value(spec, pair[1], site_names),
                    )
                )
        elif entry.action in ("import", "export"):
            row.details = _details(entry.action, changes)
        rows.append(row)
    return rows
