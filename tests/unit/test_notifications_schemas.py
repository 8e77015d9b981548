"""What the notifications RPC accepts: partner registration and subscriptions."""
import pytest
from marshmallow import ValidationError

from services.contracts.vocabulary import ALERT_EVENT_KINDS
from services.notifications.schemas import PartnerOut, PartnerRegistration, SubscriptionIn


def registration(**overrides):
    body = {"names": {"en": "KIC China", "ko": "KIC중국"}, "country": "CN",
            "kind": "cooperation_centre", "webhooks": ["https://kic.example.org/hooks"]}
    body.update(overrides)
    return body


def errors_of(schema, body):
    with pytest.raises(ValidationError) as caught:
        schema.load(body)
    return caught.value.messages


def test_registration_defaults():
    loaded = PartnerRegistration().load(registration(webhooks=["http://127.0.0.1:9000/x"]))
    assert loaded["time_zone"] == "Asia/Seoul" and loaded["email"] is None
    assert loaded["webhooks"] == ["http://127.0.0.1:9000/x"]  # localhost allowed for now


def test_registration_names_every_bad_field():
    errors = errors_of(PartnerRegistration(), registration(
        names={}, country="China", kind="bank", webhooks=["ftp://kic.example.org/x"],
        email="nope", time_zone="Mars/Olympus"))
    assert set(errors) == {"names", "country", "kind", "webhooks", "email", "time_zone"}


@pytest.mark.parametrize("webhooks", [
    [f"https://h{n}.example.org/" for n in range(6)],
    ["https://a.example.org/", "https://a.example.org/"],
    ["javascript:alert(1)"],
    ["not a url"],
])
def test_webhooks_are_up_to_five_distinct_http_urls(webhooks):
    assert "webhooks" in errors_of(PartnerRegistration(), registration(webhooks=webhooks))


def test_partner_out_has_no_secret_field():
    assert not any("secret" in name for name in PartnerOut().fields)


def test_subscription_defaults_to_everything():
    assert SubscriptionIn().load({}) == {
        "sectors": [], "regions": [], "parks": [], "countries": [], "min_score": 0.0,
        "event_kinds": list(ALERT_EVENT_KINDS), "language": None, "mode": "immediate",
        "digest": None, "channel_ids": []}


def test_subscription_names_every_bad_field():
    errors = errors_of(SubscriptionIn(), {
        "sectors": ["spaceships"], "regions": [{"province": "Heilongjiang"}],
        "min_score": 101, "event_kinds": ["agreement.shredded"]})
    assert set(errors) == {"sectors", "regions", "min_score", "event_kinds"}
    assert "event_kinds" in errors_of(SubscriptionIn(), {"event_kinds": []})
