"""How a route is declared: what it calls (`target`), with which values in
which order (`args`, `kwargs`), who may call it (`auth`), and what it answers.

The values are markers, read off each request by `http_api.invoke`:

- `ACTOR`: the caller as an actor dict (None when no key was given);
- `BODY`: the request's JSON body (only for routes that declare a `body` schema);
- `path("company_id")`: a path parameter;
- `body_field("email")`: one member of the JSON body (None when absent);
- `query(...)`, `query_flag(...)`, `query_choice(...)`, `query_lang(...)`: a query
  parameter, typed (the OpenAPI document shows the type, the gateway converts
  with it);
- a dict of markers: a dict of their values (one RPC argument built from several
  query parameters).

A list route declares `paged=True`: `?limit=` and `?cursor=` are passed on as
the `limit` and `cursor` keyword arguments, the target answers a page
(`{"items": [...], "next_cursor": ...}`, services/platform/pages.py), and the
gateway answers the items with the next page in the Link header.

A route that creates something declares `idempotent=True`: the
`Idempotency-Key` header, when given, is passed on as the `idempotency_key`
keyword argument (absent header, no argument), and the owning service answers
a retry under the same key with its first answer (services/platform/idempotency.py).

A target is "service.method" (an `@rpc` method of the owning service, called
over RPC) or `local(function)` for the few things the gateway answers itself."""
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from services.contracts.languages import DEFAULT_LANGUAGE, FALLBACK_ORDER
from services.platform import pages

AUTH_LEVELS = {
    "none": "no key needed (a key, if given, must still be valid)",
    "key": "any valid API key",
    "operator": "the operator key only",
}


class _Marker:
    def __init__(self, label):
        self.label = label

    def __repr__(self):
        return self.label


ACTOR = _Marker("ACTOR")
BODY = _Marker("BODY")


@dataclass(frozen=True)
class PathParam:
    name: str


def path(name):
    return PathParam(name)


@dataclass(frozen=True)
class BodyField:
    """One member of the JSON body, for a method that takes its values one by
    one (the body schema still documents and the service still validates it)."""
    name: str


def body_field(name):
    return BodyField(name)


@dataclass(frozen=True)
class QueryParam:
    name: str
    description: str
    schema: dict                            # its OpenAPI schema
    convert: Callable = str                 # raw query string -> the value passed on
    default: object = None                  # passed when the parameter is absent

    def value_in(self, query):
        raw = query.get(self.name)
        return self.default if raw is None else self.convert(raw)


def query(name, description):
    """A string (an id, a term) passed on as given; None when absent."""
    return QueryParam(name, description, {"type": "string"})


def _is_true(raw):
    return raw.lower() in ("1", "true", "yes")


def query_flag(name, description):
    """A boolean: true, 1 or yes mean True; anything else, or absent, False."""
    return QueryParam(name, description, {"type": "boolean", "default": False},
                      convert=_is_true, default=False)


def query_choice(name, description, choices):
    """One of `choices`; blank or absent is None. The owning service decides
    what an unknown value means (the document lists the known ones)."""
    return QueryParam(name, description, {"type": "string", "enum": list(choices)},
                      convert=lambda raw: raw or None)


def query_lang(description):
    """?lang=: blank or absent is English. An unknown language is passed on as
    given: the owning service answers 422 naming `lang`."""
    return QueryParam("lang", description,
                      {"type": "string", "enum": list(FALLBACK_ORDER),
                       "default": DEFAULT_LANGUAGE},
                      convert=lambda raw: raw or DEFAULT_LANGUAGE, default=DEFAULT_LANGUAGE)


LIMIT = QueryParam("limit", f"items per page, at most {pages.MAX_LIMIT}",
                   {"type": "integer", "minimum": 1, "maximum": pages.MAX_LIMIT,
                    "default": pages.DEFAULT_LIMIT},
                   convert=pages.limit_from_query, default=pages.DEFAULT_LIMIT)
CURSOR = QueryParam("cursor", "where the page starts: the next_cursor of the page before "
                              "(as in its Link rel=\"next\" URL); absent for the first page",
                    {"type": "string"}, convert=lambda raw: raw or None)
PAGE_PARAMS = {"limit": LIMIT, "cursor": CURSOR}


