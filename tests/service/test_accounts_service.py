"""The accounts service in a nameko container on the real broker and a real
database, sending e-mail to a real local SMTP server: enrolment, sign-in by
link, sessions, invitations, people and API keys, as the web app calls them."""
import logging
import re
import time
import uuid

import eventlet
import pytest
import sqlalchemy
from nameko.standalone.rpc import ClusterRpcProxy

from services.accounts.service import AccountsService
from services.contracts.actors import OPERATOR
from services.contracts.errors import Conflict, Forbidden, Gone, InvalidInput, TooManyRequests
from services.platform.db import postgres_url
from services.platform.keys import hash_key
from tests.conftest import eventually, holds
from tests.smtp_sink import SmtpSink, parts_of

WEB = "http://web.parkmatch.test"
LINK = re.compile(re.escape(WEB) + r"/(sign-in|invitations)/([A-Za-z0-9_-]{43})")


@pytest.fixture
def sink(tmp_path):
    """A real local SMTP server the service sends to."""
    server = SmtpSink(tmp_path / "mail")
    yield server
    server.close()


@pytest.fixture
def accounts_db(database_url):
    return database_url("accounts")


@pytest.fixture
def accounts(run_service, accounts_db, sink, monkeypatch):
    for name, value in sink.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PARKMATCH_WEB_URL", WEB + "/")
    return run_service(AccountsService, database_urls={"accounts": accounts_db})


def company():
    return {"kind": "company", "id": str(uuid.uuid4()),
            "names": {"ko": "한빛바이오", "en": "Hanbit Bio"}}


def mail_to(sink, address, count=1):
    """The `count`-th e-mail to `address`, once it arrived."""
    def arrived():
        found = [m for m in sink.messages() if m["To"] == address]
        assert len(found) >= count, f"{len(found)} e-mail(s) to {address}"
        return found[count - 1]
    return eventually(arrived, timeout=20)


def link_in(message):
    text, html = parts_of(message)
    found = LINK.search(text)
    assert found and found.group(0) in html
    return found.group(1), found.group(2)


def rows(url, table):
    engine = sqlalchemy.create_engine(postgres_url(url))
    try:
        with engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(sqlalchemy.text(
                f"SELECT * FROM {table}"))]
    finally:
        engine.dispose()


def enrolled_owner(rpc, sink, email="minji.lee@hanbit.example", language="ko"):
    """An owner who enrolled and followed the link: (person, session, organisation)."""
    organisation = company()
    person = rpc.accounts.enrol_owner(organisation, email, "이민지", language)
    _, token = link_in(mail_to(sink, person["email"]))
    signed_in = rpc.accounts.complete_sign_in(token)
    return signed_in["person"], signed_in["session_token"], organisation


def test_enrol_sign_in_resolve_and_sign_out(accounts, rpc, sink):
    organisation = company()
    person = rpc.accounts.enrol_owner(organisation, " Minji.Lee@HANBIT.example ", "이민지", "ko")
    assert person["email"] == "Minji.Lee@hanbit.example"
    assert person["role"] == "owner" and person["verified_at"] is None
    assert person["organisation"] == {"kind": "company", "id": organisation["id"]}
    again = rpc.accounts.enrol_owner(organisation, "minji.lee@hanbit.example", "이민지", "ko")
    assert again["id"] == person["id"]

    message = mail_to(sink, "Minji.Lee@hanbit.example")
    assert "한빛바이오" in message["Subject"]
    text, _ = parts_of(message)
    assert "15분" in text and "무시" in text and "이민지님" in text
    path, token = link_in(message)
    assert path == "sign-in"

    signed_in = rpc.accounts.complete_sign_in(token)
    assert signed_in["person"]["verified_at"] is not None
    session_token = signed_in["session_token"]
    assert signed_in["expires_at"] > signed_in["person"]["verified_at"]

    resolved = rpc.accounts.resolve_session(session_token)
    assert resolved["person"]["id"] == person["id"]
    assert resolved["actor"] == {"kind": "company", "id": organisation["id"],
                                 "person_id": person["id"], "role": "owner"}

    with pytest.raises(Gone) as caught:
        rpc.accounts.complete_sign_in(token)
    assert "new link" in caught.value.message and caught.value.status == 410

    assert rpc.accounts.sign_out(session_token) == {"status": "signed_out"}
    assert rpc.accounts.resolve_session(session_token) is None
    assert rpc.accounts.sign_out(session_token) == {"status": "signed_out"}
    assert rpc.accounts.resolve_session("not-a-session") is None


