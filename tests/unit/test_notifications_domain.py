"""Who gets which alert, once, and how deliveries are retried: the
notification rules on plain data."""
from datetime import UTC, datetime, timedelta

import pytest

from services.contracts.vocabulary import ALERT_EVENT_KINDS
from services.notifications import domain

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
HARBIN = {"country": "CN", "province": "Heilongjiang", "city": "Harbin"}
CHENGDU = {"country": "CN", "province": "Sichuan", "city": "Chengdu"}


def subscription(partner_id="p1", sectors=(), regions=(), min_score=0.0,
                 event_kinds=ALERT_EVENT_KINDS):
    return {"id": f"s-{partner_id}", "partner_id": partner_id, "sectors": list(sectors),
            "regions": list(regions), "min_score": min_score, "event_kinds": list(event_kinds)}


def match(score=80.0, demand_sectors=("biopharmaceuticals",), company_sectors=("cosmetics",),
          region=HARBIN):
    return {"match_id": "m1", "version": 1, "score": score,
            "company": {"sectors": list(company_sectors)},
            "demand": {"sectors": list(demand_sectors), "region": dict(region)}}


def agreement(parties=(("company", "c1"), ("park", "k1")), sponsor=None,
              sectors=("biopharmaceuticals",), region=HARBIN):
    return {"agreement_id": "a1", "version": 2,
            "parties": [{"kind": kind, "id": pid} for kind, pid in parties],
            "sponsor_partner_id": sponsor, "sectors": list(sectors), "region": region}


# --- regions and scope ---------------------------------------------------------------

@pytest.mark.parametrize("wanted, expected", [
    ({"country": "CN"}, True),
    ({"country": "CN", "province": "Heilongjiang"}, True),
    ({"country": "CN", "province": "Heilongjiang", "city": "Harbin"}, True),
    ({"country": "cn", "province": "heilongjiang ", "city": None}, True),
    ({"country": "CN", "province": "Sichuan"}, False),
    ({"country": "KR"}, False),
    ({"country": "CN", "city": "Chengdu"}, False),
])
def test_a_region_matches_when_every_given_field_equals(wanted, expected):
    assert domain.region_matches(wanted, HARBIN) is expected


def test_a_region_never_matches_a_subject_without_one():
    assert not domain.region_matches({"country": "CN"}, None)


def test_empty_sectors_and_regions_mean_everything():
    assert domain.covers_scope(subscription(), ["semiconductors"], CHENGDU)
    assert domain.covers_scope(subscription(), [], None)


def test_scope_needs_a_shared_sector_and_a_matching_region():
    scoped = subscription(sectors=["biopharmaceuticals", "health_care"],
                          regions=[{"country": "CN", "province": "Heilongjiang"}])
    assert domain.covers_scope(scoped, ["health_care", "cloud"], HARBIN)
    assert not domain.covers_scope(scoped, ["cloud"], HARBIN)
    assert not domain.covers_scope(scoped, ["health_care"], CHENGDU)
    assert not domain.covers_scope(scoped, ["health_care"], None)


# --- match alerts ----------------------------------------------------------------------

def test_match_found_reaches_subscribers_in_scope_above_their_minimum_score():
    subs = [
        subscription("in_scope", sectors=["biopharmaceuticals"], regions=[HARBIN], min_score=70),
        subscription("by_company_sector", sectors=["cosmetics"]),
        subscription("other_sector", sectors=["semiconductors"]),
        subscription("other_region", regions=[CHENGDU]),
        subscription("too_demanding", min_score=90),
        subscription("not_interested", event_kinds=["match.withdrawn"]),
    ]
    assert domain.match_recipients("match.found", match(score=80), subs, set()) == {
        "in_scope", "by_company_sector"}


def test_a_score_equal_to_the_minimum_is_enough():
    assert domain.match_recipients("match.updated", match(score=70),
                                   [subscription(min_score=70)], set()) == {"p1"}


def test_several_matching_subscriptions_of_one_partner_give_one_recipient():
    subs = [subscription("p1"), subscription("p1", sectors=["biopharmaceuticals"])]
    assert domain.match_recipients("match.found", match(), subs, set()) == {"p1"}


def test_withdrawal_goes_only_to_partners_told_about_the_match_whatever_the_score():
    subs = [subscription("told", min_score=95), subscription("never_told"),
            subscription("told_but_not_interested", event_kinds=["match.found"])]
    recipients = domain.match_recipients(
        "match.withdrawn", match(score=10), subs, {"told", "told_but_not_interested"})
    assert recipients == {"told"}


def test_unknown_kinds_alert_nobody():
    assert domain.match_recipients("match.deleted", match(), [subscription()], set()) == set()


# --- agreement alerts ------------------------------------------------------------------

