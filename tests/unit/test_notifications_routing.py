"""Scope (sector hierarchy, parks, countries), how a partner is told (now
or in a digest, budget, channels, language), digest times in the partner's
time zone, what is news, secret rotation and channel failures."""
import time
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook

from services.notifications import domain, signing, templates

HARBIN = {"country": "CN", "province": "Heilongjiang", "city": "Harbin"}
NOW = datetime(2026, 5, 6, 1, 30, tzinfo=UTC)  # Wednesday 10:30 in Seoul
PARTNER = {"id": "p1", "time_zone": "Asia/Seoul", "language": "ko"}
DAILY_9 = {"frequency": "daily", "hour": 9}


def sub(sid="s1", **fields):
    return {"id": sid, "partner_id": "p1", "sectors": [], "regions": [], "parks": [],
            "countries": [], "min_score": 0, "mode": "immediate", "channel_ids": [], **fields}


def test_a_parent_sector_covers_its_children_but_not_the_reverse():
    assert domain.covers_scope(sub(sectors=["biopharmaceuticals"]), {"biologics"}, HARBIN)
    assert not domain.covers_scope(sub(sectors=["biologics"]), {"biopharmaceuticals"}, HARBIN)
    assert domain.covers_scope(sub(sectors=["biologics"]), {"biologics"}, HARBIN)


def test_parks_and_company_countries_narrow_the_scope():
    scoped = sub(parks=["k-binxian"], countries=["KR"])
    assert domain.covers_scope(scoped, set(), HARBIN, {"k-binxian"}, {"KR"})
    assert not domain.covers_scope(scoped, set(), HARBIN, {"k-other"}, {"KR"})
    assert not domain.covers_scope(scoped, set(), HARBIN, {"k-binxian"}, {"JP"})
    assert not domain.covers_scope(scoped, set(), HARBIN, {"k-binxian"}, set())


def test_the_minimum_score_applies_only_to_subjects_with_a_score():
    assert not domain.covers_scope(sub(min_score=70), set(), HARBIN, score=60)
    assert domain.covers_scope(sub(min_score=70), set(), HARBIN, score=None)


def intro(**fields):
    return {"introduction_id": "i1", "version": 1, "status": "requested", "match_id": "m1",
            "sponsor_partner_id": "sponsor", "sectors": ["biologics"], "region": HARBIN,
            "park_id": "k-binxian", "score": 75.0, **fields}


def test_introductions_reach_the_sponsor_and_subscribers_in_scope():
    subject = domain.subject_of("introduction.requested", intro())
    subscriptions = [sub("in", partner_id="fan", sectors=["biopharmaceuticals"]),
                     sub("out", partner_id="picky", min_score=80),
                     {**sub("kinds", partner_id="matches_only"), "event_kinds": ["match.found"]}]
    found = domain.recipients("introduction.requested", subject, subscriptions,
                              known_partner_ids={"sponsor"})
    assert set(found) == {"sponsor", "fan"} and found["sponsor"] == []


def test_obligation_reminders_reach_sponsor_and_partner_parties_each_reminder_once():
    reminder = {"obligation_id": "o1", "occurrence_on": "2026-06-30", "reminder": "due_in_30_days",
                "parties": [{"kind": "park", "id": "k1"}, {"kind": "partner", "id": "party"}],
                "sponsor_partner_id": "sponsor", "sectors": [], "region": None}
    subject = domain.subject_of("obligation.due", reminder)
    assert subject["always"] == {"party", "sponsor"} and subject["park_ids"] == {"k1"}
    later = domain.subject_of("obligation.due", {**reminder, "reminder": "due_in_7_days"})
    assert domain.dedupe_key("p", "obligation.due", "o1", subject["fact"]) != \
        domain.dedupe_key("p", "obligation.due", "o1", later["fact"])


# --- digests in the partner's time zone -------------------------------------------------

