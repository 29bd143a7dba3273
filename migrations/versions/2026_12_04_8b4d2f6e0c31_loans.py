"""Loans of devices: loan-contract number, dates, condition at issue and return

One open loan per device (a partial unique index); no column for a pupil's name, address
or class (DSGVO data minimisation, docs/loans.md).

Revision ID: 8b4d2f6e0c31
Revises: 7a3c1e5d9b20
Create Date: 2026-12-04 18:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8b4d2f6e0c31'
down_revision = '7a3c1e5d9b20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('loans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('loan_number', sa.String(length=64), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('condition_out', sa.Text(), nullable=False),
    sa.Column('returned_on', sa.Date(), nullable=True),
    sa.Column('condition_in', sa.Text(), nullable=False),
    sa.Column('damaged', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('due_on >= issued_on', name=op.f('ck_loans_due_after_issue')),
    sa.CheckConstraint('returned_on IS NULL OR returned_on >= issued_on', name=op.f('ck_loans_returned_after_issue')),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_loans_device_id_devices'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_loans_school_id_schools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loans')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('loans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_loans_device_id'), ['device_id'], unique=False)
        batch_op.create_index('ix_loans_school_due', ['school_id', 'returned_on', 'due_on'], unique=False)
        batch_op.create_index('ix_loans_school_loan_number', ['school_id', 'loan_number'], unique=False)
        batch_op.create_index('uq_loans_one_open_per_device', ['device_id'], unique=True, sqlite_where=sa.text('returned_on IS NULL'), postgresql_where=sa.text('returned_on IS NULL'))


def downgrade():
    with op.batch_alter_table('loans', schema=None) as batch_op:
        batch_op.drop_index('uq_loans_one_open_per_device', sqlite_where=sa.text('returned_on IS NULL'), postgresql_where=sa.text('returned_on IS NULL'))
        batch_op.drop_index('ix_loans_school_loan_number')
        batch_op.drop_index('ix_loans_school_due')
        batch_op.drop_index(batch_op.f('ix_loans_device_id'))

    op.drop_table('loans')
