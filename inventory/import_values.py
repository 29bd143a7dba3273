"""Turning the cells of an import file into the strings the web forms read.

Cells may hold codes or German (or English) labels, ISO or German dates, real Excel
dates, numbers with a decimal comma and thousands dots, and ja/nein. Each parser
returns the normalised form value or raises ValueError with a message for the user.
"""

import datetime as dt
import re
from decimal import Decimal

from flask_babel import force_locale
from flask_babel import gettext as _

from app import codes
from app.fields import parse_decimal
from inventory.columns import normalize_header

TRUE_WORDS = {"ja", "j", "yes", "y", "true", "wahr", "1", "x"}
FALSE_WORDS = {"nein", "n", "no", "false", "falsch", "0", ""}

# How each field of each kind is read. Code fields name their vocabulary in app.codes.
FIELD_TYPES: dict[str, dict[str, str]] = {
    "schools": {
        "school_number": "key",
        "name": "text",
        "school_form": "code:SCHOOL_FORMS",
        "street": "text",
        "postcode": "postcode",
        "city": "text",
        "district": "text",
        "students": "int",
        "classes": "int",
        "it_contact_email": "text",
        "learning_levels": "codes:LEARNING_LEVELS",
    },
    "sites": {
        "id": "id",
        "school_number": "key",
        "name": "text",
        "street": "text",
        "postcode": "postcode",
        "city": "text",
        "is_main": "bool",
    },
    "devices": {
        "school_number": "key",
        "site": "site",
        "inventory_number": "key",
        "category": "code:DEVICE_CATEGORIES",
        "manufacturer": "text",
        "model": "text",
        "serial_number": "text",
        "status": "code:DEVICE_STATUSES",
        "room": "text",
        "learning_level": "code:LEARNING_LEVELS",
        "purchase_date": "date",
        "price": "decimal",
        "funding": "code:FUNDING_SOURCES",
        "warranty_until": "date",
        "notes": "text",
    },
    "links": {
        "id": "id",
        "school_number": "key",
        "site": "site",
        "provider": "text",
        "technology": "code:LINK_TECHNOLOGIES",
        "down_mbps": "int",
        "up_mbps": "int",
        "status": "code:LINK_STATUSES",
        "planned_date": "date",
        "active_since": "date",
        "contract_end": "date",
        "notes": "text",
    },
    "offerings": {
        "id": "id",
        "school_number": "key",
        "learning_level": "code:LEARNING_LEVELS",
        "kind": "code:OFFERING_KINDS",
        "description": "text",
        "status": "code:OFFERING_STATUSES",
        "since": "date",
    },
}


def code_lookup(vocabulary: str) -> dict[str, str]:
    """{normalised code or German/English label: code} of one vocabulary."""
    table = getattr(codes, vocabulary)
    lookup = {}
    for locale in ("en", "de"):
        with force_locale(locale):
            for code, label in table.items():
                lookup[normalize_header(label)] = code
    for code in table:
        lookup[normalize_header(code)] = code
    return lookup


def allowed_labels(vocabulary: str) -> str:
    return ", ".join(str(label) for label in getattr(codes, vocabulary).values())


def cell_text(value) -> str:
    """Any cell as text: whole floats without '.0', dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def parse_date(value) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = cell_text(value)
    if not text:
        return ""
    match = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})", text)
    try:
        if match:
            day, month, year = (int(part) for part in match.groups())
            if year < 100:
                year += 2000
            return dt.date(year, month, day).isoformat()
        text = text.split(" ")[0].split("T")[0]
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError(_("“%(value)s” is not a date (e.g. 26.08.2024).", value=text)) from None


def parse_number(value, integer: bool) -> str:
    if isinstance(value, bool):
        raise ValueError(_("“%(value)s” is not a number.", value=cell_text(value)))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        number = Decimal(repr(value))
    else:
        text = cell_text(value)
        if not text:
            return ""
        try:
            number = parse_decimal(text)
        except ValueError:
            raise ValueError(_("“%(value)s” is not a number.", value=text)) from None
    if integer:
        if number != number.to_integral_value():
            raise ValueError(_("“%(value)s” is not a whole number.", value=cell_text(value)))
        return str(int(number))
    # A decimal comma: the form's German parser would read "356.881" as 356881.
    return format(number, "f").replace(".", ",")


def parse_bool(value) -> str:
    text = cell_text(value).casefold()
    if text in TRUE_WORDS:
        return "y"
    if text in FALSE_WORDS:
        return ""
    raise ValueError(_("“%(value)s” is not yes or no (ja/nein).", value=cell_text(value)))


def parse_code(value, vocabulary: str, lookup: dict[str, str]) -> str:
    text = cell_text(value)
    if not text:
        return ""
    code = lookup.get(normalize_header(text))
    if code is None:
        raise ValueError(
            _(
                "“%(value)s” is not a valid value. Allowed: %(allowed)s.",
                value=text,
                allowed=allowed_labels(vocabulary),
            )
        )
    return code


def parse_codes(value, vocabulary: str, lookup: dict[str, str]) -> list[str]:
    """A list cell: "sek1, sek2" or "Sekundarstufe I; Sekundarstufe II"."""
    parts = [part for part in re.split(r"[,;\n]", cell_text(value)) if part.strip()]
    return [parse_code(part, vocabulary, lookup) for part in parts]


def parse_key(value) -> str:
    """A number-like key (school number, inventory number): whole floats lose their '.0'."""
    return cell_text(value)


def parse_postcode(value) -> str:
    # Excel turns 04109 into the number 4109; German postcodes have five digits.
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < 100_000:
        return f"{int(value):05d}"
    return cell_text(value)


def parse_id(value) -> int | None:
    text = cell_text(value)
    if not text:
        return None
    if not re.fullmatch(r"\d{1,18}", text):
        raise ValueError(_("“%(value)s” is not an ID (a whole number).", value=text))
    return int(text)


class ValueReader:
    """Normalises the cells of one kind; the code lookups are built once per import."""

    def __init__(self, kind: str):
        self.kind = kind
        self.types = FIELD_TYPES[kind]
        self.lookups = {
            field_type.split(":", 1)[1]: code_lookup(field_type.split(":", 1)[1])
            for field_type in self.types.values()
            if ":" in field_type
        }

    def read(self, field: str, value):
        """The form value of one cell (site and id are resolved by the importer)."""
        field_type = self.types[field]
        if field_type in ("text", "site"):
            return cell_text(value)
        if field_type == "key":
            return parse_key(value)
        if field_type == "postcode":
            return parse_postcode(value)
        if field_type == "id":
            return parse_id(value)
        if field_type == "date":
            return parse_date(value)
        if field_type == "int":
            return parse_number(value, integer=True)
        if field_type == "decimal":
            return parse_number(value, integer=False)
        if field_type == "bool":
            return parse_bool(value)
        kind, vocabulary = field_type.split(":", 1)
        if kind == "codes":
            return parse_codes(value, vocabulary, self.lookups[vocabulary])
        return parse_code(value, vocabulary, self.lookups[vocabulary])
