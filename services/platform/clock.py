"""The two clocks, by name.

`now()` / `today()`: the business clock. Business dates read it: digest due
times, a partner's daily alert budget, alert and record dates, reminders,
expiries, validity windows.

`real_now()`: the real clock. Bookkeeping reads it: delivery leases, retry
times, attempt timestamps, secret-rotation grace, deletion marks, outbox and
inbox rows.
It never travels, so a rehearsal that moves the business clock a week ahead
does not make every pending retry due at once, nor stretch a lease.

The rule: when the date means something to a user (when a digest is due, what
"today" is), use now(); when it is the system keeping track of its own work,
use real_now(). A call site picks one by name.

Tests and rehearsals must be able to move the business clock across service
processes without waiting for days, so when PARKMATCH_CLOCK_FILE names a file
that holds an ISO-8601 instant, it travels there: now() is that instant plus
the real time passed since the file was written, so time still moves forward.
Without the variable (production) both clocks are the system clock. The file
is re-read only when its modification time changes.
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


def real_now():
    """The real clock (UTC): for bookkeeping, never moved by the clock file."""
    return datetime.now(UTC)


def now():
    """The business clock (UTC): the real clock unless PARKMATCH_CLOCK_FILE moved it."""
    travelled = _travelled_to()
    real = real_now()
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
