"""Vectorised matching with numpy: one company against N demands, or M
companies against N demands in blocks, without a Python loop per pair.

Demands and companies are encoded once as arrays (sector, facility,
certification, incentive and market bitsets; numeric thresholds; weights in
hundredths; required flags; "company did not say" flags). `evaluate` then
computes, for every pair, exactly what `domain.assess` computes: whether it
is a match, whether it is a near miss, how many hard criteria fail, and the
score (in tenths, with the same integer half-up rounding). The property test
tests/unit/test_matching_engine.py holds the two to identical results on
random data. This module builds and encodes the arrays; the per-pair
arithmetic is in `vectorised.py`.

The engine is the prefilter: use cases build the explained evaluation
(`domain.evaluate`, with texts in three languages) only for the pairs it
keeps (matches and near misses) and for pairs that already have a match or
near miss. Pure: no broker, no database.
"""
import numpy as np

from services.contracts import taxonomy
from services.contracts.vocabulary import CERTIFICATIONS, FACILITIES, INCENTIVES

from . import domain
from .vectorised import evaluate_pairs

_ONE = np.uint64(1)
_BIG = np.int64(2 ** 62)


class Vocabulary:
    """Codes -> bit positions, in as many 64-bit words as needed."""

    def __init__(self, codes):
        self.index = {code: i for i, code in enumerate(sorted(set(codes)))}
        self.words = max(1, (len(self.index) + 63) // 64)

    def mask(self, codes, key=lambda code: code):
        """(bits, whether some code has no bit)."""
        out = np.zeros(self.words, np.uint64)
        missing = False
        for code in codes or ():
            position = self.index.get(key(code))
            if position is None:
                missing = True
                continue
            out[position >> 6] |= _ONE << np.uint64(position & 63)
        return out, missing


KINDS = tuple(domain.EVALUATORS)
_SECTOR_LEVELS = {}  # (wanted codes, credit levels) -> bits per level
_CODE_LEVELS = {}    # (one wanted code, credit levels) -> bit sets per level


class DemandIndex:
    """N demands as arrays. Build once; evaluate many companies against it."""

    def __init__(self, demands):
        self.demands = list(demands)
        self.ids = [d["demand_id"] for d in self.demands]
        criteria = [domain.criteria_of(d) for d in self.demands]
        self._build_vocabularies(criteria)
        self.arrays = self._empty_arrays(len(self.demands))
        level_of = {w: i for i, w in enumerate(self.levels)}
        for j, (demand, listed) in enumerate(zip(self.demands, criteria, strict=True)):
            self._put_demand(j, demand, listed, level_of)
        # kinds no demand uses are skipped in every evaluation
        self.kinds = [k for k in KINDS if self.arrays[f"{k}.present"].any()]

    def _build_vocabularies(self, criteria):
        """The bit positions of every code set, and the credit levels of the
        sector criterion. Facilities and export markets also take the codes
        the demands use (a market is free text)."""
        self.sectors = Vocabulary(taxonomy.SECTOR_CODES)
        used = {kind: [c["value"] for listed in criteria for c in listed if c["kind"] == kind]
                for kind in ("facilities", "export_markets")}
        self.facilities = Vocabulary(list(FACILITIES) + [
            code for value in used["facilities"] for code in value])
        self.incentives = Vocabulary(INCENTIVES)
        self.certifications = Vocabulary(CERTIFICATIONS)
        self.markets = Vocabulary([domain.market_key(market) for value in used["export_markets"]
                                   for market in value])
        # credit levels of the sector criterion: distinct affinity weights
        self.levels = sorted({round(w * 100) for w in taxonomy.AFFINITY_WEIGHTS.values()
                              if w > 0}, reverse=True)

    def _empty_arrays(self, n):
        """One row per demand for every criterion kind; a criterion a demand
        does not set stays absent (and its thresholds let everything pass)."""
        a = {}
        for kind in KINDS:
            a[f"{kind}.present"] = np.zeros(n, bool)
            a[f"{kind}.required"] = np.zeros(n, bool)
            a[f"{kind}.weight"] = np.zeros(n, np.int64)
        a["sectors.levels"] = np.zeros((len(self.levels), n, self.sectors.words), np.uint64)
        a["space.value"] = np.zeros(n, np.int64)
        a["facilities.value"] = np.zeros((n, self.facilities.words), np.uint64)
        a["incentives.value"] = np.zeros((n, self.incentives.words), np.uint64)
        a["min_patents.value"] = np.zeros(n, np.int64)
        a["min_years_since_founding.value"] = np.zeros(n, np.int64)
        a["certification_any_of.value"] = np.zeros((n, self.certifications.words), np.uint64)
        a["headcount.min"] = np.full(n, -1, np.int64)
        a["headcount.max"] = np.full(n, _BIG, np.int64)
        a["export_markets.value"] = np.zeros((n, self.markets.words), np.uint64)
        a["open"] = np.zeros(n, bool)
        a["valid_from"] = np.zeros(n, np.int64)
        a["valid_until"] = np.full(n, _BIG, np.int64)
        return a

    def _put_demand(self, j, demand, criteria, level_of):
        """Row `j`: the demand's dates and status, and each of its criteria."""
        a = self.arrays
        a["open"][j] = demand["status"] == domain.OPEN
        a["valid_from"][j] = demand["valid_from"].toordinal()
        if demand.get("valid_until") is not None:
            a["valid_until"][j] = demand["valid_until"].toordinal()
        for c in criteria:
            kind = c["kind"]
            a[f"{kind}.present"][j] = True
            a[f"{kind}.required"][j] = c["required"]
            a[f"{kind}.weight"][j] = domain.weight_units(c["weight"])
            self._put_value(j, kind, c["value"], level_of)

    def _put_value(self, j, kind, value, level_of):
        """Row `j` of the criterion's own arrays: what the demand asks for."""
        a = self.arrays
        if kind == "sectors":
            a["sectors.levels"][:, j] = self._sector_levels(tuple(sorted(value)), level_of)
        elif kind == "space":
            a["space.value"][j] = value
        elif kind in ("facilities", "incentives", "certification_any_of"):
            vocab = {"facilities": self.facilities, "incentives": self.incentives,
                     "certification_any_of": self.certifications}[kind]
            a[f"{kind}.value"][j] = vocab.mask(value)[0]
        elif kind == "min_patents":
            a["min_patents.value"][j] = value
        elif kind == "min_years_since_founding":
            a["min_years_since_founding.value"][j] = domain.required_months(value)
        elif kind == "headcount":
            if value.get("min") is not None:
                a["headcount.min"][j] = value["min"]
            if value.get("max") is not None:
                a["headcount.max"][j] = value["max"]
        elif kind == "export_markets":
            a["export_markets.value"][j] = self.markets.mask(value, domain.market_key)[0]

    def __len__(self):
        return len(self.ids)

    def _sector_levels(self, wanted, level_of):
        """Per credit level, the company sector codes whose best affinity to
        the wanted codes earns exactly that credit (memoised per code set).
        Built from each wanted code's own levels as Python integers: the best
        affinity over a set is, level by level from the highest, the union of
        its codes' bits less what a higher level already took."""
        key = (wanted, tuple(self.levels))
        if key not in _SECTOR_LEVELS:
            taken, levels = 0, np.zeros((len(self.levels), self.sectors.words), np.uint64)
            per_code = [self._code_levels(code, level_of) for code in wanted]
            for i in range(len(self.levels)):
                bits = 0
                for code_levels in per_code:
                    bits |= code_levels[i]
                bits &= ~taken
                taken |= bits
                for word in range(self.sectors.words):
                    levels[i, word] = (bits >> (64 * word)) & 0xFFFF_FFFF_FFFF_FFFF
            _SECTOR_LEVELS[key] = levels
        return _SECTOR_LEVELS[key]

    def _code_levels(self, wanted, level_of):
        """One wanted code: per credit level, the held codes (as an integer
        bit set) whose affinity to it earns that credit."""
        key = (wanted, tuple(self.levels))
        if key not in _CODE_LEVELS:
            levels = [0] * len(self.levels)
            for held in taxonomy.SECTOR_CODES:
                weight = taxonomy.affinity(wanted, held)[0]
                if weight > 0:
                    levels[level_of[round(weight * 100)]] |= 1 << self.sectors.index[held]
            _CODE_LEVELS[key] = levels
        return _CODE_LEVELS[key]

    # --- companies -------------------------------------------------------------

    def encode(self, companies):
        """M companies as arrays against this index's vocabularies."""
        companies = list(companies)
        m = len(companies)
        c = {
            "sectors": np.zeros((m, self.sectors.words), np.uint64),
            "space.need": np.zeros(m, np.int64), "space.has": np.zeros(m, bool),
            "facilities.need": np.zeros((m, self.facilities.words), np.uint64),
            "facilities.has": np.zeros(m, bool), "facilities.extra": np.zeros(m, bool),
            "incentives.want": np.zeros((m, self.incentives.words), np.uint64),
            "incentives.has": np.zeros(m, bool),
            "patents": np.zeros(m, np.int64), "patents.known": np.zeros(m, bool),
            "founded.y": np.zeros(m, np.int64), "founded.m": np.zeros(m, np.int64),
            "founded.d": np.zeros(m, np.int64), "founded.known": np.zeros(m, bool),
            "funding.positive": np.zeros(m, bool), "funding.known": np.zeros(m, bool),
            "validated": np.zeros(m, bool), "validated.known": np.zeros(m, bool),
            "certs": np.zeros((m, self.certifications.words), np.uint64),
            "certs.known": np.zeros(m, bool),
            "headcount": np.zeros(m, np.int64), "headcount.known": np.zeros(m, bool),
            "markets": np.zeros((m, self.markets.words), np.uint64),
            "markets.known": np.zeros(m, bool),
        }
        for i, co in enumerate(companies):
            c["sectors"][i] = self.sectors.mask(co["sectors"])[0]
            if co.get("space_needed_m2") is not None:
                c["space.need"][i], c["space.has"][i] = co["space_needed_m2"], True
            if co.get("facilities_needed"):
                c["facilities.need"][i], c["facilities.extra"][i] = \
                    self.facilities.mask(co["facilities_needed"])
                c["facilities.has"][i] = True
            if co.get("incentives_wanted"):
                c["incentives.want"][i] = self.incentives.mask(co["incentives_wanted"])[0]
                c["incentives.has"][i] = True
            if co.get("patents") is not None:
                c["patents"][i], c["patents.known"][i] = co["patents"], True
            founded = co.get("founded_on")
            if founded is not None:
                c["founded.y"][i], c["founded.m"][i], c["founded.d"][i] = \
                    founded.year, founded.month, founded.day
                c["founded.known"][i] = True
            funding = co.get("funding_raised_krw")
            if funding is not None:
                c["funding.known"][i], c["funding.positive"][i] = True, funding > 0
            validated = co.get("market_validation")
            if validated is not None:
                c["validated.known"][i], c["validated"][i] = True, validated is True
            if co.get("certifications") is not None:
                c["certs"][i] = self.certifications.mask(co["certifications"])[0]
                c["certs.known"][i] = True
            if co.get("headcount") is not None:
                c["headcount"][i], c["headcount.known"][i] = co["headcount"], True
            if co.get("export_markets") is not None:
                c["markets"][i] = self.markets.mask(co["export_markets"], domain.market_key)[0]
                c["markets.known"][i] = True
        return c

    # --- evaluation ------------------------------------------------------------------

    def evaluate(self, companies, today, demand_rows=None, scores="kept"):
        """Every pair of the encoded companies (M) and this index's demands
        (or the rows given) -> dict of (M, N) arrays: qualifies, near_miss,
        hard (failed hard criteria) and score_tenths (for the pairs kept,
        i.e. matches and near misses, or for all pairs with scores="all";
        -1 elsewhere)."""
        rows = slice(None) if demand_rows is None else demand_rows
        d = {k: v[rows] if k != "sectors.levels" else v[:, rows]
             for k, v in self.arrays.items()}
        return evaluate_pairs(companies, d, self.kinds, self.levels, today, scores)

    def evaluate_company(self, company, today, scores="kept"):
        """One company snapshot against every demand: (N,) arrays."""
        result = self.evaluate(self.encode([company]), today, scores=scores)
        return {k: v[0] for k, v in result.items()}

    def candidates(self, company, today):
        """Positions of demands where the company is a match or a near miss."""
        result = self.evaluate_company(company, today, scores="none")
        return np.flatnonzero(result["qualifies"] | result["near_miss"])

    def evaluate_blocks(self, companies, today, block=2048, scores="kept"):
        """M x N in blocks of companies: yields (first company row, results)."""
        m = len(companies["patents"])
        for start in range(0, m, block):
            part = {k: v[start:start + block] for k, v in companies.items()}
            yield start, evaluate_pairs(part, self.arrays, self.kinds, self.levels, today, scores)
