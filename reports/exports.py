"""The department's Excel workbook, streamed from the database into an .xlsx file.

write_workbook() writes the whole workbook (Info, Schulen, Standorte, Geräte,
Netzanbindungen, Angebote, Gigabit-Status, Sozialindex, Codes); write_gigabit_status_workbook()
only Info and Gigabit-Status (the alert digest attaches it). Both take the schools as
a list of ids or a SELECT of ids (None: all schools) and write to a path or a binary
stream.

Made for streaming: openpyxl's write-only workbook (lxml), every record sheet read
with yield_per in one query (school number and site joined in), counts as aggregate
queries; the number of statements does not grow with the number of records, and
memory stays flat. The record sheets start with inventory.columns.COLUMNS (codes in
the code columns), so they re-import unchanged; the Codes sheet explains the codes.

User text is always written as text: a note "=HYPERLINK(...)" never becomes a
formula, "#N/A" never an error value, and control characters are stripped.
"""

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app import codes
from app.audit import AuditEntry
from app.extensions import db
from app.rules import Field
from inventory.columns import field_codes, header_labels
from inventory.kinds import FILE_KINDS, KINDS
from inventory.loan_models import Loan
from inventory.models import Device, NetworkLink, Offering
from reports import readiness as rules
from reports import replacement
from schools.models import School, SchoolYear, Site
from schools.school_years import current_school_year, today_in_berlin, upcoming_school_year

BATCH_SIZE = 1000
LOCALE = "de"  # the workbook is German, whatever the UI language of the person asking
TIMEZONE = ZoneInfo("Europe/Berlin")

DATE_FORMAT = "DD.MM.YYYY"
DATETIME_FORMAT = "DD.MM.YYYY HH:MM"
EUR_FORMAT = "#,##0.00 €"
RATIO_FORMAT = "0.00"

# Sheet names (fixed German names; the importer and the alert digest rely on them).
SHEET_INFO = "Info"
SHEET_SCHOOLS = "Schulen"
SHEET_SITES = "Standorte"
SHEET_DEVICES = "Geräte"
SHEET_LINKS = "Netzanbindungen"
SHEET_OFFERINGS = "Angebote"
SHEET_LOANS = "Leihen"
SHEET_GIGABIT = "Gigabit-Status"
SHEET_NEED = "Sozialindex"
SHEET_REPLACEMENT = "Ersatzbeschaffung"
SHEET_CODES = "Codes"

# Devices that count in the school sheet: everything the school has, not what is gone.
COUNTED_DEVICE_STATUSES = ("in_use", "in_repair", "spare")

# Audit actions that change the inventory (an export, for one, does not).
INVENTORY_ACTIONS = ("create", "update", "delete", "import")

# Control characters (except tab and newline) and what XML cannot hold.
_UNWRITABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

# kind -> (number format, conversion of the database value)
NUMBER_FORMATS = {
    "date": (DATE_FORMAT, None),
    "datetime": (DATETIME_FORMAT, None),
    # A float: 429.00 reads back as a number with cents, not as the integer 429.
    "eur": (EUR_FORMAT, float),
    "ratio": (RATIO_FORMAT, None),
}
# Text that needs a closer look: openpyxl would make "=..." a formula and "#N/A" and
# friends error values; or it holds characters to strip.
_NEEDS_CARE = re.compile("^[=#]|" + _UNWRITABLE.pattern)

MIME_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExportError(ValueError):
    """The export cannot be made as asked (an unknown school year)."""


# --- cells ---------------------------------------------------------------------------


def clean_text(value) -> str:
    """User text as it may stand in a cell: control characters stripped."""
    text = str(value)
    return _UNWRITABLE.sub("", text) if _UNWRITABLE.search(text) else text


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"  # text, int, date, datetime, eur, ratio, bool, any
    width: float = 14


