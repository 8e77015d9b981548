"""The funnel of one park or partner, from its own records here and (for a
partner) the count of matches notifications alerted it of."""
import logging

from services.contracts.actors import is_actor, is_operator, require_authenticated
from services.contracts.errors import Forbidden, InvalidInput, NotFound

from .. import domain, storage
from ..schemas import FunnelOut
from .common import business_today

log = logging.getLogger(__name__)


def get_funnel(db, actor, query, matches_alerted=None):
    """GET /api/funnel?partner_id=... or ?park_id=...: the partner or park itself, or the
    operator."""
    require_authenticated(actor)
    partner_id, park_id = (query or {}).get("partner_id"), (query or {}).get("park_id")
    if bool(partner_id) == bool(park_id):
        raise InvalidInput({"_schema": ["give exactly one of partner_id or park_id"]})
    kind, subject_id = ("partner", partner_id) if partner_id else ("park", park_id)
    if not (is_operator(actor) or is_actor(actor, kind, subject_id)):
        raise Forbidden(f"only the {kind} itself or the operator may see its funnel")
    today = business_today()

    def work(uow):
        conn = uow.connection
        if storage.get_directory_entry(conn, kind, subject_id) is None:
            raise NotFound(f"no {kind} {subject_id}")
        introductions = storage.list_introductions(conn, kind, subject_id)
        agreements = storage.list_agreements_involving(conn, kind, subject_id)
        obligations = storage.list_obligations(conn, [a["id"] for a in agreements])
        fulfilments = storage.list_fulfilments(conn, [o["id"] for o in obligations])
        matches = storage.count_matches_of_park(conn, subject_id) if kind == "park" else None
        return introductions, agreements, obligations, fulfilments, matches

    introductions, agreements, obligations, fulfilments, matches = db.run(work)
    source = "agreements' record of match events for the park's demands"
    if kind == "partner":
        matches, source = _partner_matches(actor, subject_id, matches_alerted)
    counts = domain.funnel_counts(matches, introductions, agreements, obligations, fulfilments,
                                  today)
    return FunnelOut().dump({**domain.funnel(counts), f"{kind}_id": subject_id, "as_of": today,
                             "matches_source": source})


def _partner_matches(actor, partner_id, matches_alerted):
    """Matches a partner was alerted of, from notifications (RPC
    notifications.matches_alerted); None when notifications cannot say."""
    if matches_alerted is None:
        return None, "unavailable"
    try:
        return int(matches_alerted(actor, partner_id)["matches"]), \
            "notifications: matches alerted to the partner"
    except Exception as exc:  # noqa: BLE001  (a missing count must not hide the rest)
        log.warning("funnel: notifications.matches_alerted failed: %s", exc)
        return None, f"unavailable ({type(exc).__name__})"
