"""The directory's search: which parks and companies a term finds. Plain
Python on plain dicts.

A term finds a record when it is a case-insensitive substring of one of its
names (ko / zh / en) or, for parks, of its city or province; a term that is
a sector (in any of the three languages, through the taxonomy) also finds
the parks with an open demand in that sector, and a company's sector filter
finds the companies in it. Sectors match along the hierarchy: a child
sector finds its parent's demands and the other way round."""
import unicodedata

from services.contracts import taxonomy


def folded(text):
    return unicodedata.normalize("NFKC", str(text or "")).casefold().strip()


def sector_of(term):
    """The sector code a term stands for, or None."""
    if not folded(term):
        return None
    try:
        return taxonomy.resolve(term)
    except taxonomy.UnknownSector:
        return None


def sectors_meet(code, codes):
    """Whether the sector `code` is one of `codes`, above or below one."""
    return any(code == other or code in taxonomy.ancestors(other)
               or other in taxonomy.ancestors(code) for other in codes if other)


def _in_texts(needle, texts):
    return any(needle in folded(text) for text in texts if text)


def is_open(demand, today):
    """Open and inside its validity window today."""
    start, end = demand.get("valid_from"), demand.get("valid_until")
    return (demand.get("status") == "open" and (start is None or start <= today)
            and (end is None or today <= end))


def park_found(park, open_demands, term, sector):
    """Whether `term` (already folded; blank finds all) finds the park."""
    if not term:
        return True
    names = (park.get("names") or {}).values()
    region = park.get("region") or {}
    if _in_texts(term, [*names, region.get("city"), region.get("province")]):
        return True
    return sector is not None and any(sectors_meet(sector, demand.get("sectors") or ())
                                      for demand in open_demands)


def company_found(company, term, sector):
    """Whether the folded `term` (blank: any) and the sector code (None: any)
    both find the company."""
    if term and not _in_texts(term, (company.get("names") or {}).values()):
        return False
    return sector is None or sectors_meet(sector, company.get("sectors") or ())
