"""GET /api/sectors: the sector taxonomy, served by the gateway itself (it is
contract data every service shares, so no service owns it)."""
from marshmallow import Schema, fields

from services.contracts import taxonomy
from services.contracts.errors import InvalidInput

from .route_spec import query, query_lang


class SectorLabelsOut(Schema):
    en = fields.Str(required=True)
    ko = fields.Str(required=True)
    zh = fields.Str(required=True)


class SectorSynonymsOut(Schema):
    en = fields.List(fields.Str(), required=True)
    ko = fields.List(fields.Str(), required=True)
    zh = fields.List(fields.Str(), required=True)


class SectorOut(Schema):
    code = fields.Str(required=True, metadata={"description": "what profiles, demands, "
                                                              "subscriptions and events store"})
    label = fields.Str(required=True, metadata={"description": "the label in ?lang (default en)"})
    labels = fields.Nested(SectorLabelsOut, required=True)
    parent = fields.Str(allow_none=True, metadata={
        "description": "a demand for the parent matches this sector as a child (weight 0.8)"})
    children = fields.List(fields.Str(), required=True)
    related = fields.List(fields.Str(), required=True, metadata={
        "description": "related sectors (symmetric; weight 0.5)"})
    isic = fields.List(fields.Str(), required=True, metadata={
        "description": "ISIC Rev. 4 classes (4 digits) the sector covers"})
    synonyms = fields.Nested(SectorSynonymsOut, required=True)


LANG = query_lang("en (default), ko or zh: the language of each sector's `label`")
TERM = query("q", "a code or a term in any of the three languages: answers the one sector "
                  "it resolves to (a list of one), or 422 with the closest known terms")


def _view(sector, lang, children):
    return {"code": sector.code, "label": sector.labels[lang], "labels": dict(sector.labels),
            "parent": sector.parent, "children": children.get(sector.code, []),
            "related": list(sector.related), "isic": list(sector.isic),
            "synonyms": {language: list(sector.synonyms[language])
                         for language in taxonomy.LANGUAGES}}


def list_sectors(lang, term):
    """Every sector, or (with a term) the one it resolves to, labelled in `lang`."""
    if lang not in taxonomy.LANGUAGES:
        raise InvalidInput({"lang": [f"choose one of {', '.join(taxonomy.LANGUAGES)}"]})
    children = {}
    for sector in taxonomy.SECTORS.values():
        if sector.parent:
            children.setdefault(sector.parent, []).append(sector.code)
    if term is None:
        return [_view(sector, lang, children) for sector in taxonomy.SECTORS.values()]
    try:
        code = taxonomy.resolve(term)
    except taxonomy.UnknownSector as exc:
        raise InvalidInput({"q": [str(exc)]}) from None
    return [_view(taxonomy.SECTORS[code], lang, children)]
