"""Turning HTTP requests into RPC calls and RPC outcomes into HTTP responses.

No nameko imports: the gateway's service.py hands in the RPC proxies."""
import json
import logging
import re
import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

from services.contracts.actors import OPERATOR, require_authenticated, require_operator
from services.contracts.errors import NotFound, ParkmatchError, ServiceUnavailable, Unauthenticated
from services.platform import keys

from .request_body import DEFAULT_LIMITS, read_json
from .route_spec import (
    ACTOR,
    BODY,
    OMITTED,
    BodyField,
    HeaderParam,
    LocalTarget,
    PathParam,
    QueryParam,
)

log = logging.getLogger(__name__)

JSON_TYPE = "application/json"

# Every id Parkmatch hands out looks like this; anything else names no record.
PLAUSIBLE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,80}$")


def request_id_of(request):
    """The caller's X-Request-Id if it is a sane id, else a new one."""
    given = request.headers.get("X-Request-Id") or ""
    return given if PLAUSIBLE_ID.match(given) else str(uuid.uuid4())


def json_response(status, body, headers=None):
    text = json.dumps(body, ensure_ascii=False, default=str)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # an unpaired surrogate somewhere: escape, never fail
        text = json.dumps(body, ensure_ascii=True, default=str)
    return status, {"Content-Type": JSON_TYPE, **(headers or {})}, text


def api_key_from(request):
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.headers.get("X-API-Key", "").strip() or None


class Authenticator:
    """Resolves an API key to an actor by asking the one service that issued
    it: accounts for the keys organisations create (`pma_…`), else the
    service that owns the actor (`pmk_…`, the key given at registration)."""

    def __init__(self, operator_key, owners, accounts=None):
        self.operator_key = operator_key
        self.owners = owners  # kind -> callable(api_key) -> actor | None
        self.accounts = accounts  # callable(api_key) -> actor | None

    def actor_for(self, api_key):
        if not api_key:
            return None
        if keys.same_secret(api_key, self.operator_key):
            return dict(OPERATOR)
        if keys.issuer_of(api_key) == "accounts":
            owner = self.accounts
        else:
            owner = self.owners.get(keys.kind_of(api_key))
        actor = owner(api_key) if owner else None
        if actor is None:
            raise Unauthenticated("unknown or revoked API key")
        return actor


def authorize(route, actor):
    """Enforce the route's declared `auth` before anything is called. The
    owning services check again (and decide who may see or change which
    record): this only refuses what no service would allow."""
    if route.auth == "key":
        require_authenticated(actor)
    elif route.auth == "operator":
        require_operator(actor, f"{route.method} {route.openapi_path}")


@dataclass(frozen=True)
class Call:
    """What one request offers a route's declared values."""
    actor: dict | None
    params: dict        # path parameters
    body: object
    query: object       # the query string: anything with .get(name)
    headers: object = None  # the request headers: anything with .get(name)

    def value_of(self, declared):
        if declared is ACTOR:
            return self.actor
        if declared is BODY:
            return self.body
        if isinstance(declared, PathParam):
            return self.params[declared.name]
        if isinstance(declared, BodyField):
            return self.body.get(declared.name) if isinstance(self.body, dict) else None
        if isinstance(declared, QueryParam):
            return declared.value_in(self.query)
        if isinstance(declared, HeaderParam):
            return declared.value_in(self.headers)
        if isinstance(declared, dict):
            return {name: self.value_of(value) for name, value in declared.items()}
        raise TypeError(f"not a declared route value: {declared!r}")


def target_of(route, rpc):
    """The callable a route's target names: a method on the RPC proxies
    ("profiles.get_company" -> rpc.profiles.get_company) or a local one."""
    if isinstance(route.target, LocalTarget):
        return route.target.function
    service, method = route.target.split(".")
    return getattr(getattr(rpc, service), method)


def invoke(route, rpc, call):
    """Call the route's target with its declared values, in declared order."""
    args = [call.value_of(value) for value in route.args]
    kwargs = {name: call.value_of(value) for name, value in route.call_kwargs.items()}
    kwargs = {name: value for name, value in kwargs.items() if value is not OMITTED}
    return target_of(route, rpc)(*args, **kwargs)


def next_page_url(request, cursor):
    """The request's own root-relative URL, same query, the cursor replaced."""
    kept = [(name, value) for name, value in request.args.items(multi=True)
            if name != "cursor"]
    return f"{request.path}?{urlencode([*kept, ('cursor', cursor)])}"


def page_response(route, request, page, headers):
    """A page as the HTTP API answers it: the items as the body (a list stays
    a JSON array), the next page in `Link: <...>; rel="next"` (RFC 8288) and
    `X-Next-Cursor`, both absent on the last page."""
    cursor = page["next_cursor"]
    if cursor is not None:
        headers = {**headers, "Link": f'<{next_page_url(request, cursor)}>; rel="next"',
                   "X-Next-Cursor": cursor}
    return json_response(route.status, page["items"], headers)


def handle(route, request, params, rpc, authenticator, request_id=None, limits=None):
    """Run one route; always returns a (status, headers, body) triple.
    `limits` bound the JSON body (request_body.py)."""
    request_id = request_id or request_id_of(request)
    headers = {"X-Request-Id": request_id}
    try:
        for name, value in params.items():
            if not PLAUSIBLE_ID.match(value):
                raise NotFound(f"no record with {name} {value!r}")
        actor = authenticator.actor_for(api_key_from(request))
        authorize(route, actor)
        if route.auth == "none" and request.method != "GET":
            # writes anyone may make (registration): limited per client address
            rpc.accounts.count_anonymous_write(route.name, request.remote_addr)
        body = read_json(request, limits or DEFAULT_LIMITS) if route.body is not None else None
        result = invoke(route, rpc, Call(actor, params, body, request.args,
                                                request.headers))
        if route.paged:
            return page_response(route, request, result, headers)
        return json_response(route.status, result, headers)
    except ParkmatchError as exc:
        retry_after = getattr(exc, "retry_after", None)
        if retry_after:
            headers = {**headers, "Retry-After": str(retry_after)}
        return json_response(exc.status, exc.to_body(), headers)
    except ServiceUnavailable as exc:
        return json_response(503, {"error": "ServiceUnavailable", "message": str(exc)}, headers)
    except Exception:
        log.exception("request %s %s failed (request id %s)", request.method, request.path,
                      request_id)
        return json_response(500, {"error": "InternalError", "request_id": request_id,
                                   "message": "unexpected error; quote the request id"}, headers)
