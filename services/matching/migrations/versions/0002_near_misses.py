"""near misses

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 15:30:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('near_misses',
    sa.Column('company_id', sa.String(length=80), nullable=False),
    sa.Column('demand_id', sa.String(length=80), nullable=False),
    sa.Column('park_id', sa.String(length=80), nullable=False),
    sa.Column('gap_count', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('recheck_on', sa.Date(), nullable=True),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('company_id', 'demand_id')
    )
    with op.batch_alter_table('near_misses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_near_misses_recheck_on'), ['recheck_on'],
                              unique=False)
        batch_op.create_index('ix_near_misses_demand_id', ['demand_id'], unique=False)
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.create_index('ix_matches_company_id', ['company_id'], unique=False)


def downgrade():
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.drop_index('ix_matches_company_id')
    with op.batch_alter_table('near_misses', schema=None) as batch_op:
        batch_op.drop_index('ix_near_misses_demand_id')
        batch_op.drop_index(batch_op.f('ix_near_misses_recheck_on'))

    op.drop_table('near_misses')
