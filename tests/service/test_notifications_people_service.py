"""Alerts to the people of companies and parks: people enrolled through
person.* events on the real broker, e-mails through a real local SMTP
server in each person's language (once, even when an event comes twice),
the in-app inbox of each side, the accept / decline link of an
introduction request, daily digests on a clock the test moves, and the
daily budget rolling into the digest."""
# ruff: noqa: F811  (pytest fixtures imported from notifications_fixtures)
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.contracts.errors import Forbidden, InvalidInput, NotFound
from services.platform import clock
from tests.conftest import eventually
from tests.service.notifications_fixtures import (  # noqa: F401  (fixtures)
    HARBIN,
    assert_count,
    delivery_env,
    match,
    notifications,
    publish,
    service_db,
    settle,
    wait_until_handled,
)
from tests.smtp_sink import parts_of, smtp_sink  # noqa: F401  (fixture)

SEOUL = ZoneInfo("Asia/Seoul")
WEB = "https://app.parkmatch.test"
COMPANY = {"kind": "company", "id": "c-vision"}
PARK = {"kind": "park", "id": "k-binxian"}


@pytest.fixture
def mail(smtp_sink, monkeypatch):
    for name, value in smtp_sink.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PARKMATCH_WEB_URL", WEB)
    return smtp_sink


@pytest.fixture
def travel(tmp_path, monkeypatch):
    path = tmp_path / "clock"
    monkeypatch.setenv("PARKMATCH_CLOCK_FILE", str(path))
    return lambda instant: clock.travel_to(str(path), instant)


def enrol(publish, service_db, organisation, email, language, kind="person.enrolled"):
    person_id = "p-" + uuid.uuid4().hex[:8]
    event = publish(kind, {"person_id": person_id, "organisation": organisation,
                           "email": email, "name": email.split("@")[0], "language": language,
                           "role": "owner", "changed_at": datetime.now(UTC)})
    wait_until_handled(service_db, event)
    return {**organisation, "person_id": person_id, "role": "owner"}


def to(sink, address):
    return [m for m in sink.messages() if m["To"] == address]


def test_a_match_mails_the_company_in_korean_and_the_park_in_chinese_once_each(
        notifications, rpc, publish, service_db, mail):
    company = enrol(publish, service_db, COMPANY, "ceo@vision.example", "ko")
    park = enrol(publish, service_db, PARK, "zhaoshang@binxian.example", "zh")
    found = match(score=82.5)
    first = publish("match.found", found)
    publish("match.found", found, event=first)  # the broker delivers it again
    publish("match.found", found)  # the same fact in another event
    eventually(lambda: assert_count(mail.messages(), 2))
    settle()
    assert len(mail.messages()) == 2

    [korean] = to(mail, "ceo@vision.example")
    assert korean["Subject"] == ("[Parkmatch] Binxian ETDZ에서 귀사를 찾고 있습니다: "
                                 "Korea-China High-Tech Valley, phase 1")
    text, html = parts_of(korean)
    assert "적합도 점수: 82.5" in text and 'lang="ko"' in html
    [chinese] = to(mail, "zhaoshang@binxian.example")
    assert chinese["Subject"] == ("[Parkmatch] “Korea-China High-Tech Valley, phase 1”"
                                  "有新的候选企业：Vision Semicon")
    assert "匹配得分：82.5" in parts_of(chinese)[0]

    company_inbox = rpc.notifications.list_inbox(company)
    [item] = company_inbox["items"]
    assert company_inbox["next_cursor"] is None
    assert item["type"] == "match.found" and item["subject_id"] == found["match_id"]
    assert item["title"].startswith("Binxian ETDZ에서") and item["read"] is False
    [park_item] = rpc.notifications.list_inbox(park)["items"]
    assert park_item["title"].endswith("有新的候选企业：Vision Semicon")
    assert park_item["id"] != item["id"]

    # a colleague sees the same alert, with read marks of their own
    colleague = enrol(publish, service_db, COMPANY, "cto@vision.example", "en")
    assert rpc.notifications.inbox_summary(company) == {"total": 1, "unread": 1}
    assert rpc.notifications.mark_read(company, item["id"]) == {"id": item["id"], "read": True}
    assert rpc.notifications.inbox_summary(company) == {"total": 1, "unread": 0}
    [seen] = rpc.notifications.list_inbox(colleague)["items"]
    assert seen["id"] == item["id"] and seen["read"] is False
    assert seen["title"] == "A park wants you: Binxian ETDZ – Korea-China High-Tech Valley, phase 1"
    with pytest.raises(NotFound):
        rpc.notifications.mark_read(park, item["id"])  # not the park's alert
    with pytest.raises(Forbidden):
        rpc.notifications.list_inbox({**PARK, "person_id": company["person_id"]})


