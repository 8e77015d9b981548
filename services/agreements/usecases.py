"""What users and events can do with agreements. Each function is one
transaction (`db.run`, or `db.handle` for events, which also records the event
in the inbox so a duplicate does nothing): it validates input, applies the
domain rules, stores the result with its audit-trail rows and emits the
events that follow."""
from datetime import datetime, timezone

from services.contracts.actors import is_operator, require_authenticated
from services.contracts.errors import InvalidInput, NotFound
from services.platform.validation import load_input

from . import domain, storage
from .config import DIRECTORY_CONSUMER, MATCH_CONSUMER
from .schemas import AgreementOut, AgreementProposal, HistoryEntryOut, SignatureIn


def _now():
    return datetime.now(timezone.utc)


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
            agreement, actor, "proposed", domain.proposal_details(agreement), now)])
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
