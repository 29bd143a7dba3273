"""Helpers for Alembic revisions (migrations/versions/) that rebuild SQLite tables."""

from contextlib import contextmanager

# A rebuilt SQLite table passes this as table_kwargs to keep AUTOINCREMENT, so a deleted
# row's id is never handed out again (the history is keyed by record id).
from app.model_base import NEVER_REUSE_IDS

__all__ = ["NEVER_REUSE_IDS", "sqlite_rebuild"]


@contextmanager
def sqlite_rebuild(op):
    """Run table rebuilds (batch_alter_table with CHECK constraints, recreate="always")
    safely on SQLite: a rebuild drops and renames the table, and with foreign keys on the
    drop of a parent cascades to its children (schools -> sites, devices, ...). The work
    runs in its own transaction with foreign keys off, and the keys are checked before it
    is committed. On other databases it only runs the block."""
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        yield
        return
    dbapi = conn.connection.dbapi_connection
    dbapi.commit()  # PRAGMA foreign_keys has no effect inside a transaction
    conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
    try:
        yield
        problems = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
        if problems:
            raise RuntimeError(f"foreign keys broken by the rebuild: {problems[:5]}")
        dbapi.commit()
    finally:
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
