"""The gateway's pure parts: authentication routing, the route declarations and their
invoker, auth enforcement, and the OpenAPI document."""
import pytest

from services.contracts.errors import Unauthenticated
from services.gateway.http_api import Authenticator


def test_authenticator_routes_keys_to_their_owner():
    calls = []

    def owner(key):
        calls.append(key)
        return {"kind": "company", "id": "c1"} if key.endswith("good") else None

    auth = Authenticator("operator-secret", {"company": owner})
    assert auth.actor_for(None) is None
    assert auth.actor_for("operator-secret") == {"kind": "operator", "id": "operator"}
    assert auth.actor_for("pmk_company_good") == {"kind": "company", "id": "c1"}
    with pytest.raises(Unauthenticated):
        auth.actor_for("pmk_company_bad")
    with pytest.raises(Unauthenticated):
        auth.actor_for("pmk_partner_nobody-owns-this-kind-here")
    assert calls == ["pmk_company_good", "pmk_company_bad"]


def test_no_operator_key_configured_means_no_operator():
    auth = Authenticator(None, {})
    with pytest.raises(Unauthenticated):
        auth.actor_for("anything")


def test_ids_that_no_record_can_have_are_404_before_any_rpc():
    from services.gateway.http_api import handle
    from services.gateway.routes import build_routes

    class Request:
        headers, args, method, path = {}, {}, "GET", "/api/companies/x"

    route = next(r for r in build_routes() if r.name == "get_company")
    status, _, body = handle(route, Request(), {"company_id": "a\x00b"}, rpc=None,
                             authenticator=None)
    assert status == 404 and "NotFound" in body


# --- routes as declarations: the invoker, auth, the OpenAPI document ---------------

COMPANY = {"kind": "company", "id": "c-1"}
UNAUTHENTICATED = {"error": "Unauthenticated",
                   "message": "an API key is required (header Authorization: Bearer <key>)"}


class RecordingRpc:
    """Stands in for the RPC transport (the proxies service.py hands in): it
    records each call as ("service.method", args, kwargs) and answers `answer`
    (by default a dict naming the call)."""

    def __init__(self, answer=None):
        self.calls = []
        self.answer = answer

    def __getattr__(self, service):
        rpc = self

        class Service:
            def __getattr__(self, method):
                def call(*args, **kwargs):
                    rpc.calls.append((f"{service}.{method}", args, kwargs))
                    return rpc.answer or {"called": f"{service}.{method}"}
                return call
        return Service()


def route_named(name):
    from services.gateway.routes import build_routes
    return next(route for route in build_routes() if route.name == name)


FIRST_PAGE = {"limit": 50, "cursor": None}   # what a paged route passes by default
LAST_PAGE = {"items": [{"id": "x"}], "next_cursor": None}


def answer(name, params=None, key=None, query="", body=None, page=LAST_PAGE, path="/"):
    """Handle one real werkzeug request on the named route; the status, the
    response headers, the decoded body and the RPC calls made. A paged route's
    target answers `page`."""
    import json

    from werkzeug.test import EnvironBuilder

    from services.gateway.http_api import handle

    headers = {"Authorization": f"Bearer {key}"} if key else {}
    request = EnvironBuilder(method="GET", path=path, query_string=query, headers=headers,
                             json=body).get_request()
    route = route_named(name)
    rpc = RecordingRpc(page if route.paged else None)
    authenticator = Authenticator("operator-secret", {
        "company": lambda given: dict(COMPANY) if given == "pmk_company_good" else None})
    status, response_headers, text = handle(route, request, params or {}, rpc, authenticator)
    return status, response_headers, json.loads(text), rpc.calls


def run(name, params=None, key=None, query="", body=None):
    """The status, decoded body and RPC calls of one request on the named route."""
    status, _, decoded, calls = answer(name, params, key, query, body)
    return status, decoded, calls


def test_the_invoker_passes_the_declared_values_in_order():
    status, _, calls = run("company_matches", {"company_id": "c-1"}, key="pmk_company_good",
                           query="include_withdrawn=yes&lang=ko")
    assert status == 200
    assert calls == [("matching.list_company_matches", (COMPANY, "c-1"),
                      {"include_withdrawn": True, "lang": "ko", **FIRST_PAGE})]


def test_absent_or_blank_query_values_take_their_declared_defaults():
    _, _, calls = run("demand_matches", {"demand_id": "d-1"}, key="pmk_company_good",
                      query="lang=")
    assert calls[0][2] == {"include_withdrawn": False, "lang": "en", **FIRST_PAGE}
    _, _, calls = run("list_introductions", key="pmk_company_good", query="status=&limit=")
    assert calls == [("agreements.list_introductions", (COMPANY, None), FIRST_PAGE)]


@pytest.mark.parametrize("given, meant", [("true", True), ("TRUE", True), ("1", True),
                                          ("yes", True), ("false", False), ("no", False),
                                          ("banana", False)])
