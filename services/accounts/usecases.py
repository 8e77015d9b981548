"""What people can do with their accounts. Each function validates its input,
applies the rules in `domain` and stores the result in one transaction
(`db.run`); e-mails go out only after that transaction committed.

Secrets: a token or key is returned once and stored only as its hash; no
token, key or link is ever logged."""
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from services.contracts.actors import is_operator
from services.contracts.errors import Conflict, Forbidden, Gone, NotFound, TooManyRequests
from services.platform import pages
from services.platform.keys import hash_key
from services.platform.validation import load_input

from . import domain, emails, storage
from .config import Settings
from .schemas import (
    EnrolmentIn,
    InvitationIn,
    InvitationOut,
    LanguageIn,
    OrganisationSchema,
    PersonOut,
    SignInRequestIn,
    TokenIn,
)


@dataclass(frozen=True)
class Context:
    db: Any          # services.platform.db.Database (or the worker's BoundDatabase)
    settings: Settings
    send_mail: Any   # callable(emails.Email, purpose, person_id): sends after the call returns


def now():
    # The real clock, not services.platform.clock.now(): that business clock
    # travels when PARKMATCH_CLOCK_FILE says so (rehearsals, tests of
    # deadlines), and moving it must never revive an expired link or session,
    # stretch one past its limit, or reset a rate-limit window.
    return datetime.now(UTC)


# --- enrolment and sign-in --------------------------------------------------------

def enrol_owner(ctx, organisation, email, name, language):
    fields = load_input(EnrolmentIn(), {"organisation": organisation, "email": email,
                                        "name": name, "language": language})
    org = {"kind": fields["organisation"]["kind"], "id": fields["organisation"]["id"]}
    names = fields["organisation"].get("names")

    def work(uow):
        _, key = domain.normalise_email(fields["email"])
        existing = storage.person_by_email_key(uow.connection, key)
        if existing is not None:
            if domain.organisation_of(existing) == org:
                return existing, None  # the same enrolment again: nothing new
            raise Conflict("this e-mail address already belongs to another organisation",
                           {"email": ["already in use"]})
        if storage.people_of(uow.connection, org):
            raise Conflict("this organisation has people already; an owner invites colleagues")
        moment = now()
        person = domain.new_person(org, fields["email"], fields["name"], fields["language"],
                                   domain.OWNER, None, moment, names)
        storage.insert_person(uow.connection, person)
        _announce(uow, "person.enrolled", person, moment)
        return person, _new_sign_in_link(uow.connection, person, ctx.settings, moment)

    person, token = ctx.db.run(work)
    if token:
        ctx.send_mail(emails.verification(
            person["email"], person["name"], _organisation_label(person),
            _link(ctx, "sign-in", token), ctx.settings.sign_in_link_ttl, person["language"]),
            "verification", person["id"])
    return PersonOut().dump(person)


def request_sign_in(ctx, email, language, client_address):
    fields = load_input(SignInRequestIn(), {"email": email, "language": language,
                                            "client_address": client_address})
    _, key = domain.normalise_email(fields["email"])
    limits = (
        (domain.RateLimit("email", ctx.settings.sign_in_limit_per_email,
                          ctx.settings.rate_window), key),
        (domain.RateLimit("client_address", ctx.settings.sign_in_limit_per_address,
                          ctx.settings.rate_window), fields["client_address"] or "unknown"),
    )

    def work(uow):
        moment = now()
        for limit, counted in limits:
            _count_or_refuse(uow.connection, limit, counted, moment)
        person = storage.person_by_email_key(uow.connection, key)
        if person is None and key in ctx.settings.operator_emails:
            person = domain.new_operator_person(fields["email"], fields["language"], moment)
            storage.insert_person(uow.connection, person)
        if person is None or not domain.still_allowed(person, ctx.settings.operator_emails):
            return None, None
        return person, _new_sign_in_link(uow.connection, person, ctx.settings, moment)

    person, token = ctx.db.run(work)
    if person is not None:
        # Sent from another green thread after this returns: a known and an
        # unknown address answer alike, in the same time.
        ctx.send_mail(emails.sign_in(
            person["email"], person["name"], _organisation_label(person),
            _link(ctx, "sign-in", token), ctx.settings.sign_in_link_ttl, person["language"]),
            "sign-in", person["id"])
    return {"status": "sent"}


def count_anonymous_write(ctx, purpose, client_address):
    """Count one write made without a key (a registration) from
    `client_address`; TooManyRequests past the limit. The front doors (the
    gateway, the web app) call this before they pass the write on, so one
    address cannot flood the registers."""
    limit = domain.RateLimit("client_address", ctx.settings.anonymous_write_limit,
                             ctx.settings.anonymous_write_window)
    counted = f"{purpose}:{client_address or 'unknown'}"
    ctx.db.run(lambda uow: _count_or_refuse(uow.connection, limit, counted, now(),
                                            what=f"{purpose} requests from this network address",
                                            bucket_prefix="write"))
    return {"status": "counted"}


