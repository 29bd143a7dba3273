"""The map stage of the import: cells to typed values, by the registry's field types.

Cells may hold codes or German (or English) labels, ISO or German dates, real Excel
dates, numbers (real ones, or text with a decimal comma and thousands dots), and
ja/nein. Each cell becomes the typed value the write services take (str, int, Decimal,
date, code, list of codes, bool), never text for a form to re-parse: an Excel number
356.881 is Decimal("356.881"), not the text "356.881" that a German reader would take
for 356881. A cell that cannot be read raises ValueError with the user's message.
"""

import datetime as dt
import re
from decimal import Decimal

from flask_babel import force_locale
from flask_babel import gettext as _

from app.fields import parse_decimal
from inventory.columns import normalize_header
from inventory.kinds import FILE_KINDS as KINDS

TRUE_WORDS = {"ja", "j", "yes", "y", "true", "wahr", "1", "x"}
FALSE_WORDS = {"nein", "n", "no", "false", "falsch", "0", ""}


def code_lookup(vocabulary: dict) -> dict[str, str]:
    """{normalised code or German/English label: code} of one vocabulary."""
    lookup = {}
    for locale in ("en", "de"):
        with force_locale(locale):
            for code, label in vocabulary.items():
                lookup[normalize_header(label)] = code
    for code in vocabulary:
        lookup[normalize_header(code)] = code
    return lookup


def cell_text(value) -> str:
    """Any cell as text: whole numbers without '.0', dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def read_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    if not text:
        return None
    match = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})", text)
    try:
        if match:
            day, month, year = (int(part) for part in match.groups())
            if year < 100:
                year += 2000
            return dt.date(year, month, day)
        return dt.date.fromisoformat(text.split(" ")[0].split("T")[0])
    except ValueError:
        raise ValueError(_("“%(value)s” is not a date (e.g. 26.08.2024).", value=text)) from None


def read_number(value, integer: bool):
    """int for whole-number fields, Decimal for amounts (a float exactly as shown)."""
    if isinstance(value, bool):
        raise ValueError(_("“%(value)s” is not a number.", value=cell_text(value)))
    if isinstance(value, int):
        return value if integer else Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(_("“%(value)s” is not a number.", value=cell_text(value)))
        number = Decimal(repr(value))
    elif isinstance(value, Decimal):
        number = value
    else:
        text = cell_text(value)
        if not text:
            return None
        try:
            number = parse_decimal(text)
        except ValueError:
            raise ValueError(_("“%(value)s” is not a number.", value=text)) from None
    if integer:
        if number != number.to_integral_value():
            raise ValueError(_("“%(value)s” is not a whole number.", value=cell_text(value)))
        return int(number)
    return number


def read_bool(value) -> bool:
    text = cell_text(value).casefold()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(_("“%(value)s” is not yes or no (ja/nein).", value=cell_text(value)))


def read_code(value, vocabulary: dict, lookup: dict[str, str]) -> str | None:
    text = cell_text(value)
    if not text:
        return None
    code = lookup.get(normalize_header(text))
    if code is None:
        allowed = ", ".join(str(label) for label in vocabulary.values())
        raise ValueError(
            _(
                "“%(value)s” is not a valid value. Allowed: %(allowed)s.",
                value=text,
                allowed=allowed,
            )
        )
    return code


def read_codes(value, vocabulary: dict, lookup: dict[str, str]) -> list[str]:
    """A list cell: "sek1, sek2" or "Sekundarstufe I; Sekundarstufe II"."""
    parts = [part for part in re.split(r"[,;\n]", cell_text(value)) if part.strip()]
    return [read_code(part, vocabulary, lookup) for part in parts]


def read_postcode(value) -> str:
    # Excel turns 04109 into the number 4109; German postcodes have five digits.
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < 100_000:
        return f"{int(value):05d}"
    return cell_text(value)


def read_id(value) -> int | None:
    text = cell_text(value)
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{1,10}", text):
        raise ValueError(_("“%(value)s” is not an ID (a whole number).", value=text))
    return int(text)


def _read_text(value) -> str:
    return value if isinstance(value, str) else cell_text(value)


class CellReader:
    """Reads the cells of one kind by the registry's field types; the code lookups are
    built once per import."""

    def __init__(self, kind: str):
        self.fields = KINDS[kind].by_code
        self.lookups = {
            spec.code: code_lookup(spec.vocabulary)
            for spec in self.fields.values()
            if spec.vocabulary is not None
        }
        self._readers: dict = {}

    def read(self, code: str, value):
        """The typed value of one cell (a site stays text: the importer resolves it)."""
        return self.reader(code)(value)

    def reader(self, code: str):
        """The function that reads one column's cells, built once per column."""
        cached = self._readers.get(code)
        if cached is None:
            cached = self._readers[code] = self._build(code)
        return cached

    def _build(self, code: str):
        spec = self.fields[code]
        kind = spec.type
        if code == "postcode":
            return read_postcode
        if kind in ("text", "multiline", "email", "site"):
            return _read_text
        if kind == "id":
            return read_id
        if kind == "date":
            return read_date
        if kind in ("int", "decimal"):
            integer = kind == "int"
            return lambda value: read_number(value, integer=integer)
        if kind == "bool":
            return read_bool
        vocabulary, lookup = spec.vocabulary, self.lookups[code]
        if kind == "codes":
            return lambda value: read_codes(value, vocabulary, lookup)
        known: dict = {}  # a column repeats few spellings: each is looked up once

        def read_one_code(value):
            if type(value) is str:
                found = known.get(value)
                if found is None:
                    found = known[value] = read_code(value, vocabulary, lookup)
                return found
            return read_code(value, vocabulary, lookup)

        return read_one_code
