"""The import of loans (the "Leihen" sheet): the importer's analysis and write for the kind
`loans`, through inventory/loan_service.py like every other channel.

A row names the device by its inventory number (of the row's school, or the import's
school); another school's number is "unknown", as on the phone page. A row with an `id`
changes that loan, one without creates a loan. A column the registry does not know is an
error, not ignored: a loan has no place for a pupil's name, address or class, and a file
that carries one is refused as a whole (nothing is written)."""

from flask_babel import gettext as _

from app.errors import InvalidFieldsError
from app.rules import validate
from inventory import loan_service as loans
from inventory.columns import COLUMNS, header_map, normalize_header
from inventory.import_values import CellReader
from inventory.kinds import LOANS
from inventory.loan_models import Loan
from inventory.models import Device

REQUIRED = ("inventory_number", "loan_number", "issued_on")


def analyse(kind_sheet, scope, report, *, schools_of, rows_of, error_of) -> None:
    """Fill the report's rows for a loans sheet (see importer._analyse)."""
    sheet = kind_sheet
    accepted = header_map("loans")
    columns: dict[str, int] = {}
    for index, header in enumerate(sheet.headers):
        if not header:
            continue
        code = accepted.get(normalize_header(header))
        if code is None:
            report.file_errors.append(
                _(
                    "The column “%(column)s” is not a field of a loan. A loan holds the loan "
                    "contract number, never a pupil's name, address or class.",
                    column=header,
                )
            )
        elif code in columns:
            report.file_errors.append(
                _("The column “%(column)s” appears more than once.", column=header)
            )
        else:
            columns[code] = index
    required = list(REQUIRED) + ([] if scope.default_school else ["school_number"])
    labels = dict(COLUMNS["loans"])
    missing = [f"{labels[code]} ({code})" for code in required if code not in columns]
    if missing:
        report.file_errors.append(
            _("Required columns are missing: %(columns)s.", columns=", ".join(missing))
        )
    if not sheet.rows:
        report.file_errors.append(_("The file has no data rows below the header row."))
    if report.file_errors:
        return
    reader = CellReader("loans")
    parsed = []
    for number, values in sheet.rows:
        row = rows_of(number, values)
        data = {}
        for code, index in columns.items():
            try:
                data[code] = reader.read(code, values[index] if index < len(values) else None)
            except ValueError as exc:
                error_of(row, columns, code, str(exc.args[0]))
        parsed.append((row, data))
    numbers = {data.get("school_number") or scope.default_school or "" for _r, data in parsed}
    schools = schools_of(numbers - {""})
    opened: dict[int, object] = {}  # device id -> the row that opens a loan of it
    for row, data in parsed:
        if not row.errors:
            _resolve(row, data, scope, schools, columns, error_of, opened)
        report.rows.append(row)
    for row in report.rows:
        if row.errors:
            row.action = "error"


def _resolve(row, data, scope, schools, columns, error_of, opened) -> None:
    from app.extensions import db

    number = data.get("school_number") or scope.default_school or ""
    if scope.only_school and number != scope.only_school:
        message = _(
            "The row belongs to school %(number)s, but the import is for school %(only)s.",
            number=number,
            only=scope.only_school,
        )
        error_of(row, columns, "school_number", message)
        return
    school = schools.get(number)
    if school is None:
        message = _(
            "School %(number)s is not one of your schools or does not exist.", number=number
        )
        error_of(row, columns, "school_number", message)
        return
    row.school = school
    device = loans.find_device(school, data.get("inventory_number") or "")
    if device is None:
        error_of(row, columns, "inventory_number", str(loans.UNKNOWN_DEVICE))
        return
    values = {code: data[code] for code in columns if code not in ("id", "school_number")}
    values["inventory_number"] = device.inventory_number
    loan_id = data.get("id")
    if loan_id is not None:
        row.record = db.session.get(Loan, loan_id)
        if row.record is None or row.record.school_id != school.id:
            row.record = None
            message = _("ID %(id)s does not exist or does not belong to your schools.", id=loan_id)
            error_of(row, columns, "id", message)
            return
    try:
        cleaned = validate(LOANS, values)
        if row.record is None:
            loans.check_return_fields(cleaned)
    except InvalidFieldsError as exc:
        for code, messages in exc.fields.items():
            for message in messages:
                error_of(row, columns, code, message)
        return
    if row.record is not None:
        if row.record.device_id != device.id:
            message = _("A loan's device cannot be changed; return it and issue another.")
            error_of(row, columns, "inventory_number", message)
            return
        del cleaned["inventory_number"]
        row.changes = {
            code: value for code, value in cleaned.items() if getattr(row.record, code) != value
        }
        row.keep_values(cleaned, {})
        row.action = "update" if row.changes else "unchanged"
        return
    row.keep_values(cleaned, {})
    if cleaned.get("returned_on") is None:
        _check_one_open(row, device, columns, error_of, opened)
        if row.errors:
            return
    row.action = "create"


def _check_one_open(row, device: Device, columns, error_of, opened) -> None:
    if device.id in opened:
        message = _(
            "%(number)s is lent twice in the file (rows %(first)s and %(row)s).",
            number=device.inventory_number,
            first=opened[device.id].number,
            row=row.number,
        )
        error_of(row, columns, "inventory_number", message)
        return
    current = loans.open_loan(device)
    if current is not None:
        message = _(
            "%(number)s is out on loan %(loan)s already; return it first.",
            number=device.inventory_number,
            loan=current.loan_number,
        )
        error_of(row, columns, "inventory_number", message)
        return
    opened[device.id] = row


def write(rows) -> None:
    """The write stage: every row through the loan service."""
    for row in rows:
        if row.record is None:
            row.record = loans.issue(row.school, row.new_values)
        else:
            loans.update(row.record, row.changes)
