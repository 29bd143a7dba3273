"""The proof-of-use workbook (zahlenmäßiger Verwendungsnachweis) of one funding programme.

write_proof_of_use() writes, for one programme and a cut-off date:

* Info: the programme (code, name, funder, rate, cap, period, purpose binding), the
  cut-off date, the filters, who generated it and when (Berlin time), the totals;
* Schulen und Bereiche: per school and device category the number of devices, the sum
  of their prices and the sum of this programme's shares, with a totals row;
* Geräte: one row per device with a share of the programme;
* Ausgemustert, gebunden: retired devices whose purpose binding runs to or past the
  cut-off date, with the reason given;
* Ohne Kaufdatum: devices of the programme without a purchase date.

What counts: devices with a share of the programme purchased on or before the cut-off
date, in every status (a retired device was paid for all the same). A device without a
purchase date cannot be placed before or after the cut-off: it is not counted in the
totals, but listed on its own sheet so that no money goes unseen. A share without an
amount is the whole price of the device; a device without a price counts 0 EUR.

One query streams the devices (yield_per, ordered by school number and inventory
number in byte order, so both databases give the same file); the per-school sums and
the totals are added up in Decimal from the same rows while they are written, so they
reconcile with the device sheet to the cent. The cells are written like the department
workbook's (reports/exports.py): formula-safe text, control characters stripped.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook

from app import codes
from app.extensions import db
from inventory.funding_models import FundingProgramme, FundingShare
from inventory.models import Device
from reports.exports import (
    LOCALE,
    Column,
    SheetWriter,
    code_labels,
    file_slug,
    local_time,
    stream_rows,
)
from schools.models import School

SHEET_INFO = "Info"
SHEET_SCHOOLS = "Schulen und Bereiche"
SHEET_DEVICES = "Geräte"
SHEET_RETIRED = "Ausgemustert, gebunden"
SHEET_UNDATED = "Ohne Kaufdatum"

ZERO = Decimal("0.00")


class ProofOfUseError(ValueError):
    """The workbook cannot be made as asked (an unknown programme)."""


# --- the reason a bound device was retired ------------------------------------------------
# Device.retired_reason: asked for when a device still bound becomes retired
# (inventory/funding_rules.py); empty for devices retired before the rule.
REASON_COLUMNS = (Device.retired_reason,)


def retired_reason(device_row) -> str:
    """The reason given for retiring a device still bound to its purpose ("" if none)."""
    return device_row.retired_reason or ""


# --- what to export ----------------------------------------------------------------------


def find_programme(code: str) -> FundingProgramme:
    programme = db.session.scalar(
        sa.select(FundingProgramme).where(FundingProgramme.code == str(code).strip())
    )
    if programme is None:
        raise ProofOfUseError(f"unknown funding programme {code!r}")
    return programme


def programme_codes() -> list[str]:
    return list(
        db.session.scalars(sa.select(FundingProgramme.code).order_by(FundingProgramme.code))
    )


def latest_cut_off(today: dt.date) -> dt.date:
    """The last reporting date (30.06 or 31.12) on or before today."""
    if today >= dt.date(today.year, 6, 30):
        return dt.date(today.year, 6, 30) if today < dt.date(today.year, 12, 31) else today
    return dt.date(today.year - 1, 12, 31)


def suggested_filename(programme: FundingProgramme, as_of: dt.date) -> str:
    """ "verwendungsnachweis-gute-schule-2020-2026-06-30.xlsx"."""
    return f"verwendungsnachweis-{file_slug(programme.code)}-{as_of.isoformat()}.xlsx"


def byte_order(column):
    """Text ordered by its bytes on both databases: SQLite compares bytes, PostgreSQL
    would use the database's locale (which sorts "b" before "C" and skips hyphens)."""
    return sa.collate(column, "C") if db.engine.dialect.name == "postgresql" else column