@pytest.mark.parametrize("schedule, time_zone, expected", [
    # 10:30 in Seoul: today's 09:00 is gone, tomorrow's is next
    (DAILY_9, "Asia/Seoul", datetime(2026, 5, 7, 0, 0, tzinfo=UTC)),
    ({"frequency": "daily", "hour": 11}, "Asia/Seoul",
     datetime(2026, 5, 6, 2, 0, tzinfo=UTC)),
    # 09:30 in Shanghai (UTC+8)
    ({"frequency": "daily", "hour": 10}, "Asia/Shanghai",
     datetime(2026, 5, 6, 2, 0, tzinfo=UTC)),
    # weekly on Monday (0) at 8: next Monday 11 May
    ({"frequency": "weekly", "hour": 8, "weekday": 0}, "Asia/Seoul",
     datetime(2026, 5, 10, 23, 0, tzinfo=UTC)),
    # weekly on today's weekday (Wednesday = 2), hour still to come
    ({"frequency": "weekly", "hour": 18, "weekday": 2}, "Asia/Seoul",
     datetime(2026, 5, 6, 9, 0, tzinfo=UTC)),
])
def test_the_next_digest_is_at_the_local_hour(schedule, time_zone, expected):
    assert domain.next_digest_at(schedule, time_zone, NOW) == expected


def test_daylight_saving_time_moves_the_utc_instant_not_the_local_hour():
    before = datetime(2026, 3, 6, 20, 0, tzinfo=UTC)   # New York, EST (DST: 8 March)
    after = datetime(2026, 3, 9, 20, 0, tzinfo=UTC)    # EDT
    assert domain.next_digest_at(DAILY_9, "America/New_York", before).hour == 14
    assert domain.next_digest_at(DAILY_9, "America/New_York", after).hour == 13


def test_the_budget_day_starts_at_local_midnight():
    assert domain.local_day_start("Asia/Seoul", NOW) == datetime(2026, 5, 5, 15, 0,
                                                                 tzinfo=UTC)


# --- now or later -----------------------------------------------------------------------

def test_immediate_within_budget_on_the_subscriptions_channels_in_their_language():
    route = domain.plan(PARTNER, [sub(channel_ids=["c2"], language="zh")], ["c1", "c2"],
                        sent_today=3, budget=50, default_digest=DAILY_9, now=NOW)
    assert route == {"disposition": "immediate", "subscription_id": None, "due_at": None,
                     "language": "zh", "channel_ids": ["c2"]}


def test_a_party_without_subscription_hears_at_once_on_every_channel_in_its_language():
    route = domain.plan(PARTNER, [], ["c1", "c2"], 0, 50, DAILY_9, NOW)
    assert route["disposition"] == "immediate" and route["channel_ids"] == ["c1", "c2"]
    assert route["language"] == "ko"


def test_over_budget_rolls_into_the_digest_subscription_or_the_default_digest():
    digest_sub = sub("d", mode="digest", digest={"frequency": "daily", "hour": 18})
    into_own = domain.plan(PARTNER, [sub(), digest_sub], ["c1"], 50, 50, DAILY_9, NOW)
    assert into_own["disposition"] == "digest" and into_own["subscription_id"] == "d"
    assert into_own["due_at"] == datetime(2026, 5, 6, 9, 0, tzinfo=UTC)
    into_default = domain.plan(PARTNER, [sub()], ["c1"], 50, 50, DAILY_9, NOW)
    assert into_default["subscription_id"] is None
    assert into_default["due_at"] == datetime(2026, 5, 7, 0, 0, tzinfo=UTC)


def test_digest_only_subscriptions_wait_for_their_digest():
    weekly = sub("w", mode="digest", digest={"frequency": "weekly", "hour": 8, "weekday": 0})
    route = domain.plan(PARTNER, [weekly], ["c1"], 0, 50, DAILY_9, NOW)
    assert route["disposition"] == "digest" and route["subscription_id"] == "w"


def test_news_is_newer_and_says_something_else():
    subject = {"version": 3}
    assert domain.is_news(subject, "h1", None)
    assert not domain.is_news(subject, "h1", {"subject_version": 2, "content_hash": "h1"})
    assert domain.is_news(subject, "h2", {"subject_version": 2, "content_hash": "h1"})
    assert not domain.is_news(subject, "h2", {"subject_version": 4, "content_hash": "h1"})


def test_the_content_hash_ignores_the_version_only():
    match = {"match_id": "m", "version": 1, "score": 80.0}
    assert domain.content_hash(match) == domain.content_hash({**match, "version": 7})
    assert domain.content_hash(match) != domain.content_hash({**match, "score": 80.5})


# --- channels ---------------------------------------------------------------------------

