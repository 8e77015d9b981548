"""What the allocation part of matching accepts and returns over RPC (the
gateway documents these same schemas in its OpenAPI document)."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.contracts import limits as L
from services.platform.validation import WindowDateTime

from .domain import LANGUAGES

AN_ID = validate.Length(min=1, max=80, error="give a non-empty id")
MAX_LISTED = L.DEMAND_IDS_MAX


class DemandPreferencesIn(Schema):
    # counted before any id is loaded; repeats are named by the use case
    demand_ids = L.unique_list(
        fields.Str(validate=AN_ID), MAX_LISTED, unique=False, required=True,
        validate=validate.Length(max=MAX_LISTED),
        metadata={"description": "demands the company is matched with, most wanted first; "
                                 "an empty list clears the preferences"})


class DemandPreferencesOut(Schema):
    company_id = fields.Str(required=True)
    demand_ids = fields.List(fields.Str(), required=True)
    updated_at = WindowDateTime(allow_none=True, metadata={
        "description": "null when the company never stated preferences"})


class AllocationRoundIn(Schema):
    demand_ids = fields.List(fields.Str(validate=AN_ID), validate=validate.Length(
        min=1, max=MAX_LISTED), metadata={"description": "only these demands"})
    park_id = fields.Str(validate=AN_ID, metadata={"description": "only this park's demands"})

    @validates_schema
    def _one_scope(self, data, **kwargs):
        if "demand_ids" in data and "park_id" in data:
            raise ValidationError("give demand_ids or park_id, not both", "park_id")


class LangQuery(Schema):
    lang = fields.Str(load_default="en", validate=validate.OneOf(LANGUAGES))


class RoundQuery(LangQuery):
    round_id = fields.Str(required=True, validate=AN_ID)


class ParkRoundsQuery(Schema):
    park_id = fields.Str(required=True, validate=AN_ID)


class Scope(Schema):
    demand_ids = fields.List(fields.Str(), allow_none=True)
    park_id = fields.Str(allow_none=True)


class Summary(Schema):
    demands = fields.Int(metadata={"description": "demands in the round"})
    companies = fields.Int(metadata={"description": "companies with at least one active match"})
    places = fields.Int()
    placed = fields.Int()
    unplaced = fields.Int()


class Admitted(Schema):
    company_id = fields.Str(metadata={"description": "left out in a company's own view"})
    score = fields.Float()
    rank = fields.Int(metadata={"description": "1 = the demand's best-ranked candidate"})


class RoundDemand(Schema):
    demand_id = fields.Str()
    title = fields.Str()
    park_id = fields.Str()
    park_names = fields.Dict(keys=fields.Str(), values=fields.Str())
    places = fields.Int()
    candidates = fields.Int()
    admitted = fields.List(fields.Nested(Admitted))


class WhyNot(Schema):
    demand_id = fields.Str()
    reason = fields.Str(metadata={"description": "full_with_higher_ranked"})
    places = fields.Int()
    admitted_ranked_higher = fields.List(fields.Nested(Admitted))
    lowest_admitted_score = fields.Float()
    score = fields.Float(metadata={"description": "the company's score for this demand"})
    rank = fields.Int(metadata={"description": "the company's rank at this demand"})
    text = fields.Str(metadata={"description": "in the language asked for (?lang=en|ko|zh)"})


class RoundCompany(Schema):
    company_id = fields.Str()
    names = fields.Dict(keys=fields.Str(), values=fields.Str())
    demand_id = fields.Str(allow_none=True, metadata={"description": "the demand it got"})
    choice = fields.Int(allow_none=True, metadata={
        "description": "position of that demand in the company's ranking (1 = first)"})
    ranking = fields.List(fields.Str(), metadata={
        "description": "the company's ranking of its eligible demands as used"})
    stated_preferences = fields.Bool()
    why_not = fields.List(fields.Nested(WhyNot), metadata={
        "description": "for each demand ranked above the one it got (all, if none)"})


class AllocationRoundSummary(Schema):
    round_id = fields.Str()
    created_at = WindowDateTime()
    scope = fields.Nested(Scope)
    summary = fields.Nested(Summary)


class AllocationRoundOut(AllocationRoundSummary):
    """The operator sees the whole round; a park its demands and their
    candidates; a company its own outcome (others' ids left out)."""
    view = fields.Str(metadata={"description": "operator, park or company"})
    demands = fields.List(fields.Nested(RoundDemand))
    companies = fields.List(fields.Nested(RoundCompany))
    unplaced = fields.List(fields.Str())
