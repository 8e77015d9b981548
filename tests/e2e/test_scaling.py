"""Operators scale a service by starting more processes of it: they compete
for the same queue, split the work and never produce a match twice. And a
request's id follows everything it causes."""
import time
from collections import Counter

import pytest

from services.contracts.topology import work_queue
from services.platform import broker
from tests.conftest import EventSpy, eventually, holds
from tests.e2e.journeys import register_park_with_demand
from tests.factories import company_body

pytestmark = pytest.mark.e2e

QUEUE = work_queue("matching.company_changed")


def handled_by(system, instance):
    """How many company events a matching process reports having handled."""
    return system.log(instance).count("matching.company_changed handled company.registered")


def test_two_matching_processes_split_the_work_and_match_once(system, api, operator):
    spy = EventSpy(system.amqp_uri)
    try:
        register_park_with_demand(operator)
        system.start("matching", instance="matching-2")
        system.wait_ready(["matching"])

        def two_consumers():
            connection = broker.connect(system.amqp_uri)
            try:
                declared = connection.channel().queue_declare(QUEUE, passive=True)
                assert declared.method.consumer_count == 2
            finally:
                connection.close()
        eventually(two_consumers)

        companies = [api.post("/api/companies", company_body(names={"en": f"Firm {n}"}))
                     .json()["company"]["id"] for n in range(80)]

        def all_matched_once():
            spy.poll()
            distinct = {e["event_id"]: e for e in spy.of_type("match.found")}
            per_company = Counter(e["payload"]["company"]["company_id"]
                                  for e in distinct.values())
            assert set(per_company) == set(companies)
            return per_company
        per_company = eventually(all_matched_once, timeout=60)
        time.sleep(2)
        assert max(all_matched_once().values()) == 1 == max(per_company.values())

        # both processes took part, and between them handled each event once
        first, second = handled_by(system, "matching"), handled_by(system, "matching-2")
        assert first > 0 and second > 0, (first, second)
        assert first + second == len(companies)
    finally:
        spy.close()


def test_request_id_becomes_the_correlation_id_of_every_event_it_causes(system, api, operator):
    spy = EventSpy(system.amqp_uri)
    try:
        _, _, demand = register_park_with_demand(operator)
        # matching must hold the demand first, or the match would be caused
        # by the demand's event (another request) rather than the company's
        eventually(lambda: holds(
            operator.get(f"/api/demands/{demand['id']}/matches").status_code == 200))
        response = api.post("/api/companies", company_body(),
                            headers={"X-Request-Id": "req-hanbit-0001"})
        assert response.status_code == 201
        assert response.headers["X-Request-Id"] == "req-hanbit-0001"
        registered = spy.wait_for("company.registered")
        found = spy.wait_for("match.found")
        assert registered["correlation_id"] == found["correlation_id"] == "req-hanbit-0001"
        assert found["causation_id"] == registered["event_id"]

        # without a usable id of the caller's, the gateway makes one and says which
        anonymous = api.post("/api/companies", company_body(), headers={"X-Request-Id": "a b"})
        generated = anonymous.headers["X-Request-Id"]
        assert generated != "a b"
        company_id = anonymous.json()["company"]["id"]
        event = spy.wait_for("company.registered",
                             lambda e: e["payload"]["company_id"] == company_id)
        assert event["correlation_id"] == generated
    finally:
        spy.close()
