"""Reading request bodies and query strings: bad input is a 4xx, never a 500."""

import json

from flask import request
from webargs import core
from webargs.flaskparser import FlaskParser, abort


class ApiParser(FlaskParser):
    """webargs' Flask parser, stricter about bodies.

    - a body that is not JSON answers 415 (instead of being silently ignored);
    - malformed JSON (also numbers too long to parse, NaN/Infinity, too deep nesting)
      answers 400;
    - validation errors answer 422 with the messages per field.
    """

    def _raw_load_json(self, req):
        data = req.get_data(cache=True)
        if not data:
            return core.missing
        if not core.is_json(req.mimetype):
            abort(415, messages={"json": ["Send the body as application/json."]})
        try:
            return json.loads(data.decode("utf-8"), parse_constant=_refuse_constant)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            abort(400, exc=exc, messages={"json": ["Invalid JSON body."]})


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def if_match_version() -> int | None:
    """The version named by an If-Match header ("3" or W/"3"); None when absent."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    value = header.removeprefix("W/").strip().strip('"')
    if not value.isdigit() or len(value) > 10:
        abort(400, messages={"If-Match": ['Expected the version, e.g. If-Match: "3".']})
    return int(value)
