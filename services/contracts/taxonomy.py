"""The sector taxonomy shared by every service: codes with ko/zh/en labels
and synonyms, a parent for child sectors, related siblings, and the ISIC
Rev. 4 classes each code covers.

INTERFACE (fixed; issue #3 fills in the data and the free-text resolver):
  SECTOR_CODES             every valid code (the 16 original codes stay valid)
  label(code, lang)        a label in en / ko / zh
  resolve(term)            a code for a code or a free-text term in any of the
                           three languages; raises UnknownSector (with
                           suggestions) otherwise
  affinity(wanted, held)   (weight, relation) of a company code `held` for a
                           demand code `wanted`: relation is one of EXACT,
                           CHILD (held is below wanted), RELATED, NONE
  best_affinity(wanted_codes, held_codes)
                           the best (weight, relation, wanted, held) over all
                           pairs, ties broken by code order
"""
from typing import NamedTuple

EXACT, CHILD, RELATED, NONE = "exact", "child", "related", "none"

# How much of a sector criterion's weight each relation earns (documented in
# README, "How a match is scored").
AFFINITY_WEIGHTS = {EXACT: 1.0, CHILD: 0.8, RELATED: 0.5, NONE: 0.0}


class Sector(NamedTuple):
    code: str
    labels: dict            # {"en": ..., "ko": ..., "zh": ...}
    parent: str | None
    related: tuple
    isic: tuple             # ISIC Rev. 4 class codes, e.g. ("2100",)
    synonyms: dict          # {"en": [...], "ko": [...], "zh": [...]}


def _sector(code, en, ko, zh, parent=None, related=(), isic=(), synonyms=None):
    return Sector(code, {"en": en, "ko": ko, "zh": zh}, parent, tuple(related), tuple(isic),
                  synonyms or {"en": [], "ko": [], "zh": []})


_SECTORS = [
    _sector("biopharmaceuticals", "Biopharmaceuticals", "바이오의약", "生物医药", isic=("2100",)),
    _sector("medical_devices", "Medical devices", "의료기기", "医疗器械",
            related=("health_care",), isic=("3250", "2660")),
    _sector("health_care", "Health care", "헬스케어", "健康医疗",
            related=("medical_devices",), isic=("8690",)),
    _sector("advanced_manufacturing", "Advanced manufacturing", "첨단제조", "先进制造",
            isic=("2829",)),
    _sector("food_processing", "Food processing", "식품가공", "食品加工", isic=("1079",)),
    _sector("cosmetics", "Cosmetics and beauty", "화장품·뷰티", "化妆品", isic=("2023",)),
    _sector("new_materials", "New materials", "신소재", "新材料", isic=("2029",)),
    _sector("semiconductors", "Semiconductors and equipment", "반도체·장비", "半导体及设备",
            isic=("2610",)),
    _sector("cloud", "Cloud computing", "클라우드", "云计算", isic=("6311",)),
    _sector("artificial_intelligence", "Artificial intelligence", "인공지능", "人工智能",
            isic=("6201",)),
    _sector("consumer_electronics", "Consumer electronics", "가전·스마트기기", "消费电子",
            isic=("2640",)),
    _sector("agriculture_seed", "Agriculture and seed R&D", "농업·종자", "农业种业",
            isic=("0130",)),
    _sector("renewable_energy", "Renewable energy", "신재생에너지", "可再生能源", isic=("3510",)),
    _sector("education", "Education and training", "교육·훈련", "教育培训", isic=("8549",)),
    _sector("startup_services", "Start-up services and acceleration", "창업지원·액셀러레이팅",
            "创业服务", isic=("7020",)),
    _sector("technology_transfer", "Technology transfer and commercialisation",
            "기술이전·사업화", "技术转移", isic=("7490",)),
    _sector("biologics", "Biologics", "바이오의약품(생물학적제제)", "生物制品",
            parent="biopharmaceuticals", isic=("2100",)),
]

SECTORS = {sector.code: sector for sector in _SECTORS}
SECTOR_CODES = frozenset(SECTORS)
LANGUAGES = ("en", "ko", "zh")


class UnknownSector(ValueError):
    def __init__(self, term, suggestions):
        self.term, self.suggestions = term, list(suggestions)
        hint = f"; closest known terms: {', '.join(self.suggestions)}" if self.suggestions else ""
        super().__init__(f"unknown sector {term!r}{hint}")


def label(code, lang="en"):
    return SECTORS[code].labels[lang if lang in LANGUAGES else "en"]


def resolve(term):
    """A code for a code or a label (the full resolver comes with issue #3)."""
    text = (term or "").strip()
    if text in SECTORS:
        return text
    for sector in _SECTORS:
        if text.casefold() in (value.casefold() for value in sector.labels.values()):
            return sector.code
    raise UnknownSector(term, [])


def ancestors(code):
    parent = SECTORS[code].parent
    while parent is not None:
        yield parent
        parent = SECTORS[parent].parent


def affinity(wanted, held):
    if wanted == held:
        return AFFINITY_WEIGHTS[EXACT], EXACT
    if wanted in ancestors(held):
        return AFFINITY_WEIGHTS[CHILD], CHILD
    if held in SECTORS[wanted].related or wanted in SECTORS[held].related:
        return AFFINITY_WEIGHTS[RELATED], RELATED
    return AFFINITY_WEIGHTS[NONE], NONE


def best_affinity(wanted_codes, held_codes):
    best = (0.0, NONE, None, None)
    for wanted in sorted(wanted_codes):
        for held in sorted(held_codes):
            weight, relation = affinity(wanted, held)
            if weight > best[0]:
                best = (weight, relation, wanted, held)
    return best
