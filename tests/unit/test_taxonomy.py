"""The sector taxonomy: free-text terms in ko / zh / en resolve to codes,
unknown terms come back with suggestions, the hierarchy weighs matches, and
the data itself is complete and consistent."""
import json
import re

import pytest
from marshmallow import Schema, ValidationError

from services.contracts import taxonomy
from services.contracts.taxonomy import (
    AFFINITY_WEIGHTS,
    CHILD,
    EXACT,
    LANGUAGES,
    NONE,
    RELATED,
    SECTOR_CODES,
    SECTORS,
    UnknownSector,
    affinity,
    ancestors,
    best_affinity,
    label,
    resolve,
)
from services.contracts.taxonomy_fields import SectorTerm, SectorTerms

ORIGINAL_CODES = {
    "biopharmaceuticals", "medical_devices", "health_care", "advanced_manufacturing",
    "food_processing", "cosmetics", "new_materials", "semiconductors", "cloud",
    "artificial_intelligence", "consumer_electronics", "agriculture_seed", "renewable_energy",
    "education", "startup_services", "technology_transfer", "biologics",
}


@pytest.mark.parametrize("term, code", [
    # exact codes, any case
    ("biopharmaceuticals", "biopharmaceuticals"),
    ("Medical_Devices", "medical_devices"),
    # English labels and synonyms, plurals, hyphens, "&" / "and"
    ("Biopharmaceuticals", "biopharmaceuticals"),
    ("Bio-pharmaceutical", "biopharmaceuticals"),
    ("medical device", "medical_devices"),
    ("MEDICAL DEVICES", "medical_devices"),
    ("AI", "artificial_intelligence"),
    ("machine learning", "artificial_intelligence"),
    ("Semiconductors & Equipment", "semiconductors"),
    ("semiconductors and equipment", "semiconductors"),
    ("battery", "batteries"),
    ("lithium-ion batteries", "batteries"),
    ("EVs", "electric_vehicles"),
    ("e-commerce", "e_commerce"),
    ("ecommerce", "e_commerce"),
    ("wind-turbine blades", "wind_power"),
    ("wind turbine blade", "wind_power"),
    ("seed R&D", "seed_breeding"),
    ("R & D", "research_and_development"),
    ("accelerator", "startup_services"),
    # Korean labels and synonyms, spacing and middle-dot variants
    ("바이오의약", "biopharmaceuticals"),
    ("바이오 의약", "biopharmaceuticals"),
    ("인공지능", "artificial_intelligence"),
    ("인공 지능", "artificial_intelligence"),
    ("의료 기기", "medical_devices"),
    ("화장품·뷰티", "cosmetics"),
    ("화장품 · 뷰티", "cosmetics"),
    ("화장품ㆍ뷰티", "cosmetics"),
    ("화장품 뷰티", "cosmetics"),
    ("화장품 및 뷰티", "cosmetics"),
    ("반도체", "semiconductors"),
    ("이차 전지", "batteries"),
    ("스마트 팜", "smart_farming"),
    ("생성형AI", "generative_ai"),
    # simplified Chinese
    ("生物医药", "biopharmaceuticals"),
    ("人工智能", "artificial_intelligence"),
    ("AI产业", "artificial_intelligence"),
    ("生技", "biopharmaceuticals"),
    ("新能源汽车", "electric_vehicles"),
    ("跨境电商", "cross_border_e_commerce"),
    ("半导体及设备", "semiconductors"),
    # traditional Chinese
    ("半導體", "semiconductors"),
    ("醫療器械", "medical_devices"),
    ("生物醫藥", "biopharmaceuticals"),
    ("人工智慧", "artificial_intelligence"),
    ("雲端運算", "cloud"),
    ("雲計算", "cloud"),
    ("電子商務", "e_commerce"),
    ("遊戲", "gaming"),
    ("幹細胞", "cell_and_gene_therapy"),
    ("鋰電池", "batteries"),
    ("氫能", "hydrogen"),
    # Unicode compatibility forms (full-width letters)
    ("ＡＩ", "artificial_intelligence"),
    ("Ｂｉｏｌｏｇｉｃｓ", "biologics"),
    # a generic trailing word ("industry", 산업, 产业) is ignored when the rest is known
    ("AI industry", "artificial_intelligence"),
    ("바이오산업", "biopharmaceuticals"),
    ("半导体产业", "semiconductors"),
    ("cosmetics sector", "cosmetics"),
    # the sectors the reference data's parks and companies name
    ("advanced medical devices", "medical_devices"),
    ("food processing", "food_processing"),
    ("health care", "health_care"),
    ("sapphire crystal materials", "advanced_ceramics_and_crystals"),
    ("Korean-language education", "language_education"),
    ("semiconductor equipment", "semiconductors"),
    ("smartphones", "smartphones"),
    ("university technology holding", "technology_transfer"),
])
def test_terms_resolve_to_codes(term, code):
    assert resolve(term) == code


