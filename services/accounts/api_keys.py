"""Use cases of API keys for machine clients (one organisation's scripts or
systems). A key is shown once, when it is made; the database holds its
SHA-256 hash and its first 16 characters, by which people recognise it."""
from datetime import datetime, timedelta

from services.contracts.actors import is_operator
from services.contracts.errors import Conflict, NotFound
from services.platform import keys, pages
from services.platform.validation import load_input

from . import domain, storage
from .schemas import ApiKeyIn, ApiKeyOut
from .usecases import now

# last_used_at is a hint for people tidying their keys, not an audit trail:
# writing it at most once a minute keeps authentication a read.
LAST_USED_PRECISION = timedelta(minutes=1)


def list_api_keys(ctx, actor, limit=None, cursor=None):
    """Any person of the organisation, or one of its keys (a script checking
    its keys); the operator sees every organisation's."""
    organisation = None if is_operator(actor) else domain.organisation_of_actor(actor)
    scope = f"{organisation['kind']}/{organisation['id']}" if organisation else "all"
    page = pages.request(f"api_keys/{scope}", limit, cursor, kinds=(datetime, str))
    rows = ctx.db.run(lambda uow: storage.api_keys_page(uow.connection, organisation,
                                                        page.after, page.fetch))
    return page.page(rows, lambda key: (key["created_at"], key["id"]),
                     ApiKeyOut(many=True).dump)


def create_api_key(ctx, actor, data):
    """An owner signed in as a person (a key cannot breed keys), or the
    operator for a named organisation (to hand a park's IT its first key)."""
    fields = load_input(ApiKeyIn(), data)
    label = fields["label"]
    organisation = domain.managed_organisation(actor, fields["organisation"], "create API keys")

    def work(uow):
        return _new_key(uow.connection, organisation, label, actor.get("person_id"), now())

    record, api_key = ctx.db.run(work)
    return {**ApiKeyOut().dump(record), "api_key": api_key}


def revoke_api_key(ctx, actor, key_id):
    def work(uow):
        record = _managed_key(uow.connection, actor, key_id, "revoke API keys")
        if record["revoked_at"] is None:
            record = {**record, "revoked_at": now()}
            storage.update_api_key(uow.connection, record["id"], revoked_at=record["revoked_at"])
        return record

    return ApiKeyOut().dump(ctx.db.run(work))


def rotate_api_key(ctx, actor, key_id):
    """A new key with the same label; the old one stops working at once."""
    def work(uow):
        old = _managed_key(uow.connection, actor, key_id, "rotate API keys")
        if old["revoked_at"] is not None:
            raise Conflict("this API key is revoked; create a new one instead")
        moment = now()
        storage.update_api_key(uow.connection, old["id"], revoked_at=moment)
        return _new_key(uow.connection, domain.organisation_of(old), old["label"],
                        actor.get("person_id"), moment)

    record, api_key = ctx.db.run(work)
    return {**ApiKeyOut().dump(record), "api_key": api_key}


def authenticate_key(ctx, api_key):
    """The organisation's actor for a live key, or None (unknown or revoked)."""
    if not isinstance(api_key, str) or not api_key or len(api_key) > 200:
        return None
    key_hash = keys.hash_key(api_key)

    def work(uow):
        record = storage.api_key_by_hash(uow.connection, key_hash)
        if record is None or record["revoked_at"] is not None:
            return None
        moment = now()
        if record["last_used_at"] is None or \
                moment - record["last_used_at"] >= LAST_USED_PRECISION:
            storage.update_api_key(uow.connection, record["id"], last_used_at=moment)
        return domain.organisation_of(record)

    return ctx.db.run(work)


def _new_key(conn, organisation, label, created_by, moment):
    api_key = keys.new_key(organisation["kind"], issuer="accounts")
    record = {"id": domain.new_id(), "organisation_kind": organisation["kind"],
              "organisation_id": organisation["id"], "key_hash": keys.hash_key(api_key),
              "prefix": domain.api_key_prefix(api_key), "label": label,
              "created_by": created_by, "created_at": moment, "last_used_at": None,
              "revoked_at": None}
    storage.insert_api_key(conn, record)
    return record, api_key


def _managed_key(conn, actor, key_id, what):
    """The key if `actor` may manage it: the operator, an owner of its
    organisation, or a key of that organisation (so a script can rotate or
    revoke its own key over the API). Other organisations' keys are not found."""
    if not is_operator(actor) and actor.get("person_id"):
        domain.require_owner(actor, what)
    record = storage.api_key(conn, key_id) if isinstance(key_id, str) else None
    if record is None or not (is_operator(actor) or domain.organisation_of(record) ==
                              domain.organisation_of_actor(actor)):
        raise NotFound(f"no API key {key_id} in your organisation")
    return record
