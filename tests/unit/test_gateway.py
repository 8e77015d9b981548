"""The gateway's pure parts: authentication routing and the OpenAPI document."""
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
