"""Agreement rules on plain data: the lifecycle (an explicit transition
table), who may propose, sign and see an agreement, what a proposal must
satisfy, and what travels in events.

Plain Python on plain dicts: no broker, no database. A party reference is
{"kind": "company" | "park" | "partner", "id": ...}."""
import uuid
from dataclasses import dataclass

from services.contracts.actors import is_operator
from services.contracts.errors import Conflict, Forbidden, InvalidInput

# --- lifecycle ---------------------------------------------------------------

# state -> {action: the state that action leads to}. Code asks this table and
# never hard-codes a state, so the full lifecycle of the later issue
# (draft -> proposed -> signed -> active -> completed | terminated | expired)
# is added here as rows.
#
# "sign" is special in one way: each party's signature is recorded while the
# agreement stays "proposed"; the transition happens with the last signature.
TRANSITIONS = {
    "proposed": {"sign": "signed"},
    "signed": {},
}
INITIAL_STATE = "proposed"


def allowed_transitions(state):
    return dict(TRANSITIONS.get(state, {}))


def require_action(agreement, action):
    """The state `action` leads to; Conflict if the current state forbids it."""
    state = agreement["status"]
    allowed = allowed_transitions(state)
    if action not in allowed:
        options = ", ".join(f"{name} -> {target}" for name, target in allowed.items())
        raise Conflict(
            f"the agreement is {state}: '{action}' is not possible now "
            f"(allowed from {state}: {options or 'nothing'})",
            {"state": state, "allowed_transitions": allowed})
    return allowed[action]


# --- parties -------------------------------------------------------------------

def ref(kind, party_id):
    return {"kind": kind, "id": party_id}


def as_ref(party):
    """Just the kind and id of a party entry (which may carry name, signed_at...)."""
    return ref(party["kind"], party["id"])


def key(party):
    return (party["kind"], party["id"])


def actor_ref(actor):
    return ref(actor.get("kind"), actor.get("id"))


def is_party(agreement, party):
    return any(key(p) == key(party) for p in agreement["parties"])


def _party_of(agreement, party):
    return next(p for p in agreement["parties"] if key(p) == key(party))


# --- the directory: who and which matches this service knows -----------------------

# event type -> (party kind, field holding its id)
DIRECTORY_SNAPSHOTS = {
    "company.registered": ("company", "company_id"),
    "company.updated": ("company", "company_id"),
    "park.registered": ("park", "park_id"),
    "partner.registered": ("partner", "partner_id"),
}


def display_name(names):
    """English first (the language all three sides read), then Korean, then Chinese."""
    for lang in ("en", "ko", "zh"):
        name = (names.get(lang) or "").strip()
        if name:
            return name
    return None


def directory_entry(event_type, payload):
    kind, id_field = DIRECTORY_SNAPSHOTS[event_type]
    return {"kind": kind, "id": payload[id_field], "version": payload["version"],
            "name": display_name(payload["names"])}


def match_record(payload):
    demand = payload["demand"]
    return {"id": payload["match_id"], "version": payload["version"],
            "status": payload["status"], "company_id": payload["company"]["company_id"],
            "park_id": demand["park_id"], "demand_id": demand["demand_id"],
            "sectors": list(demand["sectors"]), "region": demand["region"]}


# --- proposing ---------------------------------------------------------------------

def new_id():
    return str(uuid.uuid4())


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
    if match is None:
        return {"match_id": [f"unknown match {match_id} (matches arrive from the matching "
                             "service; if it was found just now, try again shortly)"]}
    if match["status"] != "active":
        return {"match_id": [f"match {match_id} was withdrawn; propose from an active match"]}
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
        "status": INITIAL_STATE,
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
        "created_at": now,
        "updated_at": now,
    }


# --- signing -----------------------------------------------------------------------

@dataclass(frozen=True)
class Signing:
    """What a signature did: the agreement after it, the history entries to
    record (none when nothing changed) and whether it completed the signing."""
    agreement: dict
    history: list
    completed: bool = False

    @property
    def changed(self):
        return bool(self.history)


def signing_party(actor, agreement, named_party):
    """The party a signature is for. Each party signs for itself; the operator
    signs on behalf of the party it names."""
    if is_operator(actor):
        if named_party is None:
            raise InvalidInput({"party": ["say which party the operator signs for"]})
        if not is_party(agreement, named_party):
            raise InvalidInput({"party": [
                f"{named_party['kind']} {named_party['id']} is not a party to this agreement"]})
        return as_ref(named_party)
    me = actor_ref(actor)
    if named_party and key(named_party) != key(me):
        raise Forbidden("a party may sign only for itself")
    if not is_party(agreement, me):
        raise Forbidden("only the parties to an agreement may sign it")
    return me


def sign(agreement, party, signed_at, actor, now):
    """Record `party`'s signature. Signing again changes nothing (so a retried
    request is harmless); the last signature moves the agreement on."""
    if _party_of(agreement, party)["signed_at"] is not None:
        return Signing(agreement, [])
    require_action(agreement, "sign")
    parties = [{**p, "signed_at": signed_at} if key(p) == key(party) else p
               for p in agreement["parties"]]
    signed = {**agreement, "parties": parties, "version": agreement["version"] + 1,
              "updated_at": now}
    history = [history_entry(signed, actor, "signed",
                             {"party": as_ref(party), "signed_at": signed_at.isoformat()}, now)]
    if not all(p["signed_at"] for p in parties):
        return Signing(signed, history)
    signed, moved = transition(signed, "sign", actor, now)
    signed = {**signed, "signed_at": max(p["signed_at"] for p in parties)}
    return Signing(signed, history + [moved], completed=True)


def transition(agreement, action, actor, now):
    """(the agreement in the state `action` leads to, its history entry)."""
    target = require_action(agreement, action)
    moved = {**agreement, "status": target}
    return moved, history_entry(moved, actor, "state_changed",
                                {"action": action, "from": agreement["status"], "to": target},
                                now)


# --- visibility, history and events ---------------------------------------------------

def may_see(actor, agreement):
    if is_operator(actor):
        return True
    if not actor or not actor.get("kind"):
        return False
    if actor["kind"] == "partner" and actor.get("id") == agreement["sponsor_partner_id"]:
        return True
    return is_party(agreement, actor_ref(actor))


def require_visible(actor, agreement):
    if not may_see(actor, agreement):
        raise Forbidden("only the parties, the sponsor partner and the operator may see "
                        "this agreement")


def history_entry(agreement, actor, action, details, at):
    """One row of the audit trail; `details` must be JSON-ready."""
    return {"agreement_id": agreement["id"], "at": at, "actor": actor_ref(actor),
            "action": action, "details": details}


def proposal_details(agreement):
    return {"state": agreement["status"], "kind": agreement["kind"],
            "parties": [as_ref(p) for p in agreement["parties"]],
            "proposed_by": as_ref(agreement["proposed_by"]),
            "match_id": agreement["match_id"],
            "sponsor_partner_id": agreement["sponsor_partner_id"]}


def agreement_snapshot(agreement):
    """The agreement as other services see it (contract AgreementV1): the
    terms and documents stay here."""
    return {
        "agreement_id": agreement["id"],
        **{k: agreement[k] for k in ("version", "kind", "title", "status", "match_id",
                                     "sponsor_partner_id", "sectors", "region", "signed_at")},
        "parties": [{k: p[k] for k in ("kind", "id", "name", "signed_at")}
                    for p in agreement["parties"]],
        "proposed_by": dict(agreement["proposed_by"]),
    }