class SheetWriter:
    """One write-only sheet: header, frozen first row, widths, autofilter, typed cells."""

    def __init__(self, workbook: Workbook, title: str, columns: list[Column]):
        self.sheet = workbook.create_sheet(title)
        self.columns = columns
        self.rows = 0
        # Set before the first row: write-only sheets write their head with it.
        self.sheet.freeze_panes = "A2"
        for index, column in enumerate(columns, 1):
            self.sheet.column_dimensions[get_column_letter(index)].width = column.width
        bold = Font(bold=True)
        header = []
        for column in columns:
            cell = self._text(column.header)
            if not isinstance(cell, Cell):
                cell = WriteOnlyCell(self.sheet, cell)
                cell.data_type = "s"
            cell.font = bold
            header.append(cell)
        self.sheet.append(header)
        self._converters = [self._converter(column.kind) for column in columns]

    def _converter(self, kind: str):
        """How a value of the column becomes a cell value (None: as it is)."""
        if kind in ("int", "bool"):
            return None  # typed by the database already
        if kind == "text":
            return self._text
        if kind == "any":
            return self._any
        if kind.startswith("decimal:"):
            number_format, cast = "0." + "0" * int(kind.split(":")[1]), float
        else:
            number_format, cast = NUMBER_FORMATS[kind]
        # One styled cell per column, refilled for every row: a write-only sheet writes
        # each row out inside append(), so the cell is free again for the next row (and
        # making a styled cell per value would cost more than the rest of the row).
        cell = WriteOnlyCell(self.sheet)
        cell.number_format = number_format
        # The column's values have one type (a date, a datetime, a number), so the cell's
        # type is set once and the values are put in as they are, without openpyxl's
        # type inference per value (cell.value = ...); any other value goes through it.
        data_type = "d" if number_format in (DATE_FORMAT, DATETIME_FORMAT) else "n"
        plain = {"d": (dt.date, dt.datetime), "n": (float, int)}[data_type]

        def convert(value):
            value = cast(value) if cast else value
            if type(value) in plain:
                cell._value = value
                cell.data_type = data_type
            else:
                cell.value = value
            return cell

        return convert

    def append(self, values: Iterable) -> None:
        self.sheet.append(
            [
                value if convert is None or value is None else convert(value)
                for convert, value in zip(self._converters, values)  # noqa: B905 (hot loop)
            ]
        )
        self.rows += 1

    def finish(self) -> None:
        last = get_column_letter(len(self.columns))
        self.sheet.auto_filter.ref = f"A1:{last}{self.rows + 1}"

    def _text(self, value):
        text = value if type(value) is str else str(value)
        if _NEEDS_CARE.search(text) is None:  # the common case, in one regex call
            return text
        text = clean_text(text)
        if text.startswith("=") or text in ERROR_CODES:
            # openpyxl would make a formula (or an error value) of it: force text.
            cell = WriteOnlyCell(self.sheet, text)
            cell.data_type = "s"
            return cell
        return text

    def _formatted(self, value, number_format: str):
        cell = WriteOnlyCell(self.sheet, value)
        cell.number_format = number_format
        return cell

    def _any(self, value):
        """Info sheet values of any type."""
        if isinstance(value, dt.datetime):
            return self._formatted(value, DATETIME_FORMAT)
        if isinstance(value, dt.date):
            return self._formatted(value, DATE_FORMAT)
        if isinstance(value, bool | int | float):
            return value
        return self._text(value)


def _yes_no(flag: bool) -> str:
    return "ja" if flag else "nein"


def local_time(utc_naive: dt.datetime | None) -> dt.datetime | None:
    """A UTC timestamp of the database as Berlin wall time (Excel has no time zones)."""
    if utc_naive is None:
        return None
    return utc_naive.replace(tzinfo=dt.UTC).astimezone(TIMEZONE).replace(tzinfo=None)


# --- what to export --------------------------------------------------------------------


