"""Proposing, signing, reading and moving agreements, their documents, and
the timer that starts and ends them on their dates."""
from datetime import datetime

from services.contracts.actors import is_operator, require_authenticated
from services.contracts.errors import InvalidInput
from services.platform import idempotency, pages
from services.platform.validation import load_input

from .. import domain, storage
from ..schemas import (
    AgreementOut,
    AgreementProposal,
    DocumentIn,
    HistoryEntryOut,
    SignatureIn,
    TransitionIn,
)
from .common import SYSTEM, business_now, business_today, existing_agreement


def propose_agreement(db, actor, data, idempotency_key=None):
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
        now = business_now()
        agreement = domain.new_agreement(proposal, proposer, sponsor_id, known, match, now)
        storage.insert_agreement(conn, agreement)
        storage.append_history(conn, [domain.history_entry(
            agreement, actor, "proposed" if agreement["status"] == "proposed" else "drafted",
            domain.proposal_details(agreement), now)])
        if agreement["status"] == "proposed":
            uow.emit("agreement.proposed", domain.agreement_snapshot(agreement))
        return AgreementOut().dump(agreement)

    return idempotency.run_once(db, work, idempotency_key, actor=actor,
                                operation="propose_agreement", request=data)


def sign_agreement(db, actor, agreement_id, data):
    require_authenticated(actor)
    signature = load_input(SignatureIn(), {} if data is None else data)

    def work(uow):
        agreement = existing_agreement(uow.connection, agreement_id, for_update=True)
        party = domain.signing_party(actor, agreement, signature["party"])
        now = business_now()
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
    agreement = db.run(lambda uow: existing_agreement(uow.connection, agreement_id))
    domain.require_visible(actor, agreement)
    return AgreementOut().dump(agreement)


def _listed_for(actor):
    """Whose list the actor reads: (None, None) is everyone's (the operator)."""
    return (None, None) if is_operator(actor) else (actor["kind"], actor.get("id"))


def list_agreements(db, actor, limit=None, cursor=None):
    """A page of the agreements the caller is party to or sponsors (operator:
    all), oldest first."""
    require_authenticated(actor)
    kind, actor_id = _listed_for(actor)
    page = pages.request(f"agreements/{kind}/{actor_id}", limit, cursor, (datetime, str))
    rows = db.run(lambda uow: storage.agreements_page(uow.connection, kind, actor_id,
                                                      page.after, page.fetch))
    return page.page(rows, lambda agreement: (agreement["created_at"], agreement["id"]),
                     AgreementOut(many=True).dump)


def get_agreement_history(db, actor, agreement_id, limit=None, cursor=None):
    """A page of the audit trail of one agreement, oldest first; visible to
    whoever may see the agreement."""
    require_authenticated(actor)
    page = pages.request(f"history/{agreement_id}", limit, cursor, (int,))

    def work(uow):
        agreement = existing_agreement(uow.connection, agreement_id)
        domain.require_visible(actor, agreement)
        return storage.history_page(uow.connection, agreement_id, page.after, page.fetch)

    return page.page(db.run(work), lambda entry: (entry["id"],),
                     HistoryEntryOut(many=True).dump)


def transition_agreement(db, actor, agreement_id, data):
    """POST /api/agreements/<id>/transitions {to, reason?}: a 409 names the
    transitions allowed from the current state."""
    require_authenticated(actor)
    request = load_input(TransitionIn(), data)

    def work(uow):
        agreement = existing_agreement(uow.connection, agreement_id, for_update=True)
        moved, entry = domain.requested_transition(actor, agreement, request["to"],
                                                   request["reason"], business_now())
        storage.save_agreement(uow.connection, moved)
        storage.append_history(uow.connection, [entry])
        uow.emit(domain.STATE_EVENTS[moved["status"]], domain.agreement_snapshot(moved))
        return moved

    return AgreementOut().dump(db.run(work))


def add_document(db, actor, agreement_id, data):
    require_authenticated(actor)
    document = load_input(DocumentIn(), data)

    def work(uow):
        agreement = existing_agreement(uow.connection, agreement_id, for_update=True)
        updated, history = domain.add_document(agreement, document, actor, business_now())
        if history:
            storage.save_agreement(uow.connection, updated)
            storage.append_history(uow.connection, history)
        return updated

    return AgreementOut().dump(db.run(work))


def advance_agreements(db):
    """Timer: signed agreements whose start date has come become active; active
    ones whose end date has passed expire. Each agreement in its own
    transaction, re-read under lock, so competing processes move it once."""
    today = business_today()
    candidates = db.run(lambda uow: storage.list_agreements_in(uow.connection,
                                                               ("signed", "active")))
    moved = 0
    for candidate in candidates:
        if not domain.due_automatic_transitions(candidate, today):
            continue

        def work(uow, agreement_id=candidate["id"]):
            agreement = existing_agreement(uow.connection, agreement_id, for_update=True)
            count = 0
            for target in domain.due_automatic_transitions(agreement, today):
                agreement, entry = domain.transition(agreement, target, SYSTEM, business_now(),
                                                     way="timer")
                storage.save_agreement(uow.connection, agreement)
                storage.append_history(uow.connection, [entry])
                uow.emit(domain.STATE_EVENTS[target], domain.agreement_snapshot(agreement))
                count += 1
            return count

        moved += db.run(work)
    return moved
