"""Subscriptions, stored as documents."""
from sqlalchemy import select

from services.platform.serialization import from_document, to_document
from services.platform.sql import keyset_page

from .tables import subscriptions


def insert_subscription(conn, subscription):
    conn.execute(subscriptions.insert().values(
        id=subscription["id"], partner_id=subscription["partner_id"],
        document=to_document(subscription), created_at=subscription["created_at"]))


def list_subscriptions(conn, partner_id=None):
    """A partner's subscriptions, or everyone's (to route an event)."""
    query = select(subscriptions.c.document).order_by(subscriptions.c.created_at)
    if partner_id is not None:
        query = query.where(subscriptions.c.partner_id == partner_id)
    return [from_document(row.document) for row in conn.execute(query)]


SUBSCRIPTION_ORDER = ((subscriptions.c.created_at, False), (subscriptions.c.id, False))


def subscriptions_page(conn, partner_id, after, size):
    """A page of the partner's subscriptions, oldest first (ties by id)."""
    query = select(subscriptions.c.document).where(subscriptions.c.partner_id == partner_id)
    return [from_document(row.document)
            for row in conn.execute(keyset_page(query, SUBSCRIPTION_ORDER, after, size))]


def get_subscription(conn, partner_id, subscription_id):
    row = conn.execute(select(subscriptions.c.document).where(
        subscriptions.c.id == subscription_id,
        subscriptions.c.partner_id == partner_id)).first()
    return from_document(row.document) if row else None


def replace_subscription(conn, subscription):
    conn.execute(subscriptions.update().where(subscriptions.c.id == subscription["id"])
                 .values(document=to_document(subscription)))


def delete_subscription(conn, subscription_id):
    conn.execute(subscriptions.delete().where(subscriptions.c.id == subscription_id))
