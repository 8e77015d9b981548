"""The stored webhook secrets as a whole: at start, check that the configured
keys open every one, and seal with PARKMATCH_SECRETS_KEY whatever an old key
(PARKMATCH_SECRETS_OLD_KEYS) or, before migration 0004, nobody sealed; so
after one restart with a new key the old one can be dropped."""
import logging

from .. import storage

log = logging.getLogger(__name__)


def reseal_stored_secrets(db, settings):
    """Returns how many values were sealed anew; secretbox.CannotOpen (naming
    the key id a value needs, never the value) when a key is missing."""
    box = settings.secrets
    resealed = db.run(lambda uow: storage.reseal_secrets(uow.connection, box))
    if resealed:
        log.info("sealed %d stored webhook secrets anew with key %s", resealed, box.key_id)
    return resealed
