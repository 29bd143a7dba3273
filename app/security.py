"""Security headers on every response, and error pages."""

from flask import Flask, jsonify, render_template, request

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
    if request.path.startswith(("/login", "/admin", "/account")):
        headers.setdefault("Cache-Control", "no-store")
    return response


def _error_page(error):
    code = getattr(error, "code", 500) or 500
    if request.path.startswith("/api/"):
        return api_error(code, getattr(error, "description", "") or "")
    return render_template("errors/error.html", code=code, error=error), code


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
