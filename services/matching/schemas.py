"""What the matching service accepts and returns over RPC (the gateway
documents these same schemas in its OpenAPI document)."""
from marshmallow import Schema, fields, validate

from services.contracts.events import (
    CriterionOutcomeV1,
    MatchCompanyV1,
    MatchDemandV1,
    MatchV1,
    MessageV1,
    TextsV1,
)
from services.platform.validation import WindowDate, WindowDateTime

from .messages import LANGUAGES

AN_ID = validate.Length(min=1, max=80, error="give a non-empty id")


def _lang():
    return fields.Str(load_default="en", validate=validate.OneOf(
        LANGUAGES, error="give one of en, ko, zh"))


class MatchOut(MatchV1):
    """A match as its readers see it: the match.* event payload, plus when it
    was first found and last changed; summary, explanations and withdrawn
    reason in the language asked for."""
    created_at = WindowDateTime(required=True)
    updated_at = WindowDateTime(required=True)
    lang = fields.Str(metadata={"description": "the language of summary, explanation and "
                                               "withdrawn_reason (en, ko, zh)"})


class GapOut(Schema):
    criterion = fields.Str(required=True)
    outcome = fields.Str(required=True, metadata={"description": "not_met or unknown"})
    text = fields.Str(required=True, metadata={"description": "what would close the gap, "
                                                              "in the language asked for"})
    texts = fields.Nested(TextsV1)
    message = fields.Nested(MessageV1)


class NearMissOut(Schema):
    """A company that fails one or two hard criteria of an open demand (never
    its sector), with what would close each gap. Near misses are not matches
    and are never alerted."""
    company = fields.Nested(MatchCompanyV1, required=True)
    demand = fields.Nested(MatchDemandV1, required=True)
    score = fields.Float(required=True)
    outcomes = fields.List(fields.Nested(CriterionOutcomeV1), required=True)
    gaps = fields.List(fields.Nested(GapOut), required=True)
    recheck_on = WindowDate(allow_none=True, metadata={
        "description": "the day a gap closes by time alone (founding age), if any"})
    updated_at = WindowDateTime(required=True)
    lang = fields.Str()


class CompanyMatchesQuery(Schema):
    company_id = fields.Str(required=True, validate=AN_ID)
    include_withdrawn = fields.Bool(load_default=False)
    lang = _lang()


class DemandMatchesQuery(Schema):
    demand_id = fields.Str(required=True, validate=AN_ID)
    include_withdrawn = fields.Bool(load_default=False)
    lang = _lang()


class DemandNearMissesQuery(Schema):
    demand_id = fields.Str(required=True, validate=AN_ID)
    lang = _lang()


class CompanyNearMissesQuery(Schema):
    company_id = fields.Str(required=True, validate=AN_ID)
    lang = _lang()


class MatchQuery(Schema):
    match_id = fields.Str(required=True, validate=AN_ID)
    lang = _lang()