@pytest.mark.parametrize("term, expected", [
    ("bogus", "biopharmaceuticals"),
    ("semiconducter", "semiconductors"),
    ("artifical inteligence", "artificial_intelligence"),
    ("cosmetik", "cosmetics"),
    ("인공지눙", "artificial_intelligence"),   # one vowel off: found through the jamo
    ("헬스캐어", "health_care"),
    ("반도채", "semiconductors"),
    ("生物医要", "biopharmaceuticals"),
])
def test_unknown_terms_come_with_the_closest_known_ones(term, expected):
    with pytest.raises(UnknownSector) as caught:
        resolve(term)
    found = caught.value.suggestions
    assert caught.value.term == term
    assert 1 <= len(found) <= taxonomy.MAX_SUGGESTIONS
    assert found[0] == f"{expected} ({SECTORS[expected].labels['en']})"
    assert str(caught.value).startswith(f"unknown sector {term!r}; closest known terms: {found[0]}")


def test_korean_near_spellings_are_found_through_decomposed_jamo():
    # 지눙 and 지능 share no syllable but all but one letter
    assert "ᄌ" in taxonomy._jamo("지")
    plain = taxonomy.difflib.SequenceMatcher(None, "인공지눙", "인공지능").ratio()
    jamo = taxonomy.difflib.SequenceMatcher(
        None, taxonomy._jamo("인공지눙"), taxonomy._jamo("인공지능")).ratio()
    assert jamo > plain


@pytest.mark.parametrize("term", ["", "   ", "xyzzy-qqq", "€€€", None, 42])
def test_nonsense_is_unknown(term):
    with pytest.raises(UnknownSector):
        resolve(term)


def test_suggestions_are_at_most_five_distinct_codes():
    found = taxonomy.suggestions("bio")
    assert len(found) <= 5 and len(set(found)) == len(found)
    assert all(re.fullmatch(r"[a-z0-9_]+ \(.+\)", item) for item in found)


@pytest.mark.parametrize("wanted, held, weight, relation", [
    ("biopharmaceuticals", "biopharmaceuticals", 1.0, EXACT),
    ("biopharmaceuticals", "biologics", 0.8, CHILD),                 # child
    ("biopharmaceuticals", "biosimilars", 0.8, CHILD),               # grandchild
    ("biologics", "biosimilars", 0.8, CHILD),
    ("artificial_intelligence", "computer_vision", 0.8, CHILD),
    ("medical_devices", "health_care", 0.5, RELATED),                # related siblings
    ("health_care", "medical_devices", 0.5, RELATED),
    ("batteries", "electric_vehicles", 0.5, RELATED),
    ("biologics", "biopharmaceuticals", 0.0, NONE),                  # a parent is not a child
    ("biologics", "vaccines", 0.0, NONE),                            # siblings, unrelated
    ("medical_devices", "in_vitro_diagnostics", 0.8, CHILD),
    ("health_care", "in_vitro_diagnostics", 0.0, NONE),              # related does not inherit
    ("cosmetics", "semiconductors", 0.0, NONE),
])
def test_affinity_follows_the_hierarchy(wanted, held, weight, relation):
    assert affinity(wanted, held) == (weight, relation)


def test_affinity_weights_are_the_documented_ones():
    assert AFFINITY_WEIGHTS == {EXACT: 1.0, CHILD: 0.8, RELATED: 0.5, NONE: 0.0}


def test_best_affinity_takes_the_best_pair_and_breaks_ties_by_code():
    assert best_affinity({"biopharmaceuticals", "health_care"}, {"biologics", "medical_devices"}) \
        == (0.8, CHILD, "biopharmaceuticals", "biologics")
    assert best_affinity({"cosmetics"}, {"cloud"}) == (0.0, NONE, None, None)
    assert best_affinity({"medical_devices", "health_care"}, {"health_care", "medical_devices"}) \
        == (1.0, EXACT, "health_care", "health_care")


def test_ancestors_walk_up_to_the_top():
    assert list(ancestors("biosimilars")) == ["biologics", "biopharmaceuticals"]
    assert list(ancestors("biopharmaceuticals")) == []


# --- the data ---------------------------------------------------------------------

def test_the_original_codes_stay_valid_and_the_taxonomy_has_grown():
    assert ORIGINAL_CODES <= SECTOR_CODES
    assert 50 <= len(SECTOR_CODES) <= 90
    assert SECTORS["biologics"].parent == "biopharmaceuticals"
    assert "health_care" in SECTORS["medical_devices"].related


