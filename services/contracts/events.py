"""One marshmallow schema per (event type, version).

Rules for changing a contract: never edit a published version in a way that
rejects what it accepted before; add a new version instead, register it, and
bump CURRENT_VERSION once every consumer can read it.
"""
from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from . import limits as L
from .vocabulary import (
    AGREEMENT_KINDS,
    CERTIFICATIONS,
    CRITERION_KINDS,
    FACILITIES,
    INCENTIVES,
    INTRODUCTION_STATUSES,
    LANGUAGES,
    PARTNER_KINDS,
    PARTY_KINDS,
    SECTORS,
)

SectorCode = lambda **kw: fields.Str(validate=validate.OneOf(sorted(SECTORS)), **kw)  # noqa: E731


def code_list(choices, unique=False, **kw):
    """Codes drawn from `choices`, at most one of each many; with `unique`
    (inputs) none may repeat. Events allow repeats (they mean nothing)."""
    return L.unique_list(fields.Str(validate=validate.OneOf(sorted(choices))), len(choices),
                         unique=unique, **kw)


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
    province = L.bounded_str(L.CITY_MAX, load_default=None, allow_none=True)
    city = L.bounded_str(L.CITY_MAX, load_default=None, allow_none=True)


def _whole(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _whole_problem(value, maximum, problem):
    """`problem` for what is no whole number >= 0 (the web app translates
    it), the limit for one above `maximum`."""
    if not _whole(value):
        return problem
    return None if value <= maximum else f"needs a whole number of at most {maximum}"


def _codes(value, choices, allow_empty=True, maximum=None):
    return (isinstance(value, list) and (allow_empty or value)
            and len(value) <= (maximum or len(choices))
            and all(isinstance(v, str) and v in choices for v in value))


class CriterionSchema(Schema):
    """One criterion of a demand: its kind, the value it asks for, whether
    it is required (hard) or a preference, and its weight in the score
    (0-100, in hundredths at most)."""
    kind = fields.Str(required=True, validate=validate.OneOf(CRITERION_KINDS))
    value = fields.Raw(load_default=None, allow_none=True, metadata={
        "description": "what the criterion asks for; the offer kinds (sectors, space, "
                       "facilities, incentives) may leave it null to use the demand's own"})
    required = fields.Bool(load_default=True)
    weight = fields.Float(load_default=1.0, validate=validate.Range(min=0, max=L.WEIGHT_MAX))

    @validates_schema
    def _value_fits_kind(self, data, **kwargs):
        kind, value = data.get("kind"), data.get("value")
        problem = _CRITERION_VALUE_RULES.get(kind, lambda v: None)(value)
        if problem:
            raise ValidationError(f"{kind} {problem}", "value")
        if kind == "incentives" and data.get("required") is True:
            raise ValidationError("incentives can only be a preference: set required to false",
                                  "required")
        weight = data.get("weight")
        if isinstance(weight, float) and abs(weight * 100 - round(weight * 100)) > 1e-6:
            raise ValidationError("give the weight in hundredths at most (e.g. 1.25)", "weight")

    @pre_load
    def _incentives_default_to_preference(self, data, **kwargs):
        if isinstance(data, dict) and data.get("kind") == "incentives" and "required" not in data:
            return {**data, "required": False}
        return data


def _headcount_problem(value):
    if not isinstance(value, dict) or set(value) - {"min", "max"}:
        return 'needs {"min": n, "max": n} (either may be null or left out)'
    low, high = value.get("min"), value.get("max")
    if low is None and high is None:
        return "needs a min, a max or both"
    if any(bound is not None and not _whole(bound) for bound in (low, high)):
        return "bounds must be whole numbers >= 0"
    if any(bound is not None and bound > L.HEADCOUNT_MAX for bound in (low, high)):
        return f"bounds must be at most {L.HEADCOUNT_MAX}"
    if low is not None and high is not None and low > high:
        return "min must not exceed max"
    return None


def _markets_problem(value):
    if not (isinstance(value, list) and 0 < len(value) <= L.EXPORT_MARKETS_MAX
            and all(isinstance(v, str) and 0 < len(v.strip()) and len(v) <= L.MARKET_MAX
                    for v in value)):
        return (f"needs a non-empty list of up to {L.EXPORT_MARKETS_MAX} market names or codes "
                f"of up to {L.MARKET_MAX} characters (e.g. [\"CN\", \"VN\"])")
    return None


_CRITERION_VALUE_RULES = {
    "sectors": lambda v: None if v is None or _codes(
        v, SECTORS, allow_empty=False, maximum=L.SECTORS_MAX) else
    f"needs null or a non-empty list drawn from the sector codes (at most {L.SECTORS_MAX}), "
    f"e.g. {sorted(SECTORS)[:3]}",
    "space": lambda v: None if v is None else _whole_problem(
        v, L.AREA_M2_MAX, "needs null or a whole number of m² >= 0"),
    "facilities": lambda v: None if v is None or _codes(v, FACILITIES) else
    f"needs null or a list drawn from {list(FACILITIES)}",
    "incentives": lambda v: None if v is None or _codes(v, INCENTIVES) else
    f"needs null or a list drawn from {list(INCENTIVES)}",
    "min_patents": lambda v: _whole_problem(v, L.PATENTS_MAX, "needs a whole number >= 0"),
    "min_years_since_founding": lambda v: None if (
        isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= L.YEARS_MAX) else
    "needs a number of years between 0 and 200",
    "funding_or_market_validation": lambda v: None if v is True else "takes the value true",
    "certification_any_of": lambda v: None if _codes(v, CERTIFICATIONS, allow_empty=False) else
    f"needs a non-empty list drawn from {sorted(CERTIFICATIONS)}",
    "headcount": _headcount_problem,
    "export_markets": _markets_problem,
}


# --- profiles -------------------------------------------------------------

class CompanySnapshotV1(Schema):
    """Everything matching needs to know about a company. Contact details are
    private and never travel in events."""
    company_id = fields.Str(required=True)
    version = fields.Int(required=True, strict=True)
    names = fields.Nested(NamesSchema, required=True)
    country = fields.Str(required=True, validate=validate.Regexp(r"^[A-Z]{2}$"))
    sectors = L.unique_list(SectorCode(), L.COMPANY_SECTORS_MAX, minimum=1, unique=False,
                            required=True)
    founded_on = fields.Date(load_default=None, allow_none=True)
    patents = L.bounded_int(0, L.PATENTS_MAX, strict=False, load_default=None, allow_none=True)
    funding_raised_krw = L.bounded_int(0, L.KRW_MAX, strict=False, load_default=None,
                                       allow_none=True)
    market_validation = fields.Bool(load_default=None, allow_none=True)
    certifications = code_list(CERTIFICATIONS, load_default=None, allow_none=True)
    space_needed_m2 = L.bounded_int(0, L.AREA_M2_MAX, strict=False, load_default=None,
                                    allow_none=True)
    facilities_needed = code_list(FACILITIES, load_default=None, allow_none=True)
    headcount = L.bounded_int(0, L.HEADCOUNT_MAX, strict=False, load_default=None,
                              allow_none=True)
    export_markets = L.unique_list(L.bounded_str(L.MARKET_MAX), L.EXPORT_MARKETS_MAX,
                                   unique=False, load_default=None, allow_none=True)
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
    title = L.bounded_str(L.TITLE_MAX, required=True)
    sectors = L.unique_list(SectorCode(), L.SECTORS_MAX, minimum=1, unique=False, required=True)
    space_offered_m2 = L.bounded_int(0, L.AREA_M2_MAX, strict=False, load_default=None,
                                     allow_none=True)
    facilities = code_list(FACILITIES, load_default=list)
    incentives = code_list(INCENTIVES, load_default=list)
    criteria = L.unique_list(fields.Nested(CriterionSchema), L.CRITERIA_MAX, unique=False,
                             load_default=list)
    places = L.bounded_int(1, L.PLACES_MAX, strict=False, required=True)
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

class MessageV1(Schema):
    """A text to render in any language: a message id of the matching
    service's catalogue and its parameters."""
    id = fields.Str(required=True)
    params = fields.Dict(keys=fields.Str(), load_default=dict)


class TextsV1(Schema):
    """One text in each language."""
    en = fields.Str(required=True)
    ko = fields.Str(required=True)
    zh = fields.Str(required=True)


class CriterionOutcomeV1(Schema):
    criterion = fields.Str(required=True)
    outcome = fields.Str(required=True, validate=validate.OneOf(("met", "not_met", "unknown")))
    required = fields.Bool(required=True)
    weight = fields.Float(required=True)
    company_value = fields.Raw(allow_none=True, load_default=None)
    demand_value = fields.Raw(allow_none=True, load_default=None)
    explanation = fields.Str(required=True)
    # optional since matching 2 (issue #3): readers of older events see None
    credit = fields.Float(load_default=None, allow_none=True, metadata={
        "description": "share of the weight earned: 1 met, 0 not met, 0.5 unknown; the "
                       "sector criterion earns its affinity (1 exact, 0.8 child, 0.5 related)"})
    message = fields.Nested(MessageV1, load_default=None, allow_none=True)
    explanations = fields.Nested(TextsV1, load_default=None, allow_none=True)


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
    # optional since matching 2 (issue #3): the same texts in en, ko, zh and
    # the message they are rendered from
    summaries = fields.Nested(TextsV1, load_default=None, allow_none=True)
    summary_message = fields.Nested(MessageV1, load_default=None, allow_none=True)
    withdrawn_reasons = fields.Nested(TextsV1, load_default=None, allow_none=True)
    withdrawn_message = fields.Nested(MessageV1, load_default=None, allow_none=True)


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


# --- people (accounts) --------------------------------------------------------
# Who belongs to which organisation, for the alerts notifications sends them.
# notifications consumes them, and profiles (verified_at: an owner's confirmed
# address releases a company registered through the web app); no session,
# link or key ever travels.

class OrganisationRefV1(Schema):
    kind = fields.Str(required=True, validate=validate.OneOf(PARTY_KINDS))
    id = fields.Str(required=True)


class PersonV1(Schema):
    """A person of a company, park or partner as accounts knows them
    (person.enrolled, person.updated, person.removed: the whole record each
    time, so the latest `changed_at` wins whatever order events arrive in)."""
    person_id = fields.Str(required=True)
    organisation = fields.Nested(OrganisationRefV1, required=True)
    email = fields.Email(required=True)
    name = fields.Str(required=True)
    language = fields.Str(required=True, validate=validate.OneOf(LANGUAGES))
    role = fields.Str(load_default=None, allow_none=True)
    changed_at = fields.AwareDateTime(required=True, format="iso", metadata={
        "description": "when accounts made this change; an older one than notifications "
                       "holds is ignored"})
    time_zone = fields.Str(load_default=None, allow_none=True, metadata={
        "description": "IANA time zone, if the person gave one"})
    country = fields.Str(load_default=None, allow_none=True,
                         validate=validate.Regexp(r"^[A-Z]{2}$"), metadata={
                             "description": "the organisation's country, if known"})
    # optional since the web app's verified registration: readers of older
    # events see None
    verified_at = fields.AwareDateTime(load_default=None, allow_none=True, format="iso", metadata={
        "description": "when the person confirmed their e-mail address (first sign-in by an "
                       "e-mailed link, or accepting an invitation); null until then"})


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
    ("introduction.withdrawn", 1): IntroductionV1(),
    ("obligation.due", 1): ObligationReminderV1(),
    ("obligation.overdue", 1): ObligationReminderV1(),
    ("person.enrolled", 1): PersonV1(),
    ("person.updated", 1): PersonV1(),
    ("person.removed", 1): PersonV1(),
}

CURRENT_VERSION = {}
for _type, _version in REGISTRY:
    CURRENT_VERSION[_type] = max(_version, CURRENT_VERSION.get(_type, 0))
