"""The alert outbox serves more kinds than the gigabit alerts: rows name their alert kind and record

Revision ID: b7d2e4f6a813
Revises: 9e3f1c2a7b58
Create Date: 2026-12-04 18:05:00

Every existing row is a gigabit alert: alert_kind "gigabit", record_key
"<school_key>:<school_year_id>" (the school, or "all" for the digest, in that school
year). The unique key (kind, school_key, school_year_id, stage, recipient) becomes
(alert_kind, kind, record_key, stage, recipient), which is the same for those rows, so
no mail that was sent is sent again. school_year_id may be empty now: only the gigabit
alerts belong to a school year.
"""

import sqlalchemy as sa

from app.migration_helpers import NEVER_REUSE_IDS, sqlite_rebuild
from alembic import op

revision = "b7d2e4f6a813"
down_revision = "9e3f1c2a7b58"
branch_labels = None
depends_on = None

OLD_UNIQUE = "uq_alert_deliveries_kind_school_key_school_year_id_stage_recipient"
NEW_UNIQUE = "uq_alert_deliveries_alert_kind_kind_record_key_stage_recipient"
NEW_COLUMNS = ["alert_kind", "kind", "record_key", "stage", "recipient"]
OLD_COLUMNS = ["kind", "school_key", "school_year_id", "stage", "recipient"]


def _table():
    return op.batch_alter_table("alert_deliveries", schema=None, table_kwargs=NEVER_REUSE_IDS)


def upgrade():
    with sqlite_rebuild(op):
        with _table() as batch_op:
            batch_op.add_column(
                sa.Column("alert_kind", sa.String(16), server_default="gigabit", nullable=False)
            )
            batch_op.add_column(
                sa.Column("record_key", sa.String(64), server_default="", nullable=False)
            )
            batch_op.drop_constraint(op.f(OLD_UNIQUE), type_="unique")
            batch_op.alter_column("school_year_id", existing_type=sa.Integer(), nullable=True)
        op.execute(
            "UPDATE alert_deliveries"
            " SET record_key = school_key || ':' || CAST(school_year_id AS VARCHAR(20))"
        )
        with _table() as batch_op:
            batch_op.alter_column("alert_kind", existing_type=sa.String(16), server_default=None)
            batch_op.alter_column("record_key", existing_type=sa.String(64), server_default=None)
            batch_op.create_unique_constraint(op.f(NEW_UNIQUE), NEW_COLUMNS)
            batch_op.create_index(
                "ix_alert_deliveries_alert_kind_status", ["alert_kind", "status"], unique=False
            )


def downgrade():
    # Rows of the other kinds have no school year and no place in the old outbox.
    op.execute("DELETE FROM alert_deliveries WHERE alert_kind <> 'gigabit'")
    with sqlite_rebuild(op), _table() as batch_op:
        batch_op.drop_index("ix_alert_deliveries_alert_kind_status")
        batch_op.drop_constraint(op.f(NEW_UNIQUE), type_="unique")
        batch_op.alter_column("school_year_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("record_key")
        batch_op.drop_column("alert_kind")
        batch_op.create_unique_constraint(op.f(OLD_UNIQUE), OLD_COLUMNS)
