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
    is committed. A rebuilt table would also start its AUTOINCREMENT counter from its
    highest remaining id, so a deleted row's id could come back: the counters are put back
    to where they were. On other databases it only runs the block."""
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        yield
        return
    dbapi = conn.connection.dbapi_connection
    dbapi.commit()  # PRAGMA foreign_keys has no effect inside a transaction
    conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
    try:
        counters = _sqlite_counters(conn)
        yield
        _restore_sqlite_counters(conn, counters)
        problems = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
        if problems:
            raise RuntimeError(f"foreign keys broken by the rebuild: {problems[:5]}")
        dbapi.commit()
    finally:
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")


def _sqlite_counters(conn) -> dict[str, int]:
    exists = conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'"
    ).first()
    if exists is None:
        return {}
    return dict(conn.exec_driver_sql("SELECT name, seq FROM sqlite_sequence").all())


def _restore_sqlite_counters(conn, counters: dict[str, int]) -> None:
    for name, seq in counters.items():
        if not conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).first():
            continue  # the block dropped the table
        updated = conn.exec_driver_sql(
            "UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = ?", (seq, name)
        )
        if updated.rowcount == 0:
            conn.exec_driver_sql(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (name, seq)
            )
