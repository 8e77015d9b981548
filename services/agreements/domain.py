"""Agreement rules on plain data: the lifecycle (an explicit transition
table), who may propose, sign and see an agreement, what a proposal must
satisfy, and what travels in events; introductions (double opt-in);
obligations with their schedules and reminders; the funnel.

Plain Python on plain dicts: no broker, no database. A party reference is
{"kind": "company" | "park" | "partner", "id": ...}."""
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import islice

from dateutil import rrule as _rrule

from services.contracts.actors import is_operator
from services.contracts.errors import Conflict, Forbidden, InvalidInput
from services.contracts.languages import name_in

# --- lifecycle ---------------------------------------------------------------

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
INITIAL_STATE = "proposed"
STATES = tuple(TRANSITIONS)
TERMINAL_STATES = tuple(state for state, targets in TRANSITIONS.items() if not targets)

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
    Conflict naming the allowed transitions otherwise."""
    state = agreement["status"]
    action = TRANSITIONS.get(state, {}).get(target)
    if action is not None and way in ACTION_WAYS[action]:
        return action
    allowed = allowed_transitions(state)
    other = {t: AUTOMATIC_NOTES[a] for t, a in TRANSITIONS.get(state, {}).items()
             if "request" not in ACTION_WAYS[a] and a in AUTOMATIC_NOTES}
    why = (f"'{target}' is {AUTOMATIC_NOTES[action]}, not requested"
           if action is not None and action in AUTOMATIC_NOTES else
           f"it cannot become '{target}' from {state}")
    raise Conflict(
        f"the agreement is {state}: {why} (allowed from {state}: "
        f"{', '.join(allowed) or 'nothing, it is final'})",
        {"state": state, "requested": target, "allowed_transitions": allowed,
         "other_transitions": other})


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
    name = name_in(names)
    return name.strip() if name else None


def directory_entry(event_type, payload):
    kind, id_field = DIRECTORY_SNAPSHOTS[event_type]
    return {"kind": kind, "id": payload[id_field], "version": payload["version"],
            "name": display_name(payload["names"])}


def match_record(payload):
    demand = payload["demand"]
    return {"id": payload["match_id"], "version": payload["version"],
            "status": payload["status"], "company_id": payload["company"]["company_id"],
            "park_id": demand["park_id"], "demand_id": demand["demand_id"],
            "sectors": list(demand["sectors"]), "region": demand["region"],
            "score": payload.get("score")}


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


def _unusable_match(match_id, match, needs):
    """Why `match` cannot be built on (None if it can): unknown or withdrawn."""
    if match is None:
        return {"match_id": [f"unknown match {match_id} (matches arrive from the matching "
                             "service; if it was found just now, try again shortly)"]}
    if match["status"] != "active":
        return {"match_id": [f"match {match_id} was withdrawn; {needs}"]}
    return None


def match_problems(match_id, match, parties):
    unusable = _unusable_match(match_id, match, "propose from an active match")
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
    require_transition(agreement, "signed", way="signatures")
    parties = [{**p, "signed_at": signed_at} if key(p) == key(party) else p
               for p in agreement["parties"]]
    signed = {**agreement, "parties": parties, "version": agreement["version"] + 1,
              "updated_at": now}
    history = [history_entry(signed, actor, "signed",
                             {"party": as_ref(party), "signed_at": signed_at.isoformat()}, now)]
    if not all(p["signed_at"] for p in parties):
        return Signing(signed, history)
    signed, moved = transition(signed, "signed", actor, now, way="signatures")
    signed = {**signed, "signed_at": max(p["signed_at"] for p in parties),
              "version": agreement["version"] + 1}
    return Signing(signed, history + [moved], completed=True)


def transition(agreement, target, actor, now, way="request", reason=None):
    """(the agreement in state `target`, its history entry); Conflict if the
    table does not allow it. The version goes up by one."""
    action = require_transition(agreement, target, way)
    moved = {**agreement, "status": target, "version": agreement["version"] + 1,
             "updated_at": now}
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


def add_document(agreement, document, actor, now):
    """Attach a document by reference (URL + SHA-256) to an agreement that is
    not final; the same URL and hash again changes nothing."""
    if not may_see(actor, agreement):
        raise Forbidden("only the parties, the sponsor partner and the operator may add "
                        "documents to this agreement")
    if agreement["status"] in TERMINAL_STATES:
        raise Conflict(f"the agreement is {agreement['status']}: its documents are final",
                       {"state": agreement["status"], "allowed_transitions": []})
    if any(d["url"] == document["url"] and d["sha256"] == document["sha256"]
           for d in agreement["documents"]):
        return agreement, []
    updated = {**agreement, "documents": agreement["documents"] + [document],
               "version": agreement["version"] + 1, "updated_at": now}
    return updated, [history_entry(updated, actor, "document_added", dict(document), now)]


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
        "starts_on": agreement.get("starts_on"),
        "ends_on": agreement.get("ends_on"),
        "parties": [{k: p[k] for k in ("kind", "id", "name", "signed_at")}
                    for p in agreement["parties"]],
        "proposed_by": dict(agreement["proposed_by"]),
    }


# --- introductions (double opt-in) -------------------------------------------------------
#
# A park or partner asks to be introduced to the company of a match; the company
# accepts or declines; unanswered requests expire. Contact details are released
# only on acceptance, and only at read time: they never sit in a response or an
# event before that.

OPEN_INTRODUCTION = "requested"


def open_key(introduction):
    """Unique while the request is open: one open request per match and requester."""
    if introduction["status"] != OPEN_INTRODUCTION:
        return None
    requester = introduction["requester"]
    return f"{introduction['match_id']}|{requester['kind']}|{requester['id']}"


def choose_requester(actor, request, match):
    """(the party asking, the sponsor partner id). The match's park asks for
    itself; a partner asks for itself and is the sponsor; the operator records a
    request for a park or partner it names (`requested_by`, default the park).
    Companies do not ask: they answer."""
    named = request.get("requested_by")
    sponsor_id = request.get("sponsor_partner_id")
    if is_operator(actor):
        requester = as_ref(named) if named else ref("park", match["park_id"])
    else:
        requester = actor_ref(actor)
        if named and key(named) != key(requester):
            raise Forbidden("only the operator may request an introduction on behalf of "
                            "someone else")
    if requester["kind"] == "company":
        raise Forbidden("companies answer introduction requests; parks and partners make them")
    if requester["kind"] == "park" and requester["id"] != match["park_id"]:
        raise Forbidden("a park may request introductions only for matches of its own demand")
    if requester["kind"] == "partner":
        if sponsor_id not in (None, requester["id"]):
            raise Forbidden("a partner sponsors its own introductions, not another partner's")
        sponsor_id = requester["id"]
    return requester, sponsor_id


def introduction_request_problems(request, requester, match, match_id):
    """Field -> reasons, before anything is stored."""
    unusable = _unusable_match(match_id, match, "introductions need an active match")
    if unusable:
        return unusable
    if requester["kind"] == "partner" and not request.get("contact"):
        return {"contact": ["a partner gives the contact the company receives if it accepts"]}
    return {}


def new_introduction(request, requester, sponsor_id, match, now, ttl_days):
    return {
        "id": new_id(),
        "version": 1,
        "status": OPEN_INTRODUCTION,
        "match_id": match["id"],
        "company_id": match["company_id"],
        "demand_id": match.get("demand_id"),
        "park_id": match["park_id"],
        "requester": requester,
        "sponsor_partner_id": sponsor_id,
        "message": request.get("message"),
        "requester_contact": request.get("contact"),
        "sectors": list(match.get("sectors") or []),
        "region": match.get("region"),
        "score": match.get("score"),
        "requested_at": now,
        "expires_at": now + timedelta(days=ttl_days),
        "decided_at": None,
        "decided_by": None,
        "decline_reason": None,
        "withdrawal_reason": None,
    }


def existing_request_outcome(existing):
    """What a repeated request for the same match by the same requester gets:
    the open or accepted one back (idempotent), a Conflict if the company
    declined, None (a new request may be made) if the old one expired."""
    if existing["status"] in (OPEN_INTRODUCTION, "accepted"):
        return existing
    if existing["status"] == "declined":
        raise Conflict("the company declined this introduction; it is not asked again "
                       "for the same match",
                       {"introduction_id": existing["id"], "state": "declined"})
    return None


def require_below_cap(open_count, cap):
    if open_count >= cap:
        raise Conflict(f"you have {open_count} open introduction requests, the most allowed "
                       f"at once is {cap}: wait for answers or expiry",
                       {"open_requests": open_count, "cap": cap})


def is_company_of(actor, introduction):
    return bool(actor) and actor.get("kind") == "company" and \
        actor.get("id") == introduction["company_id"]


def decide_introduction(actor, introduction, decision, reason, now):
    """(the introduction after the company's answer, whether it changed).
    decision: "accepted" | "declined". Answering the same way twice changes
    nothing; anything else after the answer (or expiry) is a Conflict."""
    if not (is_operator(actor) or is_company_of(actor, introduction)):
        raise Forbidden("only the company asked (or the operator) may answer an introduction "
                        "request")
    status = introduction["status"]
    if status == decision:
        return introduction, False
    if status != OPEN_INTRODUCTION:
        raise Conflict(f"the introduction is {status}: it can no longer be {decision}",
                       {"state": status, "allowed_transitions": []})
    if now >= introduction["expires_at"]:
        raise Conflict(f"the introduction request expired at "
                       f"{introduction['expires_at'].isoformat()}",
                       {"state": "expired", "allowed_transitions": []})
    decided = {**introduction, "status": decision, "version": introduction["version"] + 1,
               "decided_at": now, "decided_by": actor_ref(actor),
               "decline_reason": reason if decision == "declined" else None}
    return decided, True


def expire_introduction(introduction, now):
    """The request, expired, if it is open and its time is up; else None."""
    if introduction["status"] != OPEN_INTRODUCTION or introduction["expires_at"] > now:
        return None
    return {**introduction, "status": "expired", "version": introduction["version"] + 1,
            "decided_at": now}


# What may be done to an introduction in each state, by whom (for 409s).
INTRODUCTION_ACTIONS = {
    OPEN_INTRODUCTION: ("acceptance (the company or the operator)",
                        "declination (the company or the operator)",
                        "withdrawal (the requester or the operator)"),
}


def allowed_introduction_actions(status):
    return list(INTRODUCTION_ACTIONS.get(status, ()))


def is_requester_of(actor, introduction):
    return bool(actor) and bool(actor.get("kind")) and \
        key(actor_ref(actor)) == key(introduction["requester"])


def withdraw_introduction(actor, introduction, reason, now):
    """(the request after its requester withdrew it, whether it changed).
    Only an open request can be withdrawn, by its requester or the operator;
    withdrawing twice changes nothing; any other state is a Conflict naming
    what may still be done (nothing, once answered, expired or withdrawn)."""
    if not (is_operator(actor) or is_requester_of(actor, introduction)):
        raise Forbidden("only the requester (or the operator) may withdraw an introduction "
                        "request")
    status = introduction["status"]
    if status == "withdrawn":
        return introduction, False
    if status != OPEN_INTRODUCTION:
        raise Conflict(f"the introduction is {status}: only an open request can be withdrawn; "
                       f"allowed now: none",
                       {"state": status, "allowed_actions": allowed_introduction_actions(status)})
    if now >= introduction["expires_at"]:
        raise Conflict(f"the introduction request expired at "
                       f"{introduction['expires_at'].isoformat()}; allowed now: none",
                       {"state": "expired", "allowed_actions": []})
    withdrawn = {**introduction, "status": "withdrawn", "version": introduction["version"] + 1,
                 "decided_at": now, "decided_by": actor_ref(actor),
                 "withdrawal_reason": reason}
    return withdrawn, True


def may_see_introduction(actor, introduction):
    if is_operator(actor):
        return True
    if not actor or not actor.get("kind"):
        return False
    me = actor_ref(actor)
    sides = [ref("company", introduction["company_id"]), ref("park", introduction["park_id"]),
             introduction["requester"]]
    if introduction["sponsor_partner_id"]:
        sides.append(ref("partner", introduction["sponsor_partner_id"]))
    return any(key(me) == key(side) for side in sides)


def require_introduction_visible(actor, introduction):
    if not may_see_introduction(actor, introduction):
        raise Forbidden("only the company, the requester, the park, the sponsor partner and "
                        "the operator may see this introduction")


def introduction_view(introduction, contacts=None):
    """The introduction as its sides read it. `contacts` is given only once the
    company has accepted (the use case fetches them then, and only then):
    before that no response carries a contact."""
    view = {k: v for k, v in introduction.items() if k != "requester_contact"}
    view["contacts"] = contacts if introduction["status"] == "accepted" else None
    return view


def introduction_contacts(introduction, profile_contacts):
    """Both sides' contacts after acceptance. `profile_contacts` is what
    profiles holds: {"company": ..., "park": ...}. The requester's contact is
    the one it gave with its request, else (a park) its profile contact."""
    requester = introduction["requester"]
    requester_contact = introduction.get("requester_contact")
    if requester_contact is None and requester["kind"] == "park":
        requester_contact = profile_contacts.get("park")
    return {"company": profile_contacts.get("company"),
            "park": profile_contacts.get("park"),
            "requester": requester_contact}


def introduction_snapshot(introduction):
    """Contract IntroductionV1: no contacts and no free-text message."""
    return {
        "introduction_id": introduction["id"],
        **{k: introduction[k] for k in (
            "version", "status", "match_id", "company_id", "demand_id", "park_id",
            "sponsor_partner_id", "sectors", "region", "score", "requested_at", "expires_at",
            "decided_at", "decline_reason")},
        "requester": as_ref(introduction["requester"]),
    }


# --- obligations: schedules ----------------------------------------------------------------
#
# A schedule is {"kind": "once", "due_on": date} or {"kind": "recurring",
# "rrule": RFC 5545 RRULE, "starts_on": date}. Obligations fall due on dates, so
# only YEARLY, MONTHLY, WEEKLY and DAILY rules are taken, and only the rule parts
# that can never make an empty or endless search (dateutil walks day by day to
# the year 9999 looking for a date an impossible rule never yields).

FREQUENCIES = {"YEARLY": _rrule.YEARLY, "MONTHLY": _rrule.MONTHLY,
               "WEEKLY": _rrule.WEEKLY, "DAILY": _rrule.DAILY}
ALLOWED_PARTS = {
    "YEARLY": {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYMONTH", "BYMONTHDAY", "WKST"},
    "MONTHLY": {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYMONTHDAY", "BYDAY", "WKST"},
    "WEEKLY": {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "WKST"},
    "DAILY": {"FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST"},
}
MAX_COUNT = 1000
MAX_INTERVAL = 1200
DEFAULT_REMINDERS = (30, 7)
TENANCY_REMINDERS = (90, 60, 30)  # e.g. the end of a rent-free period


def default_reminders(agreement_kind):
    return list(TENANCY_REMINDERS if agreement_kind == "tenancy" else DEFAULT_REMINDERS)


def _midnight(day):
    return datetime(day.year, day.month, day.day)


def _rule_parts(text):
    parts = {}
    for item in text.split(";"):
        name, _, value = item.partition("=")
        parts[name.strip().upper()] = value.strip()
    return parts


def rrule_problems(text, starts_on):
    """Reasons the rule is refused (empty if it is fine): the dateutil parser's
    own reason for a malformed rule, and this service's limits."""
    text = text.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if "\n" in text or "DTSTART" in text.upper():
        return ["give only the RRULE part; the first occurrence is starts_on"]
    parts = _rule_parts(text)
    freq = parts.get("FREQ", "").upper()
    if not freq:
        return ["FREQ is required (YEARLY, MONTHLY, WEEKLY or DAILY)"]
    try:
        rule = _rrule.rrulestr(text, dtstart=_midnight(starts_on))
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        return [f"not a valid RFC 5545 recurrence rule: {exc}"]
    if freq not in FREQUENCIES:
        return [f"FREQ={freq} is finer than a day; obligations fall due on dates: use "
                "YEARLY, MONTHLY, WEEKLY or DAILY"]
    unsupported = sorted(set(parts) - ALLOWED_PARTS[freq])
    if unsupported:
        return [f"{', '.join(unsupported)} not supported with FREQ={freq} (allowed: "
                f"{', '.join(sorted(ALLOWED_PARTS[freq]))})"]
    problems = []
    if rule._count is not None and not 1 <= rule._count <= MAX_COUNT:
        problems.append(f"COUNT must be between 1 and {MAX_COUNT}")
    if not 1 <= rule._interval <= MAX_INTERVAL:
        problems.append(f"INTERVAL must be between 1 and {MAX_INTERVAL}")
    for day in rule._bymonthday or ():
        if not (1 <= abs(day) <= 28):
            problems.append("BYMONTHDAY must be 1..28 or -1..-28 (every month has those "
                            "days; use -1 for the last day)")
            break
    if rule._bynweekday:
        if parts.get("BYDAY") and rule._bymonthday:
            problems.append("use BYDAY or BYMONTHDAY, not both")
        for _, nth in rule._bynweekday:
            if not 1 <= abs(nth) <= 4:
                problems.append("a numbered BYDAY must be 1..4 or -1..-4 (e.g. 1MO, -1FR)")
                break
    if rule._byweekday and rule._bymonthday:
        problems.append("use BYDAY or BYMONTHDAY, not both")
    if not problems and first_occurrence({"kind": "recurring", "rrule": text,
                                          "starts_on": starts_on}) is None:
        problems.append("the rule yields no date on or after starts_on (check UNTIL)")
    return sorted(set(problems))


def _rule(schedule):
    text = schedule["rrule"].strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    return _rrule.rrulestr(text, dtstart=_midnight(schedule["starts_on"]))


def occurrences(schedule, until):
    """Every due date of the schedule up to and including `until`, in order."""
    if schedule["kind"] == "once":
        return [schedule["due_on"]] if schedule["due_on"] <= until else []
    rule = _rule(schedule)
    bound = _midnight(until)
    if rule._until is not None and rule._until < bound:
        bound = rule._until
    # COUNT is applied by hand over an UNTIL-bounded copy: dateutil would not
    # take both, and the bound keeps every walk finite.
    bounded = rule.replace(count=None, until=bound)
    dates = (moment.date() for moment in bounded)
    if rule._count is not None:
        dates = islice(dates, rule._count)
    return list(dates)


def first_occurrence(schedule):
    start = schedule["due_on"] if schedule["kind"] == "once" else schedule["starts_on"]
    found = occurrences(schedule, start + timedelta(days=366 * 12))
    return found[0] if found else None


def next_occurrences(schedule, today, limit=3, horizon_days=366 * 12):
    return [day for day in occurrences(schedule, today + timedelta(days=horizon_days))
            if day >= today][:limit]


def is_occurrence(schedule, day):
    return day in occurrences(schedule, day)


# --- obligations: reminders --------------------------------------------------------------

def reminder_name(days_before):
    return f"due_in_{days_before}_days"


def reminder_for(occurrence_on, today, remind_days_before):
    """(reminder, days until due) that applies to an unfulfilled occurrence
    today, or None. Before the due date the narrowest window that contains
    today applies (90, 60, 30 days: 45 days ahead is the 60-day reminder); a
    window already passed when the obligation was recorded is not sent late.
    After the due date: "overdue"."""
    days = (occurrence_on - today).days
    if days < 0:
        return "overdue", days
    for window in sorted(set(remind_days_before)):
        if days <= window:
            return reminder_name(window), days
    return None


def reminders_due(obligation, today, fulfilled_on_dates):
    """[(occurrence_on, reminder, days until due)] for one obligation today.
    Only occurrences on or after the day the obligation was recorded count:
    history recorded later is not chased."""
    if is_cancelled(obligation):
        return []
    recorded_on = chased_from(obligation)
    windows = obligation["remind_days_before"]
    horizon = today + timedelta(days=max(windows, default=0))
    found = []
    for occurrence_on in occurrences(obligation["schedule"], horizon):
        if occurrence_on < recorded_on or occurrence_on in fulfilled_on_dates:
            continue
        reminder = reminder_for(occurrence_on, today, windows)
        if reminder:
            found.append((occurrence_on, *reminder))
    return found


def reminder_payload(obligation, agreement, occurrence_on, reminder, days_until_due):
    """Contract ObligationReminderV1."""
    return {
        "obligation_id": obligation["id"], "occurrence_on": occurrence_on,
        "reminder": reminder, "days_until_due": days_until_due,
        "title": obligation["title"], "owner": as_ref(obligation["owner"]),
        "agreement_id": agreement["id"], "agreement_title": agreement["title"],
        "agreement_kind": agreement["kind"],
        "parties": [as_ref(p) for p in agreement["parties"]],
        "sponsor_partner_id": agreement["sponsor_partner_id"],
        "sectors": list(agreement.get("sectors") or []), "region": agreement.get("region"),
    }


def reminder_event_type(reminder):
    return "obligation.overdue" if reminder == "overdue" else "obligation.due"


# --- obligations: recording and fulfilling ----------------------------------------------------

def new_obligation(agreement, data, actor, now):
    if not may_see(actor, agreement):
        raise Forbidden("only the parties, the sponsor partner and the operator may record "
                        "obligations")
    if agreement["status"] in TERMINAL_STATES:
        raise Conflict(f"the agreement is {agreement['status']}: no new obligations",
                       {"state": agreement["status"], "allowed_transitions": []})
    if not is_party(agreement, data["owner"]):
        raise InvalidInput({"owner": [f"{data['owner']['kind']} {data['owner']['id']} is not "
                                      "a party to this agreement"]})
    reminders = data.get("remind_days_before")
    return {
        "id": new_id(), "agreement_id": agreement["id"], "title": data["title"],
        "owner": as_ref(data["owner"]), "schedule": data["schedule"],
        "remind_days_before": sorted(set(
            default_reminders(agreement["kind"]) if reminders is None else reminders),
            reverse=True),
        "created_at": now, "created_by": actor_ref(actor),
    }


def fulfilment(obligation, agreement, data, actor, today, now, already):
    """A fulfilment record for one occurrence; on time when recorded (or
    fulfilled, for history) on or before the due date."""
    owner = obligation["owner"]
    if not (is_operator(actor) or key(actor_ref(actor)) == key(owner)):
        raise Forbidden("only the obligation's owner party or the operator may record its "
                        "fulfilment")
    occurrence_on = data["occurrence_on"]
    if not is_occurrence(obligation["schedule"], occurrence_on):
        upcoming = next_occurrences(obligation["schedule"], occurrence_on, limit=1)
        hint = f"; the next one is {upcoming[0].isoformat()}" if upcoming else ""
        raise InvalidInput({"occurrence_on": [
            f"{occurrence_on.isoformat()} is not a due date of this obligation{hint}"]})
    if already:
        raise Conflict(f"the occurrence of {occurrence_on.isoformat()} was already fulfilled",
                       {"occurrence_on": occurrence_on.isoformat()})
    fulfilled_on = data.get("fulfilled_on") or today
    if fulfilled_on > today:
        raise InvalidInput({"fulfilled_on": ["cannot be in the future"]})
    return {"obligation_id": obligation["id"], "agreement_id": agreement["id"],
            "occurrence_on": occurrence_on, "fulfilled_on": fulfilled_on,
            "on_time": fulfilled_on <= occurrence_on, "evidence": data["evidence"],
            "recorded_by": actor_ref(actor), "recorded_at": now}


# --- obligations: changing and cancelling ------------------------------------------------------

def chased_from(obligation):
    """The first date whose occurrences are chased (reminded, listed overdue,
    counted due): the day it was recorded, or the day its schedule last
    changed (occurrences of a new schedule before the change are not owed)."""
    recorded_on = obligation["created_at"].date()
    since = obligation.get("schedule_since")
    if isinstance(since, str):
        since = date.fromisoformat(since)
    return max(recorded_on, since) if since else recorded_on


def chased_until(obligation):
    """The last date whose occurrences are owed: the day before it was
    cancelled, else None (no end but the schedule's)."""
    cancelled_at = obligation.get("cancelled_at")
    if not cancelled_at:
        return None
    if isinstance(cancelled_at, str):
        cancelled_at = datetime.fromisoformat(cancelled_at)
    return cancelled_at.date() - timedelta(days=1)


def is_cancelled(obligation):
    return bool(obligation.get("cancelled_at"))


def _require_owner_or_operator(actor, obligation, doing):
    if not (is_operator(actor) or key(actor_ref(actor)) == key(obligation["owner"])):
        raise Forbidden(f"only the obligation's owner party or the operator may {doing} it")


def _require_changeable(agreement, obligation, doing):
    if is_cancelled(obligation):
        raise Conflict(f"the obligation was cancelled: it can no longer be {doing}",
                       {"state": "cancelled", "allowed_actions": []})
    if agreement["status"] in TERMINAL_STATES:
        raise Conflict(f"the agreement is {agreement['status']}: its obligations can no longer "
                       f"be {doing}", {"state": agreement["status"], "allowed_actions": []})


def _schedule_json(schedule):
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in schedule.items()}


