"""Who may see (and so act on) an agreement: its parties, its sponsor
partner and the operator."""
from services.contracts.actors import is_operator
from services.contracts.errors import Forbidden

from .parties import actor_ref, is_party


def may_see(actor, agreement):
    if is_operator(actor):
        return True
    if not actor or not actor.get("kind"):
        return False
    if actor["kind"] == "partner" and actor.get("id") == agreement["sponsor_partner_id"]:
        return True
    return is_party(agreement, actor_ref(actor))


def require_visible(actor, agreement):
    if not may_see(actor, agreement):
        raise Forbidden("only the parties, the sponsor partner and the operator may see "
                        "this agreement")
