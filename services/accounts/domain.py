"""Account rules: addresses, one-time links, sessions, rate windows, who may
manage whom. Plain Python on plain dicts and datetimes: no broker, no
database, and no clock of its own (every rule is given `now`)."""
import math
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from services.contracts.actors import OPERATOR, is_operator
from services.contracts.errors import Conflict, Forbidden, InvalidInput, Unauthenticated

ORGANISATION_KINDS = ("company", "park", "partner")
OWNER, MEMBER = "owner", "member"
API_KEY_PREFIX_LENGTH = 16
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def new_id():
    return str(uuid.uuid4())


def new_token():
    """A one-time link or session token: 32 random bytes, URL-safe."""
    return secrets.token_urlsafe(32)


# --- addresses ----------------------------------------------------------------

def normalise_email(address):
    """(the address to store and write to, the key that makes it unique).

    The domain is case-insensitive everywhere, so it is lower-cased; the local
    part is kept as typed (a few mail servers still tell cases apart) but two
    addresses that differ only in case are the same person here."""
    address = address.strip()
    local, at, domain = address.rpartition("@")
    stored = f"{local}{at}{domain.lower()}" if at else address
    return stored, stored.lower()


# --- one-time links (sign-in links and invitations) -----------------------------

def link_problem(used_at, expires_at, now):
    """None if a one-time link may be used now, else why not."""
    if used_at is not None:
        return "used"
    if now >= expires_at:
        return "expired"
    return None


# --- sessions -------------------------------------------------------------------

def new_session(person_id, now, idle_timeout, max_age):
    return {"person_id": person_id, "created_at": now, "last_seen_at": now,
            "idle_expires_at": min(now + idle_timeout, now + max_age),
            "absolute_expires_at": now + max_age, "ended_at": None}


def session_is_live(session, now):
    return (session is not None and session["ended_at"] is None
            and now < session["idle_expires_at"] and now < session["absolute_expires_at"])


def touched_session(session, now, idle_timeout, touch_interval):
    """The new (last_seen_at, idle_expires_at) if the session should be
    extended now, or None when it was extended less than `touch_interval`
    ago. The idle expiry never passes the absolute one."""
    if now - session["last_seen_at"] < touch_interval:
        return None
    return now, min(now + idle_timeout, session["absolute_expires_at"])


# --- rate limits ------------------------------------------------------------------

@dataclass(frozen=True)
class RateLimit:
    name: str        # which limit, as the refusal names it ("email", "client_address")
    limit: int       # requests allowed per window
    window: timedelta


def window_start(now, window):
    """The start of the fixed window `now` falls in (windows are aligned to
    the epoch, so every process agrees on them)."""
    seconds = window.total_seconds()
    elapsed = (now - _EPOCH).total_seconds()
    return _EPOCH + timedelta(seconds=math.floor(elapsed / seconds) * seconds)


def retry_after(now, window):
    """Whole seconds until the current window ends (at least 1)."""
    end = window_start(now, window) + window
    return max(1, math.ceil((end - now).total_seconds()))


def refusal(rate_limit, count, now):
    """None if the `count`-th request of this window is allowed, else the
    details of the refusal (which limit, and when to try again)."""
    if count <= rate_limit.limit:
        return None
    return {"limit": rate_limit.name, "max_requests": rate_limit.limit,
            "window_seconds": int(rate_limit.window.total_seconds()),
            "retry_after": retry_after(now, rate_limit.window)}


# --- people and organisations ---------------------------------------------------------

def organisation_of(record):
    return {"kind": record["organisation_kind"], "id": record["organisation_id"]}


def new_person(organisation, email, name, language, role, verified_at, now,
               organisation_names=None):
    stored, key = normalise_email(email)
    return {"id": new_id(), "organisation_kind": organisation["kind"],
            "organisation_id": organisation["id"], "organisation_names": organisation_names,
            "email": stored, "email_key": key, "name": name, "language": language,
            "role": role, "verified_at": verified_at, "created_at": now}


def actor_of(person):
    """The actor a signed-in person acts as: their organisation, plus who they are.
    A person of the operator acts as the operator, exactly as the operator key."""
    if is_operator_person(person):
        return {**dict(OPERATOR), "person_id": person["id"], "role": person["role"]}
    return {**organisation_of(person), "person_id": person["id"], "role": person["role"]}


# --- the operator's people (PARKMATCH_OPERATOR_EMAILS) -------------------------------------

OPERATOR_NAMES = {"en": "Parkmatch operations", "ko": "Parkmatch 운영팀",
                  "zh": "Parkmatch 运营团队"}


def is_operator_person(person):
    return person is not None and person["organisation_kind"] == OPERATOR["kind"]


def still_allowed(person, operator_emails):
    """False for a person of the operator whose address left the setting:
    they may not sign in any more, and their sessions end. Everyone else is
    governed by their own organisation's rules."""
    return not is_operator_person(person) or person["email_key"] in operator_emails


def new_operator_person(email, language, now):
    """The operator's person for a listed address, made at their first
    sign-in request: an owner (the operator has no ranks), unverified until
    the link is followed."""
    stored, _ = normalise_email(email)
    return new_person(dict(OPERATOR), stored, stored.partition("@")[0], language or "en",
                      OWNER, None, now, OPERATOR_NAMES)


def organisation_of_actor(actor):
    if not actor or actor.get("kind") not in ORGANISATION_KINDS or not actor.get("id"):
        raise Unauthenticated("sign in first")
    return {"kind": actor["kind"], "id": actor["id"]}


def require_person(actor):
    """Only a signed-in person (not a machine key) may do this."""
    organisation_of_actor(actor)
    if not actor.get("person_id"):
        raise Forbidden("sign in as a person to do this (an API key may not)")


def require_owner(actor, what):
    require_person(actor)
    if actor.get("role") != OWNER:
        raise Forbidden(f"only an owner of the organisation may {what}")


def managed_organisation(actor, organisation, what):
    """The organisation `actor` may manage: the operator names one, an owner
    manages their own (and may not name another)."""
    if is_operator(actor):
        if not organisation:
            raise InvalidInput({"organisation": [f"the operator must name it to {what}"]})
        return {"kind": organisation["kind"], "id": organisation["id"]}
    require_owner(actor, what)
    own = organisation_of_actor(actor)
    if organisation and (organisation.get("kind"), organisation.get("id")) != \
            (own["kind"], own["id"]):
        raise Forbidden(f"you may only {what} in your own organisation")
    return own


def check_removal(person, owners_left):
    """The last owner of an organisation stays: someone must be able to
    invite and remove people. `owners_left` counts owners other than
    `person`."""
    if person["role"] == OWNER and owners_left == 0:
        raise Conflict("this person is the organisation's last owner and cannot be removed; "
                       "invite another owner first")


def api_key_prefix(api_key):
    return api_key[:API_KEY_PREFIX_LENGTH]
