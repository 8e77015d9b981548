"""Dates in JSON documents: stored as ISO strings, read back as date/datetime.

Only fields named as dates are converted back (by this codebase's naming
convention: `*_on`, `*_at`, `valid_from`, `valid_until`), so free text that
merely looks like a date, a company called "2024-01-01" say, stays text."""
from datetime import date, datetime


def is_date_field(key):
    return isinstance(key, str) and (
        key.endswith("_on") or key.endswith("_at") or key in ("valid_from", "valid_until"))


def to_document(value):
    if isinstance(value, dict):
        return {key: to_document(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_document(item) for item in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def from_document(value, key=None):
    if isinstance(value, dict):
        return {k: from_document(item, k) for k, item in value.items()}
    if isinstance(value, list):
        return [from_document(item) for item in value]
    if isinstance(value, str) and is_date_field(key):
        return _parse_date(value)
    return value


def _parse_date(text):
    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        return text
