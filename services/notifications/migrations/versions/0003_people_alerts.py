"""alerts to the people of companies, parks and partners: the people
directory, organisation alerts (the inbox) and their read marks, and the
per-person ledger of e-mails (budget, digests, never twice)

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


# Making alerts.partner_id and deliveries.partner_id nullable rebuilds both
# tables on SQLite while other rows point at them: run it through
# services.platform.migrations.upgrade, which turns foreign keys off for the
# migration and checks every reference afterwards.

def upgrade():
    op.create_table(
        'people',
        sa.Column('person_id', sa.String(length=36), nullable=False),
        sa.Column('organisation_kind', sa.String(length=16), nullable=False),
        sa.Column('organisation_id', sa.String(length=64), nullable=False),
        sa.Column('email', sa.String(length=320), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('language', sa.String(length=2), nullable=False),
        sa.Column('time_zone', sa.String(length=64), nullable=True),
        sa.Column('country', sa.String(length=2), nullable=True),
        sa.Column('mode', sa.String(length=16), nullable=False),
        sa.Column('digest_hour', sa.Integer(), nullable=True),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('removed', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('person_id'),
    )
    op.create_index('ix_people_organisation', 'people',
                    ['organisation_kind', 'organisation_id'], unique=False)

    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.alter_column('partner_id', existing_type=sa.String(length=36), nullable=True)
        batch_op.add_column(sa.Column('organisation_kind', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('organisation_id', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_alerts_organisation_created',
                              ['organisation_kind', 'organisation_id', 'created_at'],
                              unique=False)

    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.alter_column('partner_id', existing_type=sa.String(length=36), nullable=True)
        batch_op.add_column(sa.Column('person_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('language', sa.String(length=2), nullable=True))

    op.create_table(
        'person_alerts',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('person_id', sa.String(length=36), nullable=False),
        sa.Column('alert_id', sa.String(length=36), nullable=False),
        sa.Column('subject_id', sa.String(length=64), nullable=False),
        sa.Column('disposition', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('digest_alert_id', sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(['alert_id'], ['alerts.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('person_id', 'alert_id', name='uq_person_alerts_person_alert'),
    )
    op.create_index('ix_person_alerts_due', 'person_alerts', ['disposition', 'due_at'],
                    unique=False)
    op.create_index('ix_person_alerts_person_created', 'person_alerts',
                    ['person_id', 'disposition', 'created_at'], unique=False)
    op.create_index('ix_person_alerts_subject', 'person_alerts',
                    ['subject_id', 'disposition'], unique=False)

    op.create_table(
        'inbox_reads',
        sa.Column('alert_id', sa.String(length=36), nullable=False),
        sa.Column('person_id', sa.String(length=36), nullable=False),
        sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['alert_id'], ['alerts.id']),
        sa.PrimaryKeyConstraint('alert_id', 'person_id'),
    )


def downgrade():
    op.drop_table('inbox_reads')
    op.drop_index('ix_person_alerts_subject', table_name='person_alerts')
    op.drop_index('ix_person_alerts_person_created', table_name='person_alerts')
    op.drop_index('ix_person_alerts_due', table_name='person_alerts')
    op.drop_table('person_alerts')
    op.execute("DELETE FROM delivery_attempts WHERE delivery_id IN "
               "(SELECT id FROM deliveries WHERE partner_id IS NULL)")
    op.execute("DELETE FROM deliveries WHERE partner_id IS NULL")
    op.execute("DELETE FROM alerts WHERE partner_id IS NULL")
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_column('language')
        batch_op.drop_column('person_id')
        batch_op.alter_column('partner_id', existing_type=sa.String(length=36), nullable=False)
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_alerts_organisation_created')
        batch_op.drop_column('organisation_id')
        batch_op.drop_column('organisation_kind')
        batch_op.alter_column('partner_id', existing_type=sa.String(length=36), nullable=False)
    op.drop_index('ix_people_organisation', table_name='people')
    op.drop_table('people')
