"""Agreement rules on plain data, one module per subdomain:

- parties:        party references ({"kind": "company" | "park" | "partner", "id": ...})
- directory:      the parties and matches this service knows, from events
- lifecycle:      the agreement's states and transitions, signing, documents
- proposals:      who may propose an agreement, what a proposal must satisfy
- visibility:     who may see an agreement
- snapshots:      audit-trail rows and what travels in agreement events
- introductions:  double opt-in introductions to a match's company
- schedules:      RFC 5545 schedules and their due dates
- obligations:    obligations, reminders, fulfilments, changes, cancellation
- funnel_stages:  the funnel from matches to obligations met on time

Plain Python on plain dicts: no broker, no database. Every status lifecycle
asks `services.platform.lifecycle.StateMachine`. The names below are the public
face of the package: callers write `domain.sign(...)` without knowing the module."""
# ruff: noqa: F401  (re-exports)
from .directory import DIRECTORY_SNAPSHOTS, directory_entry, display_name, match_record
from .funnel_stages import FUNNEL_STAGES, funnel, funnel_counts
from .introductions import (
    INTRODUCTION_ACTIONS,
    INTRODUCTION_LIFECYCLE,
    OPEN_INTRODUCTION,
    allowed_introduction_actions,
    choose_requester,
    decide_introduction,
    existing_request_outcome,
    expire_introduction,
    introduction_contacts,
    introduction_request_problems,
    introduction_snapshot,
    introduction_view,
    is_company_of,
    is_requester_of,
    may_see_introduction,
    new_introduction,
    open_key,
    require_below_cap,
    require_introduction_visible,
    withdraw_introduction,
)
from .lifecycle import (
    ACTION_WAYS,
    AGREEMENT_LIFECYCLE,
    AUTOMATIC_NOTES,
    IN_FORCE,
    INITIAL_STATE,
    STATE_EVENTS,
    STATES,
    TERMINAL_STATES,
    TRANSITIONS,
    Signing,
    add_document,
    allowed_transitions,
    due_automatic_transitions,
    requested_transition,
    require_transition,
    sign,
    signing_party,
    transition,
)
from .obligations import (
    DEFAULT_REMINDERS,
    OBLIGATION_LIFECYCLE,
    TENANCY_REMINDERS,
    cancel_obligation,
    change_obligation,
    chased_from,
    chased_until,
    default_reminders,
    fulfilment,
    is_cancelled,
    new_obligation,
    obligation_status,
    obligation_view,
    reminder_event_type,
    reminder_for,
    reminder_name,
    reminder_payload,
    reminders_due,
)
from .parties import actor_ref, as_ref, is_party, key, party_of, ref
from .proposals import (
    choose_proposer,
    match_problems,
    new_agreement,
    proposal_details,
    proposal_problems,
)
from .schedules import (
    ALLOWED_PARTS,
    FREQUENCIES,
    MAX_COUNT,
    MAX_INTERVAL,
    first_occurrence,
    is_occurrence,
    next_occurrences,
    occurrences,
    rrule_problems,
)
from .snapshots import agreement_snapshot, history_entry
from .visibility import may_see, require_visible