def test_sign_in_by_email_in_the_persons_language_without_telling_who_exists(
        accounts, rpc, sink):
    person, _, _ = enrolled_owner(rpc, sink, "wang@park.example", "zh")
    assert rpc.accounts.request_sign_in("nobody@nowhere.example", "en", "10.0.0.1") == \
        {"status": "sent"}
    assert rpc.accounts.request_sign_in("WANG@Park.Example", "en", "10.0.0.1") == \
        {"status": "sent"}

    message = mail_to(sink, "wang@park.example", count=2)
    assert "登录" in message["Subject"] and "一次" in parts_of(message)[0]
    _, token = link_in(message)
    assert rpc.accounts.complete_sign_in(token)["person"]["id"] == person["id"]
    assert not [m for m in sink.messages() if m["To"] == "nobody@nowhere.example"]
    with pytest.raises(Gone):
        rpc.accounts.complete_sign_in("x" * 43)
    with pytest.raises(InvalidInput) as caught:
        rpc.accounts.request_sign_in("not an address", "en", "10.0.0.1")
    assert "email" in caught.value.details


def test_the_sixth_request_for_one_email_is_too_many(accounts, rpc):
    for n in range(5):
        rpc.accounts.request_sign_in("someone@example.kr", "ko", f"10.0.1.{n}")
    with pytest.raises(TooManyRequests) as caught:
        rpc.accounts.request_sign_in("Someone@EXAMPLE.kr", "ko", "10.0.1.99")
    assert caught.value.status == 429
    assert caught.value.details["limit"] == "email"
    assert 0 < caught.value.details["retry_after"] <= 15 * 60
    # another address is not limited by it
    assert rpc.accounts.request_sign_in("other@example.kr", "ko", "10.0.1.99")["status"] == "sent"


def test_one_client_address_is_limited_across_addresses(run_service, accounts_db, rpc,
                                                         monkeypatch):
    monkeypatch.setenv("PARKMATCH_SIGN_IN_LIMIT_PER_ADDRESS", "3")
    run_service(AccountsService, database_urls={"accounts": accounts_db})
    for n in range(3):
        rpc.accounts.request_sign_in(f"person{n}@example.kr", "en", "192.0.2.7")
    with pytest.raises(TooManyRequests) as caught:
        rpc.accounts.request_sign_in("person9@example.kr", "en", "192.0.2.7")
    assert caught.value.details["limit"] == "client_address"


def test_an_owner_invites_a_member_who_accepts_and_is_signed_in(accounts, rpc, sink):
    owner, session_token, organisation = enrolled_owner(rpc, sink)
    actor = rpc.accounts.resolve_session(session_token)["actor"]

    invitation = rpc.accounts.invite_person(actor, "jiwoo@hanbit.example", "Jiwoo", "en")
    assert invitation["role"] == "member" and invitation["invited_by"] == owner["id"]
    assert "token" not in str(invitation).lower()
    message = mail_to(sink, "jiwoo@hanbit.example")
    assert "Hanbit Bio" in message["Subject"]
    text, _ = parts_of(message)
    assert "이민지 invites you" in text and "1 week" in text and "ignore this e-mail" in text
    path, token = link_in(message)
    assert path == "invitations"

    accepted = rpc.accounts.accept_invitation(token)
    member = accepted["person"]
    assert member["role"] == "member" and member["verified_at"] is not None
    member_actor = rpc.accounts.resolve_session(accepted["session_token"])["actor"]
    assert member_actor["role"] == "member" and member_actor["id"] == organisation["id"]
    with pytest.raises(Gone):
        rpc.accounts.accept_invitation(token)

    people = rpc.accounts.list_people(actor)["items"]
    assert [p["email"] for p in people] == ["minji.lee@hanbit.example", "jiwoo@hanbit.example"]
    with pytest.raises(Forbidden):
        rpc.accounts.invite_person(member_actor, "x@hanbit.example", "X", "en")
    with pytest.raises(Conflict):
        rpc.accounts.invite_person(actor, "JIWOO@hanbit.example", "Jiwoo", "en")
    assert len(rpc.accounts.list_people(OPERATOR)["items"]) == 2


def test_the_last_owner_stays_and_a_removed_person_is_signed_out(accounts, rpc, sink):
    owner, session_token, _ = enrolled_owner(rpc, sink)
    actor = rpc.accounts.resolve_session(session_token)["actor"]
    rpc.accounts.invite_person(actor, "jiwoo@hanbit.example", "Jiwoo", "ko")
    _, token = link_in(mail_to(sink, "jiwoo@hanbit.example"))
    member = rpc.accounts.accept_invitation(token)

    with pytest.raises(Conflict) as caught:
        rpc.accounts.remove_person(actor, owner["id"])
    assert "last owner" in caught.value.message
    with pytest.raises(Conflict):
        rpc.accounts.remove_person(OPERATOR, owner["id"])

    removed = rpc.accounts.remove_person(actor, member["person"]["id"])
    assert removed["email"] == "jiwoo@hanbit.example"
    assert rpc.accounts.resolve_session(member["session_token"]) is None
    assert [p["id"] for p in rpc.accounts.list_people(actor)["items"]] == [owner["id"]]


