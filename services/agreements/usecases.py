"""What users and events can do with agreements. Each function is one
transaction (`db.run`, or `db.handle` for events, which also records the event
in the inbox so a duplicate does nothing): it validates input, applies the
domain rules, stores the result with its audit-trail rows and emits the
events that follow."""
import logging

from services.contracts.actors import is_actor, is_operator, require_authenticated
from services.contracts.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.platform import clock
from services.platform.validation import load_input

from . import config, domain, storage
from .config import DIRECTORY_CONSUMER, MATCH_CONSUMER
from .schemas import (
    AgreementOut,
    AgreementProposal,
    CancellationIn,
    DecisionIn,
    DocumentIn,
    FulfilmentIn,
    FulfilmentOut,
    FunnelOut,
    HistoryEntryOut,
    IntroductionOut,
    IntroductionRequest,
    ObligationChange,
    ObligationIn,
    ObligationOut,
    SignatureIn,
    TransitionIn,
)

log = logging.getLogger(__name__)

# Who the audit trail names for what the timer does.
SYSTEM = {"kind": "system", "id": "agreements-timer"}


def _now():
    # Business time: tests and rehearsals move it with PARKMATCH_CLOCK_FILE.
    return clock.now()


def _existing(conn, agreement_id, for_update=False):
    agreement = storage.get_agreement(conn, agreement_id, for_update=for_update)
    if agreement is None:
        raise NotFound(f"no agreement {agreement_id}")
    return agreement


# --- the directory, from events ------------------------------------------------------

def record_directory_entry(db, event):
    """company.registered/updated, park.registered, partner.registered."""
    entry = domain.directory_entry(event.type, event.payload)
    return db.handle(DIRECTORY_CONSUMER, event,
                     lambda uow: storage.save_directory_entry(uow.connection, entry))


def record_match(db, event):
    """match.found/updated/withdrawn. A withdrawn match only stops new
    proposals from it; agreements already made from it stand."""
    match = domain.match_record(event.payload)
    return db.handle(MATCH_CONSUMER, event,
                     lambda uow: storage.save_match(uow.connection, match))


# --- agreements ----------------------------------------------------------------------

def propose_agreement(db, actor, data):
    require_authenticated(actor)
    proposal = load_input(AgreementProposal(), data)
    proposer, sponsor_id = domain.choose_proposer(actor, proposal)

    def work(uow):
        conn = uow.connection
        named = proposal["parties"] + [proposer]
        if sponsor_id:
            named.append(domain.ref("partner", sponsor_id))
        known = storage.find_directory_entries(conn, named)
        match = storage.get_match(conn, proposal["match_id"]) if proposal["match_id"] else None
        problems = domain.proposal_problems(proposal, proposer, sponsor_id, known, match)
        if problems:
            raise InvalidInput(problems)
        now = _now()
        agreement = domain.new_agreement(proposal, proposer, sponsor_id, known, match, now)
        storage.insert_agreement(conn, agreement)
        storage.append_history(conn, [domain.history_entry(
            agreement, actor, "proposed" if agreement["status"] == "proposed" else "drafted",
            domain.proposal_details(agreement), now)])
        if agreement["status"] == "proposed":
            uow.emit("agreement.proposed", domain.agreement_snapshot(agreement))
        return agreement

    return AgreementOut().dump(db.run(work))


def sign_agreement(db, actor, agreement_id, data):
    require_authenticated(actor)
    signature = load_input(SignatureIn(), {} if data is None else data)

    def work(uow):
        agreement = _existing(uow.connection, agreement_id, for_update=True)
        party = domain.signing_party(actor, agreement, signature["party"])
        now = _now()
        signing = domain.sign(agreement, party, signature["signed_at"] or now, actor, now)
        if signing.changed:
            storage.save_agreement(uow.connection, signing.agreement)
            storage.append_history(uow.connection, signing.history)
        if signing.completed:
            uow.emit("agreement.signed", domain.agreement_snapshot(signing.agreement))
        return signing.agreement

    return AgreementOut().dump(db.run(work))


