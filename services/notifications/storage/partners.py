"""Partners (their API-key hash and the registration's webhook secret, sealed:
see secrets.py)."""
from sqlalchemy import select

from services.platform.serialization import from_document, to_document
from services.platform.sql import as_utc, keyset_page

from .secrets import seal, unseal
from .tables import partners


def insert_partner(conn, partner, api_key_hash, webhook_secret, box):
    """webhook_secret: the secret given at registration (it also signs for
    the channels made from the registration's webhook URLs), sealed with `box`."""
    conn.execute(partners.insert().values(
        id=partner["id"], version=partner["version"], api_key_hash=api_key_hash,
        webhook_secret=seal(box, partners, "webhook_secret", partner["id"], webhook_secret),
        document=to_document(partner),
        created_at=partner["created_at"]))


def get_partner(conn, partner_id):
    row = conn.execute(select(partners.c.document).where(partners.c.id == partner_id)).first()
    return from_document(row.document) if row else None


def partner_id_for_key(conn, api_key_hash):
    return conn.execute(select(partners.c.id)
                        .where(partners.c.api_key_hash == api_key_hash)).scalar()


def existing_partner_ids(conn, partner_ids):
    if not partner_ids:
        return set()
    rows = conn.execute(select(partners.c.id).where(partners.c.id.in_(list(partner_ids))))
    return {row.id for row in rows}


def partners_by_id(conn, partner_ids):
    if not partner_ids:
        return {}
    rows = conn.execute(select(partners.c.id, partners.c.document)
                        .where(partners.c.id.in_(list(partner_ids))))
    return {row.id: from_document(row.document) for row in rows}


def webhook_secrets(conn, partner_ids, box):
    """partner id -> its registration's webhook secret, opened with `box`."""
    if not partner_ids:
        return {}
    rows = conn.execute(select(partners.c.id, partners.c.webhook_secret)
                        .where(partners.c.id.in_(list(partner_ids))))
    return {row.id: unseal(box, partners, "webhook_secret", row.id, row.webhook_secret)
            for row in rows}


PARTNER_ORDER = ((partners.c.created_at, False), (partners.c.id, False))


def partners_page(conn, after, size):
    """A page of every partner, oldest registration first."""
    query = select(partners.c.document, partners.c.created_at)
    rows = conn.execute(keyset_page(query, PARTNER_ORDER, after, size))
    # positioned by the column it is ordered by (the document holds the same moment)
    return [{**from_document(row.document), "created_at": as_utc(row.created_at)}
            for row in rows]
