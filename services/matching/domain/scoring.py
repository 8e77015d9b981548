"""The score of a match: weights and credits in whole hundredths, so that the
numpy engine and this module compute the very same number."""
from .criteria import MET, NOT_MET, UNKNOWN, UNKNOWN_CREDIT


def weight_units(weight):
    return round(float(weight) * 100)


def credit_units(outcome):
    credit = outcome.get("credit")
    if credit is None:
        credit = {MET: 1.0, NOT_MET: 0.0, UNKNOWN: UNKNOWN_CREDIT}[outcome["outcome"]]
    return round(float(credit) * 100)


def score_from_units(earned, total):
    """100 x earned / total to one decimal, half up: with earned = sum of
    weight x credit and total = sum of weight x 100, both in hundredths."""
    if not total:
        return 0.0
    return ((2000 * earned + total) // (2 * total)) / 10


def score(outcomes):
    """100 x (sum of weight x credit) / (sum of weight), to one decimal (half
    up, not Python's round-half-even). Credit: 1 met, 0 not met, 0.5 unknown;
    the sector criterion earns its affinity (1 exact, 0.8 child, 0.5 related)."""
    total = sum(weight_units(o["weight"]) * 100 for o in outcomes)
    earned = sum(weight_units(o["weight"]) * credit_units(o) for o in outcomes)
    return score_from_units(earned, total)
