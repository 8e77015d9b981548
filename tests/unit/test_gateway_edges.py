"""The gateway's hostile-body edges, with real werkzeug requests: a size
limit (413, checked on Content-Length before reading and capped while
reading when there is none), a nesting-depth limit and lone surrogates
(422 naming where), and the operator key's minimum length at start."""
import io
import json

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from services.contracts.errors import InvalidInput, ParkmatchError
from services.gateway import config
from services.gateway.http_api import handle, json_response
from services.gateway.request_body import (
    BodyLimits,
    BodyTooLarge,
    first_too_deep,
    read_json,
)
from services.gateway.routes import build_routes

SMALL = BodyLimits(max_bytes=1000, max_depth=32)


def request_with(data, content_type="application/json"):
    body = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    return Request(EnvironBuilder(method="POST", path="/api/companies", data=body,
                                  content_type=content_type).get_environ())


class EndlessStream(io.RawIOBase):
    """A chunked body that never ends: only a cap stops the reading."""

    def __init__(self):
        self.served = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        buffer[:] = b" " * len(buffer)
        self.served += len(buffer)
        return len(buffer)


def chunked_request(stream):
    environ = EnvironBuilder(method="POST", path="/api/companies",
                             content_type="application/json",
                             headers={"Transfer-Encoding": "chunked"}).get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ["wsgi.input"] = stream
    return Request(environ)


def refusal(request, limits=SMALL):
    with pytest.raises(ParkmatchError) as refused:
        read_json(request, limits)
    return refused.value


def nested(depth, inner="1"):
    return "[" * depth + inner + "]" * depth


# --- size ---------------------------------------------------------------------------

def test_a_declared_length_over_the_limit_is_413_before_anything_is_read():
    request = request_with(" " * 2000)
    request.environ["wsgi.input"] = EndlessStream()   # reading it would never end
    refused = refusal(request)
    assert isinstance(refused, BodyTooLarge) and refused.status == 413
    assert request.environ["wsgi.input"].served == 0
    assert refused.details == {"max_bytes": 1000}
    assert "at most 1000 bytes" in refused.message


def test_the_default_limit_is_named_in_mib():
    refused = refusal(request_with("[" + " " * (1024 * 1024) + "]"), BodyLimits())
    assert refused.status == 413 and "1048576 bytes (1 MiB)" in refused.message


def test_a_body_without_content_length_is_read_no_further_than_the_limit():
    stream = EndlessStream()
    refused = refusal(chunked_request(stream))
    assert refused.status == 413
    assert stream.served <= 1001


def test_a_chunked_body_within_the_limit_is_read():
    assert read_json(chunked_request(io.BytesIO(b'{"a": [1, 2]}')), SMALL) == {"a": [1, 2]}


def test_a_body_exactly_at_the_limit_passes():
    text = json.dumps({"x": "y" * 990})
    text += " " * (1000 - len(text))
    assert read_json(request_with(text), SMALL) == {"x": "y" * 990}


def test_a_content_length_that_promises_more_than_comes_is_a_400():
    request = request_with('{"a": 1}')
    request.environ["CONTENT_LENGTH"] = "500"
    assert refusal(request).status == 400


# --- depth --------------------------------------------------------------------------

def test_a_body_5000_levels_deep_is_422_naming_where():
    refused = refusal(request_with(nested(5000)), BodyLimits())
    assert isinstance(refused, InvalidInput) and refused.status == 422
    assert refused.details == {"body" + "[0]" * 32: ["nested more than 32 levels deep"]}


def test_a_field_5000_levels_deep_is_422_naming_the_field():
    body = '{"names": {"en": "x"}, "contact": {"x": {"y": ' + nested(5000) + "}}}"
    refused = refusal(request_with(body), BodyLimits(max_bytes=100_000))
    (path,) = refused.details
    assert path == "body.contact.x.y" + "[0]" * 29
    assert "32 levels" in refused.message and path in refused.message


def test_objects_nested_too_deep_are_named_by_their_keys():
    text = '{"a": {"b": [0, {"c": {}}]}}'
    assert first_too_deep(text, 4) == "body.a.b[1].c"
    assert first_too_deep(text, 5) is None


def test_brackets_inside_strings_do_not_count():
    body = json.dumps({"text": "[" * 5000 + '\\"{{{', "deep": [[["ok"]]]})
    assert read_json(request_with(body), BodyLimits(max_bytes=100_000))["deep"] == [[["ok"]]]


def test_exactly_the_limit_deep_passes_and_one_more_does_not():
    assert read_json(request_with(nested(32)), SMALL) == json.loads(nested(32))
    assert refusal(request_with(nested(33))).status == 422


def test_a_deep_body_that_is_not_json_is_still_never_parsed_recursively():
    assert refusal(request_with("[" * 900), SMALL).status in (400, 422)
    assert refusal(request_with('{"a": ' + "[" * 900), SMALL).status in (400, 422)


# --- lone surrogates ----------------------------------------------------------------

