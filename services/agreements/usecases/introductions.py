"""Introductions (double opt-in): requesting one (capped, with an expiry
from the settings), reading, answering and withdrawing it, and the timer that
expires unanswered requests."""
from datetime import datetime

from services.contracts.actors import is_operator, require_authenticated
from services.contracts.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.platform import idempotency, pages
from services.platform.validation import load_input

from .. import domain, storage
from ..schemas import DecisionIn, IntroductionOut, IntroductionRequest
from .common import business_now


def _existing_introduction(conn, introduction_id, for_update=False):
    introduction = storage.get_introduction(conn, introduction_id, for_update=for_update)
    if introduction is None:
        raise NotFound(f"no introduction {introduction_id}")
    return introduction


def _introduction_out(introduction, actor, contacts_for):
    """The response: contacts are fetched from profiles only once the company
    has accepted, and only for the sides of the introduction."""
    contacts = None
    if introduction["status"] == "accepted" and domain.may_see_introduction(actor, introduction):
        contacts = domain.introduction_contacts(
            introduction, contacts_for(introduction["company_id"], introduction["park_id"]))
    return IntroductionOut().dump(domain.introduction_view(introduction, contacts))


def _checked_request(conn, actor, request):
    """(the match, the requester, the sponsor partner id) of a request that may
    be made; InvalidInput naming every bad field otherwise."""
    match = storage.get_match(conn, request["match_id"])
    if match is None:
        raise InvalidInput(domain.introduction_request_problems(
            request, {"kind": None}, None, request["match_id"]))
    requester, sponsor_id = domain.choose_requester(actor, request, match)
    problems = domain.introduction_request_problems(request, requester, match,
                                                    request["match_id"])
    named = [requester] + ([domain.ref("partner", sponsor_id)] if sponsor_id else [])
    known = storage.find_directory_entries(conn, named)
    for party in named:
        if domain.key(party) not in known:
            field = "requested_by" if party is requester else "sponsor_partner_id"
            problems.setdefault(field, []).append(f"unknown {party['kind']} {party['id']}")
    if problems:
        raise InvalidInput(problems)
    return match, requester, sponsor_id


def request_introduction(db, actor, data, settings, idempotency_key=None):
    """POST /api/introductions. `settings` (config.AgreementsSettings) give the
    open-request cap and the days before an unanswered request expires."""
    require_authenticated(actor)
    request = load_input(IntroductionRequest(), data)

    def requested(uow):
        conn = uow.connection
        match, requester, sponsor_id = _checked_request(conn, actor, request)
        # The cap is an invariant: requests of one requester queue on its
        # directory row, so each counts what the one before committed.
        storage.lock_directory_entry(conn, requester)
        existing = storage.latest_introduction_for(conn, match["id"], requester)
        if existing is not None and domain.existing_request_outcome(existing) is not None:
            return existing
        domain.require_below_cap(storage.count_open_introductions_by(conn, requester),
                                 settings.max_open_introductions)
        introduction = domain.new_introduction(request, requester, sponsor_id, match,
                                               business_now(), settings.introduction_ttl_days)
        if not storage.insert_introduction(conn, introduction):
            # a concurrent identical request won: answer with it
            return storage.latest_introduction_for(conn, match["id"], requester)
        uow.emit("introduction.requested", domain.introduction_snapshot(introduction))
        return introduction

    def work(uow):
        return IntroductionOut().dump(domain.introduction_view(requested(uow)))

    return idempotency.run_once(db, work, idempotency_key, actor=actor,
                                operation="request_introduction", request=data)


def list_introductions(db, actor, status=None, limit=None, cursor=None):
    """A page of the introductions the caller is a side of (operator: all),
    oldest first; an unknown `status` lists none."""
    require_authenticated(actor)
    kind, actor_id = (None, None) if is_operator(actor) else (actor["kind"], actor.get("id"))
    page = pages.request(f"introductions/{kind}/{actor_id}", limit, cursor, (datetime, str))
    rows = db.run(lambda uow: storage.introductions_page(
        uow.connection, kind, actor_id, status if isinstance(status, str) else None,
        page.after, page.fetch))

    def view(shown):
        # Lists never carry contacts: read one introduction to see them.
        return IntroductionOut(many=True).dump([domain.introduction_view(i) for i in shown])

    return page.page(rows, lambda i: (i["requested_at"], i["id"]), view)


def get_introduction(db, actor, introduction_id, contacts_for):
    require_authenticated(actor)
    introduction = db.run(lambda uow: _existing_introduction(uow.connection, introduction_id))
    domain.require_introduction_visible(actor, introduction)
    return _introduction_out(introduction, actor, contacts_for)


def decide_introduction(db, actor, introduction_id, decision, data, contacts_for):
    """The company accepts or declines (decision: "accepted" | "declined")."""
    require_authenticated(actor)
    answer = load_input(DecisionIn(), {} if data is None else data)

    def work(uow):
        introduction = _existing_introduction(uow.connection, introduction_id, for_update=True)
        if not domain.may_see_introduction(actor, introduction):
            raise Forbidden("only the company asked (or the operator) may answer an "
                            "introduction request")
        decided, changed = domain.decide_introduction(actor, introduction, decision,
                                                      answer["reason"], business_now())
        if changed:
            if not storage.save_introduction(uow.connection, decided, introduction["status"]):
                raise Conflict(f"introduction {introduction_id} changed meanwhile; read it again")
            uow.emit(f"introduction.{decision}", domain.introduction_snapshot(decided))
        return decided

    return _introduction_out(db.run(work), actor, contacts_for)


def withdraw_introduction(db, actor, introduction_id, data, contacts_for):
    """POST /api/introductions/<id>/withdrawal: the requester (or the operator)
    takes back an open request; it frees a place under the cap, and the same
    requester may ask again later."""
    require_authenticated(actor)
    answer = load_input(DecisionIn(), {} if data is None else data)

    def work(uow):
        introduction = _existing_introduction(uow.connection, introduction_id, for_update=True)
        domain.require_introduction_visible(actor, introduction)
        withdrawn, changed = domain.withdraw_introduction(actor, introduction,
                                                          answer["reason"], business_now())
        if changed:
            if not storage.save_introduction(uow.connection, withdrawn, introduction["status"]):
                raise Conflict(f"introduction {introduction_id} changed meanwhile; read it again")
            uow.emit("introduction.withdrawn", domain.introduction_snapshot(withdrawn))
        return withdrawn

    return _introduction_out(db.run(work), actor, contacts_for)


def expire_introductions(db):
    """Timer: open requests past their expiry become expired, each once (the
    update is conditional on the request still being open)."""
    now = business_now()
    expired = 0
    for candidate in db.run(lambda uow: storage.list_expired_open_introductions(
            uow.connection, now)):
        def work(uow, introduction=candidate):
            done = domain.expire_introduction(introduction, now)
            if done and storage.save_introduction(uow.connection, done, "requested"):
                uow.emit("introduction.expired", domain.introduction_snapshot(done))
                return 1
            return 0
        expired += db.run(work)
    return expired
