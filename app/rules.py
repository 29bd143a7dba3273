"""The rules of a field, written once: every channel (web form, API, import, seed, CLI)
hands typed values (str, int, Decimal, date, codes) to the write services, and the
services clean them with clean(). The web forms run the same clean() as their validator
(app/form_rules.py), so a form shows at the field exactly what the service would refuse.

A value that arrives empty ("" or None) becomes the field's empty value: "" for text,
None for numbers, dates and single codes, [] for code lists, False for flags.
"""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cached_property

import email_validator
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from app.errors import InvalidFieldsError

MAX_ID = 2**31 - 1  # ids are 32-bit integers in every database
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2999, 12, 31)

# Single-line text: no control characters at all; notes may hold line breaks and tabs.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


# Internal mail domains (.local, .test, .internal, localhost) are common in city networks;
# email-validator refuses special-use names in every mode, and emptying its list (read at
# every call) is its own documented way to allow them (its README, "Test addresses").
email_validator.SPECIAL_USE_DOMAIN_NAMES.clear()


class FieldError(ValueError):
    """The value breaks the field's rule; args[0] is the message for the user."""


@dataclass(frozen=True)
class Field:
    """One field of a kind: its code (DESIGN.md's field names), label, type and rules.

    type: text, multiline, email, int, decimal, date, code, codes, bool, site, id.
    A decimal keeps `places` decimals: 2 is an amount in EUR (a "€" cell in workbooks),
    more a measure such as a coordinate (6 places).
    """

    code: str
    label: object
    type: str = "text"
    required: bool = False
    max_length: int | None = None
    min: object = None
    max: object = None
    vocabulary: dict | None = None
    pattern: str | None = None
    pattern_message: object = None
    default: object = None  # a new record's value when the field is not given
    places: int = 2  # decimals
    width: int = 14  # column width in workbooks
    text_cell: bool = False  # written as text in templates (ids and numbers with zeros)
    editable: bool = True  # False: read-only (ids), never set by a channel

    @property
    def empty(self):
        if self.type in ("text", "multiline", "email"):
            return ""
        if self.type == "codes":
            return []
        if self.type == "bool":
            return False
        return None


def _is_empty(value) -> bool:
    return value is None or value == "" or value == [] or value == ()


def clean(spec: Field, value):
    """The value as stored, or FieldError with the user's message."""
    if isinstance(value, str):
        value = value.strip()
    if _is_empty(value) and not (spec.type == "bool" and value is False):
        if spec.required:
            raise FieldError(_l("This field is required."))
        return spec.empty
    checker = _CHECKERS[spec.type]
    return checker(spec, value)


def _text(spec: Field, value):
    if not isinstance(value, str):
        raise FieldError(_l("Not a valid text."))
    pattern = _CONTROL_MULTILINE if spec.type == "multiline" else _CONTROL
    if pattern.search(value):
        if spec.type == "multiline":
            raise FieldError(_l("The text contains control characters."))
        raise FieldError(_l("The text contains line breaks or control characters."))
    if spec.type == "multiline":
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = unicodedata.normalize("NFC", value)
    if spec.max_length is not None and len(value) > spec.max_length:
        raise FieldError(
            _l(
                "At most %(max)s characters (here %(length)s).",
                max=spec.max_length,
                length=len(value),
            )
        )
    if spec.pattern is not None and not re.fullmatch(spec.pattern, value):
        raise FieldError(spec.pattern_message or _l("Not a valid value."))
    return value


def check_email_syntax(value: str) -> None:
    """Any syntactically valid address, internal and special-use domains included;
    nothing is looked up in DNS (whether mail arrives is not ours to decide here)."""
    try:
        validate_email(value, check_deliverability=False, globally_deliverable=False)
    except EmailNotValidError:
        raise FieldError(_l("Not a valid email address.")) from None


def _email(spec: Field, value):
    value = _text(spec, value)
    check_email_syntax(value)
    return value


def _range(spec: Field, value):
    low = spec.min is not None and value < spec.min
    high = spec.max is not None and value > spec.max
    if (low or high) and spec.min is not None and spec.max is not None:
        raise FieldError(_l("Must be between %(min)s and %(max)s.", min=spec.min, max=spec.max))
    if low:
        raise FieldError(_l("At least %(min)s.", min=spec.min))
    if high:
        raise FieldError(_l("At most %(max)s.", max=spec.max))
    return value


