"""The operator's people sign in like everyone (a link by e-mail) when their
address is in PARKMATCH_OPERATOR_EMAILS, and then act as the operator; an
address taken out of the setting is refused at the next resolve. Accounts in
a nameko container on the real broker and database, a real SMTP server."""
import uuid

import pytest

from services.accounts.service import AccountsService
from services.contracts.actors import OPERATOR
from services.contracts.errors import Gone
from tests.service.test_accounts_service import WEB, accounts_db, link_in, mail_to, sink  # noqa: F401

OPS = "ops.kim@parkmatch.example"


def start_accounts(run_service, accounts_db, sink, monkeypatch, operator_emails):  # noqa: F811
    for name, value in sink.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PARKMATCH_WEB_URL", WEB)
    monkeypatch.setenv("PARKMATCH_OPERATOR_EMAILS", operator_emails)
    return run_service(AccountsService, database_urls={"accounts": accounts_db})


def sign_in(rpc, sink, address, count=1, language="ko"):  # noqa: F811
    assert rpc.accounts.request_sign_in(address, language, "10.0.0.7") == {"status": "sent"}
    _, token = link_in(mail_to(sink, address, count))
    return rpc.accounts.complete_sign_in(token)


def test_a_listed_address_signs_in_as_the_operator(run_service, accounts_db, sink,  # noqa: F811
                                                   monkeypatch, rpc):
    start_accounts(run_service, accounts_db, sink, monkeypatch,
                   f"someone.else@parkmatch.example, {OPS.upper()}")
    signed_in = sign_in(rpc, sink, OPS)
    person = signed_in["person"]
    assert person["organisation"] == OPERATOR
    assert (person["role"], person["language"]) == ("owner", "ko")
    assert person["verified_at"] is not None
    resolved = rpc.accounts.resolve_session(signed_in["session_token"])
    assert resolved["actor"] == {**OPERATOR, "person_id": person["id"], "role": "owner"}

    # the web operator's actor is the operator for every service: here, accounts
    # lets it see everyone, as it does for the operator key
    company = {"kind": "company", "id": str(uuid.uuid4())}
    enrolled = rpc.accounts.enrol_owner(company, "minji@hanbit.example", "이민지", "ko")
    everyone = rpc.accounts.list_people(resolved["actor"])["items"]
    assert {found["id"] for found in everyone} == {person["id"], enrolled["id"]}

    # a second sign-in finds the same person, not a new one
    again = sign_in(rpc, sink, OPS, count=2, language="en")
    assert again["person"]["id"] == person["id"]


def test_an_address_not_listed_gets_no_operator_rights(run_service, accounts_db, sink,  # noqa: F811
                                                       monkeypatch, rpc):
    start_accounts(run_service, accounts_db, sink, monkeypatch, OPS)
    # unknown and unlisted: answered alike, no e-mail, nobody created
    assert rpc.accounts.request_sign_in("intruder@parkmatch.example", "en", "10.0.0.8") == \
        {"status": "sent"}
    # a company person whose address someone lists later is still the company's
    company = {"kind": "company", "id": str(uuid.uuid4())}
    rpc.accounts.enrol_owner(company, "minji@hanbit.example", "이민지", "ko")
    _, token = link_in(mail_to(sink, "minji@hanbit.example"))
    signed_in = rpc.accounts.complete_sign_in(token)
    actor = rpc.accounts.resolve_session(signed_in["session_token"])["actor"]
    assert (actor["kind"], actor["id"]) == ("company", company["id"])
    sign_in(rpc, sink, OPS)  # the listed one's e-mail is the only other one sent
    assert not [m for m in sink.messages() if m["To"] == "intruder@parkmatch.example"]
    people = rpc.accounts.list_people(OPERATOR)["items"]
    assert sorted(p["email"] for p in people) == ["minji@hanbit.example", OPS]


def test_an_address_removed_from_the_setting_is_refused_at_resolve(
        run_service, accounts_db, sink, monkeypatch, rpc):  # noqa: F811
    container = start_accounts(run_service, accounts_db, sink, monkeypatch, OPS)
    session = sign_in(rpc, sink, OPS)["session_token"]
    assert rpc.accounts.request_sign_in(OPS, "en", "10.0.0.7") == {"status": "sent"}
    _, pending_link = link_in(mail_to(sink, OPS, 2))
    assert rpc.accounts.resolve_session(session)["actor"]["kind"] == "operator"

    container.stop()  # the setting changes with a restart, as in production
    start_accounts(run_service, accounts_db, sink, monkeypatch, "other@parkmatch.example")
    assert rpc.accounts.resolve_session(session) is None
    with pytest.raises(Gone):
        rpc.accounts.complete_sign_in(pending_link)
    rpc.accounts.request_sign_in(OPS, "en", "10.0.0.7")
    # the newly listed address gets its link; the removed one is answered
    # like an unknown address: no third e-mail
    assert sign_in(rpc, sink, "other@parkmatch.example")["person"]["organisation"] == OPERATOR
    assert len([m for m in sink.messages() if m["To"] == OPS]) == 2
