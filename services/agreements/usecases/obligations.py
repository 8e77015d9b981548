"""Obligations of an agreement: recording, listing, fulfilling, changing and
cancelling them, and the timer that sends their reminders."""
from datetime import datetime

from services.contracts.actors import require_authenticated
from services.contracts.errors import NotFound
from services.platform import idempotency, pages
from services.platform.validation import load_input

from .. import domain, storage
from ..schemas import (
    CancellationIn,
    FulfilmentIn,
    FulfilmentOut,
    ObligationChange,
    ObligationIn,
    ObligationOut,
)
from .common import business_now, business_today, existing_agreement


def add_obligation(db, actor, agreement_id, data, idempotency_key=None):
    require_authenticated(actor)
    fields = load_input(ObligationIn(), data)

    def work(uow):
        agreement = existing_agreement(uow.connection, agreement_id)
        now = business_now()
        obligation = domain.new_obligation(agreement, fields, actor, now)
        storage.insert_obligation(uow.connection, obligation)
        storage.append_history(uow.connection, [domain.history_entry(
            agreement, actor, "obligation_added",
            {"obligation_id": obligation["id"], "title": obligation["title"],
             "owner": obligation["owner"]}, now)])
        return ObligationOut().dump(domain.obligation_view(obligation, [], business_today()))

    return idempotency.run_once(db, work, idempotency_key, actor=actor,
                                operation="add_obligation",
                                request={"agreement_id": agreement_id, "data": data})


def list_obligations(db, actor, agreement_id, limit=None, cursor=None):
    """A page of the agreement's obligations, oldest first, each with its
    next and overdue occurrences."""
    require_authenticated(actor)
    page = pages.request(f"obligations/{agreement_id}", limit, cursor, (datetime, str))

    def work(uow):
        agreement = existing_agreement(uow.connection, agreement_id)
        domain.require_visible(actor, agreement)
        found = storage.obligations_page(uow.connection, agreement_id, page.after, page.fetch)
        fulfilments = storage.list_fulfilments(uow.connection, [o["id"] for o in found])
        return found, fulfilments

    found, fulfilments = db.run(work)
    today = business_today()

    def view(shown):
        return ObligationOut(many=True).dump([
            domain.obligation_view(o, [f for f in fulfilments if f["obligation_id"] == o["id"]],
                                   today) for o in shown])

    return page.page(found, lambda o: (o["created_at"], o["id"]), view)


def record_fulfilment(db, actor, agreement_id, obligation_id, data):
    require_authenticated(actor)
    fields = load_input(FulfilmentIn(), data)

    def work(uow):
        conn = uow.connection
        agreement = existing_agreement(conn, agreement_id)
        obligation = storage.get_obligation(conn, obligation_id)
        if obligation is None or obligation["agreement_id"] != agreement_id:
            raise NotFound(f"no obligation {obligation_id} in agreement {agreement_id}")
        domain.require_visible(actor, agreement)
        already = any(f["occurrence_on"] == fields["occurrence_on"]
                      for f in storage.list_fulfilments(conn, [obligation_id]))
        now = business_now()
        record = domain.fulfilment(obligation, agreement, fields, actor, business_today(), now,
                                   already)
        if not storage.insert_fulfilment(conn, record):
            domain.fulfilment(obligation, agreement, fields, actor, business_today(), now, True)
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
    return domain.obligation_view(obligation, fulfilments, business_today())


def change_obligation(db, actor, agreement_id, obligation_id, data):
    """PATCH .../obligations/<id> {title?, schedule?, remind_days_before?} by
    the owner party or the operator, with an audit-trail entry naming each
    change (from -> to)."""
    require_authenticated(actor)
    changes = load_input(ObligationChange(), data)

    def work(uow):
        conn = uow.connection
        agreement = existing_agreement(conn, agreement_id)
        domain.require_visible(actor, agreement)
        obligation = _existing_obligation(conn, agreement_id, obligation_id)
        now = business_now()
        updated, details = domain.change_obligation(agreement, obligation, changes, actor,
                                                    business_today(), now)
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
        agreement = existing_agreement(conn, agreement_id)
        domain.require_visible(actor, agreement)
        obligation = _existing_obligation(conn, agreement_id, obligation_id)
        now = business_now()
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
    today = business_today()

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
