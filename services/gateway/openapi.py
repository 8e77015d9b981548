"""The OpenAPI document, generated from the route table and the very
marshmallow schemas the services validate with."""
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from services.platform import pages

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {"type": "string", "example": "InvalidInput"},
        "message": {"type": "string"},
        "details": {"type": "object", "description": "for InvalidInput: each bad field and why",
                    "additionalProperties": True},
    },
}

ERRORS = {
    "400": "the body is not JSON",
    "401": "missing or unknown API key",
    "403": "the key's owner may not do this",
    "404": "no such record",
    "409": "not allowed in the record's current state",
    "422": "invalid fields; `details` names each one and why",
    "503": "the owning service did not answer in time",
}


SECURITY_SCHEME = {
    "type": "http", "scheme": "bearer",
    "description": "the API key returned once at registration (or the operator key), as "
                   "`Authorization: Bearer <api key>`",
}
OPERATOR_ONLY = "Operator only: any other key is refused with 403."


PAGE_HEADERS = {
    "Link": {"description": 'the next page: `<URL>; rel="next"` (RFC 8288), the same query with '
                            "`cursor`; absent on the last page",
             "schema": {"type": "string"}},
    "X-Next-Cursor": {"description": "the `cursor` of the next page; absent on the last page",
                      "schema": {"type": "string"}},
}
PAGED = ("A page of the list: `?limit=` items (default {default}, at most {most}); follow the "
         "Link rel=\"next\" header (or pass X-Next-Cursor as `?cursor=`) for the next page. "
         "An out-of-range limit or a cursor not from this list is a 422 naming it.")


def _success(route, ref):
    schema = ({"type": "array", "items": ref(route.response)} if route.many
              else ref(route.response)) if route.response else {"type": "object"}
    success = {"description": "success", "content": {"application/json": {"schema": schema}}}
    if route.paged:
        success["headers"] = PAGE_HEADERS
    return success


def _schema_name(schema_cls):
    return schema_cls.__name__


def _parameters(route):
    return [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in route.path_params
    ] + [
        {"name": param.name, "in": "query", "required": False,
         "description": param.description, "schema": dict(param.schema)}
        for param in route.query_params
    ] + [
        {"name": param.name, "in": "header", "required": False,
         "description": param.description, "schema": dict(param.schema)}
        for param in route.header_params
    ]


def _security(route):
    """Who may call: `security: []` is "no key needed"; x-parkmatch-auth
    names the declared level (none, key, operator) for tools and readers."""
    security = {"x-parkmatch-auth": route.auth,
                "security": [] if route.auth == "none" else [{"apiKey": []}]}
    if route.auth == "operator":
        security["description"] = OPERATOR_ONLY
    return security


def build_spec(routes):
    spec = APISpec(
        title="Parkmatch API",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin(schema_name_resolver=lambda schema: None)],
        info={"description": "Korea–China park match-making. Authenticate with "
                             "`Authorization: Bearer <api key>`. Sectors may be given as codes "
                             "or as terms in Korean, Chinese or English: GET /api/sectors "
                             "lists them."},
    )
    spec.components.security_scheme("apiKey", SECURITY_SCHEME)
    spec.components.schema("Error", ERROR_SCHEMA)
    registered = set()

    def ref(schema_cls):
        name = _schema_name(schema_cls)
        if name not in registered:
            registered.add(name)
            spec.components.schema(name, schema=schema_cls)
        return {"$ref": f"#/components/schemas/{name}"}

    # Nested-by-name schemas in the registration responses need these first.
    for route in routes:
        for cls in (route.body, route.response):
            if cls is not None:
                ref(cls)

    paths = {}
    for route in routes:
        operation = {
            "operationId": route.name,
            "summary": route.summary,
            "tags": [route.tag],
            "parameters": _parameters(route),
            "responses": {
                str(route.status): _success(route, ref),
                **{code: {"description": text,
                          "content": {"application/json": {
                              "schema": {"$ref": "#/components/schemas/Error"}}}}
                   for code, text in ERRORS.items()},
            },
        }
        operation.update(_security(route))
        if route.paged:
            operation["description"] = " ".join(filter(None, (
                operation.get("description"),
                PAGED.format(default=pages.DEFAULT_LIMIT, most=pages.MAX_LIMIT))))
        if route.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": ref(route.body)}},
            }
        paths.setdefault(route.openapi_path, {})[route.method.lower()] = operation
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()
