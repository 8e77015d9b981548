"""Proposing an agreement: who it is from (a party, the sponsor partner, or
the operator on someone's behalf), what a proposal must satisfy, and the new
agreement it makes."""
from services.contracts.actors import is_operator
from services.contracts.errors import Forbidden
from services.platform.records import new_id

from .directory import unusable_match
from .lifecycle import INITIAL_STATE
from .parties import actor_ref, as_ref, key


def choose_proposer(actor, proposal):
    """(who the proposal is from, the sponsor partner id it ends up with).

    A party proposes for itself; a partner that is not a party proposes as the
    sponsor (and becomes it if none was named); the operator may name the
    proposer (`proposed_by`), by default the first party. Anyone else: Forbidden.
    """
    sponsor_id = proposal.get("sponsor_partner_id")
    named = proposal.get("proposed_by")
    if is_operator(actor):
        # The events name a party as proposer, never the operator.
        return as_ref(named or proposal["parties"][0]), sponsor_id
    me = actor_ref(actor)
    if named and key(named) != key(me):
        raise Forbidden("only the operator may propose on behalf of someone else")
    if any(key(p) == key(me) for p in proposal["parties"]):
        return me, sponsor_id
    if me["kind"] == "partner":
        if sponsor_id in (None, me["id"]):
            return me, me["id"]
        raise Forbidden("a partner may sponsor an agreement itself, "
                        f"not on behalf of partner {sponsor_id}")
    raise Forbidden("only a party to the agreement, its sponsor partner or the operator "
                    "may propose it")


def proposal_problems(proposal, proposer, sponsor_id, directory, match):
    """Field -> reasons the proposal cannot be accepted (empty if it can).

    `directory` maps (kind, id) to the known entries among those named;
    `match` is the match named by match_id, or None if it is unknown."""
    problems = {}
    for index, party in enumerate(proposal["parties"]):
        if key(party) not in directory:
            problems[f"parties[{index}].id"] = [f"unknown {party['kind']} {party['id']}"]
    if sponsor_id and ("partner", sponsor_id) not in directory:
        problems["sponsor_partner_id"] = [f"unknown partner {sponsor_id}"]
    is_sponsor = proposer["kind"] == "partner" and proposer["id"] == sponsor_id
    if not (is_sponsor or any(key(p) == key(proposer) for p in proposal["parties"])):
        problems["proposed_by"] = ["must be one of the parties or the sponsor partner"]
    if proposal.get("match_id"):
        problems.update(match_problems(proposal["match_id"], match, proposal["parties"]))
    return problems


def match_problems(match_id, match, parties):
    unusable = unusable_match(match_id, match, "propose from an active match")
    if unusable:
        return unusable
    named = {key(p) for p in parties}
    missing = [f"{kind} {party_id}" for kind, party_id in
               (("company", match["company_id"]), ("park", match["park_id"]))
               if (kind, party_id) not in named]
    if missing:
        return {"parties": [f"must include {' and '.join(missing)} of match {match_id}"]}
    return {}


def new_agreement(proposal, proposer, sponsor_id, directory, match, now):
    def with_name(party):
        return {**as_ref(party), "name": directory[key(party)]["name"]}

    return {
        "id": new_id(),
        "version": 1,
        "status": "draft" if proposal.get("draft") else INITIAL_STATE,
        "kind": proposal["kind"],
        "title": proposal["title"],
        "match_id": proposal.get("match_id"),
        "parties": [{**with_name(p), "signed_at": None} for p in proposal["parties"]],
        "proposed_by": with_name(proposer),
        "sponsor_partner_id": sponsor_id,
        "terms": proposal.get("terms"),
        "documents": list(proposal.get("documents") or []),
        "sectors": list(match["sectors"]) if match else [],
        "region": match["region"] if match else None,
        "signed_at": None,
        "starts_on": proposal.get("starts_on"),
        "ends_on": proposal.get("ends_on"),
        "proposed_at": None if proposal.get("draft") else now,
        "created_at": now,
        "updated_at": now,
    }


def proposal_details(agreement):
    """The audit-trail details of a proposal (or a draft)."""
    return {"state": agreement["status"], "kind": agreement["kind"],
            "parties": [as_ref(p) for p in agreement["parties"]],
            "proposed_by": as_ref(agreement["proposed_by"]),
            "match_id": agreement["match_id"],
            "sponsor_partner_id": agreement["sponsor_partner_id"]}
