"""Dates in JSON documents: stored as ISO strings, read back as date/datetime."""
import re
from datetime import date, datetime

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def to_document(value):
    if isinstance(value, dict):
        return {key: to_document(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_document(item) for item in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def from_document(value):
    if isinstance(value, dict):
        return {key: from_document(item) for key, item in value.items()}
    if isinstance(value, list):
        return [from_document(item) for item in value]
    if isinstance(value, str):
        if _DATE.match(value):
            return date.fromisoformat(value)
        if _DATETIME.match(value):
            try:
                return datetime.fromisoformat(value)
            except ValueError:
                return value
    return value
