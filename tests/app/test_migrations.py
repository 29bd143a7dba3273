"""The schema comes only from the Alembic revisions, and they match the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app.extensions import db


def test_migrated_schema_matches_the_models(app):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == []


def test_migrations_run_down_and_up_again_on_the_test_database(app):
    db.session.remove()
    downgrade(revision="base")
    with db.engine.connect() as conn:
        assert "devices" not in db.inspect(conn).get_table_names()
    upgrade()
    with db.engine.connect() as conn:
        assert "devices" in db.inspect(conn).get_table_names()


def test_migrated_sqlite_tables_never_reuse_ids(app):
    """Every table the models mark AUTOINCREMENT has it after all revisions: a revision
    that rebuilds a table on SQLite must keep it (the history is keyed by record id)."""
    with db.engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            return  # PostgreSQL sequences never hand out an id twice
        created = dict(conn.exec_driver_sql("SELECT name, sql FROM sqlite_master").all())
    wanted = [
        table.name
        for table in db.metadata.sorted_tables
        if table.dialect_kwargs.get("sqlite_autoincrement")
    ]
    assert wanted, "no table is marked to keep its ids"
    assert [name for name in wanted if "AUTOINCREMENT" not in created[name]] == []
