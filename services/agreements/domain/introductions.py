"""Introductions (double opt-in): a park or partner asks to be introduced to
the company of a match; the company accepts or declines; unanswered requests
expire; the requester may withdraw an open one. Contact details are released
only on acceptance, and only at read time: they never sit in a response or an
event before that."""
from datetime import timedelta

from services.contracts.actors import is_operator
from services.contracts.errors import Conflict, Forbidden
from services.platform.lifecycle import StateMachine
from services.platform.records import new_id, next_version

from .directory import unusable_match
from .parties import actor_ref, as_ref, key, ref

OPEN_INTRODUCTION = "requested"
# Only an open request moves, and only once. The 409s of this API have always
# listed what may still be done as "allowed_actions".
INTRODUCTION_LIFECYCLE = StateMachine(
    {OPEN_INTRODUCTION: {"accepted", "declined", "expired", "withdrawn"},
     "accepted": (), "declined": (), "expired": (), "withdrawn": ()},
    what="introduction", allowed_key="allowed_actions")


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
    unusable = unusable_match(match_id, match, "introductions need an active match")
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

def _refuse_if_expired(introduction, now):
    """An open request whose time is up is expired, whether or not the timer
    has marked it yet."""
    if now >= introduction["expires_at"]:
        raise INTRODUCTION_LIFECYCLE.refusal(
            "expired", why=f"the request expired at {introduction['expires_at'].isoformat()}")


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
    INTRODUCTION_LIFECYCLE.require(status, decision, why=f"it can no longer be {decision}")
    _refuse_if_expired(introduction, now)
    decided = next_version(introduction, status=decision, decided_at=now,
                           decided_by=actor_ref(actor),
                           decline_reason=reason if decision == "declined" else None)
    return decided, True


def expire_introduction(introduction, now):
    """The request, expired, if it is open and its time is up; else None."""
    if not INTRODUCTION_LIFECYCLE.can(introduction["status"], "expired") \
            or introduction["expires_at"] > now:
        return None
    return next_version(introduction, status="expired", decided_at=now)


# What may be done to an introduction in each state, by whom.
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
    INTRODUCTION_LIFECYCLE.require(status, "withdrawn",
                                   why="only an open request can be withdrawn")
    _refuse_if_expired(introduction, now)
    withdrawn = next_version(introduction, status="withdrawn", decided_at=now,
                             decided_by=actor_ref(actor), withdrawal_reason=reason)
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