def change_obligation(agreement, obligation, changes, actor, today, now):
    """(the obligation after PATCH {title?, schedule?, remind_days_before?},
    the audit details of what changed, or None when nothing did). A new
    schedule is chased from today: reminders already sent stay sent (their key
    is (obligation, occurrence, reminder)); the new occurrences get theirs."""
    _require_owner_or_operator(actor, obligation, "change")
    _require_changeable(agreement, obligation, "changed")
    updated, changed = dict(obligation), {}
    if changes.get("title") is not None and changes["title"] != obligation["title"]:
        changed["title"] = {"from": obligation["title"], "to": changes["title"]}
        updated["title"] = changes["title"]
    if changes.get("schedule") is not None and changes["schedule"] != obligation["schedule"]:
        changed["schedule"] = {"from": _schedule_json(obligation["schedule"]),
                               "to": _schedule_json(changes["schedule"])}
        updated["schedule"] = changes["schedule"]
        updated["schedule_since"] = today
    if changes.get("remind_days_before") is not None:
        reminders = sorted(set(changes["remind_days_before"]), reverse=True)
        if reminders != obligation["remind_days_before"]:
            changed["remind_days_before"] = {"from": obligation["remind_days_before"],
                                             "to": reminders}
            updated["remind_days_before"] = reminders
    if not changed:
        return obligation, None
    updated["changed_at"], updated["changed_by"] = now, actor_ref(actor)
    return updated, {"obligation_id": obligation["id"], "changes": changed}


