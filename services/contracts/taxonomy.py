"""The sector taxonomy shared by every service: codes with ko/zh/en labels
and synonyms, a parent for child sectors, related siblings, and the ISIC
Rev. 4 classes each code covers. The data is data/sectors.json.

INTERFACE (fixed: other services code against it):
  SECTOR_CODES             every valid code (the 17 original codes stay valid)
  SECTORS                  code -> Sector
  label(code, lang)        a label in en / ko / zh
  resolve(term)            a code for a code or a free-text term in any of the
                           three languages; raises UnknownSector (with
                           suggestions) otherwise
  ancestors(code)          the parent, its parent, ...
  affinity(wanted, held)   (weight, relation) of a company code `held` for a
                           demand code `wanted`: relation is one of EXACT,
                           CHILD (held is below wanted, at any depth),
                           RELATED, NONE
  best_affinity(wanted_codes, held_codes)
                           the best (weight, relation, wanted, held) over all
                           pairs, ties broken by code order

How a term resolves (resolve): the term and every code, label and synonym are
normalised the same way -- Unicode NFKC, case-folded, traditional Chinese
characters mapped to simplified, whitespace, punctuation and symbols (middle
dots, hyphens, "&", brackets) dropped, the words "and" / "및" and the Chinese
conjunctions 与 / 和 / 及 dropped, English words singularised -- and looked up.
If that fails, a generic trailing word ("industry", "산업", "产业", ...) is
dropped and the rest looked up again. Otherwise UnknownSector carries up to
five suggestions ranked by similarity (difflib, and for Korean the same over
decomposed jamo, so a near spelling still finds its word).
"""
import difflib
import json
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from services.contracts.languages import supported_language

EXACT, CHILD, RELATED, NONE = "exact", "child", "related", "none"

# How much of a sector criterion's weight each relation earns (documented in
# README, "Sectors").
AFFINITY_WEIGHTS = {EXACT: 1.0, CHILD: 0.8, RELATED: 0.5, NONE: 0.0}

DATA_FILE = Path(__file__).with_name("data") / "sectors.json"
LANGUAGES = ("en", "ko", "zh")
MAX_SUGGESTIONS = 5
SUGGESTION_CUTOFF = 0.5
SUGGESTION_WINDOW = 0.2


class Sector(NamedTuple):
    code: str
    labels: dict            # {"en": ..., "ko": ..., "zh": ...}
    parent: str | None
    related: tuple
    isic: tuple             # ISIC Rev. 4 class codes, e.g. ("2100",)
    synonyms: dict          # {"en": [...], "ko": [...], "zh": [...]}


def _load(path=DATA_FILE):
    data = json.loads(path.read_text(encoding="utf-8"))
    sectors = [Sector(item["code"], dict(item["labels"]), item.get("parent"),
                      tuple(item.get("related") or ()), tuple(item.get("isic") or ()),
                      {lang: list((item.get("synonyms") or {}).get(lang) or ())
                       for lang in LANGUAGES})
               for item in data["sectors"]]
    return sectors, dict(data.get("zh_traditional") or {})


_SECTORS, _TRADITIONAL = _load()

SECTORS = {sector.code: sector for sector in _SECTORS}
SECTOR_CODES = frozenset(SECTORS)


class UnknownSector(ValueError):
    def __init__(self, term, suggestions):
        self.term, self.suggestions = term, list(suggestions)
        hint = f"; closest known terms: {', '.join(self.suggestions)}" if self.suggestions else ""
        super().__init__(f"unknown sector {term!r}{hint}")


def label(code, lang="en"):
    return SECTORS[code].labels[supported_language(lang)]


# --- normalisation ------------------------------------------------------------

_DROPPED_WORDS = {"and", "및", "the", "of"}
_CONJUNCTIONS = str.maketrans("", "", "与和及")
_KOREAN_DOTS = {"\u318d", "\u119e", "\u00b7"}  # ㆍ (often typed as a middle dot), ·
# Generic trailing words tried away when a term does not resolve as a whole.
_GENERIC_SUFFIXES = (
    "industry", "sector", "field", "business", "technology", "tech", "company",
    "산업", "분야", "업종", "업계", "기술", "관련",
    "产业", "行业", "领域", "工业", "技术", "科技", "相关", "企业",
)


