"""The events' contracts allow nothing their consumers cannot process:
matching's use cases take a company and a demand at every maximum the
contract allows, on a real migrated database, and find the match; one past
a maximum cannot even be emitted."""
from datetime import date

import pytest

from services.contracts import ContractError, limits, make_event, parse_event
from services.contracts.events import REGISTRY
from services.contracts.taxonomy import SECTORS
from services.contracts.vocabulary import CERTIFICATIONS, FACILITIES, INCENTIVES
from services.matching import domain, storage, usecases
from services.platform.db import Database
from services.platform.nameko_ext import BoundDatabase

TODAY = date.today()
SECTOR_CODES = sorted(SECTORS)
MARKETS = [f"{i:02d}" + "m" * (limits.MARKET_MAX - 2) for i in range(limits.EXPORT_MARKETS_MAX)]


DATES = ("founded_on", "valid_from", "valid_until")


@pytest.fixture
def db(database_url):
    database = Database(database_url("matching"), "matching")
    yield BoundDatabase(database, None)
    database.dispose()


def names(length):
    return {"en": "E" * length, "ko": "한" * length, "zh": "中" * length}


def extreme_company(**overrides):
    return {
        "company_id": "c-max", "version": 1, "names": names(limits.NAME_MAX), "country": "KR",
        "sectors": SECTOR_CODES[:limits.COMPANY_SECTORS_MAX], "founded_on": "1900-01-01",
        "patents": limits.PATENTS_MAX, "funding_raised_krw": limits.KRW_MAX,
        "market_validation": True, "certifications": sorted(CERTIFICATIONS),
        "space_needed_m2": limits.AREA_M2_MAX, "facilities_needed": list(FACILITIES),
        "headcount": limits.HEADCOUNT_MAX, "export_markets": MARKETS,
        "incentives_wanted": list(INCENTIVES), **overrides}


def extreme_criteria():
    weight = limits.WEIGHT_MAX
    return [
        {"kind": "sectors", "value": SECTOR_CODES[:limits.SECTORS_MAX], "weight": weight},
        {"kind": "space", "value": limits.AREA_M2_MAX, "weight": weight},
        {"kind": "facilities", "value": list(FACILITIES), "weight": weight},
        {"kind": "incentives", "value": list(INCENTIVES), "required": False, "weight": weight},
        {"kind": "min_patents", "value": limits.PATENTS_MAX, "weight": weight},
        {"kind": "min_years_since_founding", "value": 100, "weight": weight},
        {"kind": "funding_or_market_validation", "value": True, "weight": weight},
        {"kind": "certification_any_of", "value": sorted(CERTIFICATIONS), "weight": weight},
        {"kind": "headcount", "value": {"min": 0, "max": limits.HEADCOUNT_MAX}, "weight": weight},
        {"kind": "export_markets", "value": MARKETS, "weight": weight},
    ]


def extreme_demand(**overrides):
    region = {"country": "CN", "province": "P" * limits.CITY_MAX, "city": "C" * limits.CITY_MAX}
    return {
        "demand_id": "d-max", "version": 1, "title": "T" * limits.TITLE_MAX,
        "park": {"park_id": "p-max", "version": 1, "names": names(limits.NAME_MAX),
                 "region": region},
        "sectors": SECTOR_CODES[:limits.SECTORS_MAX], "space_offered_m2": limits.AREA_M2_MAX,
        "facilities": list(FACILITIES), "incentives": list(INCENTIVES),
        "criteria": extreme_criteria(), "places": limits.PLACES_MAX,
        "valid_from": TODAY.isoformat(), "valid_until": "2200-12-31", "status": "open",
        **overrides}


def delivered(event_type, payload, producer="profiles"):
    """The event as a consumer receives it: validated by its producer, then
    through the wire format."""
    loaded = REGISTRY[(event_type, 1)].load(payload)
    return parse_event(make_event(event_type, loaded, producer=producer).to_message())


def test_a_company_and_a_demand_at_every_maximum_are_matched(db):
    assert usecases.company_changed(db, delivered("company.registered", extreme_company())) == []
    found = usecases.demand_changed(db, delivered("park_demand.published", extreme_demand()))
    assert found == ["match.found"]
    match = db.run(lambda uow: storage.get_match(uow.connection,
                                                 domain.match_id("c-max", "d-max")))
    assert match["status"] == "active"


def test_updates_at_the_extremes_reevaluate_without_error(db):
    usecases.demand_changed(db, delivered("park_demand.published", extreme_demand()))
    usecases.company_changed(db, delivered("company.registered", extreme_company()))
    smallest = extreme_company(version=2, patents=0, funding_raised_krw=0, space_needed_m2=0,
                               headcount=0, certifications=[], facilities_needed=[],
                               export_markets=[], incentives_wanted=[])
    assert usecases.company_changed(db, delivered("company.updated", smallest)) == \
        ["match.withdrawn"]
    fewest = extreme_demand(version=2, places=1, criteria=[], space_offered_m2=0)
    assert usecases.demand_changed(db, delivered("park_demand.updated", fewest)) == \
        ["match.found"]


@pytest.mark.parametrize("event_type, payload, field", [
    ("company.registered", extreme_company(patents=10**30), "patents"),
    ("company.registered", extreme_company(funding_raised_krw=limits.KRW_MAX + 1),
     "funding_raised_krw"),
    ("company.registered", extreme_company(headcount=limits.HEADCOUNT_MAX + 1), "headcount"),
    ("company.registered", extreme_company(space_needed_m2=limits.AREA_M2_MAX + 1),
     "space_needed_m2"),
    ("company.registered", extreme_company(export_markets=MARKETS + ["XX"]), "export_markets"),
    ("park_demand.published", extreme_demand(places=limits.PLACES_MAX + 1), "places"),
    ("park_demand.published", extreme_demand(space_offered_m2=limits.AREA_M2_MAX + 1),
     "space_offered_m2"),
    ("park_demand.published", extreme_demand(criteria=[
        {"kind": "min_patents", "value": limits.PATENTS_MAX + 1}]), "criteria"),
])
def test_one_past_a_maximum_cannot_be_emitted(event_type, payload, field):
    dated = {key: date.fromisoformat(value) if key in DATES else value
             for key, value in payload.items()}     # as a producer holds it
    with pytest.raises(ContractError) as refused:
        make_event(event_type, dated, producer="profiles")
    assert list(refused.value.errors) == [field]
