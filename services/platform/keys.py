"""API keys: shown once at registration, stored only as SHA-256 hashes.

A key is 256 random bits, so a fast hash is enough (no password stretching
needed: nothing to brute-force). The prefix says who issued the key and for
which kind of actor, so the gateway asks exactly one service about it:
`pmk_<kind>_…` keys were issued at registration by the service that owns the
actor (profiles, notifications); `pma_<kind>_…` keys by accounts, which
organisations create, rotate and revoke."""
import hashlib
import hmac
import secrets

PREFIX = "pmk"
ACCOUNTS_PREFIX = "pma"
ISSUERS = {PREFIX: "owner", ACCOUNTS_PREFIX: "accounts"}
KINDS = ("company", "park", "partner")


def new_key(kind, issuer="owner"):
    if kind not in KINDS:
        raise ValueError(kind)
    prefix = ACCOUNTS_PREFIX if issuer == "accounts" else PREFIX
    return f"{prefix}_{kind}_{secrets.token_urlsafe(32)}"


def hash_key(key):
    return hashlib.sha256(key.encode()).hexdigest()


def kind_of(key):
    parts = (key or "").split("_", 2)
    if len(parts) == 3 and parts[0] in ISSUERS and parts[1] in KINDS:
        return parts[1]
    return None


def issuer_of(key):
    """"owner" or "accounts" for a well-formed key, else None."""
    return ISSUERS[key.split("_", 1)[0]] if kind_of(key) else None


def same_secret(given, expected):
    return bool(given) and bool(expected) and hmac.compare_digest(given.encode(), expected.encode())