def resolve_school_year(school_year) -> SchoolYear | None:
    """A SchoolYear from an instance, a label "2026/27" or a start year; None: the
    upcoming school year (or the current one when none is ahead)."""
    if isinstance(school_year, SchoolYear):
        return school_year
    if school_year is None or school_year == "":
        return upcoming_school_year() or current_school_year()
    stmt = sa.select(SchoolYear)
    text = str(school_year).strip()
    if isinstance(school_year, int) or (text.isascii() and text.isdigit() and len(text) <= 4):
        stmt = stmt.where(SchoolYear.start_year == int(school_year))
    else:
        stmt = stmt.where(SchoolYear.label == text)
    found = db.session.scalar(stmt)
    if found is None:
        raise ExportError(f"unknown school year {school_year!r}")
    return found


def _scoped(stmt: sa.Select, school_id_column, school_ids) -> sa.Select:
    return stmt if school_ids is None else stmt.where(school_id_column.in_(school_ids))


def stream_rows(stmt: sa.Select):
    """Rows of a SELECT, fetched in batches (a server-side cursor on PostgreSQL)."""
    # Core rows on the session's connection: the ORM layer adds nothing for plain columns.
    result = db.session.connection().execute(stmt.execution_options(yield_per=BATCH_SIZE))
    # Closed however the iteration ends (an error while writing a row included), so no
    # server-side cursor is left open for the garbage collector to warn about.
    with result:
        yield from result


# --- the workbooks ---------------------------------------------------------------------


def write_workbook(
    target,
    *,
    school_ids=None,
    school_year=None,
    generated_by: str = "",
    filters_text: str = "",
    today: dt.date | None = None,
) -> None:
    """The department workbook for the given schools (None: all) to a path or stream."""
    with force_locale(LOCALE):
        year = resolve_school_year(school_year)
        school_readiness = rules.readiness(school_ids)
        workbook = Workbook(write_only=True)
        _info_sheet(workbook, school_ids, year, generated_by, filters_text)
        _schools_sheet(workbook, school_ids, school_readiness)
        _record_sheet(workbook, SHEET_SITES, "sites", _record_query("sites", school_ids))
        _record_sheet(workbook, SHEET_DEVICES, "devices", _record_query("devices", school_ids))
        _record_sheet(workbook, SHEET_LINKS, "links", _record_query("links", school_ids))
        _record_sheet(
            workbook, SHEET_OFFERINGS, "offerings", _record_query("offerings", school_ids)
        )
        _record_sheet(workbook, SHEET_LOANS, "loans", _loan_query(school_ids))
        _gigabit_sheet(workbook, school_readiness, year, today)
        _need_sheet(workbook, school_ids)
        _replacement_sheet(workbook, school_ids, today)
        _codes_sheet(workbook)
        workbook.save(target)


def write_gigabit_status_workbook(
    target, *, school_year, school_ids=None, generated_by: str = "", today: dt.date | None = None
) -> None:
    """Only the Info and Gigabit-Status sheets (attached to the alert digest)."""
    with force_locale(LOCALE):
        year = resolve_school_year(school_year)
        workbook = Workbook(write_only=True)
        _info_sheet(workbook, school_ids, year, generated_by, "", codes=False)
        _gigabit_sheet(workbook, rules.readiness(school_ids), year, today)
        workbook.save(target)


_UMLAUTS = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"}
)


def file_slug(text: str, max_length: int = 60) -> str:
    """Text as a file name part: "Städt. Gymnasium am Park" -> "staedt-gymnasium-am-park"."""
    ascii_text = (
        unicodedata.normalize("NFKD", str(text).translate(_UMLAUTS))
        .encode("ascii", "ignore")
        .decode()
    )
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:  # cut at a word's end, not inside a word
        slug = slug[: max_length + 1].rpartition("-")[0] or slug[:max_length]
    return slug.strip("-")


def suggested_filename(
    today: dt.date | None = None, *, school: School | None = None, city: str = ""
) -> str:
    """One school's workbook: number, name and date; else the city (the operator) and date.

    "gute-schule-100001-staedt-gymnasium-2026-08-26.xlsx", "gute-schule-stadt-bochum-2026-08-26.xlsx"."""
    day = (today or today_in_berlin()).isoformat()
    if school is not None:
        parts = [school.school_number, file_slug(school.name)]
    else:
        parts = [file_slug(city)]
    return "-".join(["gute-schule", *[part for part in parts if part], day]) + ".xlsx"


