"""Security headers on every response, and error pages."""

import logging

import sqlalchemy as sa
from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import BadRequest, HTTPException

from app.extensions import db

log = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def _set_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.endpoint != "static":
        # Pages and files hold one school's or one user's data: no cache keeps a copy
        # (send_file's own "no-cache" still allows storing, so it is replaced).
        headers["Cache-Control"] = "no-store"
    return response


def _error_page(error):
    # Whatever the request left in the session (a failed flush) must not break this page.
    db.session.rollback()
    code = getattr(error, "code", 500) or 500
    headers = _error_headers(error)
    if request.path.startswith("/api/"):
        return api_error(code, getattr(error, "description", "") or "", headers=headers)
    return render_template("errors/error.html", code=code, error=error), code, headers


def _error_headers(error) -> dict:
    """The headers an HTTP error carries (Allow on 405, Retry-After on 429, ...)."""
    if not isinstance(error, HTTPException):
        return {}
    return {
        key: value
        for key, value in error.get_headers()
        if key.lower() not in ("content-type", "content-length")
    }


def _database_refused_value(error):
    """A value the database refuses (too long, out of range, NUL): the input was bad, so
    400, never 500. The fields' own rules catch these first; this is the last line."""
    log.warning("database refused a value: %s", error)
    return _error_page(BadRequest())


ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
    500: "server_error",
}


def api_error(status: int, message: str, fields: dict | None = None, headers=None):
    """The API's error body: {"error": {"code", "message", "fields"}}."""
    body = {
        "error": {
            "code": ERROR_CODES.get(status, "error"),
            "message": str(message),
            "fields": fields or {},
        }
    }
    return jsonify(body), status, headers or {}


def init_app(app: Flask) -> None:
    app.after_request(_set_headers)
    for code in (400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500):
        app.register_error_handler(code, _error_page)
    app.register_error_handler(sa.exc.DataError, _database_refused_value)
    app.register_error_handler(OverflowError, _database_refused_value)