def get_agreement(db, actor, agreement_id):
    require_authenticated(actor)
    agreement = db.run(lambda uow: _existing(uow.connection, agreement_id))
    domain.require_visible(actor, agreement)
    return AgreementOut().dump(agreement)


def list_agreements(db, actor):
    require_authenticated(actor)

    def work(uow):
        if is_operator(actor):
            return storage.list_agreements(uow.connection)
        return storage.list_agreements_involving(uow.connection, actor["kind"], actor.get("id"))

    return AgreementOut(many=True).dump(db.run(work))


def get_agreement_history(db, actor, agreement_id):
    """The audit trail of one agreement, oldest first; visible to whoever may
    see the agreement."""
    require_authenticated(actor)

    def work(uow):
        agreement = _existing(uow.connection, agreement_id)
        domain.require_visible(actor, agreement)
        return storage.list_history(uow.connection, agreement_id)

    return HistoryEntryOut(many=True).dump(db.run(work))


def transition_agreement(db, actor, agreement_id, data):
    """POST /api/agreements/<id>/transitions {to, reason?}: a 409 names the
    transitions allowed from the current state."""
    require_authenticated(actor)
    request = load_input(TransitionIn(), data)

    def work(uow):
        agreement = _existing(uow.connection, agreement_id, for_update=True)
        moved, entry = domain.requested_transition(actor, agreement, request["to"],
                                                   request["reason"], _now())
        storage.save_agreement(uow.connection, moved)
        storage.append_history(uow.connection, [entry])
        uow.emit(domain.STATE_EVENTS[moved["status"]], domain.agreement_snapshot(moved))
        return moved

    return AgreementOut().dump(db.run(work))


def add_document(db, actor, agreement_id, data):
    require_authenticated(actor)
    document = load_input(DocumentIn(), data)

    def work(uow):
        agreement = _existing(uow.connection, agreement_id, for_update=True)
        updated, history = domain.add_document(agreement, document, actor, _now())
        if history:
            storage.save_agreement(uow.connection, updated)
            storage.append_history(uow.connection, history)
        return updated

    return AgreementOut().dump(db.run(work))


def advance_agreements(db):
    """Timer: signed agreements whose start date has come become active; active
    ones whose end date has passed expire. Each agreement in its own
    transaction, re-read under lock, so competing processes move it once."""
    today = clock.today()
    candidates = db.run(lambda uow: storage.list_agreements_in(uow.connection,
                                                               ("signed", "active")))
    moved = 0
    for candidate in candidates:
        if not domain.due_automatic_transitions(candidate, today):
            continue

        def work(uow, agreement_id=candidate["id"]):
            agreement = _existing(uow.connection, agreement_id, for_update=True)
            count = 0
            for target in domain.due_automatic_transitions(agreement, today):
                agreement, entry = domain.transition(agreement, target, SYSTEM, _now(),
                                                     way="timer")
                storage.save_agreement(uow.connection, agreement)
                storage.append_history(uow.connection, [entry])
                uow.emit(domain.STATE_EVENTS[target], domain.agreement_snapshot(agreement))
                count += 1
            return count

        moved += db.run(work)
    return moved


# --- introductions (double opt-in) ---------------------------------------------------------

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


def request_introduction(db, actor, data):
    require_authenticated(actor)
    request = load_input(IntroductionRequest(), data)
    ttl_days, cap = config.introduction_ttl_days(), config.max_open_introductions()

    def work(uow):
        conn = uow.connection
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
        # The cap is an invariant: requests of one requester queue on its
        # directory row, so each counts what the one before committed.
        storage.lock_directory_entry(conn, requester)
        existing = storage.latest_introduction_for(conn, match["id"], requester)
        if existing is not None and domain.existing_request_outcome(existing) is not None:
            return existing
        domain.require_below_cap(storage.count_open_introductions_by(conn, requester), cap)
        introduction = domain.new_introduction(request, requester, sponsor_id, match, _now(),
                                               ttl_days)
        if not storage.insert_introduction(conn, introduction):
            # a concurrent identical request won: answer with it
            return storage.latest_introduction_for(conn, match["id"], requester)
        uow.emit("introduction.requested", domain.introduction_snapshot(introduction))
        return introduction

    return IntroductionOut().dump(domain.introduction_view(db.run(work)))