def _device_query(programme: FundingProgramme, as_of: dt.date, school_ids) -> sa.Select:
    stmt = (
        sa.select(
            School.school_number,
            School.name.label("school_name"),
            Device.inventory_number,
            Device.serial_number,
            Device.category,
            Device.purchase_date,
            Device.price,
            FundingShare.amount,
            FundingShare.grant_reference,
            Device.status,
            *REASON_COLUMNS,
        )
        .join(Device, FundingShare.device_id == Device.id)
        .join(School, Device.school_id == School.id)
        .where(FundingShare.programme_id == programme.id)
        .where(sa.or_(Device.purchase_date <= as_of, Device.purchase_date.is_(None)))
        .order_by(School.school_number, byte_order(Device.inventory_number))
    )
    if school_ids is not None:
        stmt = stmt.where(Device.school_id.in_(school_ids))
    return stmt


@dataclass
class Sums:
    devices: int = 0
    prices: Decimal = ZERO
    shares: Decimal = ZERO

    def add(self, price: Decimal | None, share: Decimal | None) -> None:
        self.devices += 1
        if price is not None:
            self.prices += price
        if share is not None:
            self.shares += share


@dataclass
class Totals:
    """What the workbook adds up, per (school number, category) and in all."""

    by_area: dict[tuple[str, str], Sums] = field(default_factory=dict)
    school_names: dict[str, str] = field(default_factory=dict)
    total: Sums = field(default_factory=Sums)
    undated: int = 0
    retired_bound: int = 0


# --- the workbook ------------------------------------------------------------------------


def write_proof_of_use(
    target,
    *,
    programme: FundingProgramme | str,
    as_of: dt.date,
    school_ids=None,
    generated_by: str = "",
    filters_text: str = "",
    generated_at: dt.datetime | None = None,
) -> Totals:
    """The proof-of-use workbook of a programme (or its code) at a cut-off date, for the
    given schools (a list or SELECT of ids; None: all), to a path or binary stream."""
    if not isinstance(programme, FundingProgramme):
        programme = find_programme(programme)
    generated_at = generated_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with force_locale(LOCALE):
        workbook = Workbook(write_only=True)
        # The sheets in their order; Info and the per-school sheet are filled after the
        # device rows, whose sums they show (a write-only sheet may be written later).
        info = SheetWriter(
            workbook, SHEET_INFO, [Column(_("Item"), width=34), Column(_("Value"), "any", 90)]
        )
        schools = SheetWriter(workbook, SHEET_SCHOOLS, _school_columns())
        devices = SheetWriter(workbook, SHEET_DEVICES, _device_columns())
        retired = SheetWriter(
            workbook, SHEET_RETIRED, [*_device_columns(), Column(_("Reason"), width=50)]
        )
        undated = SheetWriter(workbook, SHEET_UNDATED, _device_columns())
        totals = _device_sheets(devices, retired, undated, programme, as_of, school_ids)
        _schools_sheet(schools, totals)
        _info_sheet(info, programme, as_of, totals, generated_by, filters_text, generated_at)
        workbook.save(target)
    return totals


def _device_columns() -> list[Column]:
    return [
        Column(_("School number"), width=12),
        Column(_("School"), width=36),
        Column(_("Inventory number"), width=16),
        Column(_("Serial number"), width=18),
        Column(_("Category"), width=20),
        Column(_("Purchase date"), "date", width=12),
        Column(_("Price"), "eur", width=13),
        Column(_("Share of the programme"), "eur", width=14),
        Column(_("Grant reference"), width=22),
        Column(_("Status"), width=14),
        Column(_("Bound until"), "date", width=12),
    ]


def _school_columns() -> list[Column]:
    return [
        Column(_("School number"), width=12),
        Column(_("School"), width=36),
        Column(_("Category"), width=20),
        Column(_("Devices"), "int", width=10),
        Column(_("Sum of prices"), "eur", width=15),
        Column(_("Sum of the programme's shares"), "eur", width=16),
    ]