def _int(spec: Field, value):
    if isinstance(value, bool) or not isinstance(value, int):
        raise FieldError(_l("Not a whole number."))
    return _range(spec, value)


def _decimal(spec: Field, value):
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise FieldError(_l("Not a valid amount."))
    value = Decimal(value)
    if not value.is_finite():
        raise FieldError(_l("Not a valid amount."))
    try:
        value = value.quantize(Decimal(1).scaleb(-spec.places), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        # More digits than the decimal context holds (10**30): far outside any range.
        _range(spec, value)
        raise FieldError(_l("Not a valid amount.")) from None
    return _range(spec, value)


def _date(spec: Field, value):
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise FieldError(_l("Not a valid date."))
    if not MIN_DATE <= value <= MAX_DATE:
        raise FieldError(_l("The date lies outside 1900 to 2999."))
    return value


def _choice_message(spec: Field):
    labels = ", ".join(str(label) for label in spec.vocabulary.values())
    return _l("Not a valid choice. Allowed: %(allowed)s.", allowed=labels)


def _code(spec: Field, value):
    if not isinstance(value, str) or value not in spec.vocabulary:
        raise FieldError(_choice_message(spec))
    return value


def _codes(spec: Field, value):
    if isinstance(value, str) or not isinstance(value, list | tuple | set):
        raise FieldError(_choice_message(spec))
    if any(not isinstance(code, str) or code not in spec.vocabulary for code in value):
        raise FieldError(_choice_message(spec))
    return [code for code in spec.vocabulary if code in value]


def _bool(spec: Field, value):
    if not isinstance(value, bool):
        raise FieldError(_l("Not yes or no."))
    return value


def _id(spec: Field, value):
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise FieldError(_l("Not a valid ID."))
    return value


_CHECKERS = {
    "text": _text,
    "multiline": _text,
    "email": _email,
    "int": _int,
    "decimal": _decimal,
    "date": _date,
    "code": _code,
    "codes": _codes,
    "bool": _bool,
    "site": _id,
    "id": _id,
}


@dataclass(frozen=True)
class Kind:
    """One kind of record: its fields in column order, natural key, sheet and labels.

    checks: rules across fields, each (values) -> {field code: message} for what is wrong.
    """

    name: str
    label: object
    sheet: object
    key: str
    fields: tuple[Field, ...]
    checks: tuple = field(default=())

    def __getitem__(self, code: str) -> Field:
        return self.by_code[code]

    @cached_property
    def by_code(self) -> dict[str, Field]:
        return {spec.code: spec for spec in self.fields}

    @property
    def codes(self) -> list[str]:
        return [spec.code for spec in self.fields]

    @cached_property
    def editable(self) -> tuple[Field, ...]:
        return tuple(spec for spec in self.fields if spec.editable)


def validate(kind: Kind, values: dict, *, current: dict | None = None, skip=()) -> dict:
    """Clean every given value of a kind; InvalidFieldsError with all messages per field.

    current: the stored values of an edited record, for the rules across fields.
    skip: field codes the caller resolves itself (e.g. school_number, site)."""
    errors: dict[str, list[str]] = {}
    cleaned = {}
    specs = kind.by_code
    for code, value in values.items():
        if code in skip:
            cleaned[code] = value
            continue
        spec = specs.get(code)
        if spec is None or not spec.editable:
            raise ValueError(f"{kind.name} has no editable field {code!r}")
        try:
            cleaned[code] = clean(spec, value)
        except FieldError as exc:
            errors[code] = [str(exc.args[0])]
    if not errors:
        merged = {**(current or {}), **cleaned}
        for check in kind.checks:
            for code, message in check(merged).items():
                errors.setdefault(code, []).append(str(message))
    if errors:
        raise InvalidFieldsError(errors)
    return cleaned


def require(kind: Kind, values: dict) -> dict:
    """A new record: fields not given, or given empty, get their default (e.g. a device's
    status "in use"); without a default they stay empty, and a required one is refused."""
    complete = dict(values)
    for spec in kind.editable:
        value = complete.get(spec.code)
        if spec.code not in complete or (spec.default is not None and _is_empty(value)):
            complete[spec.code] = spec.default if spec.default is not None else spec.empty
    return complete
