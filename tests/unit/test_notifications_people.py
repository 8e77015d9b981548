"""The rules for alerting the people of companies, parks and partners, on
plain data: who hears of which event, at once or in their digest, in which
time zone, what the texts say in each language, and the inbox cursor."""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from services.notifications import domain, people_texts, recipients

SEOUL, SHANGHAI = ZoneInfo("Asia/Seoul"), ZoneInfo("Asia/Shanghai")
WEB = "https://app.parkmatch.example"


def match_payload():
    return {"match_id": "m-1", "version": 1, "status": "active",
            "company": {"company_id": "c-1", "names": {"ko": "한빛바이오", "en": "Hanbit Bio"},
                        "country": "KR", "sectors": ["biologics"]},
            "demand": {"demand_id": "d-1", "title": "High-Tech Valley", "park_id": "k-1",
                       "park_names": {"zh": "宾西经开区", "en": "Binxian ETDZ"},
                       "region": {"country": "CN"}, "sectors": ["biologics"]},
            "score": 82.5, "outcomes": [], "summary": "meets every criterion",
            "summaries": {"en": "meets every criterion", "ko": "모든 기준 충족",
                          "zh": "符合全部条件"}}


def introduction_payload(requester=None):
    return {"introduction_id": "i-1", "version": 1, "status": "requested", "match_id": "m-1",
            "company_id": "c-1", "demand_id": "d-1", "park_id": "k-1",
            "requester": requester or {"kind": "park", "id": "k-1"},
            "sponsor_partner_id": None, "score": 81.0,
            "requested_at": "2026-05-06T01:00:00+00:00",
            "expires_at": "2026-05-20T01:00:00+00:00"}


def person(mode="immediate", hour=None, kind="company", time_zone=None, country=None):
    return {"person_id": "p-1", "organisation_kind": kind, "organisation_id": "c-1",
            "email": "a@b.example", "name": "A", "language": "ko", "mode": mode,
            "digest_hour": hour, "time_zone": time_zone, "country": country,
            "changed_at": datetime(2026, 1, 1, tzinfo=UTC), "removed": False}


def test_a_match_alerts_the_company_and_the_demands_park():
    assert recipients.audiences("match.found", match_payload()) == [
        {"kind": "company", "id": "c-1"}, {"kind": "park", "id": "k-1"}]
    assert recipients.audiences("match.updated", match_payload()) == []
    assert recipients.audiences("match.withdrawn", match_payload()) == []


def test_introductions_alert_the_company_then_the_requester():
    assert recipients.audiences("introduction.requested", introduction_payload()) == [
        {"kind": "company", "id": "c-1"}]
    accepted = {**introduction_payload(), "status": "accepted"}
    assert recipients.audiences("introduction.accepted", accepted) == [
        {"kind": "park", "id": "k-1"}]
    by_partner = introduction_payload({"kind": "partner", "id": "p-9"})
    assert recipients.audiences("introduction.accepted", by_partner) == [
        {"kind": "partner", "id": "p-9"}]
    assert recipients.audiences("introduction.declined", accepted) == []


def test_an_obligation_alerts_the_party_that_owes_it():
    reminder = {"owner": {"kind": "park", "id": "k-1"}, "parties": []}
    assert recipients.audiences("obligation.due", reminder) == [{"kind": "park", "id": "k-1"}]
    assert recipients.audiences("obligation.overdue", reminder) == [
        {"kind": "park", "id": "k-1"}]


def test_an_organisation_alert_has_its_own_dedupe_key_per_fact():
    subject = domain.subject_of("match.found", match_payload())
    now = datetime(2026, 5, 6, tzinfo=UTC)
    company = recipients.new_organisation_alert({"kind": "company", "id": "c-1"}, "match.found",
                                                subject, now, {}, now, "h")
    park = recipients.new_organisation_alert({"kind": "park", "id": "k-1"}, "match.found",
                                             subject, now, {}, now, "h")
    again = recipients.new_organisation_alert({"kind": "company", "id": "c-1"}, "match.found",
                                              subject, now, {}, now, "h")
    assert company["dedupe_key"] == again["dedupe_key"] != park["dedupe_key"]
    assert company["partner_id"] is None and company["disposition"] == recipients.INBOX


def test_immediate_within_the_budget_then_the_next_digest_at_the_local_hour():
    now = datetime(2026, 5, 6, 14, 0, tzinfo=SEOUL)
    assert recipients.plan_for_person(person(), 1, 2, 8, now) == {
        "disposition": domain.SENT_NOW, "due_at": None}
    over = recipients.plan_for_person(person(), 2, 2, 8, now)
    assert over["disposition"] == recipients.PENDING_DIGEST
    assert over["due_at"] == datetime(2026, 5, 7, 8, 0, tzinfo=SEOUL)
    digest = recipients.plan_for_person(person(mode="digest", hour=18), 0, 2, 8, now)
    assert digest["due_at"] == datetime(2026, 5, 6, 18, 0, tzinfo=SEOUL)


