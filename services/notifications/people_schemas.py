"""What the people RPCs accept: alert preferences and inbox listing options."""
from marshmallow import Schema, ValidationError, fields, validate, validates

from .domain import MODES
from .recipients import valid_time_zone


class AlertPreferencesIn(Schema):
    mode = fields.Str(validate=validate.OneOf(MODES))
    digest_hour = fields.Int(strict=True, allow_none=True, validate=validate.Range(min=0, max=23),
                             metadata={"description": "local hour of the daily digest"})
    time_zone = fields.Str(allow_none=True, metadata={"description": "IANA, e.g. Asia/Seoul"})

    @validates("time_zone")
    def _known_zone(self, value, **kwargs):
        if value is not None and not valid_time_zone(value):
            raise ValidationError("use an IANA time zone, e.g. Asia/Seoul or Asia/Shanghai")


class InboxOptions(Schema):
    limit = fields.Int(load_default=20, allow_none=False, strict=True,
                       validate=validate.Range(min=1, max=100))
    cursor = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=400))
