"""Audit entries name their channel (web, import, api, cli)

Revision ID: c4a1e7d2b9f0
Revises: 5b1d0c7e9a42
Create Date: 2026-12-03 17:40:00

Earlier entries get a channel from their actor: a signed-in user's email means the web
(the API and the import were not told apart then), anything else a command.
"""
from alembic import op
import sqlalchemy as sa


revision = "c4a1e7d2b9f0"
down_revision = "5b1d0c7e9a42"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel", sa.String(length=8), nullable=True))
    op.execute(
        "UPDATE audit_entries SET channel = CASE WHEN actor LIKE '%@%' THEN 'web' ELSE 'cli' END"
    )
    op.execute("UPDATE audit_entries SET channel = 'import' WHERE action = 'import'")


def downgrade():
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_column("channel")