def cancel_obligation(agreement, obligation, reason, actor, now):
    """(the obligation cancelled, whether it changed). It stays listed with its
    fulfilments and the reminders already sent; nothing more falls due or is
    reminded. Cancelling twice changes nothing."""
    _require_owner_or_operator(actor, obligation, "cancel")
    if is_cancelled(obligation):
        return obligation, False
    _require_changeable(agreement, obligation, "cancelled")
    return {**obligation, "cancelled_at": now, "cancelled_by": actor_ref(actor),
            "cancellation_reason": reason}, True


def obligation_view(obligation, fulfilments, today):
    fulfilled = {f["occurrence_on"] for f in fulfilments}
    recorded_on = chased_from(obligation)
    until = chased_until(obligation)
    last = today - timedelta(days=1) if until is None else min(until, today - timedelta(days=1))
    past = [day for day in occurrences(obligation["schedule"], last)
            if day >= recorded_on and day not in fulfilled]
    upcoming = [] if is_cancelled(obligation) else [
        day for day in next_occurrences(obligation["schedule"], today, limit=5)
        if day not in fulfilled][:3]
    return {**obligation,
            "status": "cancelled" if is_cancelled(obligation) else "active",
            "next_occurrences": upcoming,
            "overdue_occurrences": past,
            "fulfilments": sorted(fulfilments, key=lambda f: f["occurrence_on"])}


