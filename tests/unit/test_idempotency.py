"""The idempotency-key helper on a real SQLite database: the first answer is
remembered in the creating transaction and replayed, another request under
the same key is refused, a failed request remembers nothing, answers expire."""
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select

from services.contracts.errors import Conflict, InvalidInput
from services.platform import idempotency
from services.platform.db import Database

COMPANY = {"kind": "company", "id": "c-1"}


@pytest.fixture
def db(tmp_path):
    metadata = MetaData()
    idempotency.idempotency_table(metadata)
    Table("things", metadata, Column("id", Integer, primary_key=True),
          Column("name", String(50)))
    database = Database(f"sqlite:///{tmp_path / 'idempotency.db'}", "test")
    metadata.create_all(database.engine)
    database.things = metadata.tables["things"]
    yield database
    database.dispose()


def create(db, name, key, actor=COMPANY, operation="create_thing"):
    """A create use case as the services write one: the work inserts a row
    and returns the answer, run once per key."""
    def work(uow):
        inserted = uow.connection.execute(db.things.insert().values(name=name))
        return {"id": inserted.inserted_primary_key[0], "name": name,
                "created_at": datetime(2026, 1, 2, 3, 4, tzinfo=UTC)}

    return idempotency.run_once(db, work, key, actor=actor, operation=operation,
                                request={"name": name})


def things(db):
    return db.run(lambda uow: uow.connection.execute(
        select(func.count()).select_from(db.things)).scalar_one())


def stored_keys(db):
    return db.run(lambda uow: uow.connection.execute(
        select(func.count()).select_from(idempotency._table)).scalar_one())


def test_the_same_key_and_request_get_the_first_answer_and_create_nothing_twice(db):
    first = create(db, "lab", "key-1")
    assert first == {"id": 1, "name": "lab", "created_at": "2026-01-02T03:04:00+00:00"}
    assert create(db, "lab", "key-1") == first
    assert things(db) == 1 and stored_keys(db) == 1


def test_the_table_holds_neither_the_clients_key_nor_the_answer_in_the_clear(db):
    # a registration's answer holds the API key shown once: it must not lie in the table
    create(db, "pmk_company_secret-shown-once", "client-key-77")
    rows = db.run(lambda uow: [tuple(row) for row in uow.connection.execute(
        select(idempotency._table))])
    stored = repr(rows)
    assert "client-key-77" not in stored and "secret-shown-once" not in stored
    assert idempotency.stored_key("client-key-77") in stored
    # ...and only the same key opens it
    assert create(db, "pmk_company_secret-shown-once", "client-key-77")["name"] == \
        "pmk_company_secret-shown-once"
    sealed = rows[0][3]
    with pytest.raises(Conflict):
        idempotency.open_answer("another-key", rows[0][0], sealed)


def test_without_a_key_every_request_creates(db):
    create(db, "lab", None)
    create(db, "lab", None)
    assert things(db) == 2 and stored_keys(db) == 0


def test_the_same_key_with_another_request_is_a_422_naming_the_header(db):
    create(db, "lab", "key-1")
    with pytest.raises(InvalidInput) as refused:
        create(db, "office", "key-1")
    assert list(refused.value.details) == ["Idempotency-Key"]
    assert "different request" in refused.value.details["Idempotency-Key"][0]
    assert things(db) == 1


def test_keys_belong_to_their_caller_and_operation(db):
    create(db, "lab", "key-1")
    other = create(db, "lab", "key-1", actor={"kind": "company", "id": "c-2"})
    anonymous = create(db, "lab", "key-1", actor=None)
    elsewhere = create(db, "lab", "key-1", operation="create_other_thing")
    assert len({other["id"], anonymous["id"], elsewhere["id"], 1}) == 4
    assert things(db) == 4


@pytest.mark.parametrize("key", ["", "x" * 201, "ключ", "tab\there", "line\nbreak", 42])
def test_a_key_that_is_not_1_to_200_printable_ascii_characters_is_a_422(db, key):
    with pytest.raises(InvalidInput) as refused:
        create(db, "lab", key)
    assert list(refused.value.details) == ["Idempotency-Key"]
    assert things(db) == 0


def test_the_longest_key_and_one_with_spaces_and_punctuation_are_accepted(db):
    create(db, "lab", "k" * 200)
    create(db, "lab", "order 7/2026: lab #1")
    assert things(db) == 2


def test_a_request_that_fails_remembers_nothing_and_the_retry_runs(db):
    def failing(uow):
        uow.connection.execute(db.things.insert().values(name="lab"))
        raise RuntimeError("the service fell over before committing")

    with pytest.raises(RuntimeError):
        idempotency.run_once(db, failing, "key-1", actor=COMPANY, operation="create_thing",
                             request={"name": "lab"})
    assert stored_keys(db) == 0 and things(db) == 0
    assert create(db, "lab", "key-1")["id"] == 1