def test_a_flag_is_converted_with_its_declared_type(given, meant):
    _, _, calls = run("company_matches", {"company_id": "c-1"}, key="pmk_company_good",
                      query=f"include_withdrawn={given}")
    assert calls[0][2]["include_withdrawn"] is meant


def test_an_unknown_language_is_passed_on_for_the_owning_service_to_refuse():
    _, _, calls = run("get_match", {"match_id": "m-1"}, key="pmk_company_good",
                      query="lang=fr")
    assert calls == [("matching.get_match", (COMPANY, "m-1"), {"lang": "fr"})]


def test_the_body_and_a_dict_of_query_values_are_passed_where_declared():
    status, _, calls = run("update_company", {"company_id": "c-1"}, key="pmk_company_good",
                           body={"patents": 3})
    assert status == 200
    assert calls == [("profiles.update_company", (COMPANY, "c-1", {"patents": 3}), {})]
    _, _, calls = run("funnel", key="pmk_company_good", query="partner_id=p-1")
    assert calls == [("agreements.get_funnel", (COMPANY, {"partner_id": "p-1", "park_id": None}),
                      {})]


def test_an_operator_route_refuses_a_company_key_before_any_rpc_call():
    status, body, calls = run("register_park", key="pmk_company_good", body={})
    assert status == 403 and calls == []
    assert body == {"error": "Forbidden", "message": "only the operator may do POST /api/parks"}
    status, body, calls = run("list_allocation_rounds")
    assert (status, body, calls) == (401, UNAUTHENTICATED, [])
    status, _, calls = run("list_allocation_rounds", key="operator-secret")
    assert status == 200
    assert calls == [("matching.list_allocation_rounds", ({"kind": "operator",
                                                           "id": "operator"},), FIRST_PAGE)]


def test_a_key_route_answers_401_without_a_key_before_any_rpc_call():
    status, body, calls = run("get_company", {"company_id": "c-1"})
    assert (status, body, calls) == (401, UNAUTHENTICATED, [])


def test_a_none_route_works_without_a_key_but_still_refuses_a_bad_one():
    status, body, calls = run("register_company", body={"names": {"en": "X"}})
    assert status == 201
    assert calls == [("profiles.register_company", ({"names": {"en": "X"}},), {})]
    status, body, calls = run("list_sectors", query="q=바이오 의약&lang=ko")
    assert status == 200 and calls == [] and len(body) == 1 and body[0]["code"]
    status, body, calls = run("register_company", key="pmk_company_forged", body={})
    assert status == 401 and body["error"] == "Unauthenticated" and calls == []


def test_the_gateway_answers_sectors_itself_with_the_declared_values():
    status, body, _ = run("list_sectors", query="lang=jp")
    assert status == 422 and "lang" in body["details"]


def test_every_rpc_target_is_an_rpc_method_of_the_owning_service_taking_those_values():
    import inspect

    from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR
    from nameko.rpc import Rpc

    from services.accounts.service import AccountsService
    from services.agreements.service import AgreementsService
    from services.gateway.route_spec import LocalTarget
    from services.gateway.routes import build_routes
    from services.matching.service import MatchingService
    from services.notifications.service import NotificationsService
    from services.profiles.service import ProfilesService

    owners = {"profiles": ProfilesService, "matching": MatchingService,
              "notifications": NotificationsService, "agreements": AgreementsService,
              "accounts": AccountsService}
    for route in build_routes():
        if isinstance(route.target, LocalTarget):
            inspect.signature(route.target.function).bind(*route.args, **route.kwargs)
            continue
        service, method_name = route.target.split(".")
        method = getattr(owners[service], method_name, None)
        assert method is not None, f"{route.name}: {route.target} does not exist"
        entrypoints = getattr(method, ENTRYPOINT_EXTENSIONS_ATTR, ())
        assert any(isinstance(e, Rpc) for e in entrypoints), f"{route.target} is not @rpc"
        inspect.signature(method).bind("self", *route.args, **route.kwargs)


def test_a_mistaken_declaration_fails_at_import():
    from services.gateway.route_spec import ACTOR, BODY, Route, path

    with pytest.raises(ValueError, match="company_id"):
        Route("x", "GET", "/api/companies/<id>", "profiles.get_company",
              args=(ACTOR, path("company_id")))
    with pytest.raises(ValueError, match="auth"):
        Route("x", "GET", "/api/x", "profiles.get_company", auth="admin")
    with pytest.raises(ValueError, match="BODY"):
        Route("x", "POST", "/api/x", "profiles.register_company", args=(BODY,))
    with pytest.raises(ValueError, match="service.method"):
        Route("x", "GET", "/api/x", "get_company")


def openapi_operation(spec, name):
    for operations in spec["paths"].values():
        for operation in operations.values():
            if operation["operationId"] == name:
                return operation
    raise AssertionError(f"no operation {name}")


def query_schema(operation, name):
    return next(p["schema"] for p in operation["parameters"]
                if p["in"] == "query" and p["name"] == name)