# --- the funnel ---------------------------------------------------------------------------

FUNNEL_STAGES = ("matches", "introductions_requested", "introductions_accepted",
                 "agreements_proposed", "agreements_signed", "obligations_due",
                 "obligations_met_on_time")


def _rate(count, base):
    if count is None or not base:
        return None
    return round(count / base, 4)


def funnel(counts):
    """Stages in order, each with its count and its conversion from the stage
    before (null when that is 0 or unknown). `counts` maps stage -> number
    (matches may be None when the count is unavailable)."""
    stages, previous = [], None
    for index, name in enumerate(FUNNEL_STAGES):
        count = counts.get(name, 0)
        # obligations_due is the base of the last step, not a step after signing
        # (one agreement owes many occurrences): it has no conversion.
        no_rate = index == 0 or name == "obligations_due"
        stages.append({"stage": name, "count": count,
                       "conversion": None if no_rate else _rate(count, previous)})
        previous = count
    first = counts.get("matches")
    return {"stages": stages,
            "overall_conversion": _rate(counts.get("agreements_signed", 0), first),
            "on_time_rate": _rate(counts.get("obligations_met_on_time", 0),
                                  counts.get("obligations_due", 0))}


def funnel_counts(matches, introductions, agreements, obligations, fulfilments, today):
    """Counts for one park or partner from its own records. Occurrences due so
    far (on or after the day each obligation was recorded, up to today) are
    "obligations due"; those fulfilled on time, "met on time"."""
    due = 0
    fulfilled = {}
    for record in fulfilments:
        fulfilled.setdefault(record["obligation_id"], {})[record["occurrence_on"]] = record
    on_time = 0
    for obligation in obligations:
        recorded_on = chased_from(obligation)
        done = fulfilled.get(obligation["id"], {})
        until = chased_until(obligation)
        for day in occurrences(obligation["schedule"],
                               today if until is None else min(until, today)):
            if day < recorded_on and day not in done:
                continue
            due += 1
            if done.get(day, {}).get("on_time"):
                on_time += 1
    return {
        "matches": matches,
        "introductions_requested": len(introductions),
        "introductions_accepted": sum(1 for i in introductions if i["status"] == "accepted"),
        "agreements_proposed": sum(1 for a in agreements if a["status"] != "draft"),
        "agreements_signed": sum(1 for a in agreements if a.get("signed_at")),
        "obligations_due": due,
        "obligations_met_on_time": on_time,
    }