def test_an_answer_is_forgotten_after_its_lifetime_and_expired_ones_are_purged(db):
    now = datetime.now(UTC)
    long_ago = now - idempotency.ttl() - timedelta(minutes=1)
    fingerprint = idempotency.fingerprint_of({"name": "lab"})

    def remember_at(scope, moment):
        with db.unit_of_work() as uow:
            assert idempotency.claim(uow.connection, scope, "key-1", fingerprint,
                                     now=moment) is None
            idempotency.remember(uow.connection, scope, "key-1", {"id": 1})

    remember_at("company:c-1/create_thing", long_ago)
    remember_at("company:c-2/create_thing", long_ago)
    with db.unit_of_work() as uow:
        # still inside its lifetime when read a minute after
        assert idempotency.claim(uow.connection, "company:c-1/create_thing", "key-1",
                                 fingerprint, now=long_ago + timedelta(minutes=1)) == {"id": 1}
    with db.unit_of_work() as uow:
        # expired now: claimed afresh, and the other expired answer is deleted
        assert idempotency.claim(uow.connection, "company:c-1/create_thing", "key-1",
                                 fingerprint, now=now) is None
    assert stored_keys(db) == 1


def test_the_lifetime_is_a_setting(monkeypatch):
    assert idempotency.ttl() == timedelta(hours=24)
    monkeypatch.setenv("PARKMATCH_IDEMPOTENCY_TTL_HOURS", "2")
    assert idempotency.ttl() == timedelta(hours=2)


def test_two_requests_at_once_with_one_key_create_once(db):
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(create(db, "lab", "key-1")))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 4 and all(answer == answers[0] for answer in answers)
    assert things(db) == 1


def test_the_fingerprint_is_of_the_canonical_json():
    assert idempotency.fingerprint_of({"a": 1, "b": [1, 2]}) == \
        idempotency.fingerprint_of({"b": [1, 2], "a": 1})
    assert idempotency.fingerprint_of({"a": 1}) != idempotency.fingerprint_of({"a": 2})
    assert len(idempotency.fingerprint_of({})) == 64


# --- the gateway: the header passed on, declared, documented --------------------------

CREATES = {"register_company", "register_park", "publish_demand", "register_partner",
           "propose_agreement", "request_introduction", "add_channel", "add_subscription",
           "add_obligation"}


def gateway_call(headers, body):
    from werkzeug.test import EnvironBuilder

    from services.gateway.http_api import Authenticator, handle
    from tests.unit.test_gateway import RecordingRpc, route_named

    request = EnvironBuilder(method="POST", path="/api/companies", headers=headers,
                             json=body).get_request()
    rpc = RecordingRpc()
    status, _, _ = handle(route_named("register_company"), request, {}, rpc,
                          Authenticator("operator-secret", {}))
    return status, [call for call in rpc.calls if call[0].startswith("profiles.")]


def test_the_gateway_passes_the_header_as_idempotency_key_and_nothing_without_it():
    status, calls = gateway_call({"Idempotency-Key": "3f1c-retry-1"}, {"names": {"en": "X"}})
    assert status == 201
    assert calls == [("profiles.register_company", ({"names": {"en": "X"}},),
                      {"idempotency_key": "3f1c-retry-1"})]
    _, calls = gateway_call({}, {"names": {"en": "X"}})
    assert calls == [("profiles.register_company", ({"names": {"en": "X"}},), {})]
    _, calls = gateway_call({"Idempotency-Key": ""}, {})  # the service refuses it, naming it
    assert calls[0][2] == {"idempotency_key": ""}


def test_the_routes_that_create_take_the_key_and_their_services_accept_it():
    import inspect

    from services.agreements.service import AgreementsService
    from services.gateway.routes import build_routes
    from services.notifications.service import NotificationsService
    from services.profiles.service import ProfilesService

    owners = {"profiles": ProfilesService, "notifications": NotificationsService,
              "agreements": AgreementsService}
    idempotent = [route for route in build_routes() if route.idempotent]
    assert {route.name for route in idempotent} == CREATES
    for route in idempotent:
        service, method = route.target.split(".")
        inspect.signature(getattr(owners[service], method)).bind(
            "self", *route.args, **route.call_kwargs)


def test_only_a_post_may_be_declared_idempotent():
    from services.gateway.route_spec import ACTOR, Route, path

    with pytest.raises(ValueError, match="idempotent"):
        Route("x", "GET", "/api/companies/<company_id>", "profiles.get_company",
              args=(ACTOR, path("company_id")), idempotent=True)


def test_the_openapi_document_shows_the_header_on_the_creating_operations_only():
    from services.gateway.openapi import build_spec
    from services.gateway.routes import build_routes

    spec = build_spec(build_routes())
    for operations in spec["paths"].values():
        for operation in operations.values():
            headers = [p for p in operation["parameters"] if p["in"] == "header"]
            if operation["operationId"] in CREATES:
                assert [p["name"] for p in headers] == ["Idempotency-Key"]
                assert headers[0]["schema"]["maxLength"] == 200
                assert not headers[0]["required"]
            else:
                assert headers == [], operation["operationId"]