def _count_or_refuse(conn, limit, counted, moment, what=None, bucket_prefix=None):
    bucket = f"{bucket_prefix or limit.name}:{hash_key(counted)}"
    count = storage.count_hit(conn, bucket, domain.window_start(moment, limit.window))
    refused = domain.refusal(limit, count, moment)
    if refused:
        what = what or ("sign-in requests for this e-mail address" if limit.name == "email"
                        else "sign-in requests for this network address")
        raise TooManyRequests(f"too many {what}; try again in {refused['retry_after']} s",
                              refused)


def complete_sign_in(ctx, token):
    token_hash = hash_key(load_input(TokenIn(), {"token": token})["token"])

    def work(uow):
        moment = now()
        link = storage.sign_in_link(uow.connection, token_hash)
        problem = domain.link_problem(link["used_at"], link["expires_at"], moment) \
            if link else "unknown"
        if problem or not storage.use_sign_in_link(uow.connection, token_hash, moment):
            raise Gone("this sign-in link was used already or has expired; "
                       "ask for a new link", {"reason": problem or "used"})
        person = storage.person_by_id(uow.connection, link["person_id"])
        if not domain.still_allowed(person, ctx.settings.operator_emails):
            raise Gone("this sign-in link was used already or has expired; "
                       "ask for a new link", {"reason": "unknown"})
        if person["verified_at"] is None:
            person = {**person, "verified_at": moment}
            storage.update_person(uow.connection, person["id"], verified_at=moment)
            # profiles announces a company registered through the web app then
            _announce(uow, "person.updated", person, moment)
        return _start_session(uow.connection, person, ctx.settings, moment)

    return ctx.db.run(work)


def _new_sign_in_link(conn, person, settings, moment):
    token = domain.new_token()
    storage.delete_spent_links(conn, person["id"], moment)
    storage.insert_sign_in_link(conn, hash_key(token), person["id"], moment,
                                moment + settings.sign_in_link_ttl)
    return token


def _start_session(conn, person, settings, moment):
    token = domain.new_token()
    storage.delete_dead_sessions(conn, person["id"], moment)
    session = domain.new_session(person["id"], moment, settings.session_idle_timeout,
                                 settings.session_max_age)
    storage.insert_session(conn, hash_key(token), session)
    return {"session_token": token,
            "expires_at": session["absolute_expires_at"].isoformat(),
            "idle_expires_at": session["idle_expires_at"].isoformat(),
            "person": PersonOut().dump(person)}


# --- sessions ---------------------------------------------------------------------------

def resolve_session(ctx, session_token):
    if not isinstance(session_token, str) or not session_token or len(session_token) > 200:
        return None
    token_hash = hash_key(session_token)

    def work(uow):
        moment = now()
        session = storage.session(uow.connection, token_hash)
        if not domain.session_is_live(session, moment):
            return None
        person = storage.person_by_id(uow.connection, session["person_id"])
        if not domain.still_allowed(person, ctx.settings.operator_emails):
            storage.end_session(uow.connection, token_hash, moment)
            return None
        touched = domain.touched_session(session, moment, ctx.settings.session_idle_timeout,
                                         ctx.settings.session_touch_interval)
        if touched:
            storage.touch_session(uow.connection, token_hash, *touched)
        return {"person": PersonOut().dump(person), "actor": domain.actor_of(person)}

    return ctx.db.run(work)


def sign_out(ctx, session_token):
    if isinstance(session_token, str) and session_token:
        ctx.db.run(lambda uow: storage.end_session(uow.connection, hash_key(session_token),
                                                   now()))
    return {"status": "signed_out"}


# --- invitations ----------------------------------------------------------------------------

def invite_person(ctx, actor, email, name, language, organisation=None, role=domain.MEMBER):
    fields = load_input(InvitationIn(), {"email": email, "name": name, "language": language,
                                         "organisation": organisation, "role": role})
    org = domain.managed_organisation(actor, fields["organisation"], "invite people")
    stored, key = domain.normalise_email(fields["email"])

    def work(uow):
        if storage.person_by_email_key(uow.connection, key) is not None:
            raise Conflict("this e-mail address already belongs to a person on Parkmatch",
                           {"email": ["already in use"]})
        inviter = storage.person_by_id(uow.connection, actor.get("person_id")) \
            if actor.get("person_id") else None
        names = (fields["organisation"] or {}).get("names") or _names_of(uow.connection, org)
        moment, token = now(), domain.new_token()
        invitation = {
            "id": domain.new_id(), "token_hash": hash_key(token),
            "organisation_kind": org["kind"], "organisation_id": org["id"],
            "organisation_names": names, "email": stored, "email_key": key,
            "name": fields["name"], "language": fields["language"], "role": fields["role"],
            "invited_by": inviter["id"] if inviter else None, "created_at": moment,
            "expires_at": moment + ctx.settings.invitation_ttl, "accepted_at": None,
            "person_id": None}
        storage.insert_invitation(uow.connection, invitation)
        return invitation, token, inviter

    invitation, token, inviter = ctx.db.run(work)
    ctx.send_mail(emails.invitation(
        invitation["email"], invitation["name"], _organisation_label(invitation),
        inviter["name"] if inviter else None, _link(ctx, "invitations", token),
        ctx.settings.invitation_ttl, invitation["language"]), "invitation", invitation["id"])
    return InvitationOut().dump(invitation)


