"""The JSON API (v1) under /api/v1."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the API blueprints (filled in by the API work)."""
