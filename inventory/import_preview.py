"""The import preview in detail: for each changed row, which record and which fields
change from what to what, in words, before anything is written."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import url_for

from app import codes
from app.extensions import db
from app.history import Change, format_value
from inventory.importer import ImportReport, _stored_value
from inventory.kinds import FILE_KINDS as KINDS

MAX_CHANGED_ROWS_SHOWN = 200


@dataclass
class ChangedRow:
    number: int  # the row in the file
    record: str  # the record in words: "INV-1", "100001 Gymnasium am Park", ...
    url: str | None
    changes: list[Change] = field(default_factory=list)


def _record_text(kind: str, record, school) -> str:
    if kind == "schools":
        return f"{record.school_number} {record.name}"
    if kind == "devices":
        return record.inventory_number
    if kind == "sites":
        return f"{record.name} ({school.school_number})" if school else record.name
    if kind == "links":
        return f"#{record.id} {record.provider or ''}".strip()
    if kind == "loans":
        return f"#{record.id} {record.loan_number} ({record.inventory_number})"
    return f"#{record.id} {codes.OFFERING_KINDS.get(record.kind, record.kind)}"


def _record_url(kind: str, record) -> str:
    if kind == "schools":
        return url_for("schools.school_detail", school_number=record.school_number)
    if kind == "devices":
        return url_for("inventory.device_detail", inventory_number=record.inventory_number)
    if kind == "sites":
        return url_for("schools.site_edit", site_id=record.id)
    if kind == "links":
        return url_for("inventory.link_edit", link_id=record.id)
    if kind == "loans":
        return url_for("inventory.loans_index", school_number=record.school.school_number)
    return url_for("inventory.offering_edit", offering_id=record.id)


def changed_rows(
    report: ImportReport, limit: int = MAX_CHANGED_ROWS_SHOWN
) -> tuple[list[ChangedRow], int]:
    """The first `limit` changed rows in words, and how many more there are. Call it
    before the analysis is rolled back: the records still hold their stored values."""
    kind = KINDS[report.kind]
    updated = [row for row in report.rows if row.action == "update" and row.record is not None]
    shown = updated[:limit]
    site_ids = set()
    for row in shown:
        if "site" in row.changes:
            site_ids.update(
                value
                for value in (_stored_value(row.record, "site"), row.changes["site"])
                if isinstance(value, int)
            )
    site_names = {}
    if site_ids:
        from schools.models import Site

        site_names = dict(
            db.session.execute(sa.select(Site.id, Site.name).where(Site.id.in_(site_ids))).all()
        )
    result = []
    for row in shown:
        item = ChangedRow(
            number=row.number,
            record=_record_text(report.kind, row.record, row.school),
            url=_record_url(report.kind, row.record),
        )
        for code, new in row.changes.items():
            spec = kind.by_code.get(code)
            item.changes.append(
                Change(
                    str(spec.label) if spec is not None else code,
                    format_value(spec, _stored_value(row.record, code), site_names),
                    format_value(spec, new, site_names),
                )
            )
        result.append(item)
    return result, len(updated) - len(shown)