def list_introductions(db, actor, status=None):
    require_authenticated(actor)

    def work(uow):
        if is_operator(actor):
            return storage.list_introductions(uow.connection)
        return storage.list_introductions(uow.connection, actor["kind"], actor.get("id"))

    found = db.run(work)
    if status:
        found = [i for i in found if i["status"] == status]
    # Lists never carry contacts: read one introduction to see them.
    return IntroductionOut(many=True).dump([domain.introduction_view(i) for i in found])


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
                                                      answer["reason"], _now())
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
                                                          answer["reason"], _now())
        if changed:
            if not storage.save_introduction(uow.connection, withdrawn, introduction["status"]):
                raise Conflict(f"introduction {introduction_id} changed meanwhile; read it again")
            uow.emit("introduction.withdrawn", domain.introduction_snapshot(withdrawn))
        return withdrawn

    return _introduction_out(db.run(work), actor, contacts_for)


def expire_introductions(db):
    """Timer: open requests past their expiry become expired, each once (the
    update is conditional on the request still being open)."""
    now = _now()
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


# --- obligations ---------------------------------------------------------------------------------

def add_obligation(db, actor, agreement_id, data):
    require_authenticated(actor)
    fields = load_input(ObligationIn(), data)

    def work(uow):
        agreement = _existing(uow.connection, agreement_id)
        now = _now()
        obligation = domain.new_obligation(agreement, fields, actor, now)
        storage.insert_obligation(uow.connection, obligation)
        storage.append_history(uow.connection, [domain.history_entry(
            agreement, actor, "obligation_added",
            {"obligation_id": obligation["id"], "title": obligation["title"],
             "owner": obligation["owner"]}, now)])
        return obligation

    obligation = db.run(work)
    return ObligationOut().dump(domain.obligation_view(obligation, [], clock.today()))


def list_obligations(db, actor, agreement_id):
    require_authenticated(actor)

    def work(uow):
        agreement = _existing(uow.connection, agreement_id)
        domain.require_visible(actor, agreement)
        found = storage.list_obligations(uow.connection, [agreement_id])
        fulfilments = storage.list_fulfilments(uow.connection, [o["id"] for o in found])
        return found, fulfilments

    found, fulfilments = db.run(work)
    today = clock.today()
    return ObligationOut(many=True).dump([
        domain.obligation_view(o, [f for f in fulfilments if f["obligation_id"] == o["id"]],
                               today) for o in found])


def record_fulfilment(db, actor, agreement_id, obligation_id, data):
    require_authenticated(actor)
    fields = load_input(FulfilmentIn(), data)

    def work(uow):
        conn = uow.connection
        agreement = _existing(conn, agreement_id)
        obligation = storage.get_obligation(conn, obligation_id)
        if obligation is None or obligation["agreement_id"] != agreement_id:
            raise NotFound(f"no obligation {obligation_id} in agreement {agreement_id}")
        domain.require_visible(actor, agreement)
        already = any(f["occurrence_on"] == fields["occurrence_on"]
                      for f in storage.list_fulfilments(conn, [obligation_id]))
        now = _now()
        record = domain.fulfilment(obligation, agreement, fields, actor, clock.today(), now,
                                   already)
        if not storage.insert_fulfilment(conn, record):
            domain.fulfilment(obligation, agreement, fields, actor, clock.today(), now, True)
        storage.append_history(conn, [domain.history_entry(
            agreement, actor, "obligation_fulfilled",
            {"obligation_id": obligation_id, "occurrence_on": record["occurrence_on"].isoformat(),
             "on_time": record["on_time"]}, now)])
        return record

    return FulfilmentOut().dump(db.run(work))


def _existing_obligation(conn, agreement_id, obligation_id):
    obligation = storage.get_obligation(conn, obligation_id, for_update=True)
    if obligation is None or obligation["agreement_id"] != agreement_id:
        raise NotFound(f"no obligation {obligation_id} in agreement {agreement_id}")
    return obligation


