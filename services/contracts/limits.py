"""Every limit on what the API (and so every event) accepts, in one place.

Each maximum is chosen so that what is accepted, every consumer downstream
can store and compute with: integers fit a signed 64-bit column and numpy's
int64 with room for sums and products, strings fit their columns and pages,
lists stay small enough that one request's cost is bounded. The README's
"Limits" table lists them (tests/unit/test_limits.py keeps it complete).

Pure: marshmallow only, no service imports."""
from marshmallow import ValidationError, fields, validate

from .vocabulary import ALERT_EVENT_KINDS, CERTIFICATIONS, CRITERION_KINDS, FACILITIES, INCENTIVES

# --- numbers -------------------------------------------------------------------
PATENTS_MAX = 100_000               # far above any company's portfolio
AREA_M2_MAX = 100_000_000           # 100 km², larger than any industrial park
HEADCOUNT_MAX = 1_000_000           # the largest employers have a few million; startups far less
PLACES_MAX = 10_000                 # places in one demand; more is a typo
KRW_MAX = 10**16                    # 10 quadrillion won; fits int64 (9.2e18) with room for sums
YEARS_MAX = 200                     # years since founding a criterion may ask for
WEIGHT_MAX = 100                    # a criterion's weight in the score
SCORE_MAX = 100                     # scores are 0-100
RESIDENT_FIRMS_MAX = 1_000_000      # firms in one park

# --- strings -------------------------------------------------------------------
NAME_MAX = 200                      # a name in one language, a person, a label
TITLE_MAX = 300                     # a demand's, agreement's or obligation's title
CITY_MAX = 100                      # a city or province
URL_MAX = 2_048                     # the de-facto URL limit of browsers and proxies
EMAIL_LOCAL_MAX = 64                # RFC 5321 section 4.5.3.1.1
EMAIL_MAX = 254                     # RFC 5321 path limit (256) less the angle brackets
FREE_TEXT_MAX = 4_000               # descriptions, messages, evidence
TERMS_TEXT_MAX = 20_000             # an agreement's terms
REASON_MAX = 2_000                  # a reason given for a transition or a decline
SECTOR_TERM_MAX = 100               # one sector term as typed (labels are far shorter)
MARKET_MAX = 80                     # one export market name or code
ID_MAX = 64                         # an id of ours (UUIDs are 36)

# --- lists ---------------------------------------------------------------------
SECTORS_MAX = 20                    # sectors of a demand or subscription
COMPANY_SECTORS_MAX = 10            # sectors of one company: it should say what it does
CERTIFICATIONS_MAX = len(CERTIFICATIONS)    # each certification once
FACILITIES_MAX = len(FACILITIES)            # each facility once
INCENTIVES_MAX = len(INCENTIVES)            # each incentive once
EXPORT_MARKETS_MAX = 50             # markets a company exports to
CRITERIA_MAX = len(CRITERION_KINDS)         # each criterion kind once
REGIONS_MAX = 50                    # regions of a subscription
PARKS_MAX = 100                     # parks of a subscription
EVENT_KINDS_MAX = len(ALERT_EVENT_KINDS)    # each alert event kind once
COUNTRIES_MAX = 50                  # companies' countries a subscription filters on
CHANNEL_IDS_MAX = 20                # channels one subscription delivers to
WEBHOOKS_MAX = 5                    # webhook URLs of a partner at registration
DOCUMENTS_MAX = 50                  # documents attached to one agreement
PARTIES_MAX = 20                    # parties of one agreement
DEMAND_IDS_MAX = 1_000              # demands in one allocation run

# --- work per request ------------------------------------------------------------
SUGGESTED_TERMS_MAX = 5             # unknown sector terms given suggestions; the rest just named


def too_many(maximum):
    return f"at most {maximum} items"


def bounded_int(minimum=0, maximum=None, **kwargs):
    """A strict integer in [minimum, maximum]; the message names the range."""
    kwargs.setdefault("strict", True)
    kwargs.setdefault("metadata", {}).setdefault("description", f"{minimum} to {maximum}")
    return fields.Int(validate=validate.Range(min=minimum, max=maximum), **kwargs)


def bounded_str(maximum, minimum=0, **kwargs):
    error = (f"must be at most {maximum} characters" if not minimum
             else f"must be between {minimum} and {maximum} characters")
    return fields.Str(validate=validate.Length(min=minimum, max=maximum, error=error), **kwargs)


class UniqueList(fields.List):
    """A list of at most `maximum` items, none twice. Count and size are
    checked on the raw value before any item is loaded, so an oversized list
    costs nothing more than its length."""

    def __init__(self, inner, maximum, minimum=0, unique=True, **kwargs):
        self.maximum, self.minimum, self.unique = maximum, minimum, unique
        super().__init__(inner, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, list):
            if len(value) > self.maximum:
                raise ValidationError(too_many(self.maximum))
            if len(value) < self.minimum:
                raise ValidationError(f"give at least {self.minimum} item(s)")
        items = super()._deserialize(value, attr, data, **kwargs)
        if self.unique:
            seen = [repr(item) for item in items]
            if len(seen) != len(set(seen)):
                raise ValidationError("must not repeat an item")
        return items


def unique_list(inner, maximum, **kwargs):
    return UniqueList(inner, maximum, **kwargs)


def email_length(value):
    """RFC 5321's limits, which marshmallow's Email does not check."""
    local = value.rpartition("@")[0]
    if len(value) > EMAIL_MAX:
        raise ValidationError(f"must be at most {EMAIL_MAX} characters")
    if len(local) > EMAIL_LOCAL_MAX:
        raise ValidationError(f"the part before @ must be at most {EMAIL_LOCAL_MAX} characters")


def email_field(**kwargs):
    return fields.Email(validate=email_length, **kwargs)


def url_length(value):
    if len(value) > URL_MAX:
        raise ValidationError(f"must be at most {URL_MAX} characters")


def url_field(**kwargs):
    """An http(s) URL of at most URL_MAX characters (checked before parsing)."""
    kwargs.setdefault("schemes", {"http", "https"})
    return _BoundedUrl(**kwargs)


class _BoundedUrl(fields.Url):
    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            url_length(value)
        return super()._deserialize(value, attr, data, **kwargs)


def within(value, minimum, maximum):
    """True for an int (not bool) in [minimum, maximum]."""
    return (isinstance(value, int) and not isinstance(value, bool)
            and minimum <= value <= maximum)
