"""Devices carry the reason they were retired while still bound to their funding's purpose

Existing devices get an empty reason: nobody gave one. The rule that asks for it holds
only when a device becomes retired (inventory/funding_rules.py).

Revision ID: d7f9b1c3e5a6
Revises: c5e7a9b1d3f4
Create Date: 2026-12-05 00:30:00
"""

import sqlalchemy as sa

from app.migration_helpers import NEVER_REUSE_IDS, sqlite_rebuild
from alembic import op

revision = "d7f9b1c3e5a6"
down_revision = "c5e7a9b1d3f4"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN, also on SQLite: no table rebuild for a column without a CHECK.
    op.add_column(
        "devices", sa.Column("retired_reason", sa.Text(), nullable=False, server_default="")
    )


def downgrade():
    with (
        sqlite_rebuild(op),
        op.batch_alter_table("devices", schema=None, table_kwargs=NEVER_REUSE_IDS) as batch_op,
    ):
        batch_op.drop_column("retired_reason")
