"""The Excel/CSV import of schools, sites, devices, network links and offerings.

analyse() reads a file and validates every row with the web forms' rules against
data preloaded in a few queries (no query per row); apply() writes the valid result
in one transaction with ORM objects, so the audit listener records every change.
Default is all-or-nothing: one bad row and nothing is written.
"""

import contextlib
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from app.access import scope_to_user
from app.audit import record, via
from app.errors import DomainError, InvalidFieldsError
from app.extensions import db
from app.i18n import messages_context
from app.users import User
from inventory import loan_import
from inventory import service as inventory_service
from inventory.columns import COLUMNS, header_map, normalize_header
from inventory.import_readers import (
    DEFAULT_MAX_UNCOMPRESSED,
    ImportFileError,
    Sheet,
    read_sheets,
)
from inventory.import_values import CellReader
from inventory.kinds import KINDS as REGISTRY
from inventory.models import Device, NetworkLink, Offering
from schools import service as schools_service
from schools.models import School, Site

KINDS = tuple(COLUMNS)
MODELS = {
    "schools": School,
    "sites": Site,
    "devices": Device,
    "links": NetworkLink,
    "offerings": Offering,
}
# The column that identifies an existing record; a row without it creates one.
KEYS = {
    "schools": "school_number",
    "sites": "id",
    "devices": "inventory_number",
    "links": "id",
    "offerings": "id",
}
# Columns a file must have (besides school_number where no default school is given).
REQUIRED = {
    "schools": ("school_number", "name", "school_form"),
    "sites": ("name",),
    "devices": ("inventory_number", "category"),
    "links": ("technology", "down_mbps", "up_mbps", "status"),
    "offerings": ("learning_level", "kind"),
    "loans": loan_import.REQUIRED,
}
FLUSH_BATCH = 1000
# Kinds whose updates go through _bulk_update (sites and schools are few, and need the ORM:
# the one-main-site swap, the learning levels property, the school's main site).
BULK_UPDATE_KINDS = ("devices", "links", "offerings")
LOOKUP_CHUNK = 5000  # bound parameters per IN (...) query; SQLite allows 32,766


@dataclass(slots=True)
class RowError:
    sheet: str
    row: int
    column: str  # the header as written in the file ("" for the row as a whole)
    letter: str
    message: str

    def __str__(self) -> str:
        where = f"{self.letter} ({self.column})" if self.column else "-"
        return f"{self.sheet}, {self.row}, {where}: {self.message}"


NO_ERRORS: tuple = ()
_LAYOUTS: dict[tuple, tuple] = {}  # the few key tuples of cleaned values, kept once
SHARED_TYPES = (Decimal, dt.date)  # a Decimal is 104 bytes, a date 32
MAX_SHARED = 10_000  # values shared at most at a time (the cache starts over when full)


@dataclass(slots=True)
class RowResult:
    """One data row. Kept for every row of a file until it is written, so it is small:
    the cleaned values as a tuple beside a shared tuple of their codes (new_values builds
    the dict when asked), no list or dict of its own while the row has no errors or
    changes (about 250 bytes and the values themselves, instead of 1.5 KB)."""

    number: int
    values: list | tuple  # the cells as read, for the errors workbook; () for a good row
    action: str = "error"  # create, update, unchanged, error
    errors: list[RowError] | tuple = NO_ERRORS
    school: School | None = None
    record: object | None = None
    codes: tuple = ()
    cleaned: tuple = ()
    changes: dict | None = None  # of a row matched to a record: the fields it changes

    @property
    def new_values(self) -> dict:
        return dict(zip(self.codes, self.cleaned, strict=True))

    def keep_values(self, cleaned: dict, shared: dict) -> None:
        """Keep the cleaned values; equal amounts and dates as one object (shared)."""
        codes = tuple(cleaned)
        self.codes = _LAYOUTS.setdefault(codes, codes)
        self.cleaned = tuple(
            shared.setdefault((type(value), str(value)), value)
            if type(value) in SHARED_TYPES
            else value
            for value in cleaned.values()
        )

    def add_error(self, error: RowError) -> None:
        if not self.errors:
            self.errors = []
        self.errors.append(error)


