"""Creates retried under one Idempotency-Key in the agreements service
(nameko container beside profiles, real broker, real database): an
introduction, an agreement and an obligation each created once per key."""
import pytest

from services.contracts.actors import OPERATOR
from services.contracts.errors import InvalidInput
from tests.service.conftest import actor, outbox_count, proposal


def count(db, table):
    return db.run(lambda uow: uow.connection.exec_driver_sql(
        f"SELECT count(*) FROM {table}").scalar_one())


def test_a_retried_introduction_request_gets_the_first_answer_and_is_announced_once(
        agreements, agreements_db, rpc, match, world):
    _, park = world
    as_park = actor("park", park)
    body = {"match_id": match["match_id"], "message": "We would like to meet you"}
    first = rpc.agreements.request_introduction(as_park, body, idempotency_key="intro-1")
    again = rpc.agreements.request_introduction(as_park, body, idempotency_key="intro-1")

    assert again == first
    assert count(agreements_db, "introductions") == 1
    assert outbox_count(agreements_db, "introduction.requested") == 1
    with pytest.raises(InvalidInput) as refused:
        rpc.agreements.request_introduction(as_park, {**body, "message": "Another"},
                                            idempotency_key="intro-1")
    assert list(refused.value.details) == ["Idempotency-Key"]


def test_a_retried_proposal_and_obligation_are_created_once(agreements, agreements_db, rpc,
                                                             world):
    company, park = world
    first = rpc.agreements.propose_agreement(OPERATOR, proposal(company, park),
                                             idempotency_key="mou-1")
    assert rpc.agreements.propose_agreement(OPERATOR, proposal(company, park),
                                            idempotency_key="mou-1") == first
    without = rpc.agreements.propose_agreement(OPERATOR, proposal(company, park))
    assert without["id"] != first["id"]
    assert count(agreements_db, "agreements") == 2

    obligation = {"title": "Quarterly report", "owner": actor("company", company),
                  "schedule": {"kind": "once", "due_on": "2031-03-31"}}
    added = rpc.agreements.add_obligation(OPERATOR, first["id"], obligation,
                                          idempotency_key="report-1")
    assert rpc.agreements.add_obligation(OPERATOR, first["id"], obligation,
                                         idempotency_key="report-1") == added
    # the same key for another agreement is another request
    with pytest.raises(InvalidInput) as refused:
        rpc.agreements.add_obligation(OPERATOR, without["id"], obligation,
                                      idempotency_key="report-1")
    assert list(refused.value.details) == ["Idempotency-Key"]
    assert count(agreements_db, "obligations") == 1
