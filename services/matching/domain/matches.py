"""A match's life: its identity, what an evaluation does to it (found,
updated, withdrawn), its event payload, how matches are listed, who may see
one and how it is shown in a language."""
import uuid

from services.contracts.actors import is_actor, is_operator

from ..messages import language, render
from .criteria import localized_outcome, material_outcome

ACTIVE, WITHDRAWN = "active", "withdrawn"

# One fixed namespace: the same (company, demand) pair always gets the same
# match id, so two processes evaluating it at once collide on the key instead
# of creating two matches.
_MATCH_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://parkmatch/matches")


def match_id(company_id, demand_id):
    return str(uuid.uuid5(_MATCH_NAMESPACE, f"{company_id}/{demand_id}"))


def _material(match):
    """What makes a match different for its readers. Explanations are left
    out: an age in words moves every day, and that alone is no news."""
    return {
        "company": match["company"],
        "demand": match["demand"],
        "score": match["score"],
        "outcomes": [material_outcome(o) for o in match["outcomes"]],
    }


def _record(evaluation, version, status, created_at, now):
    return {
        "match_id": evaluation["match_id"],
        "version": version,
        "status": status,
        "company": evaluation["company"],
        "demand": evaluation["demand"],
        "score": evaluation["score"],
        "outcomes": evaluation["outcomes"],
        "summary": evaluation["summary"],
        "summaries": evaluation["summaries"],
        "summary_message": evaluation["summary_message"],
        "withdrawn_reason": None if status == ACTIVE else evaluation["withdrawn_reason"],
        "withdrawn_reasons": None if status == ACTIVE else evaluation["withdrawn_reasons"],
        "withdrawn_message": None if status == ACTIVE else evaluation["withdrawn_message"],
        "created_at": created_at,
        "updated_at": now,
    }


def next_match(existing, evaluation, now):
    """What an evaluation does to the pair's match: (new record, event type),
    or None when nothing changes (and so nothing is emitted)."""
    qualifies = evaluation["qualifies"]
    if existing is None:
        return (_record(evaluation, 1, ACTIVE, now, now), "match.found") if qualifies else None
    version, created_at = existing["version"] + 1, existing["created_at"]
    if existing["status"] == WITHDRAWN:
        if not qualifies:
            return None
        return _record(evaluation, version, ACTIVE, created_at, now), "match.found"
    if not qualifies:
        return _record(evaluation, version, WITHDRAWN, created_at, now), "match.withdrawn"
    if _material(existing) == _material(evaluation):
        return None
    return _record(evaluation, version, ACTIVE, created_at, now), "match.updated"


def event_payload(record):
    """The MatchV1 payload of a stored match."""
    return {key: value for key, value in record.items() if key not in ("created_at", "updated_at")}


def ranked(matches, include_withdrawn=False):
    """Active matches best first, ties broken by match id so every call
    lists them in the same order; withdrawn ones (if asked for) after."""
    shown = [m for m in matches if include_withdrawn or m["status"] == ACTIVE]
    return sorted(shown, key=lambda m: (m["status"] != ACTIVE, -m["score"], m["match_id"]))


def may_see_match(actor, match):
    """The matched company, the demand's park, any partner (matches carry no
    private data) and the operator."""
    return (is_operator(actor)
            or (actor or {}).get("kind") == "partner"
            or is_actor(actor, "company", match["company"]["company_id"])
            or is_actor(actor, "park", match["demand"]["park_id"]))


def localized_match(match, lang):
    """A stored match with its texts in `lang` (rendered from the stored
    message ids, so every language reads the same facts)."""
    lang = language(lang)
    shown = {**match, "lang": lang,
             "outcomes": [localized_outcome(o, lang) for o in match["outcomes"]]}
    if match.get("summary_message"):
        shown["summary"] = render(match["summary_message"], lang)
    if match.get("withdrawn_message") and match.get("status") == WITHDRAWN:
        shown["withdrawn_reason"] = render(match["withdrawn_message"], lang)
    return shown
