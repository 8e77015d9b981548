"""The time business rules read: digests, reminders, expiries, validity
windows.

Tests and rehearsals must be able to move it across service processes
without waiting for days, so when PARKMATCH_CLOCK_FILE names a file that
holds an ISO-8601 instant, the clock travels there: now() is that instant
plus the real time passed since the file was written, so time still moves
forward. Without the variable (production) it is the system clock. The file
is re-read only when its modification time changes.

Bookkeeping timestamps (outbox, inbox) keep the real clock.
"""
import os
from datetime import UTC, datetime

CLOCK_FILE_VARIABLE = "PARKMATCH_CLOCK_FILE"

_cache = {"path": None, "mtime": None, "instant": None}


def _travelled_to():
    """(instant written in the file, when it was written) or None."""
    path = os.environ.get(CLOCK_FILE_VARIABLE)
    if not path:
        return None
    try:
        mtime = os.stat(path).st_mtime
    except FileNotFoundError:
        return None
    if (_cache["path"], _cache["mtime"]) != (path, mtime):
        with open(path, encoding="utf-8") as handle:
            instant = datetime.fromisoformat(handle.read().strip())
        if instant.tzinfo is None:
            raise ValueError(f"{path}: give the instant with a UTC offset")
        _cache.update(path=path, mtime=mtime, instant=instant)
    return _cache["instant"], datetime.fromtimestamp(mtime, UTC)


def now():
    travelled = _travelled_to()
    real = datetime.now(UTC)
    if travelled is None:
        return real
    instant, written_at = travelled
    return (instant + (real - written_at)).astimezone(UTC)


def today(tz=UTC):
    """Today's date in `tz` (a partner's time zone, for example)."""
    return now().astimezone(tz).date()


def travel_to(path, instant):
    """Move every process reading `path` to `instant` (tests, rehearsals)."""
    if instant.tzinfo is None:
        raise ValueError("give the instant with a UTC offset")
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(instant.isoformat())
    os.replace(tmp, path)
