"""Pages of a list: a limit and an opaque cursor in, `{"items", "next_cursor"}`
out. Pure: storage pages by keyset (`services.platform.sql.keyset_page`);
this module only validates the request and builds the answer.

A cursor is the urlsafe base64 of `{"l": list name, "p": keyset position}`,
the position being the sort values of the last item shown. The list name
carries its scope ("alerts/<partner id>"), so a cursor of another list, or of
the same list for another owner, is refused instead of silently positioning."""
import base64
import binascii
import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime

from services.contracts.errors import InvalidInput

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
LIMIT_RULE = f"give a whole number from 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT})"
_CURSOR_RULE = "not a cursor of this list: pass next_cursor (or the Link rel=next URL) as given"
_MAX_CURSOR = 2000      # characters; a real one is a few hundred
_BIGGEST_INT = 2 ** 63  # what every database column we page on can hold


def page_limit(limit):
    """The limit to use: None means the default; anything but a whole number
    from 1 to MAX_LIMIT is refused naming `limit`."""
    if limit is None:
        return DEFAULT_LIMIT
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput({"limit": [LIMIT_RULE]})
    return limit


def limit_from_query(raw):
    """?limit= as typed in a URL: blank means the default."""
    if raw is None or not raw.strip():
        return DEFAULT_LIMIT
    try:
        return page_limit(int(raw))
    except ValueError:
        raise InvalidInput({"limit": [LIMIT_RULE]}) from None


def _plain(value):
    """A position value as JSON; moments in UTC (a naive one is UTC already:
    SQLite hands timestamps back without their offset)."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat()
    return value


def encode_cursor(list_name, position):
    text = json.dumps({"l": list_name, "p": [_plain(v) for v in position]},
                      separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def _storable_text(value):
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _typed(value, kind):
    """`value` from a decoded cursor as `kind` (str, int, float, datetime);
    ValueError when it is not one, so a forged cursor never reaches SQL."""
    if kind is datetime and isinstance(value, str):
        moment = datetime.fromisoformat(value)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if kind is str and isinstance(value, str) and _storable_text(value):
        return value
    if kind is int and type(value) is int and abs(value) < _BIGGEST_INT:
        return value
    if kind is float and type(value) in (int, float) and math.isfinite(value):
        return float(value)
    raise ValueError(f"{value!r} is not a {kind.__name__}")


def decode_cursor(list_name, cursor, kinds):
    """The keyset position a cursor names (a tuple typed as `kinds`), or None
    for no cursor (the first page). 422 naming `cursor` for anything else."""
    if cursor is None or cursor == "":
        return None
    try:
        if not isinstance(cursor, str) or len(cursor) > _MAX_CURSOR:
            raise ValueError("not a short string")
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        decoded = json.loads(raw.decode("utf-8"))
        if not isinstance(decoded, dict) or decoded.get("l") != list_name:
            raise ValueError("another list")
        position = decoded.get("p")
        if not isinstance(position, list) or len(position) != len(kinds):
            raise ValueError("another shape")
        return tuple(_typed(value, kind) for value, kind in zip(position, kinds, strict=True))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise InvalidInput({"cursor": [_CURSOR_RULE]}) from None


@dataclass(frozen=True)
class PageRequest:
    """One validated request for a page of the list `list_name`."""
    list_name: str
    limit: int
    after: tuple | None   # the keyset position to start after; None: from the start

    @property
    def fetch(self):
        """Rows to ask storage for: one more than shown tells whether more follow."""
        return self.limit + 1

    def page(self, rows, position_of, view=None):
        """The page of `rows` (at most `fetch` of them, in list order):
        `position_of(row)` gives a row's keyset position, `view(rows)` what
        callers see of the rows shown."""
        shown = list(rows[:self.limit])
        more = len(rows) > self.limit
        next_cursor = encode_cursor(self.list_name, position_of(shown[-1])) if more else None
        return {"items": view(shown) if view else shown, "next_cursor": next_cursor}


def request(list_name, limit=None, cursor=None, kinds=(str,)):
    """Validate `limit` and `cursor` for the list named `list_name`, whose
    keyset position has the types `kinds`."""
    return PageRequest(list_name, page_limit(limit), decode_cursor(list_name, cursor, kinds))


def empty_page():
    return {"items": [], "next_cursor": None}
