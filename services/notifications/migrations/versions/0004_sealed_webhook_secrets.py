"""webhook secrets sealed at rest: every stored signing secret (channels'
current and previous ones, partners' registration secret) still in
plaintext is sealed with PARKMATCH_SECRETS_KEY (services.platform.secretbox),
bound to its table, column and row. Without the key, and with secrets to
seal, the migration stops (and the service with it) and says how to make one.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

from services.platform import secretbox

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# What storage/secrets.py reads: the same contexts, forever.
SEALED = (('channels', 'secret'), ('channels', 'previous_secret'),
          ('partners', 'webhook_secret'))


def _rows(conn, table_name, column):
    table = sa.table(table_name, sa.column('id'), sa.column(column))
    rows = conn.execute(sa.select(table.c.id, table.c[column])
                        .where(table.c[column].is_not(None))).all()
    return table, rows


def _convert(convert_value):
    conn = op.get_bind()
    box = None
    for table_name, column in SEALED:
        table, rows = _rows(conn, table_name, column)
        for row_id, value in rows:
            box = box or secretbox.from_environment()
            new_value = convert_value(box, value, f"notifications.{table_name}.{column}:{row_id}")
            if new_value != value:
                conn.execute(table.update().where(table.c.id == row_id)
                             .values({column: new_value}))


def upgrade():
    _convert(lambda box, value, context: value if secretbox.is_sealed(value)
             else box.seal(value, context))


def downgrade():
    _convert(lambda box, value, context: box.open(value, context)
             if secretbox.is_sealed(value) else value)
