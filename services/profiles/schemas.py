"""What the profiles service accepts and returns over RPC (and so what the
public API accepts and returns: the gateway documents these same schemas)."""
from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from services.contracts import limits as L
from services.contracts.events import CriterionSchema, NamesSchema, RegionSchema, code_list
from services.contracts.taxonomy_fields import SectorTerm, SectorTerms
from services.contracts.vocabulary import CERTIFICATIONS, FACILITIES, INCENTIVES
from services.platform import clock
from services.platform.validation import WindowDate, WindowDateTime

COUNTRY = validate.Regexp(r"^[A-Z]{2}$", error="use a two-letter ISO 3166 country code, e.g. KR")


class ContactSchema(Schema):
    person = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=200))
    email = L.email_field(required=True)
    phone = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=40))


class CompanyFields(Schema):
    names = fields.Nested(NamesSchema, required=True)
    country = fields.Str(required=True, validate=COUNTRY)
    sectors = SectorTerms(required=True, maximum=L.COMPANY_SECTORS_MAX,
                          validate=validate.Length(min=1, max=L.COMPANY_SECTORS_MAX))
    founded_on = WindowDate(load_default=None, allow_none=True,
                            metadata={"description": "null when not disclosed (unknown)"})
    patents = L.bounded_int(0, L.PATENTS_MAX, load_default=None, allow_none=True)
    funding_raised_krw = L.bounded_int(0, L.KRW_MAX, load_default=None, allow_none=True)
    market_validation = fields.Bool(load_default=None, allow_none=True, metadata={
        "description": "paying customers, revenue or pilot contracts"})
    certifications = code_list(CERTIFICATIONS, load_default=None, allow_none=True,
                               unique=True)
    space_needed_m2 = L.bounded_int(0, L.AREA_M2_MAX, load_default=None, allow_none=True)
    facilities_needed = code_list(FACILITIES, load_default=None, allow_none=True, unique=True)
    headcount = L.bounded_int(0, L.HEADCOUNT_MAX, load_default=None, allow_none=True)
    export_markets = L.unique_list(L.bounded_str(L.MARKET_MAX, minimum=1), L.EXPORT_MARKETS_MAX,
                                   load_default=None, allow_none=True)
    incentives_wanted = code_list(INCENTIVES, load_default=None, allow_none=True, unique=True)
    contact = fields.Nested(ContactSchema, required=True)

    @validates("founded_on")
    def _not_in_future(self, value, **kwargs):
        if value is not None and value > clock.today():
            raise ValidationError("cannot be in the future")


class CompanyRegistration(CompanyFields):
    pass


class CompanyUpdate(CompanyFields):
    """Any subset of the registration fields; null clears an optional one."""

    @validates_schema
    def _something_to_change(self, data, **kwargs):
        if not data:
            raise ValidationError("give at least one field to change", "_schema")


class CompanyOut(CompanyFields):
    id = fields.Str(required=True)
    version = fields.Int(required=True)
    created_at = WindowDateTime(required=True)
    updated_at = WindowDateTime(required=True)
    contact = fields.Nested(ContactSchema, allow_none=True, metadata={
        "description": "only shown to the company itself and the operator"})


class ParkRegistration(Schema):
    names = fields.Nested(NamesSchema, required=True)
    region = fields.Nested(RegionSchema, required=True)
    level = L.bounded_str(L.NAME_MAX, load_default=None, allow_none=True)
    description = L.bounded_str(L.FREE_TEXT_MAX, load_default=None, allow_none=True)
    planned_area_m2 = L.bounded_int(0, L.AREA_M2_MAX, load_default=None, allow_none=True)
    resident_firms = L.bounded_int(0, L.RESIDENT_FIRMS_MAX, load_default=None, allow_none=True)
    contact = fields.Nested(ContactSchema, load_default=None, allow_none=True, metadata={
        "description": "who a company meets after accepting an introduction; shown only to "
                       "the park itself, the operator, and the companies that accepted"})


class ParkOut(ParkRegistration):
    id = fields.Str(required=True)
    version = fields.Int(required=True)
    created_at = WindowDateTime(required=True)


class DemandFields(Schema):
    title = fields.Str(required=True, validate=validate.Length(min=3, max=300))
    sectors = SectorTerms(required=True, validate=validate.Length(min=1, max=L.SECTORS_MAX))
    space_offered_m2 = L.bounded_int(0, L.AREA_M2_MAX, load_default=None, allow_none=True)
    facilities = code_list(FACILITIES, load_default=list, unique=True)
    incentives = code_list(INCENTIVES, load_default=list, unique=True)
    criteria = L.unique_list(fields.Nested(CriterionSchema), L.CRITERIA_MAX, unique=False,
                             load_default=list, metadata={
        "description": "screening criteria; each is required (hard) or a preference"})
    places = L.bounded_int(1, L.PLACES_MAX, required=True)
    valid_from = WindowDate(load_default=None, allow_none=True,
                            metadata={"description": "defaults to today"})
    valid_until = WindowDate(load_default=None, allow_none=True)

    @validates_schema
    def _window_is_ordered(self, data, **kwargs):
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            raise ValidationError("must not be before valid_from", "valid_until")

    @validates_schema
    def _one_criterion_per_kind(self, data, **kwargs):
        kinds = [c["kind"] for c in data.get("criteria") or []]
        if len(kinds) != len(set(kinds)):
            raise ValidationError("each criterion kind may appear once", "criteria")


class DemandPublication(DemandFields):
    pass


class DemandUpdate(DemandFields):
    status = fields.Str(validate=validate.OneOf(("open", "closed")))

    @validates_schema
    def _something_to_change(self, data, **kwargs):
        if not data:
            raise ValidationError("give at least one field to change", "_schema")


class DemandOut(DemandFields):
    id = fields.Str(required=True)
    park_id = fields.Str(required=True)
    version = fields.Int(required=True)
    status = fields.Str(required=True)
    created_at = WindowDateTime(required=True)
    updated_at = WindowDateTime(required=True)


# --- the directory ------------------------------------------------------------

class DirectoryQuery(Schema):
    q = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=200),
                   metadata={"description": "part of a name (ko / zh / en), case-insensitive"})


class ParkDirectoryQuery(DirectoryQuery):
    """For parks the term also finds a city or province, and a sector term
    (any language) the parks with an open demand in that sector."""


class CompanyDirectoryQuery(DirectoryQuery):
    sector = SectorTerm(load_default=None, allow_none=True)


class ParkListing(ParkOut):
    open_demands = fields.List(fields.Nested(DemandOut), metadata={
        "description": "the park's open demands inside their validity window, oldest first"})