def _is_separator(char):
    return char in _KOREAN_DOTS or unicodedata.category(char)[0] in "PSZC"


def _singular(word):
    if not word.isascii() or not word.isalpha() or len(word) < 4:
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def normalise(text):
    """The form every term, code, label and synonym is compared in."""
    text = unicodedata.normalize("NFKC", str(text)).casefold()
    text = "".join(_TRADITIONAL.get(char, char) for char in text)
    text = "".join(" " if _is_separator(char) else char for char in text)
    words = [_singular(word) for word in text.replace("_", " ").split()
             if word not in _DROPPED_WORDS]
    return "".join(words).translate(_CONJUNCTIONS)


def _jamo(text):
    """Hangul syllables decomposed into their letters (한 -> ᄒ ᅡ ᆫ)."""
    return unicodedata.normalize("NFD", text)


def _terms_of(sector):
    yield sector.code
    for lang in LANGUAGES:
        yield sector.labels[lang]
        yield from sector.synonyms[lang]


@lru_cache(maxsize=1)
def _index():
    """normalised term -> code, and every (term, codes) that is ambiguous."""
    index, clashes = {}, {}
    for sector in _SECTORS:
        for term in _terms_of(sector):
            key = normalise(term)
            if not key:
                continue
            owner = index.setdefault(key, sector.code)
            if owner != sector.code:
                clashes.setdefault(key, {owner}).add(sector.code)
    return index, clashes


@lru_cache(maxsize=1)
def _suggestion_keys():
    return [(key, _jamo(key), code) for key, code in _index()[0].items()]


def ambiguous_terms():
    """Normalised terms that name more than one code (the data must have none)."""
    return {key: sorted(codes) for key, codes in _index()[1].items()}


def _lookup(key):
    index = _index()[0]
    if key in index:
        return index[key]
    for suffix in _GENERIC_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix) and key[:-len(suffix)] in index:
            return index[key[:-len(suffix)]]
    return None


def suggestions(term, limit=MAX_SUGGESTIONS):
    """Up to `limit` "code (English label)" strings, closest first."""
    key = normalise(term or "")
    if not key:
        return []
    jamo = _jamo(key)
    scored = {}
    for candidate, candidate_jamo, code in _suggestion_keys():
        matcher = difflib.SequenceMatcher(None, key, candidate)
        score = matcher.ratio() if matcher.real_quick_ratio() >= SUGGESTION_CUTOFF else 0.0
        if jamo != key:
            jamo_matcher = difflib.SequenceMatcher(None, jamo, candidate_jamo)
            if jamo_matcher.real_quick_ratio() >= SUGGESTION_CUTOFF:
                score = max(score, jamo_matcher.ratio())
        if min(len(key), len(candidate)) >= 3 and (key in candidate or candidate in key):
            score = max(score, 0.75)
        if score >= SUGGESTION_CUTOFF and score > scored.get(code, 0.0):
            scored[code] = score
    if not scored:
        return []
    # Only those nearly as close as the closest: a clear hit is not buried in noise.
    floor = max(scored.values()) - SUGGESTION_WINDOW
    ranked = sorted((code for code in scored if scored[code] >= floor),
                    key=lambda code: (-scored[code], code))[:limit]
    return [f"{code} ({SECTORS[code].labels['en']})" for code in ranked]


def resolve(term, suggest=True):
    """The code for a code, or for a label or synonym in en / ko / zh. With
    suggest=False an unknown term is refused without the (costly) search
    for the closest terms."""
    if isinstance(term, str) and term in SECTORS:
        return term
    if not isinstance(term, str):
        raise UnknownSector(term, [])
    code = _lookup(normalise(term))
    if code is None:
        raise UnknownSector(term, suggestions(term) if suggest else [])
    return code


# --- hierarchy -------------------------------------------------------------------

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