@dataclass
class ImportReport:
    kind: str
    filename: str
    sheet: str = ""
    headers: list[str] = field(default_factory=list)
    rows: list[RowResult] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    written: bool = False

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "created": self.count("create"),
            "updated": self.count("update"),
            "unchanged": self.count("unchanged"),
            "bad": self.count("error"),
        }

    @property
    def errors(self) -> list[RowError]:
        return [error for row in self.rows for error in row.errors]

    @property
    def ok(self) -> bool:
        return not self.file_errors and not any(row.errors for row in self.rows)

    @property
    def has_valid_rows(self) -> bool:
        return any(row.action in ("create", "update") for row in self.rows)


@dataclass
class ImportScope:
    """Who imports: a user (scoped to their schools) or the CLI (user None, all schools)."""

    user: User | None = None
    default_school: str | None = None  # rows without school_number belong to it
    only_school: str | None = None  # rows of other schools are errors

    @property
    def may_import_schools(self) -> bool:
        return self.user is None or self.user.is_department

    def scoped(self, stmt: sa.Select, school_id_column) -> sa.Select:
        if self.user is None:
            return stmt
        return scope_to_user(stmt, school_id_column, self.user)


def _chunks(values: list, size: int = LOOKUP_CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


# --------------------------------------------------------------------------- reading


def choose_sheet(kind: str, sheets: list[Sheet]) -> Sheet | None:
    """The sheet with most known headers of the kind (an export workbook has several)."""
    accepted = header_map(kind)
    best, best_score = None, -1
    for sheet in sheets:
        if normalize_header(sheet.name) in ("codes", "fehler"):
            continue
        known = {accepted[h] for h in map(normalize_header, sheet.headers) if h in accepted}
        score = len(known) + (100 if set(REQUIRED[kind]) <= known else 0)
        if score > best_score:
            best, best_score = sheet, score
    return best


def _map_columns(kind: str, sheet: Sheet, report: ImportReport) -> dict[str, int]:
    accepted = header_map(kind)
    columns: dict[str, int] = {}
    for index, header in enumerate(sheet.headers):
        if not header:
            continue
        code = accepted.get(normalize_header(header))
        if code is None:
            report.ignored_columns.append(header)
        elif code in columns:
            report.file_errors.append(
                _("The column “%(column)s” appears more than once.", column=header)
            )
        else:
            columns[code] = index
    return columns


# --------------------------------------------------------------------------- analysis


class _Analysis:
    def __init__(self, kind: str, sheet: Sheet, scope: ImportScope, report: ImportReport):
        self.kind = kind
        self.sheet = sheet
        self.scope = scope
        self.report = report
        self.model = MODELS[kind]
        self.key = KEYS[kind]
        self.reader = CellReader(kind)
        self.columns = _map_columns(kind, sheet, report)
        self._rows: list[RowResult] = []
        self._forms: dict = {}
        self._shared: dict = {}  # see RowResult.keep_values
        self.fields = [spec.code for spec in REGISTRY[kind].editable]

    # -- helpers
    def error(self, row: RowResult, field_name: str | None, message: str) -> None:
        _row_error(self.sheet, row, self.columns, field_name, message, kind=self.kind)

    def check_columns(self) -> None:
        required = list(REQUIRED[self.kind])
        if self.kind != "schools" and not self.scope.default_school:
            required.append("school_number")
        labels = dict(COLUMNS[self.kind])
        missing = [f"{labels[code]} ({code})" for code in required if code not in self.columns]
        if missing:
            self.report.file_errors.append(
                _("Required columns are missing: %(columns)s.", columns=", ".join(missing))
            )
        if not self.sheet.rows:
            self.report.file_errors.append(_("The file has no data rows below the header row."))

    def cell(self, values: list, field_name: str):
        index = self.columns.get(field_name)
        if index is None or index >= len(values):
            return None
        return values[index]

    # -- the steps
    def run(self) -> None:
        self.check_columns()
        if self.report.file_errors:
            return
        self.preload(*self.lookup_values())
        seen: dict = {}
        self._rows = []
        # One row at a time: its parsed cells are dropped once it is cleaned, the cells as
        # read once it is found good.
        rows = self.sheet.rows
        for index, (number, values) in enumerate(rows):
            rows[index] = None
            row, data = self.parse_row(number, values)
            if not row.errors:
                self.resolve(row, data, seen)
            if not row.errors:
                self.validate(row, data)
            if not row.errors and self.kind != "sites" and data.get(self.key) not in self.repeated:
                # the cells as read are for the errors workbook; this row can only become
                # bad later by a key that appears again in the file
                row.values = ()
            self._rows.append(row)
        # a later duplicate may have marked an earlier, validated row as bad
        for row in self.report_rows():
            if row.errors:
                row.action = "error"
        if self.kind == "sites":
            self.check_main_sites()
        self.match_without_id()
        self.report.rows = list(self.report_rows())

    def parse_row(self, number: int, values: list) -> tuple[RowResult, dict]:
        row = RowResult(number=number, values=values)
        data = {}
        width = len(values)
        for field_name, index, read in self._plan:
            try:
                data[field_name] = read(values[index] if index < width else None)
            except ValueError as exc:
                self.error(row, field_name, str(exc.args[0]))
        return row, data

    @cached_property
    def _plan(self) -> list[tuple[str, int, object]]:
        """(field, column index, cell reader) of every mapped column, built once."""
        return [(name, index, self.reader.reader(name)) for name, index in self.columns.items()]

    def school_number_of(self, data: dict) -> str:
        return data.get("school_number") or self.scope.default_school or ""

    def lookup_values(self) -> tuple[set, set]:
        """The school numbers and keys the file names (what preload() looks up), read
        from their two columns alone; the keys found more than once go to self.repeated."""
        readers = [
            (code, index, read)
            for code, index, read in self._plan
            if code in ("school_number", self.key)
        ]
        numbers, keys, self.repeated = set(), set(), set()
        for _number, values in self.sheet.rows:
            data = {}
            for code, index, read in readers:
                with contextlib.suppress(ValueError):  # parse_row() reports it
                    data[code] = read(values[index] if index < len(values) else None)
            numbers.add(self.school_number_of(data))
            key = data.get(self.key)
            if key in keys:
                self.repeated.add(key)
            keys.add(key)
        return numbers - {""}, keys - {None, ""}

    def preload(self, numbers: set, keys: set) -> None:
        if self.scope.default_school:
            numbers.add(self.scope.default_school)
        self.schools: dict[str, School] = {}
        for chunk in _chunks(sorted(numbers)):
            stmt = (
                sa.select(School)
                .where(School.school_number.in_(chunk))
                .options(selectinload(School.sites))
            )
            for school in db.session.scalars(self.scope.scoped(stmt, School.id)):
                self.schools[school.school_number] = school
        self.records: dict = {}
        self.taken_elsewhere: set = set()
        self.unkeyed: dict[int, list] = defaultdict(list)  # school id -> records (links, offerings)
        keys = sorted(keys, key=str)
        if self.kind == "schools":
            self.records = dict(self.schools)
            for chunk in _chunks(keys):
                stmt = sa.select(School.school_number).where(School.school_number.in_(chunk))
                self.taken_elsewhere.update(db.session.scalars(stmt))
            self.taken_elsewhere -= set(self.records)
            return
        key_column = getattr(self.model, self.key)
        for chunk in _chunks(keys):
            stmt = sa.select(self.model).where(key_column.in_(chunk))
            for obj in db.session.scalars(self.scope.scoped(stmt, self.model.school_id)):
                self.records[getattr(obj, self.key)] = obj
            if self.kind == "devices":
                stmt = sa.select(Device.inventory_number).where(Device.inventory_number.in_(chunk))
                self.taken_elsewhere.update(db.session.scalars(stmt))
        self.taken_elsewhere -= set(self.records)
        if self.kind == "sites":
            for school in self.schools.values():
                self.unkeyed[school.id] = list(school.sites)
        if self.kind in ("links", "offerings") and self.schools:
            school_ids = [school.id for school in self.schools.values()]
            stmt = sa.select(self.model).where(self.model.school_id.in_(school_ids))
            for obj in db.session.scalars(stmt.order_by(self.model.id)):
                self.unkeyed[obj.school_id].append(obj)

    def resolve(self, row: RowResult, data: dict, seen: dict) -> None:
        """Find the row's school and existing record; check keys and scope."""
        number = self.school_number_of(data)
        if self.kind == "schools":
            if not self.scope.may_import_schools:
                self.error(
                    row, "school_number", _("Only the school department may import schools.")
                )
                return
            if self.scope.only_school and number != self.scope.only_school:
                self.error(row, "school_number", self.other_school_message(number))
                return
            row.school = None
        else:
            if not number:
                self.error(row, "school_number", _("The school number is missing."))
                return
            if self.scope.only_school and number != self.scope.only_school:
                self.error(row, "school_number", self.other_school_message(number))
                return
            row.school = self.schools.get(number)
            if row.school is None:
                self.error(
                    row,
                    "school_number",
                    _(
                        "School %(number)s is not one of your schools or does not exist.",
                        number=number,
                    ),
                )
                return
        key = data.get(self.key)
        if key not in (None, ""):
            if key in seen:
                first = seen[key]
                message = _(
                    "%(key)s appears more than once in the file (rows %(first)s and %(row)s).",
                    key=key,
                    first=first.number,
                    row=row.number,
                )
                self.error(row, self.key, message)
                if not any(e.message == str(message) for e in first.errors):
                    self.error(first, self.key, message)
                return
            seen[key] = row
            row.record = self.records.get(key)
            if row.record is None and self.key == "id":
                self.error(
                    row,
                    "id",
                    _("ID %(id)s does not exist or does not belong to your schools.", id=key),
                )
                return
            if key in self.taken_elsewhere:
                message = (
                    _("A school with this number exists already.")
                    if self.kind == "schools"
                    else _("The inventory number %(key)s is used at another school.", key=key)
                )
                self.error(row, self.key, message)
                return
            record_school_id = getattr(row.record, "school_id", None)
            if (
                self.kind != "schools"
                and row.record is not None
                and record_school_id != row.school.id
            ):
                message = (
                    _("The inventory number %(key)s is used at another school.", key=key)
                    if self.kind == "devices"
                    else _(
                        "ID %(id)s belongs to another school than %(number)s.",
                        id=key,
                        number=number,
                    )
                )
                self.error(row, self.key, message)
                return
        if self.kind == "schools":
            row.school = row.record
        if "site" in data:
            self.resolve_site(row, data)

    def other_school_message(self, number: str) -> str:
        return _(
            "The row belongs to school %(number)s, but the import is for school %(only)s.",
            number=number,
            only=self.scope.only_school,
        )

    def resolve_site(self, row: RowResult, data: dict) -> None:
        """The site's id from its id or name (no site: the service's main site)."""
        text = data["site"]
        if not text:
            data["site"] = None
            return
        sites = row.school.sites
        is_id = text.isascii() and text.isdigit() and len(text) <= 10  # not "１" or 10^30
        match = next((s for s in sites if is_id and s.id == int(text)), None)
        if match is None:
            wanted = normalize_header(text)
            match = next((s for s in sites if normalize_header(s.name) == wanted), None)
        if match is None:
            self.error(
                row,
                "site",
                _(
                    "School %(number)s has no site “%(site)s”.",
                    number=row.school.school_number,
                    site=text,
                ),
            )
            return
        data["site"] = match.id

    def clean(self, row: RowResult, values: dict) -> dict:
        """The row's values cleaned by the write services' rules (as every channel)."""
        if self.kind == "schools":
            return schools_service.clean_school(values, row.record)
        if self.kind == "sites":
            return schools_service.clean_site(row.school, values, row.record)
        return inventory_service.clean_record(self.kind, row.school, values, row.record)

    def validate(self, row: RowResult, data: dict) -> None:
        values = {code: data[code] for code in self.fields if code in data}
        try:
            cleaned = self.clean(row, values)
        except InvalidFieldsError as exc:
            for code, messages in exc.fields.items():
                for message in messages:
                    self.error(row, code, message)
            return
        if len(self._shared) > MAX_SHARED:
            self._shared.clear()
        row.keep_values(cleaned, self._shared)
        if row.record is None:
            row.action = "create"
            return
        main_site_id = _main_site_id(row.school) if self.kind != "schools" else None
        row.changes = {
            f: value
            for f, value in cleaned.items()
            if not _same(_stored_value(row.record, f), value, main_site_id if f == "site" else None)
        }
        row.action = "update" if row.changes else "unchanged"

    def check_main_sites(self) -> None:
        """One main site per school: a new main one replaces the old; two in a file is an error."""
        by_school: dict[int, list[RowResult]] = defaultdict(list)
        for row in self.report_rows():
            if row.action in ("create", "update", "unchanged") and row.new_values.get("is_main"):
                by_school[row.school.id].append(row)
        for rows in by_school.values():
            if len(rows) > 1:
                for row in rows:
                    self.error(
                        row,
                        "is_main",
                        _(
                            "School %(number)s would have more than one main site (rows %(rows)s).",
                            number=row.school.school_number,
                            rows=", ".join(str(r.number) for r in rows),
                        ),
                    )
        for row in self.report_rows():
            if (
                row.action == "update"
                and row.record.is_main
                and row.changes.get("is_main") is False
                and not by_school.get(row.school.id)
            ):
                self.error(
                    row,
                    "is_main",
                    _(
                        "The main site stays the main site until another site is made the main site."
                    ),
                )

    def report_rows(self):
        return iter(self._rows)

    def match_without_id(self) -> None:
        """A site, link or offering row without an ID that equals a stored record of its
        school is unchanged, so importing the same file twice does not create it twice."""
        if self.kind not in ("sites", "links", "offerings"):
            return
        claimed = {row.record.id for row in self.report_rows() if row.record is not None}
        for row in self.report_rows():
            if row.action != "create":
                continue
            main_site_id = _main_site_id(row.school)
            for candidate in self.unkeyed.get(row.school.id, ()):
                if candidate.id in claimed:
                    continue
                if all(
                    _same(_stored_value(candidate, f), value, main_site_id if f == "site" else None)
                    for f, value in row.new_values.items()
                ):
                    claimed.add(candidate.id)
                    row.record, row.action = candidate, "unchanged"
                    break


def _main_site_id(school: School | None) -> int | None:
    main = school.main_site if school is not None else None
    return main.id if main is not None else None


def _stored_value(obj, field_name: str):
    if field_name == "site":
        return obj.site_id
    if field_name == "learning_levels":
        return list(obj.learning_levels)
    return getattr(obj, field_name)


def _same(old, new, main_site_id: int | None = None) -> bool:
    if main_site_id is not None:
        # No site and the main site are the same place.
        old = main_site_id if old is None else old
        new = main_site_id if new is None else new
    if old in ("", None) and new in ("", None):
        return True
    if isinstance(old, str) and isinstance(new, str):
        return old.strip() == new.strip()
    if isinstance(old, list) and isinstance(new, list):
        return sorted(old) == sorted(new)
    if isinstance(old, dt.datetime):
        old = old.date()
    return old == new


# --------------------------------------------------------------------------- API


def analyse(
    kind: str, data: bytes, filename: str, scope: ImportScope | None = None
) -> ImportReport:
    """Read and validate a whole file; writes nothing."""
    with messages_context():
        return _analyse(kind, data, filename, scope)


def _analyse(kind: str, data: bytes, filename: str, scope: ImportScope | None) -> ImportReport:
    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}")
    scope = scope or ImportScope()
    report = ImportReport(kind=kind, filename=filename)
    if kind == "schools" and not scope.may_import_schools:
        report.file_errors.append(_("Only the school department may import schools."))
        return report
    try:
        sheets = read_sheets(
            data,
            filename,
            max_rows=current_app.config["IMPORT_MAX_ROWS"],
            max_uncompressed=current_app.config.get(
                "IMPORT_MAX_UNCOMPRESSED", DEFAULT_MAX_UNCOMPRESSED
            ),
        )
    except ImportFileError as exc:
        report.file_errors.append(str(exc))
        return report
    sheet = choose_sheet(kind, sheets)
    if sheet is None:
        report.file_errors.append(_("The file has no data rows below the header row."))
        return report
    report.sheet, report.headers = sheet.name, sheet.headers
    if kind == "loans":
        loan_import.analyse(
            sheet,
            scope,
            report,
            schools_of=lambda numbers: _scoped_schools(scope, numbers),
            rows_of=lambda number, values: RowResult(number=number, values=values),
            error_of=lambda row, columns, code, message: _row_error(
                sheet, row, columns, code, message
            ),
        )
        return report
    _Analysis(kind, sheet, scope, report).run()
    return report


