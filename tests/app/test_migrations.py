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
