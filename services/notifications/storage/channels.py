"""Channels, with their webhook signing secrets (never part of what is
returned; stored sealed, see secrets.py: the functions that write or read
them take the secret box)."""
from sqlalchemy import select

from services.platform.sql import as_utc, keyset_page

from .secrets import seal, unseal
from .tables import channels

SECRET_COLUMNS = ("secret", "previous_secret")


def _channel(row):
    return {"id": row.id, "partner_id": row.partner_id, "kind": row.kind,
            "url": row.target if row.kind == "webhook" else None,
            "address": row.target if row.kind == "email" else None,
            "target": row.target, "label": row.label, "enabled": row.enabled,
            "disabled_reason": row.disabled_reason,
            "consecutive_failures": row.consecutive_failures,
            "previous_secret_valid_until": as_utc(row.previous_secret_until)
            if row.previous_secret else None,
            "created_at": as_utc(row.created_at)}


def insert_channel(conn, channel, secret=None, box=None):
    """`secret`: a webhook channel's signing secret, sealed with `box`."""
    secret = seal(box, channels, "secret", channel["id"], secret)
    conn.execute(channels.insert().values(
        id=channel["id"], partner_id=channel["partner_id"], kind=channel["kind"],
        target=channel["target"], label=channel.get("label"), enabled=channel["enabled"],
        disabled_reason=channel["disabled_reason"],
        consecutive_failures=channel["consecutive_failures"], secret=secret,
        created_at=channel["created_at"]))


def list_channels(conn, partner_id):
    rows = conn.execute(select(channels).where(channels.c.partner_id == partner_id,
                                               channels.c.deleted_at.is_(None))
                        .order_by(channels.c.created_at, channels.c.id))
    return [_channel(row) for row in rows]


CHANNEL_ORDER = ((channels.c.created_at, False), (channels.c.id, False))


def channels_page(conn, partner_id, after, size):
    """A page of the partner's channels, oldest first (list_channels' order)."""
    query = select(channels).where(channels.c.partner_id == partner_id,
                                   channels.c.deleted_at.is_(None))
    return [_channel(row) for row in conn.execute(keyset_page(query, CHANNEL_ORDER, after, size))]


def get_channel(conn, partner_id, channel_id, for_update=False):
    query = select(channels).where(channels.c.id == channel_id,
                                   channels.c.partner_id == partner_id,
                                   channels.c.deleted_at.is_(None))
    if for_update and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    return _channel(row) if row else None


def channels_by_id(conn, channel_ids):
    if not channel_ids:
        return {}
    rows = conn.execute(select(channels).where(channels.c.id.in_(list(channel_ids))))
    return {row.id: {**_channel(row), "deleted": row.deleted_at is not None} for row in rows}


def update_channel(conn, channel_id, changes):
    if set(changes) & set(SECRET_COLUMNS):
        raise ValueError("a channel's secrets change through set_channel_secrets only")
    conn.execute(channels.update().where(channels.c.id == channel_id).values(**changes))


def set_channel_secrets(conn, box, channel_id, secrets):
    """Store a channel's {secret, previous_secret, previous_secret_until}
    (domain.rotated_secrets), the secrets sealed with `box`."""
    conn.execute(channels.update().where(channels.c.id == channel_id).values(
        secret=seal(box, channels, "secret", channel_id, secrets["secret"]),
        previous_secret=seal(box, channels, "previous_secret", channel_id,
                             secrets["previous_secret"]),
        previous_secret_until=secrets["previous_secret_until"]))


def channel_secrets(conn, channel_ids, box):
    """channel id -> {secret, previous_secret, previous_secret_until}, the
    secrets opened with `box` (secretbox.CannotOpen when a key is missing)."""
    if not channel_ids:
        return {}
    rows = conn.execute(select(channels.c.id, channels.c.secret, channels.c.previous_secret,
                               channels.c.previous_secret_until)
                        .where(channels.c.id.in_(list(channel_ids))))
    return {row.id: {"secret": unseal(box, channels, "secret", row.id, row.secret),
                     "previous_secret": unseal(box, channels, "previous_secret", row.id,
                                               row.previous_secret),
                     "previous_secret_until": as_utc(row.previous_secret_until)}
            for row in rows}
