"""channels (with their own webhook secrets), digest items, alert disposition
and content hash, delivery channel and redelivery rounds

Revision ID: 0002
Revises: 0001
"""
import json
import uuid

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'channels',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('partner_id', sa.String(length=36), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('target', sa.Text(), nullable=False),
        sa.Column('label', sa.Text(), nullable=True),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('disabled_reason', sa.Text(), nullable=True),
        sa.Column('consecutive_failures', sa.Integer(), nullable=False),
        sa.Column('secret', sa.Text(), nullable=True),
        sa.Column('previous_secret', sa.Text(), nullable=True),
        sa.Column('previous_secret_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['partner_id'], ['partners.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('channels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_channels_partner_id'), ['partner_id'], unique=False)

    op.create_table(
        'digest_items',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('partner_id', sa.String(length=36), nullable=False),
        sa.Column('subscription_id', sa.String(length=36), nullable=True),
        sa.Column('alert_id', sa.String(length=36), nullable=False),
        sa.Column('subject_id', sa.String(length=64), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('language', sa.String(length=2), nullable=False),
        sa.Column('channel_ids', sa.JSON(), nullable=False),
        sa.Column('digest_alert_id', sa.String(length=36), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['alert_id'], ['alerts.id']),
        sa.ForeignKeyConstraint(['partner_id'], ['partners.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('digest_items', schema=None) as batch_op:
        batch_op.create_index('ix_digest_items_due', ['status', 'due_at'], unique=False)
        batch_op.create_index('ix_digest_items_subject', ['partner_id', 'subject_id', 'status'],
                              unique=False)

    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('disposition', sa.String(length=16), nullable=False,
                                      server_default='immediate'))
        batch_op.add_column(sa.Column('language', sa.String(length=2), nullable=False,
                                      server_default='en'))
        batch_op.create_index('ix_alerts_partner_subject', ['partner_id', 'subject_id'],
                              unique=False)

    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('channel_kind', sa.String(length=16), nullable=False,
                                      server_default='webhook'))
        batch_op.add_column(sa.Column('round_start', sa.Integer(), nullable=False,
                                      server_default='0'))

    # Every webhook URL given at registration becomes a channel, signed with
    # the registration's secret as before.
    conn = op.get_bind()
    partners = conn.execute(sa.text(
        "SELECT id, webhook_secret, document, created_at FROM partners")).all()
    for row in partners:
        document = row.document if isinstance(row.document, dict) else json.loads(row.document)
        for url in document.get("webhooks") or []:
            conn.execute(sa.text(
                "INSERT INTO channels (id, partner_id, kind, target, enabled, "
                "consecutive_failures, secret, created_at) VALUES "
                "(:id, :partner_id, 'webhook', :url, :enabled, 0, :secret, :created_at)"),
                {"id": str(uuid.uuid4()), "partner_id": row.id, "url": url, "enabled": True,
                 "secret": row.webhook_secret, "created_at": row.created_at})


def downgrade():
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_column('round_start')
        batch_op.drop_column('channel_kind')
        batch_op.drop_column('channel_id')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_alerts_partner_subject')
        batch_op.drop_column('language')
        batch_op.drop_column('disposition')
        batch_op.drop_column('content_hash')
    with op.batch_alter_table('digest_items', schema=None) as batch_op:
        batch_op.drop_index('ix_digest_items_subject')
        batch_op.drop_index('ix_digest_items_due')
    op.drop_table('digest_items')
    with op.batch_alter_table('channels', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_channels_partner_id'))
    op.drop_table('channels')
