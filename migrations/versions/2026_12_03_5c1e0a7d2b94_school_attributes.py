"""Schools carry operator, Sozialindex, Startchancen and coordinates; sites coordinates

Revision ID: 5c1e0a7d2b94
Revises: c4a1e7d2b9f0
Create Date: 2026-12-03 17:10:00

Existing schools become city schools (operator "city") with no Sozialindex, not in the
Startchancen programme and without coordinates; `flask seed-demo` fills the demo schools
from data/bochum_schools.csv.
"""

import sqlalchemy as sa

from app.migration_helpers import NEVER_REUSE_IDS, sqlite_rebuild
from alembic import op

revision = "5c1e0a7d2b94"
down_revision = "c4a1e7d2b9f0"
branch_labels = None
depends_on = None



def _coordinates(batch_op, table: str) -> None:
    batch_op.add_column(sa.Column("lat", sa.Numeric(8, 6), nullable=True))
    batch_op.add_column(sa.Column("lon", sa.Numeric(9, 6), nullable=True))
    batch_op.create_check_constraint(
        op.f(f"ck_{table}_lat_range"), "lat IS NULL OR lat BETWEEN -90 AND 90"
    )
    batch_op.create_check_constraint(
        op.f(f"ck_{table}_lon_range"), "lon IS NULL OR lon BETWEEN -180 AND 180"
    )


def upgrade():
    # SQLite rebuilds both tables for their CHECK constraints.
    with sqlite_rebuild(op):
        with op.batch_alter_table("schools", schema=None, table_kwargs=NEVER_REUSE_IDS) as batch_op:
            batch_op.add_column(
                sa.Column("operator", sa.String(16), server_default="city", nullable=False)
            )
            batch_op.add_column(sa.Column("sozialindex", sa.Integer(), nullable=True))
            batch_op.add_column(
                sa.Column("startchancen", sa.Boolean(), server_default=sa.false(), nullable=False)
            )
            batch_op.create_check_constraint(
                op.f("ck_schools_operator_code"), "operator IN ('city', 'other_public', 'private')"
            )
            batch_op.create_check_constraint(
                op.f("ck_schools_sozialindex_1_to_9"),
                "sozialindex IS NULL OR sozialindex BETWEEN 1 AND 9",
            )
            _coordinates(batch_op, "schools")
            batch_op.create_index(batch_op.f("ix_schools_operator"), ["operator"], unique=False)
        with op.batch_alter_table("sites", schema=None, table_kwargs=NEVER_REUSE_IDS) as batch_op:
            _coordinates(batch_op, "sites")


def downgrade():
    # SQLite rebuilds both tables for their CHECK constraints.
    with sqlite_rebuild(op):
        with op.batch_alter_table("sites", schema=None, table_kwargs=NEVER_REUSE_IDS) as batch_op:
            batch_op.drop_constraint(op.f("ck_sites_lon_range"), type_="check")
            batch_op.drop_constraint(op.f("ck_sites_lat_range"), type_="check")
            batch_op.drop_column("lon")
            batch_op.drop_column("lat")
        with op.batch_alter_table("schools", schema=None, table_kwargs=NEVER_REUSE_IDS) as batch_op:
            batch_op.drop_index(batch_op.f("ix_schools_operator"))
            batch_op.drop_constraint(op.f("ck_schools_lon_range"), type_="check")
            batch_op.drop_constraint(op.f("ck_schools_lat_range"), type_="check")
            batch_op.drop_constraint(op.f("ck_schools_sozialindex_1_to_9"), type_="check")
            batch_op.drop_constraint(op.f("ck_schools_operator_code"), type_="check")
            batch_op.drop_column("lon")
            batch_op.drop_column("lat")
            batch_op.drop_column("startchancen")
            batch_op.drop_column("sozialindex")
            batch_op.drop_column("operator")