# --- Info ------------------------------------------------------------------------------


def _info_sheet(
    workbook, school_ids, year: SchoolYear | None, generated_by, filters_text, *, codes=True
):
    """The Info sheet; `codes` says whether the workbook has the Codes sheet it refers to."""
    from flask import current_app

    sheet = SheetWriter(
        workbook, SHEET_INFO, [Column(_("Item"), width=28), Column(_("Value"), "any", width=100)]
    )
    has_demo = db.session.scalar(
        sa.select(sa.exists().where(School.is_demo).where(_in_scope(School.id, school_ids)))
    )
    config = current_app.config
    rows = [
        (_("Workbook"), _("Gute Schule: digital infrastructure of the schools")),
        (_("Generated at"), local_time(dt.datetime.now(dt.UTC).replace(tzinfo=None))),
        (_("Generated by"), generated_by or "—"),
        (_("Filters"), filters_text or _("none (all schools in view)")),
        (_("School year"), year.label if year else "—"),
        (_("First school day"), year.first_school_day if year else None),
        (
            _("Gigabit rule"),
            _(
                "A site is ready with an active link of at least %(down)s Mbit/s down and "
                "%(up)s Mbit/s up; a school when all its sites are.",
                down=config["GIGABIT_MIN_DOWN_MBPS"],
                up=config["GIGABIT_MIN_UP_MBPS"],
            ),
        ),
        (
            _("Device counts"),
            _("Devices in use, in repair and spare; ordered and retired devices are not counted."),
        ),
        (
            _("Data source"),
            _(
                "Schools: IT.NRW, Schul- und Adressverzeichnis 2024/25, © IT.NRW, "
                "Statistisches Landesamt, Düsseldorf; licence dl-de/by-2-0 "
                "(Datenlizenz Deutschland – Namensnennung – Version 2.0)."
            ),
        ),
        (
            _("Data source"),
            _("School sites: City of Bochum, open data (StadtBochum/OpenData), licence CC0 1.0."),
        ),
    ]
    if codes:
        rows.insert(
            8, (_("Codes"), _("The code columns hold codes; the sheet Codes explains them."))
        )
    if has_demo:
        rows.append(
            (
                _("Demo data"),
                _(
                    "Devices, network links and offerings of the demo schools are generated "
                    "demo data, not a real inventory."
                ),
            )
        )
    for row in rows:
        sheet.append(row)
    # Info is a list, not a table: no autofilter.


def _in_scope(column, school_ids):
    return sa.true() if school_ids is None else column.in_(school_ids)


# --- Schulen ---------------------------------------------------------------------------


def code_labels(vocabulary: dict) -> dict[str, str]:
    """A code vocabulary's labels, translated once (not once per row)."""
    return {code: str(label) for code, label in vocabulary.items()}


def _link_text(link: rules.LinkSummary | None, technologies: dict[str, str]) -> str:
    if link is None:
        return ""
    technology = technologies.get(link.technology, link.technology)
    text = f"{technology} {link.down_mbps}/{link.up_mbps} Mbit/s"
    return f"{text} ({link.provider})" if link.provider else text


