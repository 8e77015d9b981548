"""One marshmallow schema per (event type, version).

Rules for changing a contract: never edit a published version in a way that
rejects what it accepted before; add a new version instead, register it, and
bump CURRENT_VERSION once every consumer can read it.
"""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from .vocabulary import (
    AGREEMENT_KINDS, CERTIFICATIONS, CRITERION_KINDS, FACILITIES, INCENTIVES,
    INTRODUCTION_STATUSES, PARTNER_KINDS, PARTY_KINDS, SECTORS,
)

SectorCode = lambda **kw: fields.Str(validate=validate.OneOf(sorted(SECTORS)), **kw)  # noqa: E731


def code_list(choices, **kw):
    return fields.List(fields.Str(validate=validate.OneOf(sorted(choices))), **kw)


class NamesSchema(Schema):
    """A name in up to three languages; at least one is required."""
    ko = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=200))
    zh = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=200))
    en = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=200))

    @validates_schema
    def _one_language_at_least(self, data, **kwargs):
        if not any((data.get(lang) or "").strip() for lang in ("ko", "zh", "en")):
            raise ValidationError("give the name in at least one of ko, zh, en", "_schema")


class RegionSchema(Schema):
    country = fields.Str(required=True, validate=validate.Regexp(r"^[A-Z]{2}$"))
    province = fields.Str(load_default=None, allow_none=True)
    city = fields.Str(load_default=None, allow_none=True)


