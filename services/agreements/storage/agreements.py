"""Storage of agreements, who is party to which, and the audit trail."""

from sqlalchemy import (
    func,
    or_,
    select,
)

from services.platform.serialization import to_document
from services.platform.sql import as_utc, keyset_page

from .tables import (
    _parse_date,
    _parse_time,
    agreement_events,
    agreement_parties,
    agreements,
    matches,
)

# --- agreements ------------------------------------------------------------------

def insert_agreement(conn, agreement):
    conn.execute(agreements.insert().values(**_agreement_columns(agreement),
                                            created_at=agreement["created_at"]))
    conn.execute(agreement_parties.insert(), [
        {"agreement_id": agreement["id"], "kind": p["kind"], "party_id": p["id"]}
        for p in agreement["parties"]])


def save_agreement(conn, agreement):
    """Parties are fixed at proposal, so only the agreement row changes."""
    conn.execute(agreements.update().where(agreements.c.id == agreement["id"])
                 .values(**_agreement_columns(agreement)))


def get_agreement(conn, agreement_id, for_update=False):
    # FOR UPDATE: two parties signing at once queue up, so the second sees
    # the first's signature and exactly one of them completes the agreement.
    query = select(agreements.c.document).where(agreements.c.id == agreement_id)
    if for_update:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return _agreement_from(row.document) if row else None


def list_agreements_in(conn, statuses):
    rows = conn.execute(select(agreements.c.document).where(agreements.c.status.in_(statuses))
                        .order_by(agreements.c.created_at, agreements.c.id)).all()
    return [_agreement_from(row.document) for row in rows]


def _involving(kind, actor_id):
    """Agreements `kind`/`actor_id` is a party to or (as a partner) sponsors."""
    as_party = select(agreement_parties.c.agreement_id).where(
        agreement_parties.c.kind == kind, agreement_parties.c.party_id == actor_id)
    condition = agreements.c.id.in_(as_party)
    if kind == "partner":
        condition = or_(condition, agreements.c.sponsor_partner_id == actor_id)
    return condition


def list_agreements_involving(conn, kind, actor_id):
    rows = conn.execute(select(agreements.c.document).where(_involving(kind, actor_id))
                        .order_by(agreements.c.created_at, agreements.c.id)).all()
    return [_agreement_from(row.document) for row in rows]


AGREEMENT_ORDER = ((agreements.c.created_at, False), (agreements.c.id, False))


def agreements_page(conn, kind, actor_id, after, size):
    """A page of every agreement (kind None: the operator) or of those
    `kind`/`actor_id` is involved in, oldest first."""
    query = select(agreements.c.document)
    if kind is not None:
        query = query.where(_involving(kind, actor_id))
    rows = conn.execute(keyset_page(query, AGREEMENT_ORDER, after, size)).all()
    return [_agreement_from(row.document) for row in rows]


def _agreement_columns(agreement):
    return {"id": agreement["id"], "version": agreement["version"],
            "status": agreement["status"], "kind": agreement["kind"],
            "match_id": agreement["match_id"],
            "sponsor_partner_id": agreement["sponsor_partner_id"],
            "document": to_document(agreement), "updated_at": agreement["updated_at"]}


def _agreement_from(document):
    # Only the known time fields are parsed back: free text that happens to
    # look like a date (a title, the terms) stays text.
    agreement = dict(document)
    for name in ("signed_at", "created_at", "updated_at", "proposed_at"):
        agreement[name] = _parse_time(agreement.get(name))
    for name in ("starts_on", "ends_on"):
        agreement[name] = _parse_date(agreement.get(name))
    agreement.setdefault("proposed_at", None)
    agreement["parties"] = [{**party, "signed_at": _parse_time(party.get("signed_at"))}
                            for party in agreement["parties"]]
    return agreement


# --- the audit trail ---------------------------------------------------------------

def append_history(conn, entries):
    if entries:
        conn.execute(agreement_events.insert(), [
            {"agreement_id": e["agreement_id"], "at": e["at"], "actor_kind": e["actor"]["kind"],
             "actor_id": e["actor"]["id"], "action": e["action"], "details": e["details"]}
            for e in entries])


def history_page(conn, agreement_id, after, size):
    """A page of the audit trail, oldest first (in the order it was written)."""
    query = select(agreement_events).where(agreement_events.c.agreement_id == agreement_id)
    rows = conn.execute(keyset_page(query, ((agreement_events.c.id, False),), after,
                                    size)).all()
    return [{"id": row.id, "agreement_id": row.agreement_id, "at": as_utc(row.at),
             "actor": {"kind": row.actor_kind, "id": row.actor_id},
             "action": row.action, "details": row.details} for row in rows]


def count_matches_of_park(conn, park_id):
    """Every match of the park's demands this service has heard of, whatever its status now."""
    return conn.execute(select(func.count()).select_from(matches)
                        .where(matches.c.park_id == park_id)).scalar_one()
