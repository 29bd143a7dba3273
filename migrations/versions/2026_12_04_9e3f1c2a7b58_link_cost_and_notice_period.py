"""Network links carry a monthly cost (EUR) and a notice period (months)

Revision ID: 9e3f1c2a7b58
Revises: 8b4d2f6e0c31
Create Date: 2026-12-04 18:00:00

Both are optional; existing links have neither. The contract alerts warn before the
notice date, contract_end minus the notice period.
"""

import sqlalchemy as sa

from app.migration_helpers import NEVER_REUSE_IDS, sqlite_rebuild
from alembic import op

revision = "9e3f1c2a7b58"
down_revision = "8b4d2f6e0c31"
branch_labels = None
depends_on = None


def upgrade():
    # SQLite rebuilds the table for its CHECK constraints.
    with (
        sqlite_rebuild(op),
        op.batch_alter_table(
            "network_links", schema=None, table_kwargs=NEVER_REUSE_IDS
        ) as batch_op,
    ):
        batch_op.add_column(sa.Column("monthly_cost", sa.Numeric(10, 2), nullable=True))
        batch_op.add_column(sa.Column("notice_period_months", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_network_links_monthly_cost_not_negative"),
            "monthly_cost IS NULL OR monthly_cost >= 0",
        )
        batch_op.create_check_constraint(
            op.f("ck_network_links_notice_period_months_range"),
            "notice_period_months IS NULL OR notice_period_months BETWEEN 0 AND 120",
        )


def downgrade():
    with (
        sqlite_rebuild(op),
        op.batch_alter_table(
            "network_links", schema=None, table_kwargs=NEVER_REUSE_IDS
        ) as batch_op,
    ):
        batch_op.drop_constraint(op.f("ck_network_links_notice_period_months_range"), type_="check")
        batch_op.drop_constraint(op.f("ck_network_links_monthly_cost_not_negative"), type_="check")
        batch_op.drop_column("notice_period_months")
        batch_op.drop_column("monthly_cost")