def test_the_inbox_pages_newest_first(notifications, rpc, publish, service_db):
    company = enrol(publish, service_db, COMPANY, "ceo@vision.example", "en")
    events = [publish("match.found", match(score=60 + n)) for n in range(3)]
    wait_until_handled(service_db, *events)
    first = rpc.notifications.list_inbox(company, limit=2)
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = rpc.notifications.list_inbox(company, limit=2, cursor=first["next_cursor"])
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    everything = [*first["items"], *rest["items"]]
    assert len({i["id"] for i in everything}) == 3
    stamps = [i["created_at"] for i in everything]
    assert stamps == sorted(stamps, reverse=True)
    for bad in ({"limit": 0}, {"limit": 101}, {"cursor": "not-ours"}):
        with pytest.raises(InvalidInput) as caught:
            rpc.notifications.list_inbox(company, **bad)
        assert set(caught.value.details) == set(bad)


def test_an_introduction_request_mails_the_company_the_accept_link(
        notifications, rpc, publish, service_db, mail):
    company = enrol(publish, service_db, COMPANY, "ceo@vision.example", "en")
    park = enrol(publish, service_db, PARK, "zhaoshang@binxian.example", "zh")
    found = match()
    wait_until_handled(service_db, publish("match.found", found))
    now = datetime.now(UTC)
    requested = {"introduction_id": "i-42", "version": 1, "status": "requested",
                 "match_id": found["match_id"], "company_id": "c-vision",
                 "demand_id": "d-binxian", "park_id": "k-binxian",
                 "requester": {"kind": "park", "id": "k-binxian"}, "sponsor_partner_id": None,
                 "sectors": ["biologics"], "region": HARBIN, "score": 81.0,
                 "requested_at": now, "expires_at": now + timedelta(days=14)}
    wait_until_handled(service_db, publish("introduction.requested", requested))
    eventually(lambda: assert_count(to(mail, "ceo@vision.example"), 2))
    # the two e-mails (the match, then the request) may arrive in either order
    subjects = {m["Subject"]: m for m in to(mail, "ceo@vision.example")}
    request_subject = ("[Parkmatch] Introduction request from Binxian ETDZ "
                       "about Korea-China High-Tech Valley, phase 1")
    assert set(subjects) == {request_subject, "[Parkmatch] A park wants you: Binxian ETDZ – "
                                              "Korea-China High-Tech Valley, phase 1"}
    request_mail = subjects[request_subject]
    text, html = parts_of(request_mail)
    assert f"Accept or decline: {WEB}/company/introductions/i-42" in text
    assert f'href="{WEB}/company/introductions/i-42"' in html
    assert len(to(mail, "zhaoshang@binxian.example")) == 1  # the park: only the match

    accepted = {**requested, "version": 2, "status": "accepted", "decided_at": now}
    wait_until_handled(service_db, publish("introduction.accepted", accepted))
    eventually(lambda: assert_count(to(mail, "zhaoshang@binxian.example"), 2))
    park_mail = to(mail, "zhaoshang@binxian.example")[1]
    assert park_mail["Subject"] == "[Parkmatch] 引荐已接受：Vision Semicon同意对接"
    # the company's contact details are not in any alert (the events carry none)
    for message in mail.messages():
        assert "@" not in parts_of(message)[0]
    [newest, _] = rpc.notifications.list_inbox(park)["items"]
    assert newest["link"] == f"{WEB}/park/introductions/i-42"
    assert rpc.notifications.list_inbox(company)["items"][0]["type"] == "introduction.requested"