def _scoped_schools(scope: ImportScope, numbers) -> dict[str, School]:
    schools: dict[str, School] = {}
    for chunk in _chunks(sorted(numbers)):
        stmt = sa.select(School).where(School.school_number.in_(chunk))
        for school in db.session.scalars(scope.scoped(stmt, School.id)):
            schools[school.school_number] = school
    return schools


def _row_error(
    sheet: Sheet, row: RowResult, columns: dict, code, message, kind: str | None = None
) -> None:
    index = columns.get(code) if code else None
    if index is None:
        # a field the file has no column for (a rule asks for it): named by its header
        label = dict(COLUMNS[kind]).get(code) if kind and code else None
        column, letter = (str(label) if label else ""), ""
    else:
        column, letter = sheet.headers[index], sheet.column_letter(index)
    row.add_error(RowError(sheet.name, row.number, column, letter, str(message)))
    row.action = "error"


class ImportRefusedError(Exception):
    """Nothing was written; the message says why."""


def apply(report: ImportReport, only_valid: bool = False) -> dict[str, int]:
    """Write the analysed rows in one transaction and log the import. Returns the counts."""
    with messages_context(), via("import"):
        return _apply(report, only_valid)


def _apply(report: ImportReport, only_valid: bool) -> dict[str, int]:
    if report.file_errors:
        raise ImportRefusedError(report.file_errors[0])
    if not report.ok and not only_valid:
        raise ImportRefusedError(_("The file has bad rows; nothing was imported."))
    rows = [row for row in report.rows if row.action in ("create", "update")]
    try:
        _write(report.kind, rows)
        counts = report.counts
        if only_valid:
            counts = {**counts, "bad": report.count("error")}
        record(
            "import",
            "imports",
            report.filename,  # cut to fit by audit.record
            changes={
                "kind": report.kind,
                "created": counts["created"],
                "updated": counts["updated"],
                "unchanged": counts["unchanged"],
                "skipped": counts["bad"],
            },
        )
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise ImportRefusedError(
            _("Some records were changed by someone else meanwhile. Please check the file again.")
        ) from None
    except (sa.exc.IntegrityError, DomainError):
        db.session.rollback()
        raise ImportRefusedError(
            _("The data conflicts with records saved meanwhile. Please check the file again.")
        ) from None
    report.written = True
    return counts


