"""The web app as a nameko service: HTTP entrypoints generated from the
route table in app.py, each handing the request and RPC proxies to it. It
keeps no state of its own; its process listens on PARKMATCH_WEB_ADDRESS."""
from nameko.extensions import DependencyProvider
from nameko.rpc import RpcProxy
from nameko.web.handlers import http

from services.platform import rpc_errors  # noqa: F401  typed errors back from RPC
from services.platform.timed_rpc import TimedServices

from . import config
from .app import ROUTES, WebApp, static_file
from .operator_broker import OperatorBroker

RPC_SERVICES = ("profiles", "matching", "notifications", "agreements", "accounts")


class App(DependencyProvider):
    """The WebApp with its settings, loaded when the service starts: a bad
    PARKMATCH_WEB_SECRET stops the process before it serves anything."""

    def setup(self):
        self.app = WebApp(config.load())

    def get_dependency(self, worker_ctx):
        return self.app


class WebService:
    name = config.SERVICE_NAME
    app = App()
    profiles = RpcProxy("profiles")
    matching = RpcProxy("matching")
    notifications = RpcProxy("notifications")
    agreements = RpcProxy("agreements")
    accounts = RpcProxy("accounts")

    def _dispatch(self, route, request, params):
        timeout = self.app.settings.rpc_timeout
        services = TimedServices(self, RPC_SERVICES, timeout)
        # the operator pages' queue figures and replays, as the ops CLI gets them
        services.broker = OperatorBroker(timeout)
        return self.app.handle(route, request, params, services)

    @http("GET", "/health")
    def health(self, request):
        return 200, {"Content-Type": "application/json"}, '{"status": "ok", "service": "web"}'

    @http("GET", "/static/<path:name>")
    def static(self, request, name):
        return static_file(name)


def _add_route(route):
    def entrypoint(self, request, **params):
        return self._dispatch(route, request, params)
    entrypoint.__name__ = route.name
    setattr(WebService, route.name, http(route.method, route.path)(entrypoint))


for _route in ROUTES:
    _add_route(_route)
