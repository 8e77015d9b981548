"""Hostile input through the real gateway: each is a clear 4xx naming what
and where, and none of it changes anything (no company, no partner is
registered: the events exchange hears only the one good registration)."""
import json

import pytest

from services.ops.catalog import STATEFUL
from tests.e2e.conftest import OPERATOR_KEY, System
from tests.factories import company_body

pytestmark = pytest.mark.e2e

MiB = 1024 * 1024


def nested(depth):
    return "[" * depth + "1" + "]" * depth


def partner(**overrides):
    return {"names": {"en": "Hostile Edges Partner"}, "country": "KR", "kind": "other",
            "webhooks": [], **overrides}


def test_hostile_bodies_are_4xx_and_store_nothing(system, api, operator, event_spy):
    good = company_body(names={"en": "Hostile Edges Ltd"})
    text = json.dumps(good)

    # nesting: in the body, and inside a field
    deep = api.post("/api/companies", raw=nested(5000))
    assert deep.status_code == 422, deep.text
    assert list(deep.json()["details"]) == ["body" + "[0]" * 32]
    inside = api.post("/api/companies", raw=text[:-1] + ', "contact": {"x": ' + nested(5000)
                      + "}}")
    assert inside.status_code == 422, inside.text
    assert list(inside.json()["details"])[0].startswith("body.contact.x[0][0]")

    # a lone surrogate as a key: the 422 itself encodes and names the key
    surrogate = api.post("/api/companies", raw=text[:-1] + ', "\\ud800": 1}')
    assert surrogate.status_code == 422, surrogate.text
    assert surrogate.json()["details"] == {
        "body.\\ud800": ["the key must be valid Unicode text (unpaired surrogate)"]}

    # size: declared, and chunked (no Content-Length)
    padded = text[:-1] + ', "padding": "' + "x" * MiB + '"}'
    declared = api.post("/api/companies", raw=padded)
    assert declared.status_code == 413, declared.text
    assert declared.json()["details"] == {"max_bytes": MiB}
    assert "1 MiB" in declared.json()["message"]
    chunked = api.post("/api/companies", raw=(padded[i:i + 65536].encode()
                                              for i in range(0, len(padded), 65536)))
    assert chunked.status_code == 413, chunked.text

    # dates whose conversion overflows, on an unknown agreement
    for signed_at in ("0001-01-01T00:00:00+09:00", "9999-12-31T23:59:59-09:00"):
        signed = operator.post("/api/agreements/no-such-agreement/signatures",
                               {"signed_at": signed_at})
        assert signed.status_code == 422, signed.text
        assert list(signed.json()["details"]) == ["signed_at"]
    far = api.post("/api/companies", company_body(founded_on="9999-12-31"))
    assert far.status_code == 422 and "founded_on" in far.json()["details"]

    # time zones that are not zones, and a webhook in 192.0.0.0/24
    for zone in ("Asia", "A" * 300, "../../etc/passwd"):
        refused = operator.post("/api/partners", partner(time_zone=zone))
        assert refused.status_code == 422, refused.text
        assert list(refused.json()["details"]) == ["time_zone"]
    webhook = operator.post("/api/partners", partner(webhooks=["https://192.0.0.192/hook"]))
    assert webhook.status_code == 422, webhook.text
    assert "192.0.0.0/24" in json.dumps(webhook.json()["details"]["webhooks"])

    # nothing was stored: a good registration (chunked, so that path is read
    # too) is the only company the system hears of, and no partner at all
    accepted = api.post("/api/companies", raw=(part.encode() for part in (text[:50], text[50:])))
    assert accepted.status_code == 201, accepted.text
    event_spy.wait_for("company.registered")
    assert operator.get(f"/api/companies/{accepted.json()['company']['id']}").ok
    assert [e["payload"]["names"]["en"] for e in event_spy.of_type("company.registered")] == \
        ["Hostile Edges Ltd"]
    assert event_spy.of_type("partner.registered") == []
    assert "Traceback" not in system.log("gateway")


def test_the_gateway_refuses_to_start_with_a_short_operator_key(vhost, database_url, tmp_path):
    urls = {name: database_url(name) for name in STATEFUL}
    short = System(vhost, urls, tmp_path, extra_env={"PARKMATCH_OPERATOR_KEY": "too-short-key"})
    process = short.start("gateway")
    try:
        assert process.wait(60) != 0
    finally:
        short.stop_all()
    log = short.log("gateway")
    assert len(OPERATOR_KEY) >= 24  # the key every other e2e system starts with
    assert "PARKMATCH_OPERATOR_KEY must be 24 characters or more" in log
    assert "too-short-key" not in log
