"""Small secrets sealed for storage: AES-256-GCM from `cryptography`.

A sealed value reads `sb1:<key id>:<base64url(nonce + ciphertext + tag)>`:
`sb1` is the format, the key id is the first 8 hex digits of SHA-256 of the
key that sealed it (so an operator can tell which key a row needs without
opening it). The caller names each value's place (`context`, e.g. the table,
column and row id); it is the associated data, so a sealed value copied to
another row or column does not open there.

Keys come from the environment: PARKMATCH_SECRETS_KEY (base64url of 32 random
bytes) seals, and opens together with PARKMATCH_SECRETS_OLD_KEYS
(comma-separated, the keys it replaced). Make one with GENERATE_HINT below:
  python -c 'import secrets,base64;print(base64.urlsafe_b64encode(
             secrets.token_bytes(32)).decode())'   (on one line)
Pure apart from `cryptography`: no I/O, nothing logged, and no message here
ever holds a key or a secret."""
import base64
import binascii
import hashlib
import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = "sb1"
PREFIX = VERSION + ":"
KEY_BYTES = 32
NONCE_BYTES = 12
KEY_VARIABLE = "PARKMATCH_SECRETS_KEY"
OLD_KEYS_VARIABLE = "PARKMATCH_SECRETS_OLD_KEYS"
GENERATE_HINT = ("python -c 'import secrets,base64;"
                 "print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())'")


class SecretBoxError(Exception):
    """Base of every error here; none carries a key or a plaintext."""


class BadKey(SecretBoxError):
    """A key setting is missing or is not base64url of 32 bytes."""


class CannotOpen(SecretBoxError):
    """Not a sealed value, no configured key matches its key id, or it was
    tampered with or belongs to another context."""


def _b64decode(text):
    text = text.strip()
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)


def parse_key(text, variable=KEY_VARIABLE):
    """The 32 key bytes of a base64url setting (padding optional)."""
    try:
        key = _b64decode(text)
    except (binascii.Error, ValueError):
        raise BadKey(f"{variable} is not base64url") from None
    if len(key) != KEY_BYTES:
        raise BadKey(f"{variable} must decode to {KEY_BYTES} bytes (it decodes to {len(key)}); "
                     f"make one with {GENERATE_HINT}")
    return key


def key_id(key):
    """The key's public name: the first 8 hex digits of its SHA-256."""
    return hashlib.sha256(key).hexdigest()[:8]


def is_sealed(value):
    return isinstance(value, str) and value.startswith(PREFIX)


def sealed_key_id(sealed):
    """Which key sealed this value (without opening it)."""
    if not is_sealed(sealed) or sealed.count(":") != 2:
        raise CannotOpen("not a sealed value")
    return sealed.split(":")[1]


def new_key_text():
    """A fresh key, as PARKMATCH_SECRETS_KEY takes it."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode()


class SecretBox:
    """Seals with `key`; opens what `key` or one of `old_keys` sealed."""

    def __init__(self, key, old_keys=()):
        if len(key) != KEY_BYTES or any(len(old) != KEY_BYTES for old in old_keys):
            raise BadKey(f"a key is {KEY_BYTES} bytes")
        self.key_id = key_id(key)
        self._seal_with = AESGCM(key)
        self._open_with = {self.key_id: self._seal_with}
        for old in old_keys:
            self._open_with.setdefault(key_id(old), AESGCM(old))

    def __repr__(self):
        return f"SecretBox(key_id={self.key_id!r}, opens={sorted(self._open_with)!r})"

    @property
    def key_ids(self):
        """The ids of every key this box opens with, the sealing one first."""
        return list(self._open_with)

    def seal(self, plaintext, context):
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._seal_with.encrypt(nonce, plaintext.encode(), context.encode())
        return f"{PREFIX}{self.key_id}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def open(self, sealed, context):
        kid = sealed_key_id(sealed)
        cipher = self._open_with.get(kid)
        if cipher is None:
            raise CannotOpen(f"sealed with key {kid}, which is neither {KEY_VARIABLE} "
                             f"nor in {OLD_KEYS_VARIABLE} (known: {', '.join(self.key_ids)})")
        try:
            raw = _b64decode(sealed.split(":")[2])
            plaintext = cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode())
        except (binascii.Error, ValueError, InvalidTag):
            raise CannotOpen(f"a value sealed with key {kid} does not open as {context} "
                             "(tampered with, or copied from elsewhere)") from None
        return plaintext.decode()

    def needs_resealing(self, sealed):
        """True when an old key sealed the value (or it is not sealed at all)."""
        return not is_sealed(sealed) or sealed_key_id(sealed) != self.key_id


def from_environment(environ=None):
    """The box the environment configures; BadKey when the key is missing or bad."""
    environ = os.environ if environ is None else environ
    current = (environ.get(KEY_VARIABLE) or "").strip()
    if not current:
        raise BadKey(f"{KEY_VARIABLE} is not set: it encrypts the webhook secrets stored in "
                     f"the database; make one with {GENERATE_HINT}")
    old = [part for part in (environ.get(OLD_KEYS_VARIABLE) or "").split(",") if part.strip()]
    return SecretBox(parse_key(current),
                     [parse_key(part, OLD_KEYS_VARIABLE) for part in old])