@pytest.mark.parametrize("code", sorted(SECTOR_CODES))
def test_every_code_has_three_labels_and_isic_classes(code):
    sector = SECTORS[code]
    assert re.fullmatch(r"[a-z][a-z0-9_]*", code)
    for lang in LANGUAGES:
        assert sector.labels[lang].strip(), (code, lang)
        assert label(code, lang) == sector.labels[lang]
        assert all(term.strip() for term in sector.synonyms[lang])
    assert re.search(r"[\uac00-\ud7a3]", sector.labels["ko"]), "the ko label is Korean"
    assert re.search(r"[\u4e00-\u9fff]", sector.labels["zh"]), "the zh label is Chinese"
    assert sector.isic and all(re.fullmatch(r"\d{4}", isic) for isic in sector.isic)


def test_every_parent_and_related_code_exists_and_related_is_symmetric():
    for sector in SECTORS.values():
        assert sector.parent is None or sector.parent in SECTORS, sector.code
        assert sector.parent != sector.code
        for other in sector.related:
            assert other in SECTORS, (sector.code, other)
            assert sector.code in SECTORS[other].related, f"{other} does not list {sector.code}"
            assert other != sector.code and other != sector.parent


def test_the_hierarchy_has_no_cycles_and_parents_have_children():
    for code in SECTORS:
        assert code not in list(ancestors(code))
        assert len(list(ancestors(code))) <= 2
    parents = {sector.parent for sector in SECTORS.values() if sector.parent}
    assert {"biopharmaceuticals", "artificial_intelligence", "medical_devices"} <= parents


def test_no_term_names_two_codes():
    assert taxonomy.ambiguous_terms() == {}


def test_every_label_synonym_and_code_resolves_to_its_own_code():
    for sector in SECTORS.values():
        for term in taxonomy._terms_of(sector):
            assert resolve(term) == sector.code, term


def test_known_isic_classes_are_where_they_belong():
    assert "2100" in SECTORS["biopharmaceuticals"].isic
    assert "3250" in SECTORS["medical_devices"].isic
    assert "2610" in SECTORS["semiconductors"].isic
    assert "6201" in SECTORS["artificial_intelligence"].isic
    assert "6311" in SECTORS["cloud"].isic
    assert "7210" in SECTORS["research_and_development"].isic
    assert "2720" in SECTORS["batteries"].isic


def test_the_data_file_is_the_source():
    data = json.loads(taxonomy.DATA_FILE.read_text(encoding="utf-8"))
    assert [item["code"] for item in data["sectors"]] == list(SECTORS)
    # every traditional character maps to a different, simplified one
    assert all(len(t) == 1 and len(s) == 1 and t != s for t, s in data["zh_traditional"].items())


# --- the marshmallow fields -------------------------------------------------------------

class Body(Schema):
    sectors = SectorTerms(required=True)
    subscribed = SectorTerms(dedupe=False, load_default=list)
    main = SectorTerm(load_default=None)


def test_sector_terms_load_as_codes_once_each():
    loaded = Body().load({"sectors": ["바이오 의약", "AI", "인공지능", "生技"], "main": "醫療器械",
                          "subscribed": ["AI", "AI"]})
    assert loaded == {"sectors": ["biopharmaceuticals", "artificial_intelligence"],
                      "main": "medical_devices",
                      "subscribed": ["artificial_intelligence", "artificial_intelligence"]}
    assert Body().dump({"sectors": ["biologics"], "main": "cloud", "subscribed": []}) == \
        {"sectors": ["biologics"], "main": "cloud", "subscribed": []}


def test_an_unknown_term_is_refused_at_its_position_with_suggestions():
    with pytest.raises(ValidationError) as caught:
        Body().load({"sectors": ["cloud", "bogus"], "main": 5})
    messages = caught.value.messages
    assert set(messages) == {"sectors", "main"}
    assert list(messages["sectors"]) == [1]
    assert messages["sectors"][1] == [
        "unknown sector 'bogus'; closest known terms: biopharmaceuticals (Biopharmaceuticals)"]
    assert messages["main"] == ["Not a valid string."]


def test_relations_among_the_original_codes_are_unchanged():
    """Other services were built against these; new relations only involve new codes."""
    expected = {("biopharmaceuticals", "biologics"): CHILD,
                ("medical_devices", "health_care"): RELATED,
                ("health_care", "medical_devices"): RELATED}
    for wanted in ORIGINAL_CODES:
        for held in ORIGINAL_CODES:
            relation = EXACT if wanted == held else expected.get((wanted, held), NONE)
            assert affinity(wanted, held)[1] == relation, (wanted, held)
