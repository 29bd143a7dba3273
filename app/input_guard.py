"""The web request's outer boundary, the same for every view: ids in URLs are bounded
ASCII integers, path parts and query strings carry no control characters, numbers read
from the query string fit the database, and a downloaded file's name fits one header.

Out-of-range ids and path parts that no record can have answer 404; a query string with
control characters answers 400. Form fields are checked by the forms (app/forms.py).
"""

import re
import unicodedata

from flask import Flask, Request, abort, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter, ValidationError

# The largest id a column holds (a 4-byte INTEGER on PostgreSQL).
MAX_ID = 2**31 - 1
_MAX_ID_DIGITS = len(str(MAX_ID))


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` for the whole app: ASCII digits only (no fullwidth or Arabic-Indic
    look-alikes) and at most MAX_ID unless the rule gives its own max; beyond that, 404."""

    regex = r"[0-9]+"
    signed_regex = r"-?[0-9]+"

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits, min, MAX_ID if max is None else max, signed)

    def to_python(self, value: str) -> int:
        if len(value.lstrip("-")) > _MAX_ID_DIGITS:
            raise ValidationError()
        return super().to_python(value)


def has_control_characters(text: str, allowed: str = "") -> bool:
    """True when the text holds a control character (NUL, ESC, DEL, C1, line or
    paragraph separators) other than those allowed."""
    return any(
        unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp") and char not in allowed
        for char in text
    )


def bounded_int(value: str) -> int:
    """A query-string integer that fits the database (ASCII digits, at most MAX_ID in
    size); raises ValueError otherwise, so `args.get(key, default, type=int)` falls back to
    the default."""
    text = value.strip()
    if not re.fullmatch(r"-?[0-9]{1,10}", text):
        raise ValueError(value)
    number = int(text)
    if abs(number) > MAX_ID:
        raise ValueError(value)
    return number


class BoundedArgs(ImmutableMultiDict):
    """Request parameters whose `type=int` reads only integers the database can hold."""

    def get(self, key, default=None, type=None):  # noqa: A002
        return super().get(key, default, bounded_int if type is int else type)


class GuardedRequest(Request):
    parameter_storage_class = BoundedArgs


def attachment_name(name: str, max_length: int = 150) -> str:
    """A file name for Content-Disposition: one line, no control characters or path
    separators, and not too long."""
    cleaned = "".join(
        " " if unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp") else char for char in name
    )
    cleaned = re.sub(r"[\\/]+", "_", cleaned)
    cleaned = re.sub(r"\s+", " ", cleaned).strip(" .")
    return cleaned[:max_length] or "download"


def _refuse_hostile_request() -> None:
    if request.path.startswith("/api/"):
        return  # the API checks its own paths and parameters (api/views.py)
    for value in (request.view_args or {}).values():
        if isinstance(value, str) and has_control_characters(value):
            abort(404)
    for key, value in request.args.items(multi=True):
        if has_control_characters(key) or has_control_characters(value):
            abort(400)


def init_app(app: Flask) -> None:
    """Register the guard (the converter is set in create_app before any route)."""
    app.before_request(_refuse_hostile_request)
