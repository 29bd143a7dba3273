"""The JSON API (v1) under /api/v1: bearer tokens, JSON in and out, an OpenAPI document."""

from flask import Flask, current_app
from flask_smorest import Api

API_PREFIX = "/api/v1"


class ApiV1(Api):
    """flask-smorest for the OpenAPI document and body parsing; errors and the
    document's route are ours (app/security.py answers every /api/ error as JSON)."""

    def _register_error_handlers(self):
        pass

    def _register_doc_blueprint(self):
        pass


def init_app(app: Flask) -> None:
    """Register the API blueprint and the OpenAPI document."""
    from api import docs, loan_views  # noqa: F401  (the loan routes on bp)
    from api.schemas import ErrorSchema
    from api.views import bp

    ApiV1.ERROR_SCHEMA = ErrorSchema
    app.config.setdefault("API_TITLE", "Gute Schule API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    api = ApiV1(
        app,
        spec_kwargs={
            "info": {
                "description": (
                    "The digital infrastructure of Bochum's schools. Send "
                    "`Authorization: Bearer <token>` (flask create-token EMAIL). "
                    'Errors: {"error": {"code", "message", "fields"}}.'
                )
            },
            "security": [{"bearerAuth": []}],
        },
    )
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.register_blueprint(bp)
    app.extensions["api_v1"] = api
    app.register_blueprint(docs.bp)


def openapi_document() -> dict:
    return current_app.extensions["api_v1"].spec.to_dict()
