"""The vectorised evaluation of (company, demand) pairs, on the arrays
`engine.DemandIndex` builds and encodes: for every pair, exactly what
`domain.assess` computes (match, near miss, failed hard criteria, score in
tenths with the same integer half-up rounding). Pure: no broker, no database.

Each criterion kind is written once (`_terms`) against an accessor that
addresses either every pair of M companies x N demands (`_Dense`, for the
hard-criteria pass) or chosen pairs as 1-D arrays (`_Pairs`, for scoring)."""
import calendar
from datetime import date

import numpy as np

from . import domain

MET_CREDIT = 100                                  # hundredths
UNKNOWN_CREDIT = round(domain.UNKNOWN_CREDIT * 100)


def _hit(a, b):
    """Any common bit, over the last (word) axis. Word by word: numpy's
    reduction over a short last axis costs several times more than a few
    element-wise passes."""
    hit = (a[..., 0] & b[..., 0]) != 0
    for word in range(1, a.shape[-1]):
        hit |= (a[..., word] & b[..., word]) != 0
    return hit


def _covers(offered, needed):
    """Every needed bit is offered."""
    covered = (needed[..., 0] & ~offered[..., 0]) == 0
    for word in range(1, offered.shape[-1]):
        covered &= (needed[..., word] & ~offered[..., word]) == 0
    return covered


def _months_since(c, today):
    """Whole calendar months from founding to today (domain.add_months:
    a day the month lacks is its last day)."""
    days_in_month = calendar.monthrange(today.year, today.month)[1]
    months = (today.year - c["founded.y"]) * 12 + (today.month - c["founded.m"])
    return months - (np.minimum(c["founded.d"], days_in_month) > today.day)


class _Dense:
    """Accessors for every (company, demand) pair of M companies x N demands."""

    def __init__(self, c, d):
        self.c, self.d = c, d

    def company(self, name):
        return self.c[name][:, None]

    def demand(self, name):
        return self.d[name][None, :]

    def company_bits(self, name):
        return self.c[name][:, None, :]

    def demand_bits(self, name):
        return self.d[name][None, :, :]

    def sector_level(self, i):
        return self.d["sectors.levels"][i][None, :, :]


class _Pairs:
    """Accessors for chosen pairs: company rows `ci` with demand rows `di`."""

    def __init__(self, c, d, ci, di):
        self.c, self.d, self.ci, self.di = c, d, ci, di

    def company(self, name):
        return self.c[name][self.ci]

    def demand(self, name):
        return self.d[name][self.di]

    company_bits = company
    demand_bits = demand

    def sector_level(self, i):
        return self.d["sectors.levels"][i][self.di]


def _terms(kind, at, levels):
    """(applies, met, unknown, credit) of one criterion kind for the pairs
    `at` addresses; applies/unknown None when always/never, credit None when
    it follows from met/unknown."""
    company, demand = at.company, at.demand
    if kind == "sectors":
        held = at.company_bits("sectors")
        credit = None
        for i, level in enumerate(levels):  # highest first: keep the first hit
            hit = _hit(held, at.sector_level(i))
            credit = np.where(hit, level, 0) if credit is None else \
                np.where((credit == 0) & hit, level, credit)
        return None, credit > 0, None, credit
    if kind == "space":
        return company("space.has"), company("space.need") <= demand("space.value"), None, None
    if kind == "facilities":
        covered = _covers(at.demand_bits("facilities.value"), at.company_bits("facilities.need"))
        return company("facilities.has"), covered & ~company("facilities.extra"), None, None
    if kind == "incentives":
        return company("incentives.has"), _hit(at.company_bits("incentives.want"),
                                               at.demand_bits("incentives.value")), None, None
    if kind == "min_patents":
        known = company("patents.known")
        return None, known & (company("patents") >= demand("min_patents.value")), ~known, None
    if kind == "min_years_since_founding":
        known = company("founded.known")
        return None, known & (company("months") >= demand(f"{kind}.value")), ~known, None
    if kind == "funding_or_market_validation":
        met = company("funding.positive") | company("validated")
        return None, met, ~met & ~(company("funding.known") & company("validated.known")), None
    if kind == "certification_any_of":
        known = company("certs.known")
        return None, known & _hit(at.company_bits("certs"), at.demand_bits(f"{kind}.value")), \
            ~known, None
    if kind == "headcount":
        known, size = company("headcount.known"), company("headcount")
        within = (size >= demand("headcount.min")) & (size <= demand("headcount.max"))
        return None, known & within, ~known, None
    if kind == "export_markets":
        known = company("markets.known")
        return None, known & _hit(at.company_bits("markets"), at.demand_bits(f"{kind}.value")), \
            ~known, None
    raise ValueError(kind)


def _scores(at, kinds, levels, shape):
    """Score in tenths: 100 x sum(weight x credit) / sum(weight), half up,
    in whole hundredths like domain.score."""
    earned = np.zeros(shape, np.int64)
    total = np.zeros(shape, np.int64)
    for kind in kinds:
        applies, met, unknown, credit = _terms(kind, at, levels)
        where = at.demand(f"{kind}.present")
        if applies is not None:
            where = where & applies
        weights = np.where(where, at.demand(f"{kind}.weight"), 0)
        if credit is None:
            credit = np.where(met, MET_CREDIT, 0)
            if unknown is not None:
                credit = np.where(unknown, UNKNOWN_CREDIT, credit)
        total += weights * 100
        earned += weights * credit
    return np.where(total > 0, (2000 * earned + total) // np.maximum(2 * total, 1), 0)


def evaluate_pairs(c, d, kinds, levels, today, scores="kept"):
    """The pairs of companies `c` (M rows) and demands `d` (N rows).

    Pass 1, dense, counts failed hard criteria only (booleans; kinds no
    demand here requires are skipped). Pass 2 scores only the pairs asked
    for (matches and near misses by default), gathered as 1-D arrays."""
    c = dict(c, months=_months_since(c, today))
    m, n = len(c["patents"]), len(d["open"])
    dense = _Dense(c, d)
    hard = np.zeros((m, n), np.uint8)
    sector_failed = np.zeros((m, n), bool)
    for kind in kinds:
        required = d[f"{kind}.present"] & d[f"{kind}.required"]
        if not required.any():
            continue  # a preference everywhere: it never fails a pair
        applies, met, _, _ = _terms(kind, dense, levels)
        failed = required[None, :] & ~met
        if applies is not None:
            failed &= applies
        hard += failed
        if kind == "sectors":
            sector_failed = failed

    day = today.toordinal() if isinstance(today, date) else int(today)
    is_open = (d["open"] & (d["valid_from"] <= day) & (d["valid_until"] >= day))[None, :]
    qualifies = is_open & (hard == 0)
    near_miss = is_open & (hard >= 1) & (hard <= domain.NEAR_MISS_MAX_GAPS) & ~sector_failed
    score_tenths = np.full((m, n), -1, np.int64)
    if scores != "none":
        if scores == "all":
            ci, di = np.divmod(np.arange(m * n), n)
        else:
            ci, di = np.nonzero(qualifies | near_miss)
        if len(ci):
            score_tenths[ci, di] = _scores(_Pairs(c, d, ci, di), kinds, levels, len(ci))
    return {"qualifies": qualifies, "near_miss": near_miss, "hard": hard,
            "score_tenths": score_tenths}
