"""What the profiles service accepts and returns over RPC (and so what the
public API accepts and returns: the gateway documents these same schemas)."""
from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from services.contracts.events import CriterionSchema, NamesSchema, RegionSchema, code_list
from services.contracts.taxonomy_fields import SectorTerm, SectorTerms
from services.contracts.vocabulary import CERTIFICATIONS, FACILITIES, INCENTIVES
from services.platform import clock
from services.platform.validation import WindowDate, WindowDateTime

COUNTRY = validate.Regexp(r"^[A-Z]{2}$", error="use a two-letter ISO 3166 country code, e.g. KR")
NON_NEGATIVE = validate.Range(min=0, error="must be 0 or more")
POSITIVE = validate.Range(min=1, error="must be 1 or more")


class ContactSchema(Schema):
    person = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=200))
    email = fields.Email(required=True)
    phone = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=40))


class CompanyFields(Schema):
    names = fields.Nested(NamesSchema, required=True)
    country = fields.Str(required=True, validate=COUNTRY)
    sectors = SectorTerms(required=True, validate=validate.Length(min=1, max=10))
    founded_on = WindowDate(load_default=None, allow_none=True,
                            metadata={"description": "null when not disclosed (unknown)"})
    patents = fields.Int(load_default=None, allow_none=True, strict=True, validate=NON_NEGATIVE)
    funding_raised_krw = fields.Int(load_default=None, allow_none=True, strict=True,
                                    validate=NON_NEGATIVE)
    market_validation = fields.Bool(load_default=None, allow_none=True, metadata={
        "description": "paying customers, revenue or pilot contracts"})
    certifications = code_list(CERTIFICATIONS, load_default=None, allow_none=True)
    space_needed_m2 = fields.Int(load_default=None, allow_none=True, strict=True,
                                 validate=NON_NEGATIVE)
    facilities_needed = code_list(FACILITIES, load_default=None, allow_none=True)
    headcount = fields.Int(load_default=None, allow_none=True, strict=True, validate=NON_NEGATIVE)
    export_markets = fields.List(fields.Str(validate=validate.Length(min=1, max=80)),
                                 load_default=None, allow_none=True)
    incentives_wanted = code_list(INCENTIVES, load_default=None, allow_none=True)
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
    level = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=200))
    description = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=4000))
    planned_area_m2 = fields.Int(load_default=None, allow_none=True, strict=True,
                                 validate=NON_NEGATIVE)
    resident_firms = fields.Int(load_default=None, allow_none=True, strict=True,
                                validate=NON_NEGATIVE)
    contact = fields.Nested(ContactSchema, load_default=None, allow_none=True, metadata={
        "description": "who a company meets after accepting an introduction; shown only to "
                       "the park itself, the operator, and the companies that accepted"})


class ParkOut(ParkRegistration):
    id = fields.Str(required=True)
    version = fields.Int(required=True)
    created_at = WindowDateTime(required=True)


class DemandFields(Schema):
    title = fields.Str(required=True, validate=validate.Length(min=3, max=300))
    sectors = SectorTerms(required=True, validate=validate.Length(min=1, max=20))
    space_offered_m2 = fields.Int(load_default=None, allow_none=True, strict=True,
                                  validate=NON_NEGATIVE)
    facilities = code_list(FACILITIES, load_default=list)
    incentives = code_list(INCENTIVES, load_default=list)
    criteria = fields.List(fields.Nested(CriterionSchema), load_default=list, metadata={
        "description": "screening criteria; each is required (hard) or a preference"})
    places = fields.Int(required=True, strict=True, validate=POSITIVE)
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