def test_failures_in_a_row_disable_a_channel_and_a_success_resets_the_count():
    channel = {"enabled": True, "consecutive_failures": 1}
    assert domain.channel_after_delivery(channel, "failed", 3) == {"consecutive_failures": 2}
    disabled = domain.channel_after_delivery({**channel, "consecutive_failures": 2}, "failed", 3)
    assert disabled["enabled"] is False and "3 deliveries" in disabled["disabled_reason"]
    assert domain.channel_after_delivery(channel, "delivered", 3) == {"consecutive_failures": 0}
    assert domain.channel_after_delivery(channel, "pending", 3) == {}


def test_a_rotated_secret_signs_alongside_the_new_one_until_the_grace_ends():
    old, new = signing.new_secret(), signing.new_secret()
    secrets = domain.rotated_secrets(old, new, NOW, 3600)
    assert domain.signing_secrets(secrets, NOW + timedelta(minutes=59)) == [new, old]
    assert domain.signing_secrets(secrets, NOW + timedelta(minutes=61)) == [new]
    body = '{"type":"match.found"}'
    headers = signing.webhook_headers([new, old], "msg_1", time.time(), body)
    assert len(headers["webhook-signature"].split(" ")) == 2
    # a partner still on the old secret, and one already on the new, both verify
    for secret in (old, new):
        Webhook(secret).verify(body, {**headers})  # raises if not
    assert signing.verify(old, headers, body)


def test_redelivery_keeps_the_delivery_and_starts_a_fresh_retry_round():
    delivery = {**domain.new_delivery({"id": "a", "partner_id": "p"}, "http://x", NOW),
                "attempts": 4, "status": "failed"}
    again = domain.redelivery(delivery, NOW)
    assert again == {"status": "pending", "next_attempt_at": NOW, "round_start": 4,
                     "claim_token": None}
    after = domain.after_attempt({**delivery, **again}, 500, None, NOW, [10], rand=lambda: 1.0)
    assert after["status"] == "pending" and after["attempts"] == 5


# --- e-mail templates ---------------------------------------------------------------------

MATCH = {"match_id": "m1", "version": 1, "status": "active", "score": 82.5,
         "company": {"company_id": "c", "names": {"en": "Hanbit <Bio>", "ko": "한빛바이오"},
                     "country": "KR", "sectors": ["biologics"]},
         "demand": {"demand_id": "d", "title": "High-Tech Valley & Co", "park_id": "k",
                    "park_names": {"en": "Binxian ETDZ", "zh": "宾西经开区"}, "region": HARBIN,
                    "sectors": ["biopharmaceuticals"]},
         "outcomes": [], "summary": "meets every criterion", "withdrawn_reason": None,
         "summaries": {"en": "meets every criterion", "ko": "모든 기준 충족", "zh": "满足全部条件"}}


@pytest.mark.parametrize("language, words", [
    ("ko", ["새 매칭", "한빛바이오", "점수", "모든 기준 충족"]),
    ("zh", ["新匹配", "宾西经开区", "得分", "满足全部条件"]),
    ("en", ["New match", "Hanbit <Bio>", "Score", "meets every criterion"]),
])
def test_alert_emails_speak_the_subscription_language(language, words):
    subject, text, html = templates.render("match.found", MATCH, language)
    for word in words:
        assert word in subject + text
    # the match summary comes from matching in that language; English when absent
    older = {key: value for key, value in MATCH.items() if key != "summaries"}
    assert "meets every criterion" in templates.render("match.found", older, language)[1]
    assert subject.startswith("[Parkmatch]") and f'lang="{language}"' in html


def test_html_is_escaped_and_every_alert_kind_renders():
    _, _, html = templates.render("match.found", MATCH, "en")
    assert "Hanbit &lt;Bio&gt;" in html and "<Bio>" not in html and "&amp; Co" in html
    samples = {
        "introduction.accepted": {"match_id": "m1", "status": "accepted", "score": 70.0,
                                  "sectors": ["cloud"]},
        "agreement.signed": {"title": "MOU", "status": "signed", "kind": "mou", "sectors": []},
        "obligation.overdue": {"title": "Trade meeting", "occurrence_on": "2026-06-30",
                               "agreement_title": "MOU", "days_until_due": -3},
        "channel.disabled": {"target": "https://x.example/h", "reason": "5 deliveries failed"},
        "digest": {"count": 1, "items": [{"type": "match.found", "data": MATCH}]},
    }
    for kind, data in samples.items():
        for language in ("ko", "zh", "en"):
            subject, text, html = templates.render(kind, data, language)
            assert subject and text.strip() and "<h1>" in html
