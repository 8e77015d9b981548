"""The gateway: nameko HTTP entrypoints generated from the route table, each
calling the owning service over RPC. It keeps no state of its own."""
import json

from nameko.extensions import DependencyProvider
from nameko.rpc import RpcProxy
from nameko.web.handlers import http

from services.platform import rpc_errors  # noqa: F401  typed errors back from RPC
from services.platform.timed_rpc import TimedServices

from . import config, http_api
from .config import SERVICE_NAME
from .openapi import build_spec
from .routes import build_routes

ROUTES = build_routes()
OPENAPI = build_spec(ROUTES)


class RequestId(DependencyProvider):
    """The caller's X-Request-Id (or a new one): answered back in the
    response, and carried as the correlation id into every RPC and so into
    every event the request causes."""

    def get_dependency(self, worker_ctx):
        request = worker_ctx.args[0] if worker_ctx.args else None
        request_id = http_api.request_id_of(request) if hasattr(request, "headers") else None
        worker_ctx.data["correlation_id"] = request_id
        return request_id


class Settings(DependencyProvider):
    """What the gateway checks once when it starts (config.load): a short
    PARKMATCH_OPERATOR_KEY or a bad body limit stops the process before it
    serves anything. Gives the JSON body limits."""

    def setup(self):
        self.limits = config.load()

    def get_dependency(self, worker_ctx):
        return self.limits


RPC_SERVICES = ("profiles", "matching", "notifications", "agreements", "accounts")


class GatewayService:
    name = SERVICE_NAME
    request_id = RequestId()
    body_limits = Settings()
    profiles = RpcProxy("profiles")
    matching = RpcProxy("matching")
    notifications = RpcProxy("notifications")
    agreements = RpcProxy("agreements")
    accounts = RpcProxy("accounts")

    def _services(self):
        return TimedServices(self, RPC_SERVICES, config.rpc_timeout())

    def _authenticator(self, services):
        return http_api.Authenticator(config.operator_key(), {
            "company": services.profiles.authenticate,
            "park": services.profiles.authenticate,
            "partner": services.notifications.authenticate,
        }, accounts=services.accounts.authenticate_key)

    def _dispatch(self, route, request, params):
        services = self._services()
        return http_api.handle(route, request, params, services, self._authenticator(services),
                               self.request_id, self.body_limits)

    @http("GET", "/api/openapi.json")
    def openapi(self, request):
        return 200, {"Content-Type": "application/json"}, json.dumps(OPENAPI, ensure_ascii=False)

    @http("GET", "/health")
    def health(self, request):
        return http_api.json_response(200, {"status": "ok", "service": SERVICE_NAME})


def _add_route(route):
    def entrypoint(self, request, **params):
        return self._dispatch(route, request, params)
    entrypoint.__name__ = route.name
    setattr(GatewayService, route.name, http(route.method, route.path)(entrypoint))


for _route in ROUTES:
    _add_route(_route)
