"""allocation: companies' demand preferences and allocation rounds

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-24 10:00:00.000000

Written against 0001; the lead rechains it after 0002 (matching helper) on merge.
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('demand_preferences',
    sa.Column('company_id', sa.String(length=80), nullable=False),
    sa.Column('demand_ids', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('company_id')
    )
    op.create_table('allocation_rounds',
    sa.Column('round_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('scope', sa.JSON(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('round_id')
    )
    with op.batch_alter_table('allocation_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allocation_rounds_created_at'), ['created_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('allocation_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allocation_rounds_created_at'))

    op.drop_table('allocation_rounds')
    op.drop_table('demand_preferences')
