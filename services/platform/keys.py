"""API keys: shown once at registration, stored only as SHA-256 hashes.

A key is 256 random bits, so a fast hash is enough (no password stretching
needed: nothing to brute-force). The kind in the key's prefix tells the
gateway which service owns the actor."""
import hashlib
import hmac
import secrets

PREFIX = "pmk"
KINDS = ("company", "park", "partner")


def new_key(kind):
    if kind not in KINDS:
        raise ValueError(kind)
    return f"{PREFIX}_{kind}_{secrets.token_urlsafe(32)}"


def hash_key(key):
    return hashlib.sha256(key.encode()).hexdigest()


def kind_of(key):
    parts = (key or "").split("_", 2)
    if len(parts) == 3 and parts[0] == PREFIX and parts[1] in KINDS:
        return parts[1]
    return None


def same_secret(given, expected):
    return bool(given) and bool(expected) and hmac.compare_digest(given.encode(), expected.encode())
