"""Nothing lost, nothing doubled: SIGKILL mid-handler, duplicate delivery,
a handler that keeps failing (dead letter, then replay), a broker restart."""
import json
import signal
import sqlite3
import subprocess
import time
from collections import Counter

import pika
import pytest

from services.contracts.topology import EVENTS_EXCHANGE
from tests.conftest import TEST_DB, EventSpy, eventually, holds
from tests.e2e.journeys import register_park_with_demand, register_partner
from tests.factories import company_body

pytestmark = pytest.mark.e2e


@pytest.fixture
def spy(system):
    events = EventSpy(system.amqp_uri)
    yield events
    events.close()


def match_found_per_company(spy):
    """Distinct match.found facts per company. The broker may carry one event
    twice (a relay killed between the broker's commit and its own marks it
    again: at-least-once); consumers drop the repeat by its event id."""
    spy.poll()
    distinct = {e["event_id"]: e for e in spy.of_type("match.found")}
    return Counter(e["payload"]["company"]["company_id"] for e in distinct.values())


def test_sigkill_mid_handler_loses_nothing_and_doubles_nothing(system, api, operator, spy,
                                                                receiver):
    register_park_with_demand(operator)
    register_partner(operator, receiver)
    system.kill("matching", signal.SIGINT)  # let a backlog build up
    companies = [api.post("/api/companies", company_body(
        names={"en": f"Company {n}"})).json()["company"]["id"] for n in range(150)]

    system.start("matching")
    eventually(lambda: holds(len(match_found_per_company(spy)) >= 3), timeout=60,
               interval=0.01)
    system.kill("matching", signal.SIGKILL)  # mid-stream: messages in flight, unacked
    assert len(match_found_per_company(spy)) < len(companies), "killed too late to prove anything"

    system.start("matching")
    system.wait_ready(["matching"])
    eventually(lambda: holds(set(match_found_per_company(spy)) == set(companies)), timeout=90)
    time.sleep(2)  # let any redelivered duplicate surface
    assert max(match_found_per_company(spy).values()) == 1
    for company_id in companies[:5] + companies[-5:]:
        matches = operator.get(f"/api/companies/{company_id}/matches").json()
        assert len(matches) == 1
    # downstream, the partner heard of each match exactly once
    eventually(lambda: holds(len(receiver.alerts("match.found")) == len(companies)),
               timeout=60)
    time.sleep(2)
    alerted = Counter(a["data"]["company"]["company_id"] for a in receiver.alerts("match.found"))
    assert set(alerted) == set(companies) and max(alerted.values()) == 1


def test_duplicate_delivery_changes_nothing(system, api, operator, receiver, spy):
    register_park_with_demand(operator)
    register_partner(operator, receiver)
    company_id = api.post("/api/companies", company_body()).json()["company"]["id"]
    registered = spy.wait_for("company.registered")
    eventually(lambda: holds(len(receiver.alerts("match.found")) == 1))

    # the broker hands the very same event over again, twice
    _publish(system.amqp_uri, registered)
    _publish(system.amqp_uri, registered)
    # and a producer retry re-sends the same fact under a new event id
    _publish(system.amqp_uri, dict(registered, event_id="00000000-0000-4000-8000-000000000001"))
    time.sleep(3)
    assert match_found_per_company(spy)[company_id] == 1
    assert len(receiver.alerts("match.found")) == 1
    assert len(operator.get(f"/api/companies/{company_id}/matches").json()) == 1


def test_failing_handler_dead_letters_then_operator_replays(system, api, operator, spy):
    register_park_with_demand(operator)
    consumer = "matching.company_changed"
    _inject_inbox_failure(system, consumer)

    company_id = api.post("/api/companies", company_body()).json()["company"]["id"]

    def dead_lettered():
        listed = system.cli("dead-letters", "list", "--consumer", consumer)
        assert listed.returncode == 0, listed.stderr
        letters = [json.loads(line) for line in listed.stdout.splitlines() if line.strip()]
        assert len(letters) == 1 and letters[0]["type"] == "company.registered"
        return letters[0]
    letter = eventually(dead_lettered, timeout=30, interval=0.5)
    assert letter["attempts"] == 3 and "injected failure" in letter["error"]
    assert match_found_per_company(spy)[company_id] == 0

    _remove_inbox_failure(system)
    replay = system.cli("dead-letters", "replay", "--consumer", consumer)
    assert replay.returncode == 0, replay.stderr
    eventually(lambda: holds(match_found_per_company(spy)[company_id] == 1))
    again = system.cli("dead-letters", "list", "--consumer", consumer)
    assert again.stdout.strip() == ""


def test_broker_restart_loses_and_doubles_nothing(system, api, operator, receiver, spy):
    register_park_with_demand(operator)
    register_partner(operator, receiver)
    first = api.post("/api/companies", company_body()).json()["company"]["id"]
    eventually(lambda: holds(len(receiver.alerts("match.found")) == 1))
    spy.close()

    subprocess.run(["rabbitmqctl", "stop_app"], check=True, capture_output=True, timeout=120)
    subprocess.run(["rabbitmqctl", "start_app"], check=True, capture_output=True, timeout=120)

    def registers():
        response = api.post("/api/companies", company_body(names={"en": "After restart"}))
        assert response.status_code == 201, response.text
        return response.json()["company"]["id"]
    second = eventually(registers, timeout=90, interval=1)
    eventually(lambda: holds(len(receiver.alerts("match.found")) == 2), timeout=90)
    time.sleep(3)
    alerted = Counter(a["data"]["company"]["company_id"] for a in receiver.alerts("match.found"))
    assert alerted == {first: 1, second: 1}


def _publish(amqp_uri, event):
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        channel.basic_publish(EVENTS_EXCHANGE, event["type"], json.dumps(event).encode(),
                              pika.BasicProperties(content_type="application/json",
                                                   delivery_mode=2))
    finally:
        connection.close()


def _inject_inbox_failure(system, consumer):
    """Make matching's database refuse to record events of `consumer`: the
    handler raises on every attempt, as it would with a real fault."""
    url = system.env["PARKMATCH_MATCHING_DATABASE_URL"]
    if TEST_DB == "postgresql":
        _pg(url, f"""
            CREATE FUNCTION injected_failure() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql;
            CREATE TRIGGER injected_failure BEFORE INSERT ON inbox FOR EACH ROW
            WHEN (NEW.consumer = '{consumer}') EXECUTE FUNCTION injected_failure();""")
    else:
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            db.execute(f"""CREATE TRIGGER injected_failure BEFORE INSERT ON inbox
                WHEN NEW.consumer = '{consumer}'
                BEGIN SELECT RAISE(ABORT, 'injected failure'); END""")


def _remove_inbox_failure(system):
    url = system.env["PARKMATCH_MATCHING_DATABASE_URL"]
    if TEST_DB == "postgresql":
        _pg(url, "DROP TRIGGER injected_failure ON inbox; DROP FUNCTION injected_failure();")
    else:
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            db.execute("DROP TRIGGER injected_failure")


def _pg(url, sql):
    import psycopg2
    connection = psycopg2.connect(url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(sql)
    connection.close()
