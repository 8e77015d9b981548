"""The webhook signing secrets at rest: sealed with services.platform.secretbox
(never stored in plaintext), each bound to its table, column and row, so a
value copied to another row or column does not open there. The contexts are
part of the stored data: never change them (migration 0004 seals with the
same ones)."""
from sqlalchemy import select

from services.platform import secretbox

from .tables import channels, partners

# (table, column, its primary key): every stored secret
SEALED_COLUMNS = ((channels, "secret"), (channels, "previous_secret"),
                  (partners, "webhook_secret"))


def context(table, column, row_id):
    return f"notifications.{table.name}.{column}:{row_id}"


def seal(box, table, column, row_id, plaintext):
    if plaintext is None:
        return None
    if box is None:
        raise secretbox.BadKey("a webhook secret is stored only sealed: no secret box given")
    return box.seal(plaintext, context(table, column, row_id))


def unseal(box, table, column, row_id, stored):
    if stored is None:
        return None
    if box is None:
        raise secretbox.BadKey("a stored webhook secret opens only with the secret box")
    return box.open(stored, context(table, column, row_id))


def reseal_all(conn, box):
    """Seal with the box's current key every stored secret that is still in
    plaintext or sealed with an old key. Returns how many values changed."""
    changed = 0
    for table, column in SEALED_COLUMNS:
        stored = table.c[column]
        rows = conn.execute(select(table.c.id, stored).where(stored.is_not(None))).all()
        for row_id, value in rows:
            if not box.needs_resealing(value):
                continue
            plaintext = (unseal(box, table, column, row_id, value)
                         if secretbox.is_sealed(value) else value)
            conn.execute(table.update().where(table.c.id == row_id).values(
                {column: seal(box, table, column, row_id, plaintext)}))
            changed += 1
    return changed
