"""Marshmallow fields for sectors people type: a code or a free-text term in
ko / zh / en loads as the taxonomy code; an unknown term is refused with the
closest known terms. Events keep validating plain codes (events.SectorCode)."""
from marshmallow import ValidationError, fields

from . import taxonomy

DESCRIPTION = ("a sector code or a sector term in Korean, Chinese or English "
               "(e.g. \"바이오 의약\", \"生技\", \"medical device\"); stored as the code. "
               "GET /api/sectors lists the taxonomy.")


class SectorTerm(fields.Str):
    """Loads a code or a term as its code; dumps codes unchanged."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).setdefault("description", DESCRIPTION)
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return taxonomy.resolve(text)
        except taxonomy.UnknownSector as exc:
            raise ValidationError(str(exc)) from None


class SectorTerms(fields.List):
    """A list of sector terms, loaded as codes; with `dedupe` two terms for
    the same code (\"AI\", \"인공지능\") keep the first only."""

    def __init__(self, dedupe=True, **kwargs):
        self.dedupe = dedupe
        kwargs.setdefault("metadata", {}).setdefault(
            "description", "sector codes or terms in ko / zh / en, each stored as its code")
        super().__init__(SectorTerm(), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        codes = super()._deserialize(value, attr, data, **kwargs)
        return list(dict.fromkeys(codes)) if self.dedupe else codes