def _schools_sheet(workbook, school_ids, school_readiness: list[rules.SchoolReadiness]):
    categories = list(codes.DEVICE_CATEGORIES)
    levels = list(codes.LEARNING_LEVELS)
    school_forms = code_labels(codes.SCHOOL_FORMS)
    technologies = code_labels(codes.LINK_TECHNOLOGIES)
    columns = [
        *registry_columns("schools"),
        Column(_("School form (name)"), width=22),
        *[
            Column(_("Devices: %(category)s", category=codes.DEVICE_CATEGORIES[c]), "int", 12)
            for c in categories
        ],
        Column(_("Devices (total)"), "int", width=12),
        Column(_("End-user devices per student"), "ratio", width=14),
        Column(_("Best active link down (Mbit/s)"), "int", width=14),
        Column(_("Best active link up (Mbit/s)"), "int", width=14),
        Column(_("Gigabit-ready"), width=10),
        Column(_("Planned link"), width=34),
        Column(_("Planned date"), "date", width=12),
        *[
            Column(_("Offerings: %(level)s", level=codes.LEARNING_LEVELS[level]), "int", 14)
            for level in levels
        ],
        Column(_("Inventory last changed"), "datetime", width=17),
    ]
    sheet = SheetWriter(workbook, SHEET_SCHOOLS, columns)

    device_counts: dict[int, dict[str, int]] = {}
    # Devices per student counts end-user devices in use, as the dashboard and the school
    # page do; the category counts are the stock (in use, in repair, spare).
    end_user_in_use: dict[int, int] = {}
    stmt = _scoped(
        sa.select(Device.school_id, Device.category, Device.status, sa.func.count())
        .where(Device.status.in_(COUNTED_DEVICE_STATUSES))
        .group_by(Device.school_id, Device.category, Device.status),
        Device.school_id,
        school_ids,
    )
    for school_id, category, status, count in db.session.execute(stmt):
        per_category = device_counts.setdefault(school_id, {})
        per_category[category] = per_category.get(category, 0) + count
        if status == "in_use" and category in codes.END_USER_CATEGORIES:
            end_user_in_use[school_id] = end_user_in_use.get(school_id, 0) + count
    offering_counts: dict[int, dict[str, int]] = {}
    stmt = _scoped(
        sa.select(Offering.school_id, Offering.learning_level, sa.func.count())
        .where(Offering.status == "available")
        .group_by(Offering.school_id, Offering.learning_level),
        Offering.school_id,
        school_ids,
    )
    for school_id, level, count in db.session.execute(stmt):
        offering_counts.setdefault(school_id, {})[level] = count
    school_numbers = _scoped(sa.select(School.school_number), School.id, school_ids)
    last_changed = dict(
        db.session.execute(
            sa.select(AuditEntry.school_number, sa.func.max(AuditEntry.created_at))
            .where(AuditEntry.school_number.in_(school_numbers))
            .where(AuditEntry.action.in_(INVENTORY_ACTIONS))
            .group_by(AuditEntry.school_number)
        ).all()
    )
    by_id = {school.school_id: school for school in school_readiness}

    stmt = _scoped(
        sa.select(School.id, *_registry_select(School, "schools")).order_by(School.school_number),
        School.id,
        school_ids,
    )
    for row in stream_rows(stmt):
        counts = device_counts.get(row.id, {})
        end_user = end_user_in_use.get(row.id, 0)
        state = by_id.get(row.id)
        best = state.best_link if state else None
        plans = [site.planned_link for site in state.sites_not_ready] if state else []
        offered = offering_counts.get(row.id, {})
        sheet.append(
            [
                *row[1:],
                school_forms.get(row.school_form, row.school_form),
                *[counts.get(c, 0) for c in categories],
                sum(counts.values()),
                round(end_user / row.students, 2) if row.students else None,
                best.down_mbps if best else None,
                best.up_mbps if best else None,
                _yes_no(bool(state and state.ready)),
                "; ".join(_link_text(plan, technologies) for plan in plans if plan),
                state.planned_date if state else None,
                *[offered.get(level, 0) for level in levels],
                local_time(last_changed.get(row.school_number)),
            ]
        )
    sheet.finish()


# --- the record sheets (re-importable) -----------------------------------------------


def column_kind(spec: Field) -> str:
    """A registry field's column kind: its type decides the cell type and number format."""
    if spec.type in ("int", "id", "site"):
        return "int"
    if spec.type in ("bool", "date"):
        return spec.type
    if spec.type == "decimal":
        # Two places are an amount in EUR; more are a measure (coordinates, 6 places).
        return "eur" if spec.places == 2 else f"decimal:{spec.places}"
    return "text"