def _obligation_out(conn, obligation):
    fulfilments = storage.list_fulfilments(conn, [obligation["id"]])
    return domain.obligation_view(obligation, fulfilments, clock.today())


def change_obligation(db, actor, agreement_id, obligation_id, data):
    """PATCH .../obligations/<id> {title?, schedule?, remind_days_before?} by
    the owner party or the operator, with an audit-trail entry naming each
    change (from -> to)."""
    require_authenticated(actor)
    changes = load_input(ObligationChange(), data)

    def work(uow):
        conn = uow.connection
        agreement = _existing(conn, agreement_id)
        domain.require_visible(actor, agreement)
        obligation = _existing_obligation(conn, agreement_id, obligation_id)
        now = _now()
        updated, details = domain.change_obligation(agreement, obligation, changes, actor,
                                                    clock.today(), now)
        if details:
            storage.save_obligation(conn, updated)
            storage.append_history(conn, [domain.history_entry(
                agreement, actor, "obligation_changed", details, now)])
        return _obligation_out(conn, updated)

    return ObligationOut().dump(db.run(work))


def cancel_obligation(db, actor, agreement_id, obligation_id, data=None):
    """DELETE .../obligations/<id>: the obligation is cancelled, not erased: it
    stays listed (status cancelled) with its fulfilments, the reminders
    already sent and the audit trail; nothing more falls due."""
    require_authenticated(actor)
    fields = load_input(CancellationIn(), {} if data is None else data)

    def work(uow):
        conn = uow.connection
        agreement = _existing(conn, agreement_id)
        domain.require_visible(actor, agreement)
        obligation = _existing_obligation(conn, agreement_id, obligation_id)
        now = _now()
        cancelled, changed = domain.cancel_obligation(agreement, obligation, fields["reason"],
                                                      actor, now)
        if changed:
            storage.save_obligation(conn, cancelled)
            storage.append_history(conn, [domain.history_entry(
                agreement, actor, "obligation_cancelled",
                {"obligation_id": obligation_id, "title": obligation["title"],
                 "reason": fields["reason"]}, now)])
        return _obligation_out(conn, cancelled)

    return ObligationOut().dump(db.run(work))


def send_obligation_reminders(db):
    """Timer: for every obligation of an agreement in force, the reminder that
    applies today to each unfulfilled occurrence (obligation.due within a
    reminder window, obligation.overdue after the due date) is emitted once
    ever: the (obligation, occurrence, reminder) key is claimed in the same
    transaction as the outbox row."""
    today = clock.today()

    def load(uow):
        agreements = storage.list_agreements_in(uow.connection, domain.IN_FORCE)
        found = storage.list_obligations(uow.connection, [a["id"] for a in agreements])
        return {a["id"]: a for a in agreements}, found

    agreements, found = db.run(load)
    sent = 0
    for candidate in found:
        def work(uow, candidate=candidate):
            # re-read under lock: a change or cancellation committed meanwhile wins
            obligation = storage.get_obligation(uow.connection, candidate["id"], for_update=True)
            fulfilled = {f["occurrence_on"] for f in
                         storage.list_fulfilments(uow.connection, [obligation["id"]])}
            count = 0
            agreement = agreements[obligation["agreement_id"]]
            for occurrence_on, reminder, days in domain.reminders_due(obligation, today,
                                                                      fulfilled):
                if storage.claim_reminder(uow.connection, obligation["id"], occurrence_on,
                                          reminder):
                    uow.emit(domain.reminder_event_type(reminder), domain.reminder_payload(
                        obligation, agreement, occurrence_on, reminder, days))
                    count += 1
            return count
        sent += db.run(work)
    return sent


def run_timers(db):
    """Everything time-based, each part on its own so one failing does not stop
    the others."""
    done = {}
    for name, step in (("introductions_expired", expire_introductions),
                       ("agreements_moved", advance_agreements),
                       ("reminders_sent", send_obligation_reminders)):
        try:
            done[name] = step(db)
        except Exception:
            log.exception("agreements timer: %s failed; next tick tries again", name)
    return done


# --- the funnel ---------------------------------------------------------------------

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
    today = clock.today()

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