OMITTED = _Marker("OMITTED")  # a value the request did not give: no argument at all


@dataclass(frozen=True)
class HeaderParam:
    """A request header, passed on as given; OMITTED when absent."""
    name: str
    description: str
    schema: dict

    def value_in(self, headers):
        value = headers.get(self.name) if headers is not None else None
        return OMITTED if value is None else value


IDEMPOTENCY_KEY = HeaderParam(
    "Idempotency-Key",
    "1-200 printable ASCII characters, unique per request (a UUID): a retry with the same "
    "key and body gets the first answer again and creates nothing twice (for 24 hours); the "
    "same key with another body is a 422 naming Idempotency-Key",
    {"type": "string", "minLength": 1, "maxLength": 200})
IDEMPOTENT_PARAMS = {"idempotency_key": IDEMPOTENCY_KEY}


@dataclass(frozen=True)
class LocalTarget:
    """Something the gateway answers itself, without RPC."""
    function: Callable

    def __str__(self):
        return f"gateway.{self.function.__module__.rsplit('.', 1)[-1]}." \
               f"{self.function.__name__}"


def local(function):
    return LocalTarget(function)


def query_params_in(values):
    """Every QueryParam among `values` (looking into dict values too)."""
    for value in values:
        if isinstance(value, QueryParam):
            yield value
        elif isinstance(value, dict):
            yield from query_params_in(value.values())


@dataclass(frozen=True)
class Route:
    name: str                    # the OpenAPI operationId and the entrypoint's name
    method: str
    path: str                    # werkzeug syntax: /api/companies/<company_id>
    target: str | LocalTarget    # "profiles.get_company" or local(sectors.list_sectors)
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    summary: str = ""
    tag: str = ""
    auth: str = "key"            # one of AUTH_LEVELS; enforced by the gateway
    status: int = 200
    body: type | None = None     # request schema (validated by the owning service)
    response: type | None = None
    many: bool = False
    paged: bool = False          # a list answered page by page (limit, cursor, Link)
    idempotent: bool = False     # a create that takes an Idempotency-Key header

    def __post_init__(self):
        """Declaration mistakes fail at import, not on the first request."""
        if self.auth not in AUTH_LEVELS:
            raise ValueError(f"{self.name}: auth {self.auth!r} is not one of {list(AUTH_LEVELS)}")
        if isinstance(self.target, str) and not re.fullmatch(r"[a-z_]+\.[a-z_]+", self.target):
            raise ValueError(f"{self.name}: target {self.target!r} is not 'service.method'")
        values = (*self.args, *self.kwargs.values())
        in_path = set(self.path_params)
        for value in values:
            if isinstance(value, PathParam) and value.name not in in_path:
                raise ValueError(f"{self.name}: path({value.name!r}) is not in {self.path}")
        reads_body = BODY in values or any(isinstance(v, BodyField) for v in values)
        if reads_body != (self.body is not None):
            raise ValueError(f"{self.name}: pass BODY or body_field(...) exactly when a body "
                             "schema is declared")
        if self.paged and not self.many:
            raise ValueError(f"{self.name}: only a list (many=True) is paged")
        if self.paged and set(PAGE_PARAMS) & set(self.kwargs):
            raise ValueError(f"{self.name}: paged routes get limit and cursor themselves")
        if self.idempotent and (self.method != "POST" or set(IDEMPOTENT_PARAMS) & set(
                self.kwargs)):
            raise ValueError(f"{self.name}: only a POST is idempotent, and it gets "
                             "idempotency_key itself")

    @property
    def call_kwargs(self):
        """The declared keyword values, with limit and cursor for a paged route
        and idempotency_key for an idempotent one."""
        return {**self.kwargs, **(PAGE_PARAMS if self.paged else {}),
                **(IDEMPOTENT_PARAMS if self.idempotent else {})}

    @property
    def header_params(self):
        return [value for value in self.call_kwargs.values() if isinstance(value, HeaderParam)]

    @property
    def path_params(self):
        return re.findall(r"<(\w+)>", self.path)

    @property
    def query_params(self):
        return list(query_params_in((*self.args, *self.call_kwargs.values())))

    @property
    def openapi_path(self):
        return self.path.replace("<", "{").replace(">", "}")
