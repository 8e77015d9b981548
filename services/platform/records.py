"""Helpers for the records services keep as plain dicts: a new identity and
the next version of a record.

Every stored record carries `version`, which goes up by one with each change:
events carry it so consumers keep the newest snapshot, and saves may be
conditional on it."""
import uuid


def new_id():
    return str(uuid.uuid4())


def next_version(record, **changes):
    """A new dict: `record` with `changes` applied (e.g. status=..., updated_at=now)
    and its version one up. `record` itself is left as it was."""
    if "version" in changes:
        raise TypeError("next_version sets the version itself")
    return {**record, **changes, "version": record["version"] + 1}