def test_api_keys_are_shown_once_listed_by_prefix_revoked_and_rotated(
        accounts, rpc, sink, accounts_db):
    _, session_token, organisation = enrolled_owner(rpc, sink)
    actor = rpc.accounts.resolve_session(session_token)["actor"]

    created = rpc.accounts.create_api_key(actor, {"label": "ERP sync"})
    api_key = created["api_key"]
    assert api_key.startswith("pma_company_") and created["prefix"] == api_key[:16]
    assert rpc.accounts.authenticate_key(api_key) == {"kind": "company",
                                                      "id": organisation["id"]}
    listed = rpc.accounts.list_api_keys(actor)["items"]
    assert [k["id"] for k in listed] == [created["id"]]
    assert listed[0]["last_used_at"] is not None
    assert api_key not in str(listed) and hash_key(api_key) not in str(listed)
    assert set(listed[0]) == {"id", "prefix", "label", "organisation", "created_at",
                              "last_used_at", "revoked_at"}

    rotated = rpc.accounts.rotate_api_key(actor, created["id"])
    assert rotated["label"] == "ERP sync" and rotated["api_key"] != api_key
    assert rpc.accounts.authenticate_key(api_key) is None
    assert rpc.accounts.authenticate_key(rotated["api_key"])["id"] == organisation["id"]

    revoked = rpc.accounts.revoke_api_key(actor, rotated["id"])
    assert revoked["revoked_at"] is not None
    assert rpc.accounts.authenticate_key(rotated["api_key"]) is None
    with pytest.raises(Conflict):
        rpc.accounts.rotate_api_key(actor, rotated["id"])
    machine = rpc.accounts.authenticate_key(
        rpc.accounts.create_api_key(actor, {"label": "ci"})["api_key"])
    with pytest.raises(Forbidden):  # a machine key may not make more keys
        rpc.accounts.create_api_key(machine, {"label": "more"})
    # ...but may list its organisation's keys and rotate one (a script renewing its key)
    ci_key = next(k for k in rpc.accounts.list_api_keys(machine)["items"] if k["label"] == "ci")
    assert rpc.accounts.rotate_api_key(machine, ci_key["id"])["label"] == "ci"

    stored = str(rows(accounts_db, "api_keys"))
    assert api_key not in stored and rotated["api_key"] not in stored
    assert hash_key(api_key) in stored


def test_stored_rows_hold_no_plaintext_token(accounts, rpc, sink, accounts_db):
    _, session_token, _ = enrolled_owner(rpc, sink)
    actor = rpc.accounts.resolve_session(session_token)["actor"]
    rpc.accounts.invite_person(actor, "jiwoo@hanbit.example", "Jiwoo", "zh")
    sign_in_token = link_in(mail_to(sink, "minji.lee@hanbit.example"))[1]
    invitation_token = link_in(mail_to(sink, "jiwoo@hanbit.example"))[1]

    everything = " ".join(str(rows(accounts_db, table)) for table in (
        "people", "sign_in_links", "sessions", "invitations", "api_keys",
        "rate_limit_counters"))
    for token in (sign_in_token, invitation_token, session_token):
        assert token not in everything
        assert hash_key(token) in everything


def test_an_expired_link_is_gone_and_an_idle_session_ends(run_service, accounts_db, rpc, sink,
                                                          monkeypatch):
    for name, value in sink.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PARKMATCH_WEB_URL", WEB)
    monkeypatch.setenv("PARKMATCH_SIGN_IN_LINK_TTL_SECONDS", "1")
    monkeypatch.setenv("PARKMATCH_SESSION_IDLE_TIMEOUT_SECONDS", "2")
    run_service(AccountsService, database_urls={"accounts": accounts_db})
    person = rpc.accounts.enrol_owner(company(), "late@example.kr", "Late", "en")
    _, expired = link_in(mail_to(sink, person["email"]))
    assert "1 second" in parts_of(mail_to(sink, person["email"]))[0]
    time.sleep(1.2)
    with pytest.raises(Gone) as caught:
        rpc.accounts.complete_sign_in(expired)
    assert caught.value.details == {"reason": "expired"}

    rpc.accounts.request_sign_in("late@example.kr", "en", "10.0.0.5")
    _, fresh = link_in(mail_to(sink, person["email"], count=2))
    session_token = rpc.accounts.complete_sign_in(fresh)["session_token"]
    assert rpc.accounts.resolve_session(session_token) is not None
    time.sleep(2.2)  # resolving did not extend it: that happens at most once a minute
    assert rpc.accounts.resolve_session(session_token) is None