def registry_columns(kind: str) -> list[Column]:
    """The columns of a kind's fields, in the registry's order, with German headers."""
    return [
        Column(header, column_kind(spec), spec.width)
        for spec, header in zip(FILE_KINDS[kind].fields, header_labels(kind, LOCALE), strict=True)
    ]


def _registry_select(model, kind: str) -> list:
    """The model's columns of a kind's fields, in column order (the school's number joined
    in, `site` as the site's id, learning levels as their comma-separated codes)."""
    columns = []
    for code in field_codes(kind):
        if code == "school_number":
            columns.append(School.school_number)
        elif code == "site":
            columns.append(model.site_id)
        elif code == "learning_levels":
            columns.append(model.learning_levels_codes.label("learning_levels"))
        else:
            columns.append(getattr(model, code))
    return columns


def _record_sheet(workbook, title: str, kind: str, stmt: sa.Select) -> None:
    sheet = SheetWriter(workbook, title, registry_columns(kind))
    for row in stream_rows(stmt):
        sheet.append(row)
    sheet.finish()


def _record_query(kind: str, school_ids) -> sa.Select:
    """One row per record with exactly the columns of inventory.columns.COLUMNS[kind], in
    that order (so the sheet re-imports): the school's number joined in, `site` as the id."""
    model, order = RECORD_SHEETS[kind]
    stmt = (
        sa.select(*_registry_select(model, kind))
        .join(School, model.school_id == School.id)
        .order_by(School.school_number, *order(model))
    )
    return _scoped(stmt, model.school_id, school_ids)


def _loan_query(school_ids) -> sa.Select:
    """The loans with exactly the columns of COLUMNS["loans"] (the device by its inventory
    number), by school and issue date, so the sheet re-imports."""
    columns = []
    for code in field_codes("loans"):
        if code == "school_number":
            columns.append(School.school_number)
        elif code == "inventory_number":
            columns.append(Device.inventory_number)
        else:
            columns.append(getattr(Loan, code))
    stmt = (
        sa.select(*columns)
        .join(School, Loan.school_id == School.id)
        .join(Device, Loan.device_id == Device.id)
        .order_by(School.school_number, Loan.issued_on, Loan.id)
    )
    return _scoped(stmt, Loan.school_id, school_ids)


# The model and the order (after the school number) of each record sheet.
RECORD_SHEETS = {
    "sites": (Site, lambda m: (m.is_main.desc(), m.name, m.id)),
    "devices": (Device, lambda m: (m.inventory_number,)),
    "links": (NetworkLink, lambda m: (m.id,)),
    "offerings": (Offering, lambda m: (m.learning_level, m.id)),
}


# --- Gigabit-Status ------------------------------------------------------------------


def reason_texts() -> dict[str, str]:
    """Why a site is (not) ready, in words, by reason code."""
    from flask import current_app

    return {
        rules.REASON_READY: _("Active gigabit link"),
        rules.REASON_NO_LINK: _("No active link"),
        rules.REASON_TOO_SLOW: _(
            "Active link too slow (needs %(down)s/%(up)s Mbit/s)",
            down=current_app.config["GIGABIT_MIN_DOWN_MBPS"],
            up=current_app.config["GIGABIT_MIN_UP_MBPS"],
        ),
    }


def status_texts() -> dict[str, str]:
    """A school's status against the first school day, in words."""
    return {
        rules.STATUS_READY: _("ready"),
        rules.STATUS_PLANNED: _("planned"),
        rules.STATUS_AT_RISK: _("at risk"),
    }


