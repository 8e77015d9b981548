"""What the notifications service accepts and returns over RPC (and so what
the public API accepts and returns: the gateway documents these schemas)."""
from marshmallow import (
    Schema,
    ValidationError,
    fields,
    validate,
    validates,
    validates_schema,
)

from services.contracts import limits as L
from services.contracts.events import NamesSchema, RegionSchema
from services.contracts.taxonomy_fields import SectorTerms
from services.contracts.vocabulary import ALERT_EVENT_KINDS, LANGUAGES, PARTNER_KINDS
from services.platform.time_zones import is_iana_zone
from services.platform.validation import WindowDateTime

from .domain import (
    CHANNEL_KINDS,
    DAILY,
    DELIVERY_STATUSES,
    EMAIL,
    MODES,
    WEBHOOK,
    WEEKLY,
)

COUNTRY = validate.Regexp(r"^[A-Z]{2}$", error="use a two-letter ISO 3166 country code, e.g. KR")
MAX_WEBHOOKS = L.WEBHOOKS_MAX


def _no_repeats(values, what):
    if len(values) != len(set(values)):
        raise ValidationError(f"give each {what} once")


class PartnerRegistration(Schema):
    names = fields.Nested(NamesSchema, required=True)
    country = fields.Str(required=True, validate=COUNTRY)
    kind = fields.Str(required=True, validate=validate.OneOf(PARTNER_KINDS))
    webhooks = L.unique_list(
        # require_tld=False: localhost and plain IPs are allowed for now.
        L.url_field(require_tld=False,
                    error_messages={"invalid": "must be an http or https URL"}),
        # counted before any URL is parsed; repeats are named by _each_url_once
        MAX_WEBHOOKS, unique=False, load_default=list,
        validate=validate.Length(max=MAX_WEBHOOKS, error=f"at most {MAX_WEBHOOKS} webhook URLs"),
        metadata={"description": "each alert is POSTed, signed (Standard Webhooks), to every URL"})
    email = L.email_field(load_default=None, allow_none=True, metadata={
        "description": "contact address: told when a channel is disabled (if the partner "
                       "has no e-mail channel)"})
    time_zone = fields.Str(load_default="Asia/Seoul", validate=validate.Length(max=L.NAME_MAX),
                           metadata={
        "description": "IANA name; digests go out at local hours in it"})
    language = fields.Str(load_default="en", validate=validate.OneOf(LANGUAGES), metadata={
        "description": "default language of e-mails (ko, zh or en)"})

    @validates("webhooks")
    def _each_url_once(self, value, **kwargs):
        _no_repeats(value, "URL")

    @validates("time_zone")
    def _known_time_zone(self, value, **kwargs):
        if not is_iana_zone(value):
            raise ValidationError("not a known IANA time zone, e.g. Asia/Seoul")


class PartnerOut(PartnerRegistration):
    """A partner as shown to itself and the operator; the webhook secret is
    only ever shown once, at registration."""
    id = fields.Str(required=True)
    version = fields.Int(required=True)
    created_at = WindowDateTime(required=True)


class PartnerRegistered(Schema):
    partner = fields.Nested(PartnerOut, required=True)
    api_key = fields.Str(required=True, metadata={"description": "shown once; keep it safe"})
    webhook_secret = fields.Str(required=True, metadata={
        "description": "shown once; verifies webhook-signature (whsec_ + base64 key)"})


class DigestSchedule(Schema):
    frequency = fields.Str(required=True, validate=validate.OneOf((DAILY, WEEKLY)))
    hour = fields.Int(required=True, strict=True, validate=validate.Range(min=0, max=23),
                      metadata={"description": "local hour in the partner's time zone"})
    weekday = fields.Int(load_default=None, allow_none=True, strict=True,
                         validate=validate.Range(min=0, max=6),
                         metadata={"description": "weekly digests: 0 = Monday … 6 = Sunday"})

    @validates_schema
    def _weekly_needs_a_weekday(self, data, **kwargs):
        if data.get("frequency") == WEEKLY and data.get("weekday") is None:
            raise ValidationError("a weekly digest needs a weekday (0 = Monday … 6 = Sunday)",
                                  "weekday")


class SubscriptionIn(Schema):
    sectors = SectorTerms(dedupe=False, load_default=list, metadata={
        "description": "sector codes or terms in ko / zh / en (stored as codes; a parent "
                       "sector includes its children); "
                       "empty means every sector"})
    regions = L.unique_list(fields.Nested(RegionSchema), L.REGIONS_MAX, unique=False,
                            load_default=list,
                          metadata={"description": "a region matches when every field given "
                                                   "equals the demand's; empty means everywhere"})
    parks = L.unique_list(fields.Str(validate=validate.Length(min=1, max=80)), L.PARKS_MAX,
                          load_default=list,
                        metadata={"description": "park ids; empty means every park"})
    countries = L.unique_list(fields.Str(validate=COUNTRY), L.COUNTRIES_MAX, load_default=list,
                            metadata={"description": "companies' countries; empty means all"})
    min_score = fields.Float(load_default=0.0, validate=validate.Range(min=0, max=100))
    event_kinds = L.unique_list(
        fields.Str(validate=validate.OneOf(ALERT_EVENT_KINDS)), L.EVENT_KINDS_MAX,
        unique=False,
        load_default=lambda: list(ALERT_EVENT_KINDS),
        validate=validate.Length(min=1, error="choose at least one kind (or leave it out for all)"))
    language = fields.Str(load_default=None, allow_none=True, validate=validate.OneOf(LANGUAGES),
                          metadata={"description": "ko, zh or en; default: the partner's"})
    mode = fields.Str(load_default="immediate", validate=validate.OneOf(MODES))
    digest = fields.Nested(DigestSchedule, load_default=None, allow_none=True,
                           metadata={"description": "required when mode is digest"})
    channel_ids = L.unique_list(L.bounded_str(L.ID_MAX), L.CHANNEL_IDS_MAX, load_default=list,
                              metadata={"description": "channels to use; empty means every "
                                                       "enabled channel of the partner"})

    @validates("sectors")
    def _each_sector_once(self, value, **kwargs):
        _no_repeats(value, "sector")

    @validates("event_kinds")
    def _each_kind_once(self, value, **kwargs):
        _no_repeats(value, "event kind")

    @validates_schema
    def _digest_mode_needs_a_schedule(self, data, **kwargs):
        if data.get("mode") == "digest" and not data.get("digest"):
            raise ValidationError("mode digest needs a digest schedule "
                                  "{frequency, hour[, weekday]}", "digest")
        if data.get("mode") == "immediate" and data.get("digest"):
            raise ValidationError("a digest schedule only goes with mode digest", "digest")