def test_a_lone_surrogate_key_is_422_naming_the_key_and_the_answer_encodes():
    refused = refusal(request_with('{"contact": {"\\ud800x": "a"}}'))
    assert refused.status == 422
    assert refused.details == {
        "body.contact.\\ud800x": ["the key must be valid Unicode text (unpaired surrogate)"]}
    status, _, text = json_response(refused.status, refused.to_body())
    text.encode("utf-8")


def test_a_lone_surrogate_value_in_a_list_is_named():
    refused = refusal(request_with('{"sectors": ["bio", "\\udc00"]}'))
    assert list(refused.details) == ["body.sectors[1]"]


def test_a_paired_surrogate_is_a_character_and_passes():
    assert read_json(request_with('{"name": "\\ud83d\\ude00"}'), SMALL) == {"name": "😀"}


def test_the_first_lone_surrogate_in_document_order_is_named():
    refused = refusal(request_with('{"a": "\\ud800", "\\udfff": 1}'))
    assert list(refused.details) == ["body.a"]


def test_through_handle_a_hostile_body_is_a_4xx_and_no_service_is_called():
    route = next(r for r in build_routes() if r.name == "register_company")

    class Nobody:
        def actor_for(self, key):
            return None

    class CountingOnly:
        calls = []

        def __getattr__(self, service):
            outer = self

            class Service:
                def __getattr__(self, method):
                    def call(*args, **kwargs):
                        outer.calls.append(f"{service}.{method}")
                    return call
            return Service()

    rpc = CountingOnly()
    for body, status in ((nested(5000), 422), ('{"\\ud800": 1}', 422),
                         (" " * 2_000_000, 413), ("{not json", 400)):
        answer = handle(route, request_with(body), {}, rpc, Nobody())
        assert answer[0] == status, answer
        answer[2].encode("utf-8")
    assert rpc.calls == ["accounts.count_anonymous_write"] * 4


def test_any_answer_with_a_surrogate_still_encodes():
    _, _, text = json_response(422, {"details": {"\udbc9": ["x"]}})
    assert json.loads(text) == {"details": {"\udbc9": ["x"]}}
    text.encode("utf-8")


# --- settings -----------------------------------------------------------------------

def env(**values):
    return lambda name: values.get(name)


def test_a_short_operator_key_stops_the_gateway_naming_the_variable():
    with pytest.raises(config.BadSetting, match="PARKMATCH_OPERATOR_KEY must be 24") as bad:
        config.load(env(PARKMATCH_OPERATOR_KEY="short-key-123"))
    assert "short-key-123" not in str(bad.value)
    with pytest.raises(config.BadSetting):
        config.load(env(PARKMATCH_OPERATOR_KEY="x" * 23))


def test_a_long_or_unset_operator_key_is_fine():
    config.load(env(PARKMATCH_OPERATOR_KEY="e2e-operator-key-0123456789"))
    config.load(env(PARKMATCH_OPERATOR_KEY="x" * 24))
    config.load(env())


def test_parkmatch_up_generates_an_operator_key_long_enough(tmp_path, monkeypatch):
    from services.ops import supervisor
    monkeypatch.delenv("PARKMATCH_OPERATOR_KEY", raising=False)
    monkeypatch.setattr(supervisor, "VAR", tmp_path)
    key = supervisor._operator_key()
    assert len(key) >= config.MIN_OPERATOR_KEY_LENGTH
    config.check_operator_key(env(PARKMATCH_OPERATOR_KEY=key))


def test_the_body_limits_come_from_the_environment():
    assert config.body_limits(env()) == BodyLimits(1024 * 1024, 32)
    assert config.body_limits(env(PARKMATCH_MAX_BODY_BYTES="2048",
                                  PARKMATCH_MAX_JSON_DEPTH="8")) == BodyLimits(2048, 8)
    for name in ("PARKMATCH_MAX_BODY_BYTES", "PARKMATCH_MAX_JSON_DEPTH"):
        for bad in ("0", "-1", "1MB"):
            with pytest.raises(config.BadSetting, match=name):
                config.body_limits(env(**{name: bad}))


# --- the web app's forms ------------------------------------------------------------

@pytest.mark.parametrize("lang, words, size", [
    ("ko", "너무 많은 데이터", 2 * 1024 * 1024),   # over the form's size
    ("zh", "数据过多", 600 * 1024),                  # one field over what is held in memory
    ("en", "Too much data", 2 * 1024 * 1024)])
def test_a_form_too_large_is_a_413_page_in_the_pages_language(lang, words, size):
    from services.web import app
    from services.web import config as web_config

    web = app.WebApp(web_config.load(
        lambda name, default=None: {"PARKMATCH_WEB_URL": "http://127.0.0.1:8080"}.get(name,
                                                                                     default)))
    route = next(r for r in app.ROUTES if r.name == "request_sign_in")
    request = Request(EnvironBuilder(
        method="POST", path="/sign-in",
        data={"email": "a@b.example", "csrf_token": "x", "filler": "y" * size},
        headers={"Cookie": f"pm_csrf=abc; pm_lang={lang}"}).get_environ())
    response = web.handle(route, request, {}, rpc=None)  # refused before any RPC
    assert response.status_code == 413
    assert words in response.get_data(as_text=True)
