"""Database wiring: SQLite pragmas, a private SQLite file, and the health check."""

import os
from pathlib import Path

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


def create_private_sqlite_file(uri: str) -> None:
    """Create a SQLite database file readable by its owner only (0600) before SQLite
    would create it with the umask's permissions (usually world-readable 0644)."""
    url = sa.make_url(uri)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return
    if url.database.startswith("file:"):
        return  # a URI filename: SQLite's own options decide
    path = Path(url.database)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def init_app(app: Flask) -> None:
    from app.access import PUBLIC, access

    create_private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])

    @app.get("/healthz")
    @access(PUBLIC)
    def healthz():
        if database_answers():
            return {"status": "ok"}, 200
        return {"status": "database unavailable"}, 503