class SubscriptionOut(SubscriptionIn):
    id = fields.Str(required=True)
    partner_id = fields.Str(required=True)
    created_at = WindowDateTime(required=True)


# --- channels --------------------------------------------------------------------------

class ChannelIn(Schema):
    kind = fields.Str(required=True, validate=validate.OneOf(CHANNEL_KINDS))
    url = L.url_field(require_tld=False, load_default=None,
                      allow_none=True, error_messages={"invalid": "must be an http or https URL"},
                     metadata={"description": "webhook channels: where alerts are POSTed"})
    address = L.email_field(load_default=None, allow_none=True,
                           metadata={"description": "e-mail channels: where alerts are sent"})
    label = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=200))
    enabled = fields.Bool(load_default=True)

    @validates_schema
    def _target_fits_kind(self, data, **kwargs):
        if data.get("kind") == WEBHOOK:
            if not data.get("url"):
                raise ValidationError("a webhook channel needs a url", "url")
            if data.get("address"):
                raise ValidationError("a webhook channel has a url, not an address", "address")
        if data.get("kind") == EMAIL:
            if not data.get("address"):
                raise ValidationError("an e-mail channel needs an address", "address")
            if data.get("url"):
                raise ValidationError("an e-mail channel has an address, not a url", "url")


class ChannelUpdate(Schema):
    url = L.url_field(require_tld=False,
                      error_messages={"invalid": "must be an http or https URL"})
    address = L.email_field()
    label = fields.Str(allow_none=True, validate=validate.Length(max=200))
    enabled = fields.Bool(metadata={"description": "re-enabling resets the failure count"})


class ChannelOut(Schema):
    id = fields.Str(required=True)
    partner_id = fields.Str(required=True)
    kind = fields.Str(required=True)
    url = fields.Str(allow_none=True)
    address = fields.Str(allow_none=True)
    label = fields.Str(allow_none=True)
    enabled = fields.Bool(required=True)
    disabled_reason = fields.Str(allow_none=True)
    consecutive_failures = fields.Int(required=True)
    previous_secret_valid_until = WindowDateTime(allow_none=True, metadata={
        "description": "webhooks: until then deliveries also carry the old secret's signature"})
    created_at = WindowDateTime(required=True)


class ChannelCreated(Schema):
    channel = fields.Nested(ChannelOut, required=True)
    secret = fields.Str(allow_none=True, metadata={
        "description": "webhook channels: whsec_… signing secret, shown once"})


class SecretRotated(Schema):
    channel_id = fields.Str(required=True)
    secret = fields.Str(required=True, metadata={"description": "the new secret, shown once"})
    previous_secret_valid_until = WindowDateTime(required=True, metadata={
        "description": "until then deliveries carry signatures with the new and the old secret"})


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
    occurred_at = WindowDateTime(required=True)
    created_at = WindowDateTime(required=True)
    data = fields.Dict(required=True, metadata={"description": "the match or agreement"})
    disposition = fields.Str(metadata={
        "description": "immediate, digest (waiting for the next digest), digested, dropped "
                       "(withdrawn before its digest went out) or notice"})
    language = fields.Str()
    deliveries = fields.List(fields.Nested(AlertDeliveryOut), required=True)


class AttemptOut(Schema):
    number = fields.Int(required=True)
    at = WindowDateTime(required=True)
    status_code = fields.Int(allow_none=True)
    error = fields.Str(allow_none=True)
    latency_ms = fields.Int(required=True)


class DeliveryOut(Schema):
    id = fields.Str(required=True, metadata={"description": "the webhook-id header"})
    alert_id = fields.Str(required=True)
    alert_type = fields.Str(required=True)
    channel_id = fields.Str(allow_none=True)
    channel_kind = fields.Str(required=True, metadata={"description": "webhook or email"})
    url = fields.Str(required=True, metadata={"description": "the URL or e-mail address"})
    status = fields.Str(required=True, validate=validate.OneOf(DELIVERY_STATUSES))
    attempts = fields.Int(required=True)
    next_attempt_at = WindowDateTime(allow_none=True)
    last_status_code = fields.Int(allow_none=True)
    last_error = fields.Str(allow_none=True)
    created_at = WindowDateTime(required=True)
    delivered_at = WindowDateTime(allow_none=True)
    attempt_log = fields.List(fields.Nested(AttemptOut), required=True)


class MatchesAlerted(Schema):
    matches = fields.Int(required=True)