def _device_sheets(devices, retired, undated, programme, as_of, school_ids) -> Totals:
    categories = code_labels(codes.DEVICE_CATEGORIES)
    statuses = code_labels(codes.DEVICE_STATUSES)
    bound_until = programme.bound_until()
    still_bound = bound_until is not None and bound_until >= as_of
    totals = Totals()
    by_area, names = totals.by_area, totals.school_names
    for row in stream_rows(_device_query(programme, as_of, school_ids)):
        price = row.price
        share = row.amount if row.amount is not None else price  # None: the whole price
        values = [
            row.school_number,
            row.school_name,
            row.inventory_number,
            row.serial_number,
            categories.get(row.category, row.category),
            row.purchase_date,
            price,
            share,
            row.grant_reference,
            statuses.get(row.status, row.status),
            bound_until,
        ]
        if still_bound and row.status == "retired":
            retired.append([*values, retired_reason(row)])
            totals.retired_bound += 1
        if row.purchase_date is None:
            undated.append(values)
            totals.undated += 1
            continue
        devices.append(values)
        key = (row.school_number, row.category)
        sums = by_area.get(key)
        if sums is None:
            sums = by_area[key] = Sums()
            names[row.school_number] = row.school_name
        sums.add(price, share)
        totals.total.add(price, share)
    for sheet in (devices, retired, undated):
        sheet.finish()
    return totals


def _schools_sheet(sheet: SheetWriter, totals: Totals) -> None:
    labels = code_labels(codes.DEVICE_CATEGORIES)
    order = {code: index for index, code in enumerate(codes.DEVICE_CATEGORIES)}
    for number, category in sorted(totals.by_area, key=lambda k: (k[0], order.get(k[1], 99))):
        sums = totals.by_area[number, category]
        sheet.append(
            [
                number,
                totals.school_names[number],
                labels.get(category, category),
                sums.devices,
                sums.prices,
                sums.shares,
            ]
        )
    sheet.finish()  # the filter covers the schools, not the totals row below them
    total = totals.total
    sheet.append([_("Total"), None, None, total.devices, total.prices, total.shares])


def _info_sheet(sheet, programme, as_of, totals: Totals, generated_by, filters_text, at):
    bound_until = programme.bound_until()
    rows = [
        (_("Workbook"), _("Proof of use (numerical) of a funding programme")),
        (_("Funding programme"), programme.code),
        (_("Programme name"), programme.name),
        (_("Funder"), programme.funder or "—"),
        (_("Funding rate (%)"), float(programme.rate) if programme.rate is not None else "—"),
        (
            _("Cap per device"),
            float(programme.cap_per_device) if programme.cap_per_device is not None else "—",
        ),
        (_("Period from"), programme.period_start or "—"),
        (_("Period to"), programme.period_end or "—"),
        (
            _("Purpose binding"),
            _(
                "%(years)s calendar years after the end of the period (to 31 December)",
                years=programme.binding_years,
            )
            if programme.binding_years is not None
            else "—",
        ),
        (_("Bound until"), bound_until or "—"),
        (_("Cut-off date"), as_of),
        (
            _("Devices counted"),
            _(
                "Devices with a share of this programme purchased on or before the cut-off "
                "date, in every status. A share without an amount is the whole price. "
                "Devices without a purchase date are not counted; the sheet %(sheet)s "
                "lists them.",
                sheet=SHEET_UNDATED,
            ),
        ),
        (_("Filters"), filters_text or _("none (all schools)")),
        (_("Generated at"), local_time(at)),
        (_("Generated by"), generated_by or "—"),
        (_("Devices"), totals.total.devices),
        (_("Sum of prices"), float(totals.total.prices)),
        (_("Sum of the programme's shares"), float(totals.total.shares)),
        (_("Retired while still bound"), totals.retired_bound),
        (_("Devices without a purchase date"), totals.undated),
    ]
    for row in rows:
        sheet.append(row)
    # Info is a list, not a table: no autofilter.
