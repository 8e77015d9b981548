"""The platform's delivery guarantees, in a nameko container on the real
broker: outbox relay, inbox, retry with backoff, dead letters and replay."""
import json

import pytest
from nameko.rpc import rpc as rpc_entrypoint

from services.contracts import make_event
from services.contracts.topology import dead_queue, work_queue
from services.platform import broker
from services.platform.broker import EventPublisher
from services.platform.nameko_ext import DatabaseDependency, handle_event
from tests.conftest import eventually, holds

CONSUMER = "matching.company_changed"
FAILURES = {"remaining": 0}


class Flaky:
    """A stand-in consumer: records each company it handles in its inbox
    (through the real unit of work) and fails while told to."""
    name = "flaky"
    db = DatabaseDependency("profiles")  # any migrated database with an inbox
    handled = []

    @handle_event(CONSUMER)
    def on_company(self, event):
        if FAILURES["remaining"] > 0:
            FAILURES["remaining"] -= 1
            raise RuntimeError("downstream is down")
        self.db.handle(CONSUMER, event, lambda uow: Flaky.handled.append(event.event_id))

    @rpc_entrypoint
    def ping(self):
        return "pong"


@pytest.fixture
def start_flaky(run_service, database_url):
    return lambda: run_service(Flaky, database=False,
                               PROFILES_DATABASE_URL=database_url("profiles"))


@pytest.fixture(autouse=True)
def reset():
    Flaky.handled = []
    FAILURES["remaining"] = 0


def company_event(company_id="c1"):
    return make_event("company.registered", {
        "company_id": company_id, "version": 1, "names": {"en": "DeepBrain"},
        "country": "KR", "sectors": ["artificial_intelligence"]}, producer="test")


def publish(vhost, event):
    publisher = EventPublisher(vhost)
    publisher.publish(event.type, json.dumps(event.to_message()), event.event_id)
    publisher.close()


def test_duplicate_event_is_handled_once(start_flaky, vhost):
    start_flaky()
    event = company_event()
    publish(vhost, event)
    publish(vhost, event)
    eventually(lambda: holds(Flaky.handled == [event.event_id]))
    publish(vhost, company_event("c2"))
    eventually(lambda: holds(len(Flaky.handled) == 2))
    assert Flaky.handled[0] == event.event_id


def test_failing_handler_is_retried_then_succeeds(start_flaky, vhost):
    start_flaky()
    FAILURES["remaining"] = 2  # two failures, two retries configured: third try works
    event = company_event()
    publish(vhost, event)
    eventually(lambda: holds(Flaky.handled == [event.event_id]))
    assert _depth(vhost, dead_queue(CONSUMER)) == 0


def test_exhausted_retries_dead_letter_and_replay_restores(start_flaky, vhost):
    start_flaky()
    FAILURES["remaining"] = 3
    event = company_event()
    publish(vhost, event)
    eventually(lambda: holds(_depth(vhost, dead_queue(CONSUMER)) == 1))
    assert Flaky.handled == []

    letters = broker.list_dead_letters(vhost, [CONSUMER])
    assert letters[0]["event_id"] == event.event_id and letters[0]["attempts"] == 3
    assert "downstream is down" in letters[0]["error"]
    assert _depth(vhost, dead_queue(CONSUMER)) == 1  # listing does not consume

    replayed = broker.replay_dead_letters(vhost, CONSUMER)
    assert [r["event_id"] for r in replayed] == [event.event_id]
    eventually(lambda: holds(Flaky.handled == [event.event_id]))
    assert _depth(vhost, dead_queue(CONSUMER)) == 0


def test_contract_breaking_message_goes_straight_to_dead_letters(start_flaky, vhost):
    start_flaky()
    broken = dict(company_event().to_message(), version=99)
    publisher = EventPublisher(vhost)
    publisher.publish("company.registered", json.dumps(broken), broken["event_id"])
    publisher.close()
    eventually(lambda: holds(_depth(vhost, dead_queue(CONSUMER)) == 1))
    letter = broker.list_dead_letters(vhost, [CONSUMER])[0]
    assert letter["attempts"] == 0 and "ContractError" in letter["error"]
    assert Flaky.handled == []


def test_topology_exists_before_any_consumer(vhost):
    """An event published before any consumer ever started is kept."""
    event = company_event()
    publish(vhost, event)
    assert _depth(vhost, work_queue(CONSUMER)) == 1


def _depth(vhost, queue):
    connection = broker.connect(vhost)
    try:
        return connection.channel().queue_declare(queue, passive=True).method.message_count
    finally:
        connection.close()


def test_an_unroutable_event_is_not_reported_published_and_heals(vhost):
    """If an operator deletes a queue under a running relay, the broker
    returns the event; the publisher says so, and the next batch declares the
    topology again and gets it through."""
    from services.contracts.topology import consumers_of
    publisher = EventPublisher(vhost)
    try:
        first = company_event("c1")
        assert publisher.publish_batch([(first.type, json.dumps(first.to_message()),
                                         first.event_id)]) == [first.event_id]
        connection = broker.connect(vhost)
        for consumer in consumers_of("company.registered"):
            connection.channel().queue_delete(work_queue(consumer))
        connection.close()

        lost = company_event("c2")
        batch = [(lost.type, json.dumps(lost.to_message()), lost.event_id)]
        assert publisher.publish_batch(batch) == []
        assert publisher.publish_batch(batch) == [lost.event_id]
        assert _depth(vhost, work_queue(CONSUMER)) == 1
    finally:
        publisher.close()