def test_time_zones_default_by_country_then_by_organisation_kind():
    assert recipients.time_zone_of(person(time_zone="Europe/Berlin")) == "Europe/Berlin"
    assert recipients.time_zone_of(person(kind="park", country="KR")) == "Asia/Seoul"
    assert recipients.time_zone_of(person(kind="park")) == "Asia/Shanghai"
    assert recipients.time_zone_of(person(kind="company")) == "Asia/Seoul"
    assert recipients.time_zone_of(person(time_zone="Mars/Olympus")) == "Asia/Seoul"
    park_person = person(mode="digest", hour=9, kind="park")
    due = recipients.plan_for_person(park_person, 0, 5, 8,
                                     datetime(2026, 5, 6, 12, 0, tzinfo=SHANGHAI))["due_at"]
    assert due == datetime(2026, 5, 7, 9, 0, tzinfo=SHANGHAI)


def test_person_events_keep_local_preferences_and_ignore_older_changes():
    stored = {**person(mode="digest", hour=7), "changed_at": datetime(2026, 2, 1, tzinfo=UTC)}
    event = {"person_id": "p-1", "organisation": {"kind": "company", "id": "c-1"},
             "email": "new@b.example", "name": "A", "language": "zh",
             "changed_at": datetime(2026, 3, 1, tzinfo=UTC)}
    assert recipients.is_newer(event, stored)
    updated = recipients.recipient_from_event("person.updated", event, stored)
    assert (updated["mode"], updated["digest_hour"], updated["language"]) == ("digest", 7, "zh")
    assert not updated["removed"]
    assert recipients.recipient_from_event("person.removed", event, stored)["removed"]
    late = {**event, "changed_at": datetime(2026, 1, 15, tzinfo=UTC)}
    assert not recipients.is_newer(late, stored)
    fresh = recipients.recipient_from_event("person.enrolled", event, None)
    assert (fresh["mode"], fresh["digest_hour"]) == ("immediate", None)


def test_the_inbox_cursor_round_trips_and_refuses_foreign_text():
    moment = datetime(2026, 5, 6, 1, 2, 3, 456, tzinfo=UTC)
    assert recipients.decode_cursor(recipients.encode_cursor(moment, "a-1")) == (moment, "a-1")
    for bad in ("", "nonsense", "!!!", recipients.encode_cursor(moment, "a")[:-3]):
        assert recipients.decode_cursor(bad) is None


def _alert(kind, data, organisation_kind):
    return {"type": kind, "data": data, "organisation_kind": organisation_kind}


def test_the_company_hears_a_park_wants_it_and_the_park_of_a_new_candidate():
    company = people_texts.describe(_alert("match.found", match_payload(), "company"), "ko", WEB)
    assert company["title"] == "Binxian ETDZ에서 귀사를 찾고 있습니다: High-Tech Valley"
    assert "적합도 점수: 82.5" in company["lines"] and "요약: 모든 기준 충족" in company["lines"]
    park = people_texts.describe(_alert("match.found", match_payload(), "park"), "zh", WEB)
    assert park["title"] == "“High-Tech Valley”有新的候选企业：Hanbit Bio"
    assert "匹配得分：82.5" in park["lines"]
    english = people_texts.describe(_alert("match.found", match_payload(), "park"), "en", WEB)
    assert english["title"] == "A new candidate for High-Tech Valley: Hanbit Bio"
    assert english["link"] is None


def test_an_introduction_request_links_to_accept_or_decline_and_shows_no_contact():
    data = {**introduction_payload(), "context": {"park_names": {"en": "Binxian ETDZ"},
                                                  "demand_title": "High-Tech Valley"}}
    text = people_texts.describe(_alert("introduction.requested", data, "company"), "ko", WEB)
    assert text["link"] == f"{WEB}/company/introductions/i-1"
    assert text["link_label"] == "수락 또는 거절하기"
    assert "2026년 5월 20일까지 답변해 주세요." in text["lines"]
    subject, plain, html = people_texts.render(
        _alert("introduction.requested", data, "company"), "zh", WEB)
    assert subject == "[Parkmatch] Binxian ETDZ就“High-Tech Valley”提出引荐请求"
    assert f"接受或拒绝: {WEB}/company/introductions/i-1" in plain
    assert f'href="{WEB}/company/introductions/i-1"' in html and 'lang="zh"' in html


def test_a_digest_counts_its_alerts_in_the_persons_language():
    alerts = [_alert("match.found", match_payload(), "company")] * 3
    subject, plain, _html = people_texts.render_digest(alerts, "en", WEB)
    assert subject == "[Parkmatch] Your Parkmatch digest: 3 alerts"
    one, _, _ = people_texts.render_digest(alerts[:1], "en", WEB)
    assert one.endswith("1 alert")
    korean, text, _ = people_texts.render_digest(alerts, "ko", WEB)
    assert korean == "[Parkmatch] Parkmatch 요약: 알림 3건" and text.count("귀사를 찾고") == 3


def test_obligation_dates_are_worded_per_language():
    reminder = {"occurrence_on": "2026-06-30", "title": "Exchange meeting",
                "agreement_title": "MOU", "days_until_due": 30,
                "owner": {"kind": "park", "id": "k-1"}}
    zh = people_texts.describe(_alert("obligation.due", reminder, "park"), "zh", WEB)
    assert zh["title"] == "2026年6月30日到期：Exchange meeting"
    overdue = people_texts.describe(_alert("obligation.overdue", reminder, "park"), "ko", WEB)
    assert overdue["title"] == "2026년 6월 30일부터 기한 경과: Exchange meeting"
