"""Loading what crosses the RPC boundary: marshmallow errors become
InvalidInput naming every bad field, so the gateway can answer 422."""
from marshmallow import ValidationError

from services.contracts.errors import InvalidInput


def load_input(schema, data, partial=False):
    if not isinstance(data, dict):
        raise InvalidInput({"_schema": ["the body must be a JSON object"]})
    try:
        return schema.load(data, partial=partial)
    except ValidationError as exc:
        raise InvalidInput(exc.messages) from None