def _gigabit_sheet(
    workbook,
    school_readiness: list[rules.SchoolReadiness],
    year: SchoolYear | None,
    today: dt.date | None,
) -> None:
    columns = [
        Column(_("School number"), width=12),
        Column(_("School"), width=40),
        Column(_("Site"), width=30),
        Column(_("Site gigabit-ready"), width=12),
        Column(_("Reason"), width=36),
        Column(_("Best active link down (Mbit/s)"), "int", width=14),
        Column(_("Best active link up (Mbit/s)"), "int", width=14),
        Column(_("Planned link"), width=34),
        Column(_("Planned date"), "date", width=12),
        Column(_("School year"), width=10),
        Column(_("First school day"), "date", width=12),
        Column(_("Days until the first school day"), "int", width=14),
        Column(_("School status"), width=12),
    ]
    sheet = SheetWriter(workbook, SHEET_GIGABIT, columns)
    deadline = year.first_school_day if year else None
    reasons, statuses = reason_texts(), status_texts()
    technologies = code_labels(codes.LINK_TECHNOLOGIES)
    days_left = (deadline - (today or today_in_berlin())).days if deadline else None
    for school in sorted(school_readiness, key=lambda s: (s.school_number,)):
        status = school.status_by(deadline)
        school_status = statuses.get(status, status)
        for site in school.sites:
            best, plan = site.best_link, site.planned_link
            sheet.append(
                [
                    school.school_number,
                    school.name,
                    site.name,
                    _yes_no(site.ready),
                    reasons.get(site.reason, site.reason),
                    best.down_mbps if best else None,
                    best.up_mbps if best else None,
                    _link_text(plan, technologies),
                    plan.planned_date if plan else None,
                    year.label if year else None,
                    deadline,
                    days_left,
                    school_status,
                ]
            )
    sheet.finish()


def _replacement_sheet(workbook, school_ids, today: dt.date | None) -> None:
    """Devices due for replacement in the next five years (reports/replacement.py)."""
    plan = replacement.plan(school_ids, first_year=(today or today_in_berlin()).year)
    columns = [
        Column(_("Year"), "int", width=8),
        Column(_("School number"), width=12),
        Column(_("School"), width=40),
        Column(_("Category"), width=22),
        Column(_("Devices"), "int", width=10),
        Column(_("of them overdue"), "int", width=12),
        Column(_("Latest price"), "eur", width=14),
        Column(_("Cost forecast"), "eur", width=16),
    ]
    sheet = SheetWriter(workbook, SHEET_REPLACEMENT, columns)
    categories = code_labels(codes.DEVICE_CATEGORIES)
    for row in plan.rows:
        sheet.append(
            [
                row.year,
                row.school_number,
                row.school_name,
                categories.get(row.category, row.category),
                row.count,
                row.overdue,
                row.unit_price,
                row.cost,
            ]
        )
    sheet.finish()


# --- Sozialindex ----------------------------------------------------------------------


def _need_sheet(workbook, school_ids) -> None:
    """End-user devices per student by Sozialindex level: all schools, and the city's own."""
    from reports.need import devices_by_sozialindex

    own = _("city schools")
    columns = [
        Column(_("Social index"), width=14),
        Column(_("Schools"), "int", width=10),
        Column(_("End-user devices in use"), "int", width=14),
        Column(_("Students"), "int", width=12),
        Column(_("End-user devices per student"), "ratio", width=14),
        Column(f"{_('Schools')} ({own})", "int", width=14),
        Column(f"{_('End-user devices in use')} ({own})", "int", width=16),
        Column(f"{_('Students')} ({own})", "int", width=14),
        Column(f"{_('End-user devices per student')} ({own})", "ratio", width=16),
    ]
    sheet = SheetWriter(workbook, SHEET_NEED, columns)
    every = devices_by_sozialindex(school_ids)
    city = {row.level: row for row in devices_by_sozialindex(school_ids, operator="city")}
    for row in every:
        mine = city.get(row.level)
        sheet.append(
            [
                str(row.level) if row.level is not None else _("no index"),
                row.schools,
                row.devices,
                row.students,
                round(row.per_student, 4) if row.per_student is not None else None,
                mine.schools if mine else 0,
                mine.devices if mine else 0,
                mine.students if mine else 0,
                round(mine.per_student, 4) if mine and mine.per_student is not None else None,
            ]
        )
    sheet.finish()


# --- Codes -----------------------------------------------------------------------------


