"""Devices get a use: pool, class set, room, teacher device or pupil loan device

Devices recorded before stay without a use (NULL, "not recorded"): nobody has said what
they are for, and guessing "pool" would put a claim in the inventory that no one made.

Revision ID: 7a3c1e5d9b20
Revises: ec0e63f0b3aa
Create Date: 2026-12-04 18:05:00.000000

"""
from alembic import op
import sqlalchemy as sa

from app.migration_helpers import NEVER_REUSE_IDS, sqlite_rebuild

USES = ["pool", "class_set", "room", "teacher", "pupil_loan"]

# revision identifiers, used by Alembic.
revision = '7a3c1e5d9b20'
down_revision = 'ec0e63f0b3aa'
branch_labels = None
depends_on = None


def upgrade():
    allowed = ", ".join(f"'{code}'" for code in USES)
    # SQLite rebuilds the table for the CHECK: AUTOINCREMENT kept, foreign keys off so the
    # drop does not cascade to the tables that refer to devices.
    with sqlite_rebuild(op), op.batch_alter_table(
        "devices", schema=None, table_kwargs=NEVER_REUSE_IDS
    ) as batch_op:
        batch_op.add_column(sa.Column("use", sa.String(length=16), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_devices_use_code"), f"use IS NULL OR use IN ({allowed})"
        )


def downgrade():
    with sqlite_rebuild(op), op.batch_alter_table(
        "devices", schema=None, table_kwargs=NEVER_REUSE_IDS
    ) as batch_op:
        batch_op.drop_constraint(op.f("ck_devices_use_code"), type_="check")
        batch_op.drop_column("use")
