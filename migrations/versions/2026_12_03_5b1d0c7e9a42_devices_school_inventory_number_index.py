"""Devices indexed by (school_id, inventory_number): deep pages of a school's device list

A school's device list is read in inventory-number order straight from the index.

Revision ID: 5b1d0c7e9a42
Revises: bed0074bcd94
Create Date: 2026-12-03 17:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5b1d0c7e9a42'
down_revision = 'bed0074bcd94'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_devices_school_inventory_number', 'devices', ['school_id', 'inventory_number']
    )


def downgrade():
    op.drop_index('ix_devices_school_inventory_number', table_name='devices')
