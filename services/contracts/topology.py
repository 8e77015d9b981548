"""Who consumes which events, and the RabbitMQ names that follow from it.

This table is the single source of the broker topology. The outbox relay
declares all of it before its first publish (nameko publishes with
mandatory=False, so an event sent before its queue exists would vanish), and
each consumer entrypoint declares its own queue with identical arguments.

Per consumer:
  parkmatch.<consumer>              the work queue, bound to its event types
                                    (quorum queue: survives broker restarts;
                                    delivery-limit catches crash loops)
  parkmatch.<consumer>.retry.<n>    delay queues for retry n (per-message TTL),
                                    dead-lettered back to the work queue
  parkmatch.<consumer>.dead         where a message lands after its last retry,
                                    for an operator to list and replay
"""
EVENTS_EXCHANGE = "parkmatch.events"

CONSUMERS = {
    "matching.company_changed": ("company.registered", "company.updated"),
    "matching.demand_changed": ("park_demand.published", "park_demand.updated"),
    "notifications.match_changed": ("match.found", "match.updated", "match.withdrawn"),
    "notifications.agreement_changed": (
        "agreement.proposed", "agreement.signed",
        # issue #4: the rest of the lifecycle (consumed, not alerts unless notifications
        # decides otherwise; every published type needs a consumer to be routable)
        "agreement.activated", "agreement.completed", "agreement.terminated",
        "agreement.expired",
    ),
    "notifications.introduction_changed": (
        "introduction.requested", "introduction.accepted", "introduction.declined",
        "introduction.expired", "introduction.withdrawn",
    ),
    "notifications.obligation_reminded": ("obligation.due", "obligation.overdue"),
    # the people of companies, parks and partners, from accounts
    "notifications.people_changed": ("person.enrolled", "person.updated", "person.removed"),
    # owners confirming the e-mail address of a company registered through the
    # web app, which profiles keeps pending until then
    "profiles.people_verified": ("person.enrolled", "person.updated"),
    "agreements.directory": (
        "company.registered", "company.updated", "park.registered", "partner.registered",
    ),
    "agreements.match_changed": ("match.found", "match.updated", "match.withdrawn"),
}

# A message redelivered this many times without being acked (the consumer
# died each time) is dead-lettered by the broker itself.
DELIVERY_LIMIT = 20


def work_queue(consumer):
    return f"parkmatch.{consumer}"


def retry_queue(consumer, attempt):
    return f"parkmatch.{consumer}.retry.{attempt}"


def dead_queue(consumer):
    return f"parkmatch.{consumer}.dead"


def work_queue_arguments(consumer):
    return {
        "x-queue-type": "quorum",
        "x-delivery-limit": DELIVERY_LIMIT,
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": dead_queue(consumer),
    }


def retry_queue_arguments(consumer):
    # Messages wait out their per-message expiration here, then the broker
    # routes them back to the work queue through the default exchange.
    return {
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": work_queue(consumer),
    }


def consumers_of(event_type):
    return [name for name, types in CONSUMERS.items() if event_type in types]