def test_one_link_used_twice_at_once_signs_in_once(accounts, rpc, sink, service_config):
    person = rpc.accounts.enrol_owner(company(), "race@example.kr", "Race", "ko")
    _, token = link_in(mail_to(sink, person["email"]))

    def attempt(_):
        with ClusterRpcProxy(service_config, timeout=30) as proxy:
            try:
                return proxy.accounts.complete_sign_in(token)["session_token"]
            except Gone:
                return None

    outcomes = list(eventlet.GreenPool(4).imap(attempt, range(4)))
    assert len([o for o in outcomes if o]) == 1


def test_enrolment_conflicts_and_bad_input_name_the_field(accounts, rpc, sink):
    first = company()
    rpc.accounts.enrol_owner(first, "owner@example.kr", "Owner", "en")
    with pytest.raises(Conflict):  # the address already belongs to an organisation
        rpc.accounts.enrol_owner(company(), "OWNER@example.kr", "Owner", "en")
    with pytest.raises(Conflict):  # the organisation has its owner already
        rpc.accounts.enrol_owner(first, "second@example.kr", "Second", "en")
    with pytest.raises(InvalidInput) as caught:
        rpc.accounts.enrol_owner({"kind": "ministry", "id": ""}, "x@example.kr", "", "fr")
    assert set(caught.value.details) == {"organisation", "name", "language"}
    assert set(caught.value.details["organisation"]) == {"kind", "id"}
    with pytest.raises(InvalidInput) as caught:
        rpc.accounts.set_language({"kind": "company", "id": first["id"], "person_id": "p",
                                   "role": "owner"}, "de")
    assert "language" in caught.value.details


def test_the_operator_invites_into_any_organisation_and_sees_everyone(accounts, rpc, sink):
    park = {"kind": "park", "id": str(uuid.uuid4()), "names": {"zh": "宾西经开区"}}
    invitation = rpc.accounts.invite_person(OPERATOR, "li@binxian.example", "李华", "zh",
                                            organisation=park, role="owner")
    assert invitation["organisation"] == {"kind": "park", "id": park["id"]}
    message = mail_to(sink, "li@binxian.example")
    assert "宾西经开区" in message["Subject"]
    assert "Parkmatch 运营团队" in parts_of(message)[0]
    _, token = link_in(message)
    person = rpc.accounts.accept_invitation(token)["person"]
    assert person["role"] == "owner"

    changed = rpc.accounts.set_language(
        rpc.accounts.resolve_session(rpc.accounts.complete_sign_in(
            _sign_in_token(rpc, sink, "li@binxian.example"))["session_token"])["actor"], "ko")
    assert changed["language"] == "ko"
    rpc.accounts.request_sign_in("li@binxian.example", None, "10.0.0.9")
    assert "로그인" in mail_to(sink, "li@binxian.example", count=3)["Subject"]
    assert [p["id"] for p in rpc.accounts.list_people(OPERATOR, park)["items"]] == [person["id"]]
    with pytest.raises(Forbidden):
        rpc.accounts.list_people({"kind": "company", "id": "c", "person_id": "p",
                                  "role": "owner"}, park)
    with pytest.raises(InvalidInput) as caught:
        rpc.accounts.list_people(OPERATOR, {"kind": "nation"})
    assert set(caught.value.details) == {"kind", "id"}
    with pytest.raises(InvalidInput) as caught:
        rpc.accounts.invite_person(OPERATOR, "x@example.kr", "X", "en")
    assert "organisation" in caught.value.details


def test_no_token_or_link_is_logged(accounts, rpc, sink, caplog):
    # INFO, as services run (parkmatch run): at DEBUG nameko's own RPC client
    # logs every reply it receives, the session token in it included
    caplog.set_level(logging.INFO)
    _, session_token, _ = enrolled_owner(rpc, sink)
    sign_in_token = link_in(mail_to(sink, "minji.lee@hanbit.example"))[1]
    eventually(lambda: holds("verification e-mail for" in caplog.text))
    with pytest.raises(Gone):
        rpc.accounts.complete_sign_in(sign_in_token)
    for secret in (sign_in_token, session_token, WEB):
        assert secret not in caplog.text


def _sign_in_token(rpc, sink, address):
    count = len([m for m in sink.messages() if m["To"] == address])
    rpc.accounts.request_sign_in(address, None, "10.0.0.9")
    return link_in(mail_to(sink, address, count=count + 1))[1]