def test_the_openapi_document_types_the_query_parameters():
    from services.gateway.openapi import build_spec
    from services.gateway.routes import build_routes

    spec = build_spec(build_routes())
    matches = openapi_operation(spec, "company_matches")
    assert query_schema(matches, "include_withdrawn") == {"type": "boolean", "default": False}
    assert query_schema(matches, "lang") == {"type": "string", "enum": ["en", "ko", "zh"],
                                             "default": "en"}
    statuses = query_schema(openapi_operation(spec, "list_introductions"), "status")
    assert statuses["type"] == "string" and {"requested", "withdrawn"} <= set(statuses["enum"])
    funnel = openapi_operation(spec, "funnel")
    assert query_schema(funnel, "partner_id") == {"type": "string"}
    assert query_schema(funnel, "park_id") == {"type": "string"}
    assert query_schema(openapi_operation(spec, "get_allocation_round"), "lang")["enum"] == \
        ["en", "ko", "zh"]


def test_the_openapi_document_says_who_may_call_each_operation():
    from services.gateway.openapi import build_spec
    from services.gateway.routes import build_routes

    spec = build_spec(build_routes())
    assert spec["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    for name in ("register_company", "list_sectors"):
        operation = openapi_operation(spec, name)
        assert operation["security"] == [] and operation["x-parkmatch-auth"] == "none"
    company = openapi_operation(spec, "get_company")
    assert company["security"] == [{"apiKey": []}] and company["x-parkmatch-auth"] == "key"
    for name in ("register_park", "register_partner", "run_allocation_round",
                 "list_allocation_rounds"):
        operation = openapi_operation(spec, name)
        assert operation["security"] == [{"apiKey": []}]
        assert operation["x-parkmatch-auth"] == "operator"
        assert "Operator only" in operation["description"]


# --- pages ------------------------------------------------------------------------

LIST_ROUTES = {"list_park_demands", "company_matches", "demand_matches", "demand_near_misses",
               "company_near_misses",
               "list_subscriptions", "list_alerts", "list_deliveries", "list_channels",
               "list_agreements", "agreement_history", "list_obligations",
               "list_introductions", "list_allocation_rounds", "list_people", "list_api_keys",
               "list_parks", "list_companies", "list_partners", "list_park_allocation_rounds"}


def test_every_list_route_but_the_fixed_taxonomy_is_paged():
    from services.gateway.routes import build_routes

    lists = {route.name for route in build_routes() if route.many}
    assert {route.name for route in build_routes() if route.paged} == LIST_ROUTES
    assert lists - LIST_ROUTES == {"list_sectors"}


def test_a_page_is_answered_as_its_items_with_the_next_page_in_the_link_header():
    page = {"items": [{"id": "a"}, {"id": "b"}], "next_cursor": "Y3Vyc29y"}
    status, headers, body, calls = answer(
        "company_matches", {"company_id": "c-1"}, key="pmk_company_good",
        query="lang=ko&limit=2&cursor=old", page=page, path="/api/companies/c-1/matches")
    assert (status, body) == (200, [{"id": "a"}, {"id": "b"}])
    assert calls[0][2] == {"include_withdrawn": False, "lang": "ko", "limit": 2,
                           "cursor": "old"}
    assert headers["Link"] == \
        '</api/companies/c-1/matches?lang=ko&limit=2&cursor=Y3Vyc29y>; rel="next"'
    assert headers["X-Next-Cursor"] == "Y3Vyc29y"


def test_the_last_page_has_no_next_link():
    status, headers, body, _ = answer("list_alerts", {"partner_id": "p-1"},
                                      key="pmk_company_good")
    assert (status, body) == (200, LAST_PAGE["items"])
    assert "Link" not in headers and "X-Next-Cursor" not in headers


@pytest.mark.parametrize("limit", ["0", "201", "-1", "ten", "1.5"])
def test_a_limit_out_of_range_is_422_naming_it_before_any_rpc_call(limit):
    status, body, calls = run("list_alerts", {"partner_id": "p-1"}, key="pmk_company_good",
                              query=f"limit={limit}")
    assert (status, calls) == (422, [])
    assert list(body["details"]) == ["limit"]


def test_the_openapi_document_states_the_page_parameters_and_headers():
    from services.gateway.openapi import build_spec
    from services.gateway.routes import build_routes

    spec = build_spec(build_routes())
    for name in LIST_ROUTES:
        operation = openapi_operation(spec, name)
        assert query_schema(operation, "limit") == {"type": "integer", "minimum": 1,
                                                    "maximum": 200, "default": 50}
        assert query_schema(operation, "cursor") == {"type": "string"}
        assert set(operation["responses"]["200"]["headers"]) == {"Link", "X-Next-Cursor"}
        assert "at most 200" in operation["description"]
    sectors = openapi_operation(spec, "list_sectors")
    assert "limit" not in {p["name"] for p in sectors["parameters"]}
