"""Creates retried under one Idempotency-Key in the profiles service (nameko
container, real broker, real database): the first answer again, one record,
one event; another request under the key refused; two at once create once."""
import threading
import uuid

import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import text

from services.contracts.actors import OPERATOR
from services.contracts.errors import InvalidInput
from services.platform.db import Database
from services.profiles.service import ProfilesService
from tests.factories import company_body, demand_body, park_body


@pytest.fixture
def profiles(run_service):
    return run_service(ProfilesService)


@pytest.fixture
def profiles_db(profiles):
    database = Database(profiles.config["PROFILES_DATABASE_URL"], "test-reader")
    yield database
    database.dispose()


def count(db, sql):
    return db.run(lambda uow: uow.connection.execute(text(sql)).scalar_one())


def test_a_retried_registration_gets_the_first_answer_and_registers_once(
        profiles, profiles_db, rpc, event_spy):
    key = str(uuid.uuid4())
    first = rpc.profiles.register_company(company_body(), idempotency_key=key)
    again = rpc.profiles.register_company(company_body(), idempotency_key=key)

    assert again == first and first["api_key"].startswith("pmk_company_")
    assert count(profiles_db, "SELECT count(*) FROM companies") == 1
    assert count(profiles_db, "SELECT count(*) FROM outbox "
                              "WHERE event_type = 'company.registered'") == 1
    event_spy.wait_for("company.registered")
    # the replayed key is the company's key: it authenticates as that company
    assert rpc.profiles.authenticate(again["api_key"]) == {"kind": "company",
                                                           "id": first["company"]["id"]}
    without = rpc.profiles.register_company(company_body())
    assert without["company"]["id"] != first["company"]["id"]
    assert count(profiles_db, "SELECT count(*) FROM companies") == 2


def test_the_same_key_with_another_body_is_refused_naming_the_header(profiles, profiles_db, rpc):
    rpc.profiles.register_company(company_body(), idempotency_key="order-1")
    with pytest.raises(InvalidInput) as refused:
        rpc.profiles.register_company(company_body(patents=9), idempotency_key="order-1")
    assert list(refused.value.details) == ["Idempotency-Key"]
    with pytest.raises(InvalidInput) as malformed:
        rpc.profiles.register_company(company_body(), idempotency_key="x" * 201)
    assert list(malformed.value.details) == ["Idempotency-Key"]
    assert count(profiles_db, "SELECT count(*) FROM companies") == 1


def test_a_park_and_its_demand_are_created_once_per_key(profiles, profiles_db, rpc):
    park = rpc.profiles.register_park(OPERATOR, park_body(), idempotency_key="park-1")
    assert rpc.profiles.register_park(OPERATOR, park_body(), idempotency_key="park-1") == park
    park_id = park["park"]["id"]
    as_park = {"kind": "park", "id": park_id}
    demand = rpc.profiles.publish_demand(as_park, park_id, demand_body(),
                                         idempotency_key="demand-1")
    assert rpc.profiles.publish_demand(as_park, park_id, demand_body(),
                                       idempotency_key="demand-1") == demand
    # the operator's key of the same name is the operator's, not the park's
    other = rpc.profiles.publish_demand(OPERATOR, park_id, demand_body(),
                                        idempotency_key="demand-1")
    assert other["id"] != demand["id"]
    assert count(profiles_db, "SELECT count(*) FROM parks") == 1
    assert count(profiles_db, "SELECT count(*) FROM demands") == 2
    assert count(profiles_db, "SELECT count(*) FROM outbox "
                              "WHERE event_type = 'park_demand.published'") == 2


def test_two_registrations_at_once_under_one_key_register_one_company(
        profiles, profiles_db, service_config):
    answers, errors = [], []

    def register():
        try:
            with ClusterRpcProxy(service_config, timeout=30) as proxy:
                answers.append(proxy.profiles.register_company(company_body(),
                                                               idempotency_key="at-once"))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=register) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(answers) == 4
    assert all(answer == answers[0] for answer in answers)
    assert count(profiles_db, "SELECT count(*) FROM companies") == 1