class CriterionSchema(Schema):
    kind = fields.Str(required=True, validate=validate.OneOf(CRITERION_KINDS))
    value = fields.Raw(required=True)
    required = fields.Bool(load_default=True)
    weight = fields.Float(load_default=1.0, validate=validate.Range(min=0, max=100))

    @validates_schema
    def _value_fits_kind(self, data, **kwargs):
        kind, value = data.get("kind"), data.get("value")
        if kind == "min_patents" and not (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
            raise ValidationError("min_patents needs a whole number >= 0", "value")
        if kind == "min_years_since_founding" and not (
                isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0):
            raise ValidationError("min_years_since_founding needs a number >= 0", "value")
        if kind == "funding_or_market_validation" and value is not True:
            raise ValidationError("funding_or_market_validation takes the value true", "value")
        if kind == "certification_any_of":
            if not (isinstance(value, list) and value
                    and all(isinstance(v, str) and v in CERTIFICATIONS for v in value)):
                raise ValidationError(
                    f"certification_any_of needs a non-empty list drawn from {sorted(CERTIFICATIONS)}",
                    "value")


# --- profiles -------------------------------------------------------------

class CompanySnapshotV1(Schema):
    """Everything matching needs to know about a company. Contact details are
    private and never travel in events."""
    company_id = fields.Str(required=True)
    version = fields.Int(required=True, strict=True)
    names = fields.Nested(NamesSchema, required=True)
    country = fields.Str(required=True, validate=validate.Regexp(r"^[A-Z]{2}$"))
    sectors = fields.List(SectorCode(), required=True, validate=validate.Length(min=1))
    founded_on = fields.Date(load_default=None, allow_none=True)
    patents = fields.Int(load_default=None, allow_none=True)
    funding_raised_krw = fields.Int(load_default=None, allow_none=True)
    market_validation = fields.Bool(load_default=None, allow_none=True)
    certifications = code_list(CERTIFICATIONS, load_default=None, allow_none=True)
    space_needed_m2 = fields.Int(load_default=None, allow_none=True)
    facilities_needed = code_list(FACILITIES, load_default=None, allow_none=True)
    headcount = fields.Int(load_default=None, allow_none=True)
    export_markets = fields.List(fields.Str(), load_default=None, allow_none=True)
    incentives_wanted = code_list(INCENTIVES, load_default=None, allow_none=True)


class ParkSnapshotV1(Schema):
    park_id = fields.Str(required=True)
    version = fields.Int(required=True, strict=True)
    names = fields.Nested(NamesSchema, required=True)
    region = fields.Nested(RegionSchema, required=True)


class DemandSnapshotV1(Schema):
    demand_id = fields.Str(required=True)
    version = fields.Int(required=True, strict=True)
    park = fields.Nested(ParkSnapshotV1, required=True)
    title = fields.Str(required=True)
    sectors = fields.List(SectorCode(), required=True, validate=validate.Length(min=1))
    space_offered_m2 = fields.Int(load_default=None, allow_none=True)
    facilities = code_list(FACILITIES, load_default=list)
    incentives = code_list(INCENTIVES, load_default=list)
    criteria = fields.List(fields.Nested(CriterionSchema), load_default=list)
    places = fields.Int(required=True)
    valid_from = fields.Date(required=True)
    valid_until = fields.Date(load_default=None, allow_none=True)
    status = fields.Str(required=True, validate=validate.OneOf(("open", "closed")))


class PartnerSnapshotV1(Schema):
    partner_id = fields.Str(required=True)
    version = fields.Int(required=True, strict=True)
    names = fields.Nested(NamesSchema, required=True)
    country = fields.Str(required=True, validate=validate.Regexp(r"^[A-Z]{2}$"))
    kind = fields.Str(required=True, validate=validate.OneOf(PARTNER_KINDS))


# --- matching -------------------------------------------------------------

class CriterionOutcomeV1(Schema):
    criterion = fields.Str(required=True)
    outcome = fields.Str(required=True, validate=validate.OneOf(("met", "not_met", "unknown")))
    required = fields.Bool(required=True)
    weight = fields.Float(required=True)
    company_value = fields.Raw(allow_none=True, load_default=None)
    demand_value = fields.Raw(allow_none=True, load_default=None)
    explanation = fields.Str(required=True)


class MatchCompanyV1(Schema):
    company_id = fields.Str(required=True)
    names = fields.Nested(NamesSchema, required=True)
    country = fields.Str(required=True)
    sectors = fields.List(SectorCode(), required=True)


class MatchDemandV1(Schema):
    demand_id = fields.Str(required=True)
    title = fields.Str(required=True)
    park_id = fields.Str(required=True)
    park_names = fields.Nested(NamesSchema, required=True)
    region = fields.Nested(RegionSchema, required=True)
    sectors = fields.List(SectorCode(), required=True)


class MatchV1(Schema):
    match_id = fields.Str(required=True)
    version = fields.Int(required=True, strict=True)
    status = fields.Str(required=True, validate=validate.OneOf(("active", "withdrawn")))
    company = fields.Nested(MatchCompanyV1, required=True)
    demand = fields.Nested(MatchDemandV1, required=True)
    score = fields.Float(required=True, validate=validate.Range(min=0, max=100))
    outcomes = fields.List(fields.Nested(CriterionOutcomeV1), required=True)
    summary = fields.Str(required=True)
    withdrawn_reason = fields.Str(load_default=None, allow_none=True)


# --- agreements -----------------------------------------------------------

class PartyV1(Schema):
    kind = fields.Str(required=True, validate=validate.OneOf(PARTY_KINDS))
    id = fields.Str(required=True)
    name = fields.Str(load_default=None, allow_none=True)
    signed_at = fields.AwareDateTime(load_default=None, allow_none=True, format="iso")


class AgreementV1(Schema):
    agreement_id = fields.Str(required=True)
    version = fields.Int(required=True, strict=True)
    kind = fields.Str(required=True, validate=validate.OneOf(AGREEMENT_KINDS))
    title = fields.Str(required=True)
    status = fields.Str(required=True)
    match_id = fields.Str(load_default=None, allow_none=True)
    parties = fields.List(fields.Nested(PartyV1), required=True, validate=validate.Length(min=2))
    proposed_by = fields.Nested(PartyV1, required=True)
    sponsor_partner_id = fields.Str(load_default=None, allow_none=True)
    sectors = fields.List(SectorCode(), load_default=list)
    region = fields.Nested(RegionSchema, load_default=None, allow_none=True)
    signed_at = fields.AwareDateTime(load_default=None, allow_none=True, format="iso")
    # issue #4 (additive): the agreement's term, if known
    starts_on = fields.Date(load_default=None, allow_none=True)
    ends_on = fields.Date(load_default=None, allow_none=True)


# --- introductions (double opt-in; issue #4) ------------------------------
# Contact details never travel here either: the two sides read each other's
# contacts through the API once the company has accepted.

class PartyRefV1(Schema):
    kind = fields.Str(required=True, validate=validate.OneOf(PARTY_KINDS))
    id = fields.Str(required=True)


class IntroductionV1(Schema):
    introduction_id = fields.Str(required=True)
    version = fields.Int(required=True, strict=True)
    status = fields.Str(required=True, validate=validate.OneOf(INTRODUCTION_STATUSES))
    match_id = fields.Str(required=True)
    company_id = fields.Str(required=True)
    demand_id = fields.Str(load_default=None, allow_none=True)
    park_id = fields.Str(load_default=None, allow_none=True)
    requester = fields.Nested(PartyRefV1, required=True)
    sponsor_partner_id = fields.Str(load_default=None, allow_none=True)
    sectors = fields.List(SectorCode(), load_default=list)
    region = fields.Nested(RegionSchema, load_default=None, allow_none=True)
    score = fields.Float(load_default=None, allow_none=True)
    requested_at = fields.AwareDateTime(required=True, format="iso")
    expires_at = fields.AwareDateTime(required=True, format="iso")
    decided_at = fields.AwareDateTime(load_default=None, allow_none=True, format="iso")
    decline_reason = fields.Str(load_default=None, allow_none=True)


# --- obligations (issue #4) -------------------------------------------------

class ObligationReminderV1(Schema):
    """One occurrence of an obligation that is due soon (obligation.due) or
    past due and unfulfilled (obligation.overdue)."""
    obligation_id = fields.Str(required=True)
    occurrence_on = fields.Date(required=True, metadata={
        "description": "the due date of this occurrence (recurring obligations have many)"})
    reminder = fields.Str(required=True, metadata={
        "description": "which reminder this is, e.g. 'due_in_30_days' or 'overdue'; with "
                       "obligation_id and occurrence_on it identifies the reminder"})
    days_until_due = fields.Int(required=True, metadata={"description": "negative when overdue"})
    title = fields.Str(required=True)
    owner = fields.Nested(PartyRefV1, required=True)
    agreement_id = fields.Str(required=True)
    agreement_title = fields.Str(required=True)
    agreement_kind = fields.Str(required=True, validate=validate.OneOf(AGREEMENT_KINDS))
    parties = fields.List(fields.Nested(PartyRefV1), required=True)
    sponsor_partner_id = fields.Str(load_default=None, allow_none=True)
    sectors = fields.List(SectorCode(), load_default=list)
    region = fields.Nested(RegionSchema, load_default=None, allow_none=True)


REGISTRY = {
    ("company.registered", 1): CompanySnapshotV1(),
    ("company.updated", 1): CompanySnapshotV1(),
    ("park.registered", 1): ParkSnapshotV1(),
    ("park_demand.published", 1): DemandSnapshotV1(),
    ("park_demand.updated", 1): DemandSnapshotV1(),
    ("partner.registered", 1): PartnerSnapshotV1(),
    ("match.found", 1): MatchV1(),
    ("match.updated", 1): MatchV1(),
    ("match.withdrawn", 1): MatchV1(),
    ("agreement.proposed", 1): AgreementV1(),
    ("agreement.signed", 1): AgreementV1(),
    ("agreement.activated", 1): AgreementV1(),
    ("agreement.completed", 1): AgreementV1(),
    ("agreement.terminated", 1): AgreementV1(),
    ("agreement.expired", 1): AgreementV1(),
    ("introduction.requested", 1): IntroductionV1(),
    ("introduction.accepted", 1): IntroductionV1(),
    ("introduction.declined", 1): IntroductionV1(),
    ("introduction.expired", 1): IntroductionV1(),
    ("obligation.due", 1): ObligationReminderV1(),
    ("obligation.overdue", 1): ObligationReminderV1(),
}

CURRENT_VERSION = {}
for _type, _version in REGISTRY:
    CURRENT_VERSION[_type] = max(_version, CURRENT_VERSION.get(_type, 0))
