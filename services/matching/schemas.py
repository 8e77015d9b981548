"""What the matching service accepts and returns over RPC (the gateway
documents these same schemas in its OpenAPI document)."""
from marshmallow import Schema, fields, validate

from services.contracts.events import MatchV1

AN_ID = validate.Length(min=1, max=80, error="give a non-empty id")


class MatchOut(MatchV1):
    """A match as its readers see it: the match.* event payload, plus when it
    was first found and last changed."""
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class CompanyMatchesQuery(Schema):
    company_id = fields.Str(required=True, validate=AN_ID)
    include_withdrawn = fields.Bool(load_default=False)


class DemandMatchesQuery(Schema):
    demand_id = fields.Str(required=True, validate=AN_ID)
    include_withdrawn = fields.Bool(load_default=False)


class MatchQuery(Schema):
    match_id = fields.Str(required=True, validate=AN_ID)
