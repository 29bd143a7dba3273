"""Stock-takes and their scans, the device status "missing", stock-take figures on inventory confirmations

A device seen twice in one stock-take counts once (unique stock_take_id, device_id), an
unknown number is kept once (unique stock_take_id, number where there is no device), and
one stock-take is open per school, school year, site and room at a time.

Revision ID: 40e0b9971ae0
Revises: 5c1e0a7d2b94
Create Date: 2026-12-03 17:11:57.973154

"""
from alembic import op
import sqlalchemy as sa

from app.migration_helpers import NEVER_REUSE_IDS, sqlite_rebuild

STATUSES = ["ordered", "in_use", "in_repair", "spare", "retired"]
STATUSES_WITH_MISSING = ["ordered", "in_use", "in_repair", "spare", "missing", "retired"]


def _device_statuses(codes):
    allowed = ", ".join(f"'{code}'" for code in codes)
    # SQLite rebuilds the table: it keeps AUTOINCREMENT (ids are never reused), with
    # foreign keys off so the drop does not cascade to the tables that refer to devices.
    with sqlite_rebuild(op), op.batch_alter_table(
        "devices", schema=None, table_kwargs=NEVER_REUSE_IDS
    ) as batch_op:
        batch_op.drop_constraint(op.f("ck_devices_status_code"), type_="check")
        batch_op.create_check_constraint(op.f("ck_devices_status_code"), f"status IN ({allowed})")


# revision identifiers, used by Alembic.
revision = '40e0b9971ae0'
down_revision = '5c1e0a7d2b94'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stock_takes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('school_year_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('room', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('found', sa.Integer(), nullable=True),
    sa.Column('missing', sa.Integer(), nullable=True),
    sa.Column('moved', sa.Integer(), nullable=True),
    sa.Column('unknown', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('open', 'confirmed')", name=op.f('ck_stock_takes_status_code')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_stock_takes_confirmed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_stock_takes_school_id_schools'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_year_id'], ['school_years.id'], name=op.f('fk_stock_takes_school_year_id_school_years'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_stock_takes_site_id_sites'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['started_by_id'], ['users.id'], name=op.f('fk_stock_takes_started_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_takes')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('stock_takes', schema=None) as batch_op:
        batch_op.create_index('ix_stock_takes_school_year', ['school_id', 'school_year_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_takes_school_year_id'), ['school_year_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_takes_site_id'), ['site_id'], unique=False)
        batch_op.create_index('uq_stock_takes_one_open_per_scope', ['school_id', 'school_year_id', 'site_id', 'room'], unique=True, sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))

    op.create_table('stock_take_scans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stock_take_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=64), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('seen_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_stock_take_scans_device_id_devices'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stock_take_id'], ['stock_takes.id'], name=op.f('fk_stock_take_scans_stock_take_id_stock_takes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_stock_take_scans_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_take_scans')),
    sa.UniqueConstraint('stock_take_id', 'device_id', name=op.f('uq_stock_take_scans_stock_take_id_device_id')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('stock_take_scans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_take_scans_device_id'), ['device_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_take_scans_stock_take_id'), ['stock_take_id'], unique=False)
        batch_op.create_index('uq_stock_take_scans_unknown_number', ['stock_take_id', 'number'], unique=True, sqlite_where=sa.text('device_id IS NULL'), postgresql_where=sa.text('device_id IS NULL'))

    with op.batch_alter_table('inventory_confirmations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stock_takes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('found', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('missing', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('moved', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('unknown', sa.Integer(), nullable=True))

    _device_statuses(STATUSES_WITH_MISSING)


def downgrade():
    # A device marked missing was last seen in use.
    op.execute("UPDATE devices SET status = 'in_use' WHERE status = 'missing'")
    _device_statuses(STATUSES)
    with op.batch_alter_table('inventory_confirmations', schema=None) as batch_op:
        batch_op.drop_column('unknown')
        batch_op.drop_column('moved')
        batch_op.drop_column('missing')
        batch_op.drop_column('found')
        batch_op.drop_column('stock_takes')

    with op.batch_alter_table('stock_take_scans', schema=None) as batch_op:
        batch_op.drop_index('uq_stock_take_scans_unknown_number', sqlite_where=sa.text('device_id IS NULL'), postgresql_where=sa.text('device_id IS NULL'))
        batch_op.drop_index(batch_op.f('ix_stock_take_scans_stock_take_id'))
        batch_op.drop_index(batch_op.f('ix_stock_take_scans_device_id'))

    op.drop_table('stock_take_scans')
    with op.batch_alter_table('stock_takes', schema=None) as batch_op:
        batch_op.drop_index('uq_stock_takes_one_open_per_scope', sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))
        batch_op.drop_index(batch_op.f('ix_stock_takes_site_id'))
        batch_op.drop_index(batch_op.f('ix_stock_takes_school_year_id'))
        batch_op.drop_index('ix_stock_takes_school_year')

    op.drop_table('stock_takes')
