"""What partners, the operator, incoming events and the timers can do here,
one module per subdomain:

- partners: registration, reading one, API-key authentication
- channels: webhook and e-mail channels, signing-secret rotation, test sends
- subscriptions: which alerts a partner wants, and how
- alerts: events in, alert fan-out (at once or into a digest), listing alerts
- digests: sending the digests whose local hour has come
- delivery: the delivery log, redelivery, claiming, sending, recording attempts
- organisations: alerts to the people of companies, parks and partners (an
  inbox alert per organisation, an e-mail per person, their digests)
- people: the people directory (person.* events), alert preferences, the inbox
- secrets: the stored webhook secrets checked and resealed at start

Each use case is one unit of work (`db.run`, or `db.handle` for events, whose
inbox makes a redelivered event do nothing); sending a delivery is the
exception by design (see `delivery`). Use cases that depend on settings take
a `config.NotificationsSettings` as their second argument, from the
entrypoint; none reads the environment itself.

Two clocks, by name (services.platform.clock): business dates (alert times,
daily budgets, digest hours) are clock.now(); delivery bookkeeping (leases,
retry times, attempt timestamps) is clock.real_now()."""
from .alerts import (
    agreement_changed,
    event_received,
    introduction_changed,
    list_alerts,
    match_changed,
    matches_alerted,
    obligation_reminded,
)
from .channels import (
    add_channel,
    delete_channel,
    list_channels,
    rotate_channel_secret,
    send_test,
    update_channel,
)
from .delivery import (
    claim_due_deliveries,
    deliver_due,
    list_deliveries,
    record_attempt,
    redeliver,
    send_claimed,
)
from .digests import send_due_digests
from .organisations import send_due_person_digests
from .partners import authenticate, get_partner, list_partners, register_partner
from .people import (
    get_alert_preferences,
    inbox_summary,
    list_inbox,
    mark_read,
    people_changed,
    set_alert_preferences,
)
from .secrets import reseal_stored_secrets
from .subscriptions import (
    add_subscription,
    delete_subscription,
    list_subscriptions,
    update_subscription,
)

__all__ = [
    "add_channel", "add_subscription", "agreement_changed", "authenticate",
    "claim_due_deliveries", "delete_channel", "delete_subscription", "deliver_due",
    "event_received", "get_partner", "introduction_changed", "list_alerts", "list_channels",
    "list_deliveries", "list_partners", "list_subscriptions", "match_changed", "matches_alerted",
    "obligation_reminded", "record_attempt", "redeliver", "register_partner",
    "rotate_channel_secret", "send_claimed", "send_test", "send_due_digests", "update_channel",
    "update_subscription", "get_alert_preferences", "inbox_summary", "list_inbox",
    "mark_read", "people_changed", "set_alert_preferences", "send_due_person_digests",
    "reseal_stored_secrets",
]
