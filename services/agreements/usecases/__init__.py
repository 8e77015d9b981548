"""What users and events can do with agreements, one module per subdomain:

- directory:      the parties and matches this service knows, from events
- agreements:     propose, sign, read, move agreements, add documents
- introductions:  request, read, answer, withdraw introductions
- obligations:    record, list, fulfil, change, cancel obligations
- funnel:         a park's or partner's funnel
- timers:         the timer tick (expiries, start and end dates, reminders)

Each function is one transaction (`db.run`, or `db.handle` for events, which
also records the event in the inbox so a duplicate does nothing): it validates
input, applies the domain rules, stores the result with its audit-trail rows
and emits the events that follow. Settings come from the entrypoint
(config.AgreementsSettings); time from the business clock (common.business_now).
The names below are what the entrypoint calls."""
# ruff: noqa: F401  (re-exports)
from .agreements import (
    add_document,
    advance_agreements,
    get_agreement,
    get_agreement_history,
    list_agreements,
    propose_agreement,
    sign_agreement,
    transition_agreement,
)
from .directory import record_directory_entry, record_match
from .funnel import get_funnel
from .introductions import (
    decide_introduction,
    expire_introductions,
    get_introduction,
    list_introductions,
    request_introduction,
    withdraw_introduction,
)
from .obligations import (
    add_obligation,
    cancel_obligation,
    change_obligation,
    list_obligations,
    record_fulfilment,
    send_obligation_reminders,
)
from .timers import run_timers