def code_vocabularies() -> list[tuple[str, dict]]:
    """(field name, vocabulary) of every code field of the registry, each vocabulary once:
    a vocabulary shared by several fields names them all ("learning_levels, learning_level"),
    a field name used with several vocabularies names the sheet ("status (Geräte)")."""
    names: dict[int, list[str]] = {}
    vocabularies: dict[int, tuple[dict, object]] = {}
    for kind in KINDS.values():
        for spec in kind.fields:
            if spec.vocabulary is None:
                continue
            key = id(spec.vocabulary)
            vocabularies.setdefault(key, (spec.vocabulary, kind.sheet))
            if spec.code not in names.setdefault(key, []):
                names[key].append(spec.code)
    uses: dict[str, int] = {}
    for codes_ in names.values():
        for code in codes_:
            uses[code] = uses.get(code, 0) + 1
    result = []
    for key, (vocabulary, sheet) in vocabularies.items():
        name = ", ".join(names[key])
        if any(uses[code] > 1 for code in names[key]):
            name = f"{name} ({sheet})"
        result.append((name, vocabulary))
    return result


def _codes_sheet(workbook) -> None:
    sheet = SheetWriter(
        workbook,
        SHEET_CODES,
        [Column(_("Field"), width=26), Column(_("Code"), width=22), Column(_("Meaning"), width=40)],
    )
    for field_name, vocabulary in code_vocabularies():
        for code, label in vocabulary.items():
            sheet.append([field_name, code, str(label)])
    sheet.append(["learning_levels", "sek1,sek2", _("Several learning levels, comma-separated")])
    sheet.append(["is_main", "WAHR / FALSCH", _("Main site of the school (yes / no)")])
    sheet.append(["startchancen", "WAHR / FALSCH", _("In the Startchancen programme (yes / no)")])
    sheet.append(["sozialindex", "1 … 9", _("NRW social index: 1 least, 9 most social strain")])
    sheet.append(["lat, lon", "51,481845", _("WGS84 coordinates in degrees (6 decimals)")])
    sheet.append(["site", "123", _("The id of the site (sheet Standorte); empty: main site")])
    sheet.finish()


# --- choosing the schools --------------------------------------------------------------


def select_schools(
    visible: sa.Select | None = None,
    *,
    school_form: str | None = None,
    district: str | None = None,
    school_numbers: Iterable[str] = (),
) -> sa.Select:
    """A SELECT of the ids of the schools to export: those visible (a SELECT of ids,
    None: all) that match the filters."""
    stmt = sa.select(School.id)
    if visible is not None:
        stmt = stmt.where(School.id.in_(visible))
    if school_form:
        stmt = stmt.where(School.school_form == school_form)
    if district:
        stmt = stmt.where(School.district == district)
    numbers = list(school_numbers)
    if numbers:
        stmt = stmt.where(School.school_number.in_(numbers))
    return stmt


def unknown_school_numbers(
    school_numbers: Iterable[str], visible: sa.Select | None = None
) -> list[str]:
    """The numbers that name no school (or none the user may see)."""
    numbers = sorted(set(school_numbers))
    if not numbers:
        return []
    stmt = sa.select(School.school_number).where(School.school_number.in_(numbers))
    if visible is not None:
        stmt = stmt.where(School.id.in_(visible))
    found = set(db.session.scalars(stmt))
    return [number for number in numbers if number not in found]


def describe_filters(
    *,
    school_form: str | None = None,
    district: str | None = None,
    school_numbers: Iterable[str] = (),
    school_year: str | None = None,
) -> str:
    """The filters in words, for the Info sheet and the audit log."""
    with force_locale(LOCALE):
        return _describe_filters(school_form, district, school_numbers, school_year)


def _describe_filters(school_form, district, school_numbers, school_year) -> str:
    parts = []
    if school_form:
        parts.append(f"{_('School form')}: {codes.SCHOOL_FORMS.get(school_form, school_form)}")
    if district:
        parts.append(f"{_('City district')}: {district}")
    numbers = sorted(set(school_numbers))
    if numbers:
        parts.append(f"{_('Schools')}: {', '.join(numbers)}")
    if school_year:
        parts.append(f"{_('School year')}: {school_year}")
    return "; ".join(parts)
