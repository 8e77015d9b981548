"""Marshmallow fields for sectors people type: a code or a free-text term in
ko / zh / en loads as the taxonomy code; an unknown term is refused with the
closest known terms. Events keep validating plain codes (events.SectorCode).

Cheap checks first: a list's count and each term's length are checked before
any term is resolved, and only the first SUGGESTED_TERMS_MAX unknown terms
of a request get the (costly) search for suggestions."""
from marshmallow import ValidationError, fields

from . import taxonomy
from .limits import SECTOR_TERM_MAX, SECTORS_MAX, SUGGESTED_TERMS_MAX, too_many

DESCRIPTION = ("a sector code or a sector term in Korean, Chinese or English "
               "(e.g. \"바이오 의약\", \"生技\", \"medical device\"); stored as the code. "
               "GET /api/sectors lists the taxonomy.")
TERM_TOO_LONG = f"must be at most {SECTOR_TERM_MAX} characters"


def _resolve(text, suggest=True):
    if len(text) > SECTOR_TERM_MAX:
        raise ValidationError(TERM_TOO_LONG)
    try:
        return taxonomy.resolve(text, suggest=suggest)
    except taxonomy.UnknownSector as exc:
        raise ValidationError(str(exc)) from None


class SectorTerm(fields.Str):
    """Loads a code or a term as its code; dumps codes unchanged."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).setdefault("description", DESCRIPTION)
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return _resolve(super()._deserialize(value, attr, data, **kwargs))


class SectorTerms(fields.List):
    """A list of at most `maximum` sector terms, loaded as codes; with
    `dedupe` two terms for the same code (\"AI\", \"인공지능\") keep the
    first only."""

    def __init__(self, dedupe=True, maximum=SECTORS_MAX, **kwargs):
        self.dedupe, self.maximum = dedupe, maximum
        kwargs.setdefault("metadata", {}).setdefault(
            "description", f"sector codes or terms in ko / zh / en (at most {maximum}), "
                           "each stored as its code")
        super().__init__(SectorTerm(), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, list):
            raise self.make_error("invalid")
        if len(value) > self.maximum:
            raise ValidationError(too_many(self.maximum))
        problems = {index: ["Not a valid string."] for index, term in enumerate(value)
                    if not isinstance(term, str)}
        problems.update({index: [TERM_TOO_LONG] for index, term in enumerate(value)
                         if isinstance(term, str) and len(term) > SECTOR_TERM_MAX})
        if problems:
            raise ValidationError(problems)
        codes, suggested = [], 0
        for index, term in enumerate(value):
            try:
                codes.append(_resolve(term, suggest=suggested < SUGGESTED_TERMS_MAX))
            except ValidationError as exc:
                suggested += 1
                problems[index] = exc.messages
        if problems:
            raise ValidationError(problems)
        return list(dict.fromkeys(codes)) if self.dedupe else codes
