"""The partner's pages where they are pure: the subscription and channel
forms to the bodies the API takes, the services' messages in the page's
language, and every partner template rendering in ko, zh and en."""
import pytest

from services.contracts.vocabulary import ALERT_EVENT_KINDS
from services.web import rendering
from services.web.pages import Visit
from services.web.pages.partner_activity import AGREEMENT_KINDS, AGREEMENT_STATES, latency_ms
from services.web.pages.partner_channels import change_body, channel_body, disabled_reason
from services.web.pages.partner_nav import partner_context
from services.web.pages.partner_subscriptions import (
    field_errors,
    regions_of,
    split_terms,
    subscription_body,
    typed_from,
)

BASE = {"csrf_token": "t", "path": "/partner", "actor": {"kind": "partner", "id": "p1"},
        "person": {"name": "Kim", "email": "kim@kic.example"}}
CHANNEL = {"id": "c1", "kind": "webhook", "url": "https://hooks.example.org/pm", "address": None,
           "label": "main", "enabled": False, "disabled_reason": "5 deliveries in a row failed",
           "reason": "5 deliveries in a row failed", "consecutive_failures": 5,
           "previous_secret_valid_until": "2026-03-02T01:00:00+00:00",
           "created_at": "2026-03-01T01:00:00+00:00"}
SUBSCRIPTION = {"id": "s1", "sectors": ["biopharmaceuticals"],
                "regions": [{"country": "CN", "province": "Heilongjiang", "city": None}],
                "parks": [], "countries": ["KR"], "min_score": 60.0,
                "event_kinds": list(ALERT_EVENT_KINDS), "language": "zh", "mode": "digest",
                "digest": {"frequency": "weekly", "hour": 9, "weekday": 0},
                "channel_ids": ["c1"], "created_at": "2026-03-01T01:00:00+00:00"}
ALERT = {"id": "a1", "type": "match.found", "occurred_at": "2026-03-01T01:00:00+00:00",
         "disposition": "immediate",
         "data": {"company": {"names": {"ko": "한빛바이오"}}, "score": 81.25,
                  "demand": {"park_names": {"zh": "宾县"}, "title": "Valley"}},
         "deliveries": [{"id": "d1", "status": "delivered", "attempts": 1}]}
DELIVERY = {"id": "d1", "alert_type": "test", "channel_kind": "webhook",
            "url": "https://hooks.example.org/pm", "status": "failed", "attempts": 3,
            "next_attempt_at": None, "last_status_code": 500, "last_error": "HTTP 500",
            "created_at": "2026-03-01T01:00:00+00:00", "delivered_at": None,
            "attempt_log": [{"number": 1, "latency_ms": 12}, {"number": 3, "latency_ms": 40}]}


def visit(form=None, lang="en"):
    return Visit(lang=lang, path="/partner", form=form or {}, actor=BASE["actor"])


def test_a_subscription_form_becomes_the_apis_body():
    body = subscription_body(visit({
        "sectors": ["바이오 의약，医疗器械"], "regions": ["cn, Heilongjiang, Harbin\n\nKR"],
        "parks": ["k1, k2"], "countries": ["kr, cn"], "min_score": ["62,5"],
        "event_kinds": ["match.found"], "language": ["zh"], "mode": ["digest"],
        "digest_frequency": ["weekly"], "digest_hour": ["9"], "digest_weekday": ["4"],
        "channel_ids": ["c1", "c2"]}))
    assert body == {
        "sectors": ["바이오 의약", "医疗器械"],
        "regions": [{"country": "CN", "province": "Heilongjiang", "city": "Harbin"},
                    {"country": "KR", "province": None, "city": None}],
        "parks": ["k1", "k2"], "countries": ["KR", "CN"], "min_score": 62.5,
        "event_kinds": ["match.found"], "language": "zh", "mode": "digest",
        "digest": {"frequency": "weekly", "hour": 9, "weekday": 4},
        "channel_ids": ["c1", "c2"]}


def test_an_empty_form_means_all_at_once_and_bad_numbers_go_on_as_typed():
    body = subscription_body(visit({"min_score": ["lots"]}))
    assert body["event_kinds"] == list(ALERT_EVENT_KINDS) and body["mode"] == "immediate"
    assert body["digest"] is None and body["min_score"] == "lots"
    assert body["sectors"] == body["regions"] == body["channel_ids"] == []
    assert subscription_body(visit({"mode": ["digest"], "digest_frequency": ["daily"],
                                    "digest_hour": ["7"]}))["digest"] == {
        "frequency": "daily", "hour": 7, "weekday": None}
    assert split_terms("a、b; c\nd") == ["a", "b", "c", "d"]
    assert regions_of("  \n") == []


def test_a_stored_subscription_fills_the_form_back():
    typed = typed_from(SUBSCRIPTION, "ko")
    assert typed["sectors"] == "바이오의약"
    assert typed["regions"] == "CN, Heilongjiang" and typed["min_score"] == "60"
    assert typed["event_kinds"] == []  # every kind: none ticked
    assert (typed["mode"], typed["digest_frequency"], typed["digest_hour"],
            typed["digest_weekday"]) == ("digest", "weekly", "9", "0")


