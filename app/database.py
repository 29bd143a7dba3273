"""Database wiring: SQLite pragmas and the health check."""

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import Engine

from app.extensions import db


@sa.event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Foreign keys are off by default in SQLite; switch them on for every connection."""
    module = type(dbapi_connection).__module__
    if module.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


def database_answers() -> bool:
    try:
        db.session.execute(sa.text("SELECT 1"))
        return True
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return False


def init_app(app: Flask) -> None:
    from app.access import PUBLIC, access

    @app.get("/healthz")
    @access(PUBLIC)
    def healthz():
        if database_answers():
            return {"status": "ok"}, 200
        return {"status": "database unavailable"}, 503
