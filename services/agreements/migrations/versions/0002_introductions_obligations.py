"""introductions obligations

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 15:26:37.833346
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('introductions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('match_id', sa.String(length=64), nullable=False),
    sa.Column('company_id', sa.String(length=64), nullable=False),
    sa.Column('park_id', sa.String(length=64), nullable=False),
    sa.Column('requester_kind', sa.String(length=16), nullable=False),
    sa.Column('requester_id', sa.String(length=64), nullable=False),
    sa.Column('sponsor_partner_id', sa.String(length=64), nullable=True),
    sa.Column('open_key', sa.String(length=200), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('open_key')
    )
    with op.batch_alter_table('introductions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_introductions_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_introductions_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_introductions_match_id'), ['match_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_introductions_park_id'), ['park_id'], unique=False)
        batch_op.create_index('ix_introductions_requester', ['requester_kind', 'requester_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_introductions_sponsor_partner_id'), ['sponsor_partner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_introductions_status'), ['status'], unique=False)

    op.create_table('obligations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('agreement_id', sa.String(length=36), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('obligations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_obligations_agreement_id'), ['agreement_id'], unique=False)

    op.create_table('obligation_fulfilments',
    sa.Column('obligation_id', sa.String(length=36), nullable=False),
    sa.Column('occurrence_on', sa.Date(), nullable=False),
    sa.Column('fulfilled_on', sa.Date(), nullable=False),
    sa.Column('on_time', sa.Boolean(), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['obligation_id'], ['obligations.id'], ),
    sa.PrimaryKeyConstraint('obligation_id', 'occurrence_on')
    )
    op.create_table('obligation_reminders',
    sa.Column('obligation_id', sa.String(length=36), nullable=False),
    sa.Column('occurrence_on', sa.Date(), nullable=False),
    sa.Column('reminder', sa.String(length=40), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['obligation_id'], ['obligations.id'], ),
    sa.PrimaryKeyConstraint('obligation_id', 'occurrence_on', 'reminder')
    )


def downgrade():
    op.drop_table('obligation_reminders')
    op.drop_table('obligation_fulfilments')
    with op.batch_alter_table('obligations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_obligations_agreement_id'))

    op.drop_table('obligations')
    with op.batch_alter_table('introductions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_introductions_status'))
        batch_op.drop_index(batch_op.f('ix_introductions_sponsor_partner_id'))
        batch_op.drop_index('ix_introductions_requester')
        batch_op.drop_index(batch_op.f('ix_introductions_park_id'))
        batch_op.drop_index(batch_op.f('ix_introductions_match_id'))
        batch_op.drop_index(batch_op.f('ix_introductions_expires_at'))
        batch_op.drop_index(batch_op.f('ix_introductions_company_id'))

    op.drop_table('introductions')