def test_the_services_messages_land_next_to_their_fields_in_the_pages_language():
    errors = field_errors({
        "min_score": ["Must be greater than or equal to 0 and less than or equal to 100."],
        "regions": {"0": {"country": ["String does not match expected pattern."]}},
        "digest": {"hour": ["Not a valid integer."]},
        "sectors": {"0": ["unknown sector 'spaceships'"]}}, "ko")
    assert errors["min_score"] == ["0에서 100 사이여야 합니다."]
    assert list(errors) == ["min_score", "regions", "digest_hour", "sectors"]
    assert "spaceships" in errors["sectors"][0]
    assert field_errors({"min_score": ["Not a valid number."]}, "zh")["min_score"] == [
        "请输入数字。"]


def test_channel_forms_and_reasons():
    assert channel_body(visit({"kind": ["email"], "address": ["a@b.example"], "url": ["x"]})) \
        == {"kind": "email", "label": None, "address": "a@b.example"}
    assert channel_body(visit({"kind": ["webhook"], "url": [" https://h.example/x "],
                               "label": ["main"]})) == {
        "kind": "webhook", "label": "main", "url": "https://h.example/x"}
    assert change_body(visit({"label": [""], "url": ["https://h.example/y"]}), "webhook") == {
        "label": None, "url": "https://h.example/y"}
    ko = rendering.gettext_for("ko")
    assert disabled_reason("5 deliveries in a row failed", ko) == "전송이 5번 연속 실패함"
    assert disabled_reason("disabled by the partner", ko) == "직접 비활성화함"
    assert disabled_reason("something new", ko) == "something new"
    assert latency_ms(DELIVERY) == 40 and latency_ms({"attempt_log": []}) is None


def pages(lang):
    found = {
        "partner.html": {"partner": {"names": {"en": "KIC China"}}, "alerts": [ALERT],
                         "funnel": {"stages": [{"stage": "matches", "count": 2,
                                                "conversion": None}]}},
        "partner_alerts.html": {"alerts": [ALERT], "listing": {"next_cursor": "abc"}},
        "partner_deliveries.html": {"deliveries": [{**DELIVERY, "latency_ms": 40}],
                                    "listing": {"next_cursor": None}, "notice": "redelivered"},
        "partner_channels.html": {"channels": [CHANNEL], "listing": {}, "typed": {"kind": "email"},
                                  "errors": {"address": ["bad"]}, "secret": "whsec_abc",
                                  "created": CHANNEL, "editing": "c1",
                                  "edit_typed": {"label": "x", "url": "y"},
                                  "edit_errors": {"url": ["wrong"]}},
        "partner_subscriptions.html": {"subscriptions": [SUBSCRIPTION], "listing": {},
                                       "channels": {"c1": CHANNEL}, "weekdays": {0: "Monday"},
                                       "all_kinds": set(ALERT_EVENT_KINDS),
                                       "time_zone": "Asia/Seoul"},
        "partner_subscription_form.html": {"typed": typed_from(SUBSCRIPTION, lang),
                                           "errors": {"min_score": ["too big"]},
                                           "channels": [CHANNEL], "subscription_id": "s1",
                                           "event_kinds": ALERT_EVENT_KINDS,
                                           "weekdays": [(0, "Monday")],
                                           "time_zone": "Asia/Seoul"},
        "partner_agreements.html": {
            "agreements": [{"id": "g1", "title": "MOU", "kind": "mou", "status": "signed",
                            "signed_at": "2026-03-01T01:00:00+00:00",
                            "parties": [{"kind": "park", "id": "k1", "name": "Binxian"}],
                            "obligations": [{"title": "Report", "status": "active",
                                             "next_occurrences": ["2026-04-01"],
                                             "overdue_occurrences": ["2026-02-01"]}]}],
            "listing": {"next_cursor": "n"}, "agreement_kinds": AGREEMENT_KINDS,
            "agreement_states": AGREEMENT_STATES},
    }
    return found.items()


@pytest.mark.parametrize("lang", ["ko", "zh", "en"])
def test_every_partner_page_renders_in_each_language(lang):
    for template, values in pages(lang):
        shown = partner_context(visit(lang=lang), "channels", **values)
        html = rendering.render(template, {**BASE, **shown}, lang)
        assert f'<html lang="{lang}">' in html, template
        assert 'aria-current="page"' in html, template  # the partner's own navigation
    channels = rendering.render("partner_channels.html", {**BASE, **partner_context(
        visit(lang=lang), "channels", **dict(pages(lang))["partner_channels.html"])}, lang)
    assert "whsec_abc" in channels and 'id="address-error"' in channels
    assert 'aria-describedby="url-c1-error"' in channels
    form = rendering.render("partner_subscription_form.html", {**BASE, **partner_context(
        visit(lang=lang), "subscriptions", **dict(pages(lang))["partner_subscription_form.html"])},
        lang)
    assert 'id="min_score-error"' in form and 'aria-invalid="true"' in form
    alerts = rendering.render("partner_alerts.html", {**BASE, **partner_context(
        visit(lang=lang), "alerts", **dict(pages(lang))["partner_alerts.html"])}, lang)
    assert 'href="/partner/alerts?cursor=abc"' in alerts
