"""initial

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 14:23:47.660273
"""
import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('agreements',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('match_id', sa.String(length=64), nullable=True),
    sa.Column('sponsor_partner_id', sa.String(length=64), nullable=True),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreements_match_id'), ['match_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreements_sponsor_partner_id'), ['sponsor_partner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreements_status'), ['status'], unique=False)

    op.create_table('directory',
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'id')
    )
    op.create_table('inbox',
    sa.Column('consumer', sa.String(length=120), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('handled_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('consumer', 'event_id')
    )
    op.create_table('matches',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('company_id', sa.String(length=64), nullable=False),
    sa.Column('park_id', sa.String(length=64), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('outbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('event_type', sa.String(length=80), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_published_at'), ['published_at'], unique=False)

    op.create_table('agreement_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('agreement_id', sa.String(length=36), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_kind', sa.String(length=16), nullable=False),
    sa.Column('actor_id', sa.String(length=64), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('agreement_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_events_agreement_id'), ['agreement_id'], unique=False)

    op.create_table('agreement_parties',
    sa.Column('agreement_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('party_id', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], ),
    sa.PrimaryKeyConstraint('agreement_id', 'kind', 'party_id')
    )
    with op.batch_alter_table('agreement_parties', schema=None) as batch_op:
        batch_op.create_index('ix_agreement_parties_party', ['kind', 'party_id'], unique=False)


def downgrade():
    with op.batch_alter_table('agreement_parties', schema=None) as batch_op:
        batch_op.drop_index('ix_agreement_parties_party')

    op.drop_table('agreement_parties')
    with op.batch_alter_table('agreement_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_events_agreement_id'))

    op.drop_table('agreement_events')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_published_at'))

    op.drop_table('outbox')
    op.drop_table('matches')
    op.drop_table('inbox')
    op.drop_table('directory')
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreements_status'))
        batch_op.drop_index(batch_op.f('ix_agreements_sponsor_partner_id'))
        batch_op.drop_index(batch_op.f('ix_agreements_match_id'))

    op.drop_table('agreements')
