"""companies registered through the web app wait for their e-mail address to
be confirmed before anyone else sees them (companies.pending_verification)

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    # every company stored before this migration was announced at once
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending_verification', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.drop_column('pending_verification')
