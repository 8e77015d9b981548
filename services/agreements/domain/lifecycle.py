"""The agreement lifecycle: an explicit transition table, how each move comes
about (requested, by the last signature, by the timer), signing, the moves
themselves, and documents (final with the agreement)."""
from dataclasses import dataclass

from services.contracts.actors import is_operator
from services.contracts.errors import Forbidden, InvalidInput
from services.platform.lifecycle import StateMachine
from services.platform.records import next_version

from .parties import actor_ref, as_ref, is_party, key, party_of
from .snapshots import history_entry
from .visibility import may_see

# state -> {target state: the action that leads there}. Code asks this table
# and never hard-codes a transition.
TRANSITIONS = {
    "draft": {"proposed": "propose", "terminated": "terminate"},
    "proposed": {"signed": "sign", "terminated": "terminate"},
    "signed": {"active": "activate", "terminated": "terminate"},
    "active": {"completed": "complete", "terminated": "terminate", "expired": "expire"},
    "completed": {},
    "terminated": {},
    "expired": {},
}
AGREEMENT_LIFECYCLE = StateMachine(TRANSITIONS, what="agreement")
INITIAL_STATE = "proposed"
STATES = AGREEMENT_LIFECYCLE.states
TERMINAL_STATES = AGREEMENT_LIFECYCLE.final_states

# How each action comes about. "request": POST /api/agreements/<id>/transitions;
# "signatures": the last party's signature; "timer": the agreements timer.
ACTION_WAYS = {
    "propose": ("request",),
    "sign": ("signatures",),
    "activate": ("request", "timer"),
    "complete": ("request",),
    "terminate": ("request",),
    "expire": ("timer",),
}
AUTOMATIC_NOTES = {
    "sign": "reached when every party has signed (POST /api/agreements/<id>/signatures)",
    "expire": "reached automatically once the agreement's ends_on date has passed",
}

# target state -> the event that announces it (contract AgreementV1)
STATE_EVENTS = {
    "proposed": "agreement.proposed",
    "signed": "agreement.signed",
    "active": "agreement.activated",
    "completed": "agreement.completed",
    "terminated": "agreement.terminated",
    "expired": "agreement.expired",
}

# Obligations remind while their agreement is in force.
IN_FORCE = ("signed", "active")


def allowed_transitions(state, way="request"):
    """Target states reachable from `state` in `way`, sorted."""
    return sorted(target for target, action in TRANSITIONS.get(state, {}).items()
                  if way in ACTION_WAYS[action])


def require_transition(agreement, target, way="request"):
    """The action that leads from the agreement's state to `target` in `way`;
    Conflict naming the transitions a person may request otherwise (and, apart,
    those that come about on their own)."""
    state = agreement["status"]
    action = TRANSITIONS.get(state, {}).get(target)
    if action is not None and way in ACTION_WAYS[action]:
        return action
    other = {t: AUTOMATIC_NOTES[a] for t, a in TRANSITIONS.get(state, {}).items()
             if "request" not in ACTION_WAYS[a] and a in AUTOMATIC_NOTES}
    why = (f"'{target}' is {AUTOMATIC_NOTES[action]}, not requested"
           if action is not None and action in AUTOMATIC_NOTES else None)
    raise AGREEMENT_LIFECYCLE.refusal(
        state, target, why=why, allowed=allowed_transitions(state),
        details={"requested": target, "other_transitions": other})


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
    if party_of(agreement, party)["signed_at"] is not None:
        return Signing(agreement, [])
    require_transition(agreement, "signed", way="signatures")
    parties = [{**p, "signed_at": signed_at} if key(p) == key(party) else p
               for p in agreement["parties"]]
    signed = next_version(agreement, parties=parties, updated_at=now)
    history = [history_entry(signed, actor, "signed",
                             {"party": as_ref(party), "signed_at": signed_at.isoformat()}, now)]
    if not all(p["signed_at"] for p in parties):
        return Signing(signed, history)
    moved, entry = transition(signed, "signed", actor, now, way="signatures")
    # the last signature and the move to signed are one change: one version up
    moved = {**moved, "signed_at": max(p["signed_at"] for p in parties),
             "version": signed["version"]}
    return Signing(moved, history + [entry], completed=True)


# --- moving between states -----------------------------------------------------------

def transition(agreement, target, actor, now, way="request", reason=None):
    """(the agreement in state `target`, its history entry); Conflict if the
    table does not allow it. The version goes up by one."""
    action = require_transition(agreement, target, way)
    moved = next_version(agreement, status=target, updated_at=now)
    if target == "proposed":
        moved["proposed_at"] = now
    details = {"action": action, "from": agreement["status"], "to": target}
    if reason:
        details["reason"] = reason
    return moved, history_entry(moved, actor, "state_changed", details, now)


def requested_transition(actor, agreement, target, reason, now):
    """A person asks for `target` (POST .../transitions): a party, the sponsor
    or the operator may; terminating needs a reason."""
    if not may_see(actor, agreement):
        raise Forbidden("only the parties, the sponsor partner and the operator may change "
                        "this agreement")
    action = require_transition(agreement, target, "request")
    if action == "terminate" and not (reason or "").strip():
        raise InvalidInput({"reason": ["say why the agreement is terminated"]})
    return transition(agreement, target, actor, now, "request", reason)


def due_automatic_transitions(agreement, today):
    """Targets the timer moves the agreement to today, in order: a signed
    agreement starts on its starts_on date; an active one whose ends_on has
    passed expires."""
    targets = []
    status = agreement["status"]
    starts_on, ends_on = agreement.get("starts_on"), agreement.get("ends_on")
    if status == "signed" and starts_on is not None and starts_on <= today:
        targets.append("active")
        status = "active"
    if status == "active" and ends_on is not None and ends_on < today:
        targets.append("expired")
    return targets


# --- documents ---------------------------------------------------------------------

def add_document(agreement, document, actor, now):
    """Attach a document by reference (URL + SHA-256) to an agreement that is
    not final; the same URL and hash again changes nothing."""
    if not may_see(actor, agreement):
        raise Forbidden("only the parties, the sponsor partner and the operator may add "
                        "documents to this agreement")
    AGREEMENT_LIFECYCLE.require_not_final(agreement["status"], "its documents are final")
    if any(d["url"] == document["url"] and d["sha256"] == document["sha256"]
           for d in agreement["documents"]):
        return agreement, []
    updated = next_version(agreement, documents=agreement["documents"] + [document],
                           updated_at=now)
    return updated, [history_entry(updated, actor, "document_added", dict(document), now)]
