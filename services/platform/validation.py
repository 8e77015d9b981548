"""Loading what crosses the RPC boundary: marshmallow errors become
InvalidInput naming every bad field, so the gateway can answer 422.

Also the shared date fields: every date or date-time a schema accepts lies
in DATE_WINDOW (years 1900 to 2200), checked on the value as written,
before any conversion, so a far date cannot overflow a time zone
conversion (0001-01-01T00:00:00+09:00 is before datetime.min in UTC) or
date arithmetic later."""
from datetime import date

from marshmallow import ValidationError, fields

from services.contracts.errors import InvalidInput

EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2200, 12, 31)
OUTSIDE_WINDOW = (f"must be between {EARLIEST_DATE.isoformat()} and "
                  f"{LATEST_DATE.isoformat()}")


def load_input(schema, data, partial=False):
    if not isinstance(data, dict):
        raise InvalidInput({"_schema": ["the body must be a JSON object"]})
    problems = dict(unstorable_text(data))
    if problems:
        raise InvalidInput(problems)
    try:
        return schema.load(data, partial=partial)
    except ValidationError as exc:
        raise InvalidInput(exc.messages) from None


def unstorable_text(value, path=""):
    """(field path, reason) for every string no database can hold: NUL
    characters (PostgreSQL refuses them) and unpaired surrogates (not UTF-8).
    A key that is not valid text is named by its escape."""
    if isinstance(value, dict):
        for key, item in value.items():
            key = _printable(str(key))
            yield from unstorable_text(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from unstorable_text(item, f"{path}[{index}]")
    elif isinstance(value, str):
        if "\x00" in value:
            yield path or "_schema", ["must not contain NUL characters"]
        else:
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                yield path or "_schema", ["must be valid Unicode text (unpaired surrogate)"]


def _printable(text):
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def require_in_window(value):
    """ValidationError unless the date (or date-time, as written, in its own
    offset) lies in the window; check before converting it anywhere."""
    day = value.date() if hasattr(value, "date") else value
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValidationError(OUTSIDE_WINDOW)
    return value


class WindowDate(fields.Date):
    """An ISO date within the window."""

    def _deserialize(self, value, attr, data, **kwargs):
        return require_in_window(super()._deserialize(value, attr, data, **kwargs))


class WindowAwareDateTime(fields.AwareDateTime):
    """An ISO date-time with its UTC offset, within the window."""

    def _deserialize(self, value, attr, data, **kwargs):
        return require_in_window(super()._deserialize(value, attr, data, **kwargs))


class WindowDateTime(fields.DateTime):
    """An ISO date-time within the window."""

    def _deserialize(self, value, attr, data, **kwargs):
        return require_in_window(super()._deserialize(value, attr, data, **kwargs))