def test_signed_agreement_reaches_partner_parties_sponsor_and_subscribers_in_scope():
    signed = agreement(parties=(("company", "c1"), ("partner", "party"), ("partner", "ghost")),
                       sponsor="sponsor")
    subs = [subscription("subscriber", sectors=["biopharmaceuticals"], regions=[HARBIN]),
            subscription("other_region", regions=[CHENGDU]),
            subscription("matches_only", event_kinds=["match.found"])]
    recipients = domain.agreement_recipients("agreement.signed", signed, subs,
                                             known_partner_ids={"party", "sponsor"})
    # "ghost" names a partner this service does not know: nobody to alert
    assert recipients == {"party", "sponsor", "subscriber"}


def test_parties_get_signed_agreements_without_any_subscription():
    signed = agreement(parties=(("company", "c1"), ("partner", "party")), sectors=(), region=None)
    assert domain.agreement_recipients("agreement.signed", signed, [], {"party"}) == {"party"}


def test_an_agreement_without_region_is_outside_regional_subscriptions():
    signed = agreement(region=None)
    subs = [subscription("regional", regions=[HARBIN]), subscription("everywhere")]
    assert domain.agreement_recipients("agreement.signed", signed, subs, set()) == {"everywhere"}


def test_proposals_are_alerts_too_but_declines_are_not():
    proposed = agreement(parties=(("company", "c1"), ("partner", "party")))
    assert domain.agreement_recipients("agreement.proposed", proposed, [subscription()],
                                       {"party"}) == {"party", "p1"}
    intro = {"introduction_id": "i1", "version": 2, "sponsor_partner_id": "sponsor",
             "sectors": [], "region": None, "park_id": None, "score": None}
    subject = domain.subject_of("introduction.declined", intro)
    assert domain.recipients("introduction.declined", subject, [subscription()],
                             {"sponsor"}) == {}


# --- alerts and dedupe ----------------------------------------------------------------------

def test_the_dedupe_key_names_partner_kind_subject_and_version():
    first = domain.new_alert("p1", "match.found", "m1", 1, NOW, {}, NOW)
    again = domain.new_alert("p1", "match.found", "m1", 1, NOW, {}, NOW + timedelta(hours=1))
    assert first["id"] != again["id"] and first["dedupe_key"] == again["dedupe_key"]
    others = {domain.dedupe_key("p2", "match.found", "m1", 1),
              domain.dedupe_key("p1", "match.updated", "m1", 1),
              domain.dedupe_key("p1", "match.found", "m2", 1),
              domain.dedupe_key("p1", "match.found", "m1", 2)}
    assert first["dedupe_key"] not in others and len(others) == 4


def test_the_webhook_message_is_id_type_time_and_data():
    alert = domain.new_alert("p1", "match.found", "m1", 1, NOW, {"match_id": "m1"}, NOW)
    assert domain.alert_message(alert) == {"id": alert["id"], "type": "match.found",
                                           "occurred_at": NOW, "data": {"match_id": "m1"}}


# --- retries -------------------------------------------------------------------------

DELAYS = [10, 60, 300, 1800, 7200, 21600]


def test_retry_delays_follow_the_schedule_then_stop():
    at_the_bound = lambda: 1.0  # noqa: E731
    assert [domain.retry_delay(n, DELAYS, at_the_bound) for n in range(1, 8)] == \
        [10, 60, 300, 1800, 7200, 21600, None]


def test_full_jitter_draws_between_zero_and_the_bound():
    assert domain.retry_delay(2, DELAYS, lambda: 0.0) == 0
    assert domain.retry_delay(2, DELAYS, lambda: 0.5) == 30
    spread = {round(domain.retry_delay(3, DELAYS), 3) for _ in range(50)}
    assert len(spread) > 10 and all(0 <= delay <= 300 for delay in spread)


def pending(attempts=0):
    return {**domain.new_delivery({"id": "a1", "partner_id": "p1"}, "http://x", NOW, "ch1"),
            "attempts": attempts}


def test_a_2xx_answer_delivers():
    after = domain.after_attempt(pending(), 204, None, NOW, DELAYS)
    assert after == {"attempts": 1, "last_status_code": 204, "last_error": None,
                     "status": "delivered", "next_attempt_at": None, "delivered_at": NOW}


@pytest.mark.parametrize("status_code, error, reason", [
    (500, None, "HTTP 500"),
    (302, None, "HTTP 302: redirects are not followed"),
    (None, "ConnectionError: refused", "ConnectionError: refused"),
])
def test_anything_else_schedules_a_retry(status_code, error, reason):
    after = domain.after_attempt(pending(attempts=1), status_code, error, NOW, DELAYS,
                                 rand=lambda: 1.0)
    assert after["status"] == "pending" and after["attempts"] == 2
    assert after["next_attempt_at"] == NOW + timedelta(seconds=60)
    assert after["last_error"] == reason


def test_the_failure_after_the_last_retry_is_final():
    after = domain.after_attempt(pending(attempts=len(DELAYS)), 503, None, NOW, DELAYS)
    assert after["status"] == "failed" and after["next_attempt_at"] is None
    assert after["attempts"] == len(DELAYS) + 1
