"""Calendar arithmetic for the founding criterion: whole calendar months,
and a company's age in years as shown."""
import math
from datetime import date
from fractions import Fraction


def add_months(start, months):
    """`start` moved by whole calendar months; a day the target month lacks
    (31st, 29 February) becomes that month's last day."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for day in (start.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def years_elapsed(start, today):
    """Whole calendar years since `start` plus the elapsed share of the
    current one, rounded down to a tenth, so the figure shown never claims an
    age the company has not reached yet."""
    if start > today:
        return 0.0
    years = today.year - start.year
    if add_months(start, 12 * years) > today:
        years -= 1
    last = add_months(start, 12 * years)
    following = add_months(start, 12 * (years + 1))
    exact = years + Fraction((today - last).days, (following - last).days)
    return math.floor(exact * 10) / 10


def required_months(minimum_years):
    """A requirement in years, taken in whole calendar months."""
    return round(minimum_years * 12)
