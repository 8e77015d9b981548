"""services.platform.secretbox: sealed secrets open only with a configured
key, untouched, in the place they were sealed for."""
import base64
import hashlib

import pytest

from services.platform import secretbox
from services.platform.secretbox import BadKey, CannotOpen, SecretBox

KEY = bytes(range(32))
OTHER_KEY = bytes(range(100, 132))
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
CONTEXT = "notifications.channels.secret:c-1"


def text(key):
    return base64.urlsafe_b64encode(key).decode()


def test_a_sealed_secret_opens_in_its_context_and_hides_the_plaintext():
    box = SecretBox(KEY)
    sealed = box.seal(SECRET, CONTEXT)
    assert sealed.startswith(f"sb1:{box.key_id}:")
    assert SECRET not in sealed and "whsec_" not in sealed
    assert box.open(sealed, CONTEXT) == SECRET
    assert box.seal(SECRET, CONTEXT) != sealed  # a fresh nonce every time


def test_the_key_id_is_the_start_of_the_keys_sha256():
    box = SecretBox(KEY)
    assert box.key_id == hashlib.sha256(KEY).hexdigest()[:8] == secretbox.key_id(KEY)
    assert secretbox.sealed_key_id(box.seal(SECRET, CONTEXT)) == box.key_id
    assert SecretBox(OTHER_KEY).key_id != box.key_id


def test_another_key_does_not_open_it_and_says_which_key_it_needs():
    sealed = SecretBox(KEY).seal(SECRET, CONTEXT)
    with pytest.raises(CannotOpen) as raised:
        SecretBox(OTHER_KEY).open(sealed, CONTEXT)
    assert secretbox.key_id(KEY) in str(raised.value)
    assert SECRET not in str(raised.value)


def test_a_tampered_value_does_not_open():
    box = SecretBox(KEY)
    sealed = box.seal(SECRET, CONTEXT)
    head, body = sealed.rsplit(":", 1)
    raw = bytearray(base64.urlsafe_b64decode(body))
    raw[-1] ^= 1
    with pytest.raises(CannotOpen):
        box.open(f"{head}:{base64.urlsafe_b64encode(bytes(raw)).decode()}", CONTEXT)
    with pytest.raises(CannotOpen):
        box.open(sealed[:-4], CONTEXT)
    with pytest.raises(CannotOpen):
        box.open(SECRET, CONTEXT)  # plaintext is not a sealed value


def test_a_value_copied_to_another_row_does_not_open_there():
    box = SecretBox(KEY)
    sealed = box.seal(SECRET, CONTEXT)
    with pytest.raises(CannotOpen) as raised:
        box.open(sealed, "notifications.channels.secret:c-2")
    assert SECRET not in str(raised.value)
    with pytest.raises(CannotOpen):
        box.open(sealed, "notifications.channels.previous_secret:c-1")


def test_old_keys_open_what_they_sealed_and_new_values_use_the_current_key():
    old = SecretBox(OTHER_KEY)
    sealed_before = old.seal(SECRET, CONTEXT)
    rotated = SecretBox(KEY, [OTHER_KEY])
    assert rotated.open(sealed_before, CONTEXT) == SECRET
    assert rotated.needs_resealing(sealed_before)
    resealed = rotated.seal(SECRET, CONTEXT)
    assert secretbox.sealed_key_id(resealed) == rotated.key_id
    assert not rotated.needs_resealing(resealed)
    assert rotated.key_ids == [secretbox.key_id(KEY), secretbox.key_id(OTHER_KEY)]
    with pytest.raises(CannotOpen):
        old.open(resealed, CONTEXT)


def test_the_environment_configures_the_box():
    box = secretbox.from_environment({
        "PARKMATCH_SECRETS_KEY": text(KEY).rstrip("="),  # padding is optional
        "PARKMATCH_SECRETS_OLD_KEYS": f" {text(OTHER_KEY)} ,"})
    assert box.key_id == secretbox.key_id(KEY)
    assert box.open(SecretBox(OTHER_KEY).seal(SECRET, CONTEXT), CONTEXT) == SECRET
    generated = secretbox.from_environment({"PARKMATCH_SECRETS_KEY": secretbox.new_key_text()})
    assert generated.key_id != box.key_id


@pytest.mark.parametrize("environ, named", [
    ({}, "PARKMATCH_SECRETS_KEY is not set"),
    ({"PARKMATCH_SECRETS_KEY": "  "}, "PARKMATCH_SECRETS_KEY is not set"),
    ({"PARKMATCH_SECRETS_KEY": text(KEY[:16])}, "PARKMATCH_SECRETS_KEY must decode to 32"),
    ({"PARKMATCH_SECRETS_KEY": "not*base64*key*of*thirty*two*bytes*plus"},
     "PARKMATCH_SECRETS_KEY is not base64url"),
    ({"PARKMATCH_SECRETS_KEY": text(KEY), "PARKMATCH_SECRETS_OLD_KEYS": "short"},
     "PARKMATCH_SECRETS_OLD_KEYS"),
])
def test_a_missing_or_malformed_key_is_refused_with_the_setting_named(environ, named):
    with pytest.raises(BadKey) as raised:
        secretbox.from_environment(environ)
    assert named in str(raised.value)
    for value in environ.values():
        if value.strip():
            assert value not in str(raised.value)


def test_the_box_never_shows_its_keys():
    box = SecretBox(KEY, [OTHER_KEY])
    assert text(KEY) not in repr(box) and KEY.hex() not in repr(box)