def accept_invitation(ctx, token):
    token_hash = hash_key(load_input(TokenIn(), {"token": token})["token"])

    def work(uow):
        moment = now()
        invitation = storage.invitation_by_hash(uow.connection, token_hash)
        problem = domain.link_problem(invitation["accepted_at"], invitation["expires_at"],
                                      moment) if invitation else "unknown"
        if problem:
            raise Gone("this invitation was used already or has expired; ask for a new one",
                       {"reason": problem})
        if storage.person_by_email_key(uow.connection, invitation["email_key"]) is not None:
            raise Conflict("this e-mail address already belongs to a person on Parkmatch; "
                           "sign in instead")
        person = domain.new_person(
            domain.organisation_of(invitation), invitation["email"], invitation["name"],
            invitation["language"], invitation["role"], moment, moment,
            invitation["organisation_names"])
        storage.insert_person(uow.connection, person)
        if not storage.accept_invitation(uow.connection, token_hash, moment, person["id"]):
            raise Gone("this invitation was used already or has expired; ask for a new one",
                       {"reason": "used"})
        _announce(uow, "person.enrolled", person, moment)
        return _start_session(uow.connection, person, ctx.settings, moment)

    return ctx.db.run(work)


# --- people -----------------------------------------------------------------------------------

def list_people(ctx, actor, organisation=None, limit=None, cursor=None):
    """A page of people: the caller's organisation's; the operator's choice
    of one organisation, or everyone."""
    if organisation is not None:
        organisation = load_input(OrganisationSchema(), organisation)
    if is_operator(actor):
        wanted = {"kind": organisation["kind"], "id": organisation["id"]} \
            if organisation else None
    else:
        wanted = domain.organisation_of_actor(actor)
        if organisation and (organisation.get("kind"), organisation.get("id")) != \
                (wanted["kind"], wanted["id"]):
            raise Forbidden("you may only list the people of your own organisation")
    scope = f"{wanted['kind']}/{wanted['id']}" if wanted else "all"
    page = pages.request(f"people/{scope}", limit, cursor, kinds=(datetime, str))
    rows = ctx.db.run(lambda uow: storage.people_page(uow.connection, wanted, page.after,
                                                      page.fetch))
    return page.page(rows, lambda person: (person["created_at"], person["id"]),
                     PersonOut(many=True).dump)


def remove_person(ctx, actor, person_id):
    if not is_operator(actor):
        domain.require_owner(actor, "remove people")

    def work(uow):
        person = storage.person_by_id(uow.connection, person_id) \
            if isinstance(person_id, str) else None
        if person is None or not (is_operator(actor) or domain.organisation_of(person) ==
                                  domain.organisation_of_actor(actor)):
            raise NotFound(f"no person {person_id} in your organisation")
        organisation = domain.organisation_of(person)
        domain.check_removal(person, storage.count_owners(uow.connection, organisation,
                                                           person["id"]))
        storage.delete_person(uow.connection, person["id"])
        _announce(uow, "person.removed", person, now())
        return person

    return PersonOut().dump(ctx.db.run(work))


def set_language(ctx, actor, language):
    domain.require_person(actor)
    chosen = load_input(LanguageIn(), {"language": language})["language"]

    def work(uow):
        storage.update_person(uow.connection, actor["person_id"], language=chosen)
        person = storage.person_by_id(uow.connection, actor["person_id"])
        if person is None:
            raise NotFound("you are no longer a person on Parkmatch; sign in again")
        _announce(uow, "person.updated", person, now())
        return person

    return PersonOut().dump(ctx.db.run(work))


# --- helpers ------------------------------------------------------------------------------------

def _announce(uow, event_type, person, moment):
    """Tell the other services about a person of a company, park or partner;
    the platform's own operators are no one's recipients and are not announced."""
    if domain.organisation_of(person)["kind"] in domain.ORGANISATION_KINDS:
        uow.emit(event_type, _person_event(person, moment))


def _person_event(person, moment):
    """The person.* payload (services/contracts/events.py PersonV1): who the
    person is, for notifications to alert them. No token or key."""
    return {"person_id": person["id"], "organisation": domain.organisation_of(person),
            "email": person["email"], "name": person["name"], "language": person["language"],
            "role": person["role"], "changed_at": moment,
            "verified_at": person.get("verified_at")}


def _link(ctx, path, token):
    return f"{ctx.settings.web_url}/{path}/{token}"


def _names_of(conn, organisation):
    """The organisation's names as an earlier person or enrolment gave them."""
    for person in storage.people_of(conn, organisation):
        if person["organisation_names"]:
            return person["organisation_names"]
    return None


def _organisation_label(record):
    """The organisation's name in the language of `record` (a person or an
    invitation), whom the e-mail is for."""
    return emails.organisation_label(domain.organisation_of(record),
                                     record.get("organisation_names"), record["language"])
