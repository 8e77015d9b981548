"""Loading what crosses the RPC boundary: marshmallow errors become
InvalidInput naming every bad field, so the gateway can answer 422."""
from marshmallow import ValidationError

from services.contracts.errors import InvalidInput


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
    characters (PostgreSQL refuses them) and unpaired surrogates (not UTF-8)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from unstorable_text(item, f"{path}.{key}" if path else str(key))
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
