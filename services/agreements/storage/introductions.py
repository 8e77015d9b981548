"""Storage of introductions (double opt-in)."""

from sqlalchemy import (
    func,
    or_,
    select,
    update,
)

from services.platform.serialization import to_document
from services.platform.sql import insert_if_absent, keyset_page

from .. import domain
from .tables import (
    _parse_time,
    _real_now,
    introductions,
)

# --- introductions ---------------------------------------------------------------------

def _introduction_columns(introduction):
    return {"id": introduction["id"], "version": introduction["version"],
            "status": introduction["status"], "match_id": introduction["match_id"],
            "company_id": introduction["company_id"], "park_id": introduction["park_id"],
            "requester_kind": introduction["requester"]["kind"],
            "requester_id": introduction["requester"]["id"],
            "sponsor_partner_id": introduction["sponsor_partner_id"],
            "open_key": domain.open_key(introduction),
            "expires_at": introduction["expires_at"],
            "document": to_document(introduction),
            "requested_at": introduction["requested_at"], "updated_at": _real_now()}


def _introduction_from(document):
    introduction = dict(document)
    for name in ("requested_at", "expires_at", "decided_at"):
        introduction[name] = _parse_time(introduction.get(name))
    return introduction


def insert_introduction(conn, introduction):
    """True if stored; False if an open request for the same match by the same
    requester was stored first (by a concurrent request)."""
    return insert_if_absent(conn, introductions, _introduction_columns(introduction))


def save_introduction(conn, introduction, expected_status):
    """Write the new state if the stored one is still `expected_status`
    (a competing timer or answer may have moved it); True if written."""
    result = conn.execute(update(introductions).where(
        introductions.c.id == introduction["id"],
        introductions.c.status == expected_status).values(
            **{k: v for k, v in _introduction_columns(introduction).items() if k != "id"}))
    return result.rowcount == 1


def get_introduction(conn, introduction_id, for_update=False):
    query = select(introductions.c.document).where(introductions.c.id == introduction_id)
    if for_update:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return _introduction_from(row.document) if row else None


def latest_introduction_for(conn, match_id, requester):
    row = conn.execute(select(introductions.c.document).where(
        introductions.c.match_id == match_id,
        introductions.c.requester_kind == requester["kind"],
        introductions.c.requester_id == requester["id"])
        .order_by(introductions.c.requested_at.desc()).limit(1)).first()
    return _introduction_from(row.document) if row else None


def count_open_introductions_by(conn, requester):
    return conn.execute(select(func.count()).select_from(introductions).where(
        introductions.c.requester_kind == requester["kind"],
        introductions.c.requester_id == requester["id"],
        introductions.c.status == "requested")).scalar_one()


def _introductions_of(kind, actor_id):
    """All (kind None: the operator), or those `kind`/`actor_id` is a side of."""
    query = select(introductions.c.document)
    if kind is not None:
        sides = [and_requester(kind, actor_id)]
        if kind == "company":
            sides.append(introductions.c.company_id == actor_id)
        elif kind == "park":
            sides.append(introductions.c.park_id == actor_id)
        elif kind == "partner":
            sides.append(introductions.c.sponsor_partner_id == actor_id)
        query = query.where(or_(*sides))
    return query


INTRODUCTION_ORDER = ((introductions.c.requested_at, False), (introductions.c.id, False))


def list_introductions(conn, kind=None, actor_id=None):
    rows = conn.execute(_introductions_of(kind, actor_id)
                        .order_by(introductions.c.requested_at, introductions.c.id)).all()
    return [_introduction_from(row.document) for row in rows]


def introductions_page(conn, kind, actor_id, status, after, size):
    """A page of list_introductions (only those in `status`, if given), oldest first."""
    query = _introductions_of(kind, actor_id)
    if status:
        query = query.where(introductions.c.status == status)
    rows = conn.execute(keyset_page(query, INTRODUCTION_ORDER, after, size)).all()
    return [_introduction_from(row.document) for row in rows]


def and_requester(kind, actor_id):
    return (introductions.c.requester_kind == kind) & (introductions.c.requester_id == actor_id)


def list_expired_open_introductions(conn, now, limit=200):
    rows = conn.execute(select(introductions.c.document).where(
        introductions.c.status == "requested", introductions.c.expires_at <= now)
        .order_by(introductions.c.expires_at).limit(limit)).all()
    return [_introduction_from(row.document) for row in rows]
