"""Idempotency keys: a create retried with the same `Idempotency-Key` gets the
first answer again and creates nothing twice.

The service that creates the record remembers the key in the same
transaction as the record, so "created" and "remembered" commit together or
not at all. The key is claimed first (a row with no answer yet): a second
request with the same key waits on that row's unique constraint until the
first commits and then reads its answer; if the first fails, nothing was
remembered and the second runs as if it came first. A remembered answer
lives `PARKMATCH_IDEMPOTENCY_TTL_HOURS` (default 24) and is deleted after:
on reading it, and a batch of expired rows with every new claim.

An answer may hold a secret shown once (the API key of a registration, a
webhook secret), so the table holds neither the client's key nor the answer
in the clear: the row is found by the key's SHA-256, and the answer is sealed
with AES-GCM under a key derived (HKDF) from the client's key, bound to the
scope. Only a caller presenting the same Idempotency-Key can open it."""
import base64
import hashlib
import json
import os
from datetime import timedelta

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Column, DateTime, MetaData, String, Table, Text, delete, select, tuple_

from services.contracts.errors import Conflict, InvalidInput

from . import clock
from .serialization import to_document
from .settings import env
from .sql import insert_if_absent

HEADER = "Idempotency-Key"
TABLE = "idempotency_keys"
MAX_KEY_LENGTH = 200
PURGE_BATCH = 100


def idempotency_table(metadata: MetaData):
    """Add the table to a service's metadata (each creating service keeps its own)."""
    return Table(
        TABLE, metadata,
        Column("scope", String(200), primary_key=True),
        Column("key", String(MAX_KEY_LENGTH), primary_key=True),
        Column("fingerprint", String(64), nullable=False),
        Column("answer", Text, nullable=True),  # null while the first request runs
        Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    )


_table = idempotency_table(MetaData())


def ttl():
    return timedelta(hours=float(env("PARKMATCH_IDEMPOTENCY_TTL_HOURS", "24")))


def check_key(key):
    """1-200 printable ASCII characters, else a 422 naming the header."""
    if not isinstance(key, str) or not 1 <= len(key) <= MAX_KEY_LENGTH or \
            not all(" " <= char <= "~" for char in key):
        raise InvalidInput({HEADER: [f"must be 1 to {MAX_KEY_LENGTH} printable ASCII "
                                     "characters (a UUID, say)"]})
    return key


def scope_of(actor, operation):
    """Whose key it is: the caller and the operation. An anonymous caller's
    keys (registrations) are namespaced by the operation alone."""
    if actor and actor.get("kind"):
        return f"{actor['kind']}:{actor.get('id')}/{operation}"
    return f"anonymous/{operation}"


def fingerprint_of(request):
    """SHA-256 of the request's canonical JSON (sorted keys, no spaces)."""
    canonical = json.dumps(to_document(request), sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


SEALED_PREFIX = "ia1:"


def stored_key(key):
    """What the table holds for a client's key: its SHA-256."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _cipher(key, scope):
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=scope.encode("utf-8"),
                   info=b"parkmatch idempotent answer").derive(key.encode("utf-8"))
    return AESGCM(derived)


def seal_answer(key, scope, answer):
    nonce = os.urandom(12)
    plain = json.dumps(to_document(answer), ensure_ascii=False).encode("utf-8")
    sealed = nonce + _cipher(key, scope).encrypt(nonce, plain, scope.encode("utf-8"))
    return SEALED_PREFIX + base64.urlsafe_b64encode(sealed).decode("ascii")


def open_answer(key, scope, stored):
    raw = base64.urlsafe_b64decode(stored.removeprefix(SEALED_PREFIX))
    try:
        plain = _cipher(key, scope).decrypt(raw[:12], raw[12:], scope.encode("utf-8"))
    except InvalidTag:  # the same hash but another key: cannot happen short of SHA-256
        raise Conflict(f"this {HEADER} cannot be replayed; send a new key") from None
    return json.loads(plain)


def claim(connection, scope, key, fingerprint, now=None):
    """None if this transaction now holds the key (run the work, then
    `remember`); otherwise the answer remembered for it. The same key with
    another request is a 422 naming the header."""
    now = now or clock.real_now()
    cutoff = now - ttl()
    client_key, key = key, stored_key(key)
    mine = (_table.c.scope == scope) & (_table.c.key == key)
    connection.execute(delete(_table).where(mine & (_table.c.created_at < cutoff)))
    purge_expired(connection, cutoff)
    if insert_if_absent(connection, _table, {"scope": scope, "key": key,
                                             "fingerprint": fingerprint, "answer": None,
                                             "created_at": now}):
        return None
    row = connection.execute(select(_table.c.fingerprint, _table.c.answer).where(mine)).one()
    if row.fingerprint != fingerprint:
        raise InvalidInput({HEADER: ["reused with a different request: send a new key for "
                                     "a new request"]})
    if row.answer is None:  # only if a driver let us see an uncommitted claim
        raise Conflict(f"a request with this {HEADER} is still running; retry shortly")
    return open_answer(client_key, scope, row.answer)


def remember(connection, scope, key, answer):
    """Store the answer of the request that claimed the key, sealed."""
    mine = (_table.c.scope == scope) & (_table.c.key == stored_key(key))
    connection.execute(_table.update().where(mine)
                       .values(answer=seal_answer(key, scope, answer)))


def purge_expired(connection, cutoff, batch=PURGE_BATCH):
    """Delete up to `batch` answers older than `cutoff`; rows another
    transaction holds are skipped (PostgreSQL), never waited for."""
    expired = (select(_table.c.scope, _table.c.key).where(_table.c.created_at < cutoff)
               .limit(batch).with_for_update(skip_locked=True))
    connection.execute(delete(_table).where(
        tuple_(_table.c.scope, _table.c.key).in_(expired)))


def run_once(db, work, key, *, actor, operation, request, **run_options):
    """`db.run(work)` where `work(uow)` returns the JSON-ready answer; with a
    key, that answer is remembered in the same transaction, and a retry with
    the same caller, operation, key and request gets it again without `work`
    running. Checks made before calling this (input, who may) still run."""
    if key is None:
        return db.run(work, **run_options)
    check_key(key)
    scope = scope_of(actor, operation)
    fingerprint = fingerprint_of(request)

    def once(uow):
        remembered = claim(uow.connection, scope, key, fingerprint)
        if remembered is not None:
            return remembered
        answer = to_document(work(uow))
        remember(uow.connection, scope, key, answer)
        return answer

    return db.run(once, **run_options)