def _write(kind: str, rows: list[RowResult]) -> None:
    """The write stage: through the write services (the bulk path for the inventory)."""
    if kind == "schools":
        for row in rows:
            if row.record is None:
                row.record = schools_service.create_school(row.new_values)
            else:
                schools_service.update_school(row.record, row.changes)
    elif kind == "loans":
        loan_import.write(rows)
    elif kind == "sites":
        # A school that gets a new main site in this file un-marks its old one through
        # make_main_site(); the old one's "not main" is that, not a change of its own.
        new_main = {row.school.id for row in rows if row.new_values.get("is_main")}
        for row in sorted(rows, key=lambda r: bool(r.new_values.get("is_main"))):
            if row.record is None:
                row.record = schools_service.create_site(row.school, row.new_values)
                continue
            changes = dict(row.changes)
            if changes.get("is_main") is False and row.school.id in new_main:
                del changes["is_main"]
            schools_service.update_site(row.record, changes)
    else:
        updates = [(row.record, row.changes) for row in rows if row.record is not None]
        created = [row for row in rows if row.record is None]
        inventory_service.bulk_create(kind, _NewValues(created))
        inventory_service.bulk_update(kind, updates)


class _NewValues(Sequence):
    """(school, cleaned values) of the rows, the values' dicts built only batch by batch."""

    def __init__(self, rows: list[RowResult]):
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [(row.school, row.new_values) for row in self.rows[index]]
        row = self.rows[index]
        return row.school, row.new_values


def import_file(
    kind: str,
    data: bytes,
    filename: str,
    scope: ImportScope | None = None,
    dry_run: bool = False,
    only_valid: bool = False,
) -> ImportReport:
    """Analyse and (unless dry_run, or bad rows without only_valid) write in one go."""
    report = analyse(kind, data, filename, scope)
    if dry_run or report.file_errors or not (report.ok or only_valid):
        db.session.rollback()
        return report
    apply(report, only_valid=only_valid)
    return report