def test_digest_mode_and_the_budget_send_one_daily_digest_at_the_local_hour(
        notifications, rpc, publish, service_db, mail, travel, monkeypatch):
    monkeypatch.setenv("PARKMATCH_PERSON_DAILY_BUDGET", "1")
    monkeypatch.setenv("PARKMATCH_DEFAULT_DIGEST_HOUR", "8")
    travel(datetime(2026, 5, 6, 14, 0, tzinfo=SEOUL))
    company = enrol(publish, service_db, COMPANY, "ceo@vision.example", "ko")
    park = enrol(publish, service_db, PARK, "zhaoshang@binxian.example", "en")
    prefs = rpc.notifications.set_alert_preferences(park, {"mode": "digest", "digest_hour": 9,
                                                           "time_zone": "Asia/Seoul"})
    assert prefs == {"mode": "digest", "digest_hour": 9, "time_zone": "Asia/Seoul",
                     "language": "en", "email": "zhaoshang@binxian.example"}
    assert rpc.notifications.get_alert_preferences(company)["time_zone"] == "Asia/Seoul"

    kept, over, withdrawn = match(score=70), match(score=75), match(score=80)
    for found in (kept, over, withdrawn):
        wait_until_handled(service_db, publish("match.found", found))
    wait_until_handled(service_db, publish("match.withdrawn", {
        **withdrawn, "version": 2, "status": "withdrawn", "withdrawn_reason": "demand closed"}))
    eventually(lambda: assert_count(mail.messages(), 1))
    settle()
    [immediate] = mail.messages()  # the company's budget of one; the park waits
    assert immediate["To"] == "ceo@vision.example"

    travel(datetime(2026, 5, 7, 8, 0, 1, tzinfo=SEOUL))  # the company's default hour
    eventually(lambda: assert_count(to(mail, "ceo@vision.example"), 2))
    digest = to(mail, "ceo@vision.example")[1]
    assert digest["Subject"] == "[Parkmatch] Parkmatch 요약: 알림 1건"
    assert "귀사를 찾고 있습니다" in parts_of(digest)[0]
    assert to(mail, "zhaoshang@binxian.example") == []  # 08:00: not the park's hour

    travel(datetime(2026, 5, 7, 9, 0, 1, tzinfo=SEOUL))
    eventually(lambda: assert_count(to(mail, "zhaoshang@binxian.example"), 1))
    settle()
    [park_digest] = to(mail, "zhaoshang@binxian.example")
    assert park_digest["Subject"] == "[Parkmatch] Your Parkmatch digest: 2 alerts"
    text = parts_of(park_digest)[0]
    assert text.count("A new candidate for") == 2  # the withdrawn match dropped out
    assert len(mail.messages()) == 3  # each digest once
    assert rpc.notifications.inbox_summary(park)["total"] == 3  # the inbox keeps them all


def test_preferences_name_the_bad_field_and_belong_to_the_person(
        notifications, rpc, publish, service_db):
    company = enrol(publish, service_db, COMPANY, "ceo@vision.example", "ko")
    assert rpc.notifications.get_alert_preferences(company) == {
        "mode": "immediate", "digest_hour": 8, "time_zone": "Asia/Seoul", "language": "ko",
        "email": "ceo@vision.example"}
    for body, field in [({"mode": "weekly"}, "mode"), ({"digest_hour": 24}, "digest_hour"),
                        ({"time_zone": "Seoul"}, "time_zone"), ({}, "_schema")]:
        with pytest.raises(InvalidInput) as caught:
            rpc.notifications.set_alert_preferences(company, body)
        assert field in caught.value.details, (body, caught.value.details)
    with pytest.raises(Forbidden):
        rpc.notifications.get_alert_preferences({**COMPANY})  # an API key, not a person
    with pytest.raises(NotFound):
        rpc.notifications.get_alert_preferences({**COMPANY, "person_id": "p-nobody"})

    # a later change of language arrives; an older one arriving after it is ignored
    changed = datetime.now(UTC)
    base = {"person_id": company["person_id"], "organisation": COMPANY,
            "email": "ceo@vision.example", "name": "ceo"}
    newer = publish("person.updated", {**base, "language": "zh", "changed_at": changed})
    older = publish("person.updated", {**base, "language": "en",
                                       "changed_at": changed - timedelta(minutes=1)})
    wait_until_handled(service_db, newer, older)
    assert rpc.notifications.get_alert_preferences(company)["language"] == "zh"
    removed = publish("person.removed", {**base, "language": "zh",
                                         "changed_at": changed + timedelta(seconds=1)})
    wait_until_handled(service_db, removed)
    with pytest.raises(NotFound):
        rpc.notifications.get_alert_preferences(company)
