"""What the notifications service accepts and returns over RPC (and so what
the public API accepts and returns: the gateway documents these schemas)."""
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import Schema, ValidationError, fields, validate, validates

from services.contracts.events import NamesSchema, RegionSchema
from services.contracts.taxonomy_fields import SectorTerms
from services.contracts.vocabulary import ALERT_EVENT_KINDS, PARTNER_KINDS

from .domain import DELIVERY_STATUSES

COUNTRY = validate.Regexp(r"^[A-Z]{2}$", error="use a two-letter ISO 3166 country code, e.g. KR")
MAX_WEBHOOKS = 5


def _no_repeats(values, what):
    if len(values) != len(set(values)):
        raise ValidationError(f"give each {what} once")


class PartnerRegistration(Schema):
    names = fields.Nested(NamesSchema, required=True)
    country = fields.Str(required=True, validate=COUNTRY)
    kind = fields.Str(required=True, validate=validate.OneOf(PARTNER_KINDS))
    webhooks = fields.List(
        # require_tld=False: localhost and plain IPs are allowed for now.
        fields.Url(schemes={"http", "https"}, require_tld=False,
                   error_messages={"invalid": "must be an http or https URL"}),
        load_default=list,
        validate=validate.Length(max=MAX_WEBHOOKS, error=f"at most {MAX_WEBHOOKS} webhook URLs"),
        metadata={"description": "each alert is POSTed, signed (Standard Webhooks), to every URL"})
    email = fields.Email(load_default=None, allow_none=True)
    time_zone = fields.Str(load_default="Asia/Seoul", metadata={"description": "IANA name"})

    @validates("webhooks")
    def _each_url_once(self, value, **kwargs):
        _no_repeats(value, "URL")

    @validates("time_zone")
    def _known_time_zone(self, value, **kwargs):
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError("not a known IANA time zone, e.g. Asia/Seoul") from None


class PartnerOut(PartnerRegistration):
    """A partner as shown to itself and the operator; the webhook secret is
    only ever shown once, at registration."""
    id = fields.Str(required=True)
    version = fields.Int(required=True)
    created_at = fields.DateTime(required=True)


class PartnerRegistered(Schema):
    partner = fields.Nested(PartnerOut, required=True)
    api_key = fields.Str(required=True, metadata={"description": "shown once; keep it safe"})
    webhook_secret = fields.Str(required=True, metadata={
        "description": "shown once; verifies webhook-signature (whsec_ + base64 key)"})


class SubscriptionIn(Schema):
    sectors = SectorTerms(dedupe=False, load_default=list, metadata={
        "description": "sector codes or terms in ko / zh / en (stored as codes); "
                       "empty means every sector"})
    regions = fields.List(fields.Nested(RegionSchema), load_default=list,
                          validate=validate.Length(max=50),
                          metadata={"description": "a region matches when every field given "
                                                   "equals the demand's; empty means everywhere"})
    min_score = fields.Float(load_default=0.0, validate=validate.Range(min=0, max=100))
    event_kinds = fields.List(
        fields.Str(validate=validate.OneOf(ALERT_EVENT_KINDS)),
        load_default=lambda: list(ALERT_EVENT_KINDS),
        validate=validate.Length(min=1, error="choose at least one kind (or leave it out for all)"))

    @validates("sectors")
    def _each_sector_once(self, value, **kwargs):
        _no_repeats(value, "sector")

    @validates("event_kinds")
    def _each_kind_once(self, value, **kwargs):
        _no_repeats(value, "event kind")


class SubscriptionOut(SubscriptionIn):
    id = fields.Str(required=True)
    partner_id = fields.Str(required=True)
    created_at = fields.DateTime(required=True)


class AlertDeliveryOut(Schema):
    id = fields.Str(required=True, metadata={"description": "the webhook-id header"})
    url = fields.Str(required=True)
    status = fields.Str(required=True, validate=validate.OneOf(DELIVERY_STATUSES))
    attempts = fields.Int(required=True)
    last_status_code = fields.Int(allow_none=True)


class AlertOut(Schema):
    id = fields.Str(required=True)
    partner_id = fields.Str(required=True)
    type = fields.Str(required=True)
    subject_id = fields.Str(required=True, metadata={"description": "match or agreement id"})
    subject_version = fields.Int(required=True)
    occurred_at = fields.DateTime(required=True)
    created_at = fields.DateTime(required=True)
    data = fields.Dict(required=True, metadata={"description": "the match or agreement"})
    deliveries = fields.List(fields.Nested(AlertDeliveryOut), required=True)


class AttemptOut(Schema):
    number = fields.Int(required=True)
    at = fields.DateTime(required=True)
    status_code = fields.Int(allow_none=True)
    error = fields.Str(allow_none=True)
    latency_ms = fields.Int(required=True)


class DeliveryOut(Schema):
    id = fields.Str(required=True, metadata={"description": "the webhook-id header"})
    alert_id = fields.Str(required=True)
    alert_type = fields.Str(required=True)
    url = fields.Str(required=True)
    status = fields.Str(required=True, validate=validate.OneOf(DELIVERY_STATUSES))
    attempts = fields.Int(required=True)
    next_attempt_at = fields.DateTime(allow_none=True)
    last_status_code = fields.Int(allow_none=True)
    last_error = fields.Str(allow_none=True)
    created_at = fields.DateTime(required=True)
    delivered_at = fields.DateTime(allow_none=True)
    attempt_log = fields.List(fields.Nested(AttemptOut), required=True)


class ListingOptions(Schema):
    limit = fields.Int(load_default=100, strict=True, validate=validate.Range(min=1, max=500))
