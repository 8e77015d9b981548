"""The platform operator's pages: the overview, the broker's work and dead
queues with replay, and the funnel of every park. Allocation rounds and
organisations are in operator_rounds.py and operator_organisations.py.

The queue figures and replays come from the same functions `parkmatch
queues` and `parkmatch dead-letters list|replay` call
(services/platform/broker.py, over AMQP at PARKMATCH_AMQP_URI), reached
through `rpc.broker` (services/web/operator_broker.py), which gives up within
the RPC timeout: an unreachable broker is a message on the page."""
from datetime import datetime

from services.contracts.errors import NotFound
from services.contracts.topology import CONSUMERS, dead_queue, work_queue

from . import Page, Redirect, Route
from .dashboards import FUNNEL_STAGES, context

PAGE_SIZE = 50
DEAD_LETTERS_PER_PAGE = 50


class BrokerUnavailable(Exception):
    """The broker did not answer (refused, or not within the timeout)."""


def queue_rows(depths):
    """`broker.queue_depths` rows (queue, messages, consumers) as one row per
    consumer: its work queue's depth and consumers, its dead letters."""
    by_name = {name: (messages, consumers) for name, messages, consumers in depths}
    rows = []
    for consumer in CONSUMERS:
        waiting, consumers = by_name.get(work_queue(consumer), (None, None))
        dead = by_name.get(dead_queue(consumer), (None, None))[0]
        rows.append({"consumer": consumer, "work_queue": work_queue(consumer),
                     "dead_queue": dead_queue(consumer), "waiting": waiting,
                     "consumers": consumers, "dead_letters": dead})
    return rows


def queue_totals(rows):
    return {"waiting": sum(row["waiting"] or 0 for row in rows),
            "dead_letters": sum(row["dead_letters"] or 0 for row in rows),
            "without_consumer": sum(1 for row in rows if not row["consumers"])}


def _queues(rpc):
    """(rows, unreachable)."""
    try:
        return queue_rows(rpc.broker.queues()), False
    except BrokerUnavailable:
        return [], True


def overview(visit, rpc):
    rows, unreachable = _queues(rpc)
    rounds = rpc.matching.list_allocation_rounds(visit.actor, limit=1)["items"]
    return Page("operator.html", context(
        totals=queue_totals(rows), unreachable=unreachable,
        troubled=[row for row in rows if row["dead_letters"] or not row["consumers"]],
        latest_round=rounds[0] if rounds else None))


def queues(visit, rpc):
    rows, unreachable = _queues(rpc)
    return Page("operator_queues.html", {"rows": rows, "totals": queue_totals(rows),
                                         "unreachable": unreachable})


def _consumer(visit):
    consumer = visit.params["consumer"]
    if consumer not in CONSUMERS:
        raise NotFound(f"no consumer {consumer}")
    return consumer


def offset_of(cursor):
    """The dead letters' page position: a peek at a queue has no keyset, so
    the cursor is how many letters came before (anything else: the start)."""
    return int(cursor) if (cursor or "").isdigit() else 0


def shown_letter(letter):
    """A dead letter's summary as the page shows it: its failure time as a
    moment (the header holds ISO 8601 text), or None when it is missing or
    unreadable. The summary never holds the event's payload."""
    failed_at = letter.get("failed_at")
    try:
        moment = datetime.fromisoformat(failed_at) if isinstance(failed_at, str) else None
    except ValueError:
        moment = None
    return {**letter, "failed_at": moment}


def dead_letters(visit, rpc, status=200):
    consumer = _consumer(visit)
    try:
        letters = rpc.broker.dead_letters(consumer)
    except BrokerUnavailable:
        return Page("operator_dead_letters.html", {"consumer": consumer, "unreachable": True,
                                                   "letters": []}, status=503)
    start = offset_of(visit.args.get("cursor"))
    shown = [shown_letter(letter) for letter in letters[start:start + DEAD_LETTERS_PER_PAGE]]
    following = start + DEAD_LETTERS_PER_PAGE
    return Page("operator_dead_letters.html", {
        "consumer": consumer, "letters": shown, "count": len(letters),
        "next_cursor": str(following) if following < len(letters) else None,
        "notice": visit.args.get("notice"), "replayed": visit.args.get("replayed")},
        status=status)


def replay(visit, rpc):
    """One dead letter (event_id) or all of the consumer's, back onto its
    work queue with a fresh retry budget."""
    consumer = _consumer(visit)
    try:
        replayed = rpc.broker.replay(consumer, visit.value("event_id") or None)
    except BrokerUnavailable:
        return Page("operator_dead_letters.html", {"consumer": consumer, "unreachable": True,
                                                   "letters": []}, status=503)
    return Redirect(f"/operator/dead-letters/{consumer}?notice=replayed"
                    f"&replayed={len(replayed)}")


def funnel_totals(funnels):
    """The stages of several funnels added up, with the conversion of the
    sums (the same rule as agreements: none for the first stage and for
    obligations due, none when the stage before is 0)."""
    counts = {stage: 0 for stage in FUNNEL_STAGES}
    for funnel in funnels:
        for stage in funnel["stages"]:
            counts[stage["stage"]] = counts.get(stage["stage"], 0) + (stage["count"] or 0)
    stages, previous = [], None
    for index, stage in enumerate(counts):
        no_rate = index == 0 or stage == "obligations_due" or not previous
        stages.append({"stage": stage, "count": counts[stage],
                       "conversion": None if no_rate else counts[stage] / previous})
        previous = counts[stage]
    signed, matches = counts.get("agreements_signed", 0), counts.get("matches", 0)
    return {"stages": stages, "overall_conversion": signed / matches if matches else None}


def funnel(visit, rpc):
    actor = visit.actor
    parks = rpc.profiles.list_parks(actor, limit=PAGE_SIZE, cursor=visit.args.get("cursor"))
    rows = []
    for park in parks["items"]:
        try:
            found = rpc.agreements.get_funnel(actor, {"partner_id": None, "park_id": park["id"]})
        except NotFound:  # agreements has not heard of the park yet
            found = None
        rows.append({"park": park, "funnel": found})
    return Page("operator_funnel.html", context(
        rows=rows, totals=funnel_totals([row["funnel"] for row in rows if row["funnel"]]),
        stage_names=list(FUNNEL_STAGES), next_cursor=parks["next_cursor"],
        first_page=not visit.args.get("cursor")))


ROUTES = (
    Route("operator_overview", "GET", "/operator", overview, "operator"),
    Route("operator_queues", "GET", "/operator/queues", queues, "operator"),
    Route("operator_dead_letters", "GET", "/operator/dead-letters/<consumer>", dead_letters,
          "operator"),
    Route("operator_replay", "POST", "/operator/dead-letters/<consumer>/replay", replay,
          "operator"),
    Route("operator_funnel", "GET", "/operator/funnel", funnel, "operator"),
)
