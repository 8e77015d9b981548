"""Who is calling. The gateway authenticates the API key and passes the
actor ({"kind": ..., "id": ...}) with every RPC; the owning service decides."""
from .errors import Forbidden, Unauthenticated

OPERATOR = {"kind": "operator", "id": "operator"}


def is_operator(actor):
    return bool(actor) and actor.get("kind") == "operator"


def is_actor(actor, kind, actor_id):
    return bool(actor) and actor.get("kind") == kind and actor.get("id") == actor_id


def require_authenticated(actor):
    if not actor or not actor.get("kind"):
        raise Unauthenticated("an API key is required (header Authorization: Bearer <key>)")


def require_owner_or_operator(actor, kind, owner_id, what="this record"):
    require_authenticated(actor)
    if not (is_operator(actor) or is_actor(actor, kind, owner_id)):
        raise Forbidden(f"only the owning {kind} or the operator may do this to {what}")


def require_operator(actor, what="this"):
    require_authenticated(actor)
    if not is_operator(actor):
        raise Forbidden(f"only the operator may do {what}")
