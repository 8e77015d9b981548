"""Every limited field at its maximum is accepted, one past it is a 422
naming the field (and the limit), through the real schemas; the README
lists every limit."""
import copy
import re
from pathlib import Path

import pytest

from services.accounts import schemas as accounts
from services.agreements import schemas as agreements
from services.contracts import events, limits
from services.contracts.errors import InvalidInput
from services.contracts.taxonomy import SECTORS
from services.contracts.vocabulary import CERTIFICATIONS, FACILITIES
from services.matching.allocation.schemas import DemandPreferencesIn
from services.notifications import schemas as notifications
from services.platform.validation import load_input
from services.profiles import schemas as profiles
from tests.factories import company_body, demand_body, park_body

SECTOR_CODES = sorted(SECTORS)
SHA = "a" * 64


def url(length):
    head = "https://example.com/"
    return head + "a" * (length - len(head))


def email(local=10, total=None):
    if not total:
        return "a" * local + "@example.com"
    domain = "b" * (total - local - 5)      # labels of at most 63 characters
    labels = [domain[i:i + 60] for i in range(0, len(domain), 61)]
    domain = ".".join(labels)
    return "a" * local + "@" + domain + "b" * (total - local - 5 - len(domain)) + ".com"


def company_snapshot(**overrides):
    return {"company_id": "c1", "version": 1, "names": {"en": "X"}, "country": "KR",
            "sectors": ["biopharmaceuticals"], **overrides}


def demand_snapshot(**overrides):
    return {"demand_id": "d1", "version": 1, "title": "A demand", "sectors": ["biopharmaceuticals"],
            "park": {"park_id": "p1", "version": 1, "names": {"en": "P"},
                     "region": {"country": "CN"}},
            "places": 1, "valid_from": "2026-01-01", "status": "open", **overrides}


def criterion(kind, value):
    return {"criteria": [{"kind": kind, "value": value, "required": True, "weight": 1}]}


def markets(n, length=2):
    return [f"{i:0{length}d}"[-length:] if length >= 4 else f"M{i}" for i in range(n)]


PARTNER = {"names": {"en": "P"}, "country": "KR", "kind": "other"}
AGREEMENT = {"kind": "mou", "title": "An MoU", "parties": [{"kind": "company", "id": "c"},
                                                           {"kind": "park", "id": "p"}]}
ENROLMENT = {"organisation": {"kind": "company", "id": "c1"}, "name": "Kim", "language": "en"}

# (schema, base body, changes at the maximum, changes one past it, field named)
CASES = [
    (profiles.CompanyRegistration, company_body(), {"patents": limits.PATENTS_MAX},
     {"patents": limits.PATENTS_MAX + 1}, "patents"),
    (profiles.CompanyRegistration, company_body(), {"funding_raised_krw": limits.KRW_MAX},
     {"funding_raised_krw": limits.KRW_MAX + 1}, "funding_raised_krw"),
    (profiles.CompanyRegistration, company_body(), {"space_needed_m2": limits.AREA_M2_MAX},
     {"space_needed_m2": limits.AREA_M2_MAX + 1}, "space_needed_m2"),
    (profiles.CompanyRegistration, company_body(), {"headcount": limits.HEADCOUNT_MAX},
     {"headcount": limits.HEADCOUNT_MAX + 1}, "headcount"),
    (profiles.CompanyRegistration, company_body(),
     {"sectors": SECTOR_CODES[:limits.COMPANY_SECTORS_MAX]},
     {"sectors": SECTOR_CODES[:limits.COMPANY_SECTORS_MAX + 1]}, "sectors"),
    (profiles.CompanyRegistration, company_body(),
     {"export_markets": [f"M{i}" for i in range(limits.EXPORT_MARKETS_MAX)]},
     {"export_markets": [f"M{i}" for i in range(limits.EXPORT_MARKETS_MAX + 1)]},
     "export_markets"),
    (profiles.CompanyRegistration, company_body(), {"export_markets": ["x" * limits.MARKET_MAX]},
     {"export_markets": ["x" * (limits.MARKET_MAX + 1)]}, "export_markets"),
    (profiles.CompanyRegistration, company_body(), {"certifications": sorted(CERTIFICATIONS)},
     {"certifications": ["kr_venture", "kr_venture"]}, "certifications"),
    (profiles.CompanyRegistration, company_body(), {"facilities_needed": list(FACILITIES)},
     {"facilities_needed": ["lab"] * 10_000}, "facilities_needed"),
    (profiles.CompanyRegistration, company_body(), {"names": {"en": "n" * limits.NAME_MAX}},
     {"names": {"en": "n" * (limits.NAME_MAX + 1)}}, "names"),
    (profiles.CompanyRegistration, company_body(),
     {"contact": {"email": email(limits.EMAIL_LOCAL_MAX)}},
     {"contact": {"email": email(limits.EMAIL_LOCAL_MAX + 1)}}, "contact"),
    (profiles.CompanyRegistration, company_body(),
     {"contact": {"email": email(60, limits.EMAIL_MAX)}},
     {"contact": {"email": email(60, limits.EMAIL_MAX + 1)}}, "contact"),
    (profiles.ParkRegistration, park_body(),
     {"region": {"country": "CN", "city": "c" * limits.CITY_MAX}},
     {"region": {"country": "CN", "city": "c" * (limits.CITY_MAX + 1)}}, "region"),
    (profiles.ParkRegistration, park_body(), {"description": "d" * limits.FREE_TEXT_MAX},
     {"description": "d" * (limits.FREE_TEXT_MAX + 1)}, "description"),
    (profiles.ParkRegistration, park_body(), {"planned_area_m2": limits.AREA_M2_MAX},
     {"planned_area_m2": limits.AREA_M2_MAX + 1}, "planned_area_m2"),
    (profiles.DemandPublication, demand_body(), {"places": limits.PLACES_MAX},
     {"places": limits.PLACES_MAX + 1}, "places"),
    (profiles.DemandPublication, demand_body(), {"space_offered_m2": limits.AREA_M2_MAX},
     {"space_offered_m2": limits.AREA_M2_MAX + 1}, "space_offered_m2"),
    (profiles.DemandPublication, demand_body(), {"sectors": SECTOR_CODES[:limits.SECTORS_MAX]},
     {"sectors": SECTOR_CODES[:limits.SECTORS_MAX + 1]}, "sectors"),
    (profiles.DemandPublication, demand_body(), {"facilities": list(FACILITIES)},
     {"facilities": ["lab", "lab"]}, "facilities"),
    (profiles.DemandPublication, demand_body(), criterion("min_patents", limits.PATENTS_MAX),
     criterion("min_patents", limits.PATENTS_MAX + 1), "criteria"),
    (profiles.DemandPublication, demand_body(), criterion("space", limits.AREA_M2_MAX),
     criterion("space", limits.AREA_M2_MAX + 1), "criteria"),
    (profiles.DemandPublication, demand_body(),
     criterion("headcount", {"min": 0, "max": limits.HEADCOUNT_MAX}),
     criterion("headcount", {"min": 0, "max": limits.HEADCOUNT_MAX + 1}), "criteria"),
    (profiles.DemandPublication, demand_body(),
     {"criteria": [{"kind": "min_patents", "value": 1, "weight": limits.WEIGHT_MAX}]},
     {"criteria": [{"kind": "min_patents", "value": 1, "weight": limits.WEIGHT_MAX + 0.01}]},
     "criteria"),
    (notifications.SubscriptionIn, {}, {"sectors": SECTOR_CODES[:limits.SECTORS_MAX]},
     {"sectors": SECTOR_CODES[:limits.SECTORS_MAX + 1]}, "sectors"),
    (notifications.SubscriptionIn, {}, {"regions": [{"country": "KR"}] * limits.REGIONS_MAX},
     {"regions": [{"country": "KR"}] * (limits.REGIONS_MAX + 1)}, "regions"),
    (notifications.SubscriptionIn, {}, {"parks": [f"p{i}" for i in range(limits.PARKS_MAX)]},
     {"parks": [f"p{i}" for i in range(limits.PARKS_MAX + 1)]}, "parks"),
    (notifications.SubscriptionIn, {}, {"countries": ["KR", "CN"]},
     {"countries": ["KR", "KR"]}, "countries"),
    (notifications.SubscriptionIn, {},
     {"channel_ids": [f"c{i}" for i in range(limits.CHANNEL_IDS_MAX)]},
     {"channel_ids": [f"c{i}" for i in range(limits.CHANNEL_IDS_MAX + 1)]}, "channel_ids"),
    (notifications.SubscriptionIn, {}, {"min_score": limits.SCORE_MAX},
     {"min_score": limits.SCORE_MAX + 0.5}, "min_score"),
    (notifications.ChannelIn, {"kind": "webhook"}, {"url": url(limits.URL_MAX)},
     {"url": url(limits.URL_MAX + 1)}, "url"),
    (notifications.ChannelIn, {"kind": "email"}, {"address": email(limits.EMAIL_LOCAL_MAX)},
     {"address": email(limits.EMAIL_LOCAL_MAX + 1)}, "address"),
    (notifications.PartnerRegistration, PARTNER, {"webhooks": [url(limits.URL_MAX)]},
     {"webhooks": [url(limits.URL_MAX + 1)]}, "webhooks"),
    (notifications.PartnerRegistration, PARTNER,
     {"webhooks": [url(30 + i) for i in range(limits.WEBHOOKS_MAX)]},
     {"webhooks": [url(30 + i) for i in range(limits.WEBHOOKS_MAX + 1)]}, "webhooks"),
    (notifications.PartnerRegistration, PARTNER, {"email": email(limits.EMAIL_LOCAL_MAX)},
     {"email": email(limits.EMAIL_LOCAL_MAX + 1)}, "email"),
    (agreements.AgreementProposal, AGREEMENT,
     {"documents": [{"url": url(limits.URL_MAX), "sha256": SHA}]},
     {"documents": [{"url": url(limits.URL_MAX + 1), "sha256": SHA}]}, "documents"),
    (agreements.AgreementProposal, AGREEMENT,
     {"documents": [{"url": url(40), "sha256": SHA}]},
     {"documents": [{"url": url(40), "sha256": "A" * 64}]}, "documents"),
    (agreements.EvidenceIn, {"note": "done"}, {"url": url(limits.URL_MAX)},
     {"url": url(limits.URL_MAX + 1)}, "url"),
    (agreements.IntroductionRequest, {"match_id": "m1"},
     {"message": "m" * limits.FREE_TEXT_MAX, "contact": {"email": email(limits.EMAIL_LOCAL_MAX)}},
     {"message": "m", "contact": {"email": email(limits.EMAIL_LOCAL_MAX + 1)}}, "contact"),
    (agreements.IntroductionRequest, {"match_id": "m1"}, {"message": "m" * limits.FREE_TEXT_MAX},
     {"message": "m" * (limits.FREE_TEXT_MAX + 1)}, "message"),
    (DemandPreferencesIn, {}, {"demand_ids": ["d"] * limits.DEMAND_IDS_MAX},
     {"demand_ids": ["d"] * (limits.DEMAND_IDS_MAX + 1)}, "demand_ids"),
    (accounts.EnrolmentIn, ENROLMENT, {"email": email(limits.EMAIL_LOCAL_MAX)},
     {"email": email(limits.EMAIL_LOCAL_MAX + 1)}, "email"),
    (accounts.EnrolmentIn, {**ENROLMENT, "email": email()}, {"name": "n" * limits.NAME_MAX},
     {"name": "n" * (limits.NAME_MAX + 1)}, "name"),
    (events.CompanySnapshotV1, company_snapshot(), {"patents": limits.PATENTS_MAX},
     {"patents": 10**30}, "patents"),
    (events.CompanySnapshotV1, company_snapshot(), {"funding_raised_krw": limits.KRW_MAX},
     {"funding_raised_krw": limits.KRW_MAX + 1}, "funding_raised_krw"),
    (events.CompanySnapshotV1, company_snapshot(), {"headcount": limits.HEADCOUNT_MAX},
     {"headcount": limits.HEADCOUNT_MAX + 1}, "headcount"),
    (events.CompanySnapshotV1, company_snapshot(),
     {"certifications": sorted(CERTIFICATIONS)}, {"certifications": ["gmp"] * 10_000},
     "certifications"),
    (events.DemandSnapshotV1, demand_snapshot(), {"places": limits.PLACES_MAX},
     {"places": limits.PLACES_MAX + 1}, "places"),
    (events.DemandSnapshotV1, demand_snapshot(), criterion("min_patents", limits.PATENTS_MAX),
     criterion("min_patents", limits.PATENTS_MAX + 1), "criteria"),
]


def _body(base, changes):
    body = copy.deepcopy(base)
    body.update(copy.deepcopy(changes))
    return body


@pytest.mark.parametrize("schema, base, at_max, past_max, field", CASES,
                         ids=[f"{case[0].__name__}.{case[4]}-{n}" for n, case in enumerate(CASES)])
def test_the_maximum_is_accepted_and_one_past_it_named(schema, base, at_max, past_max, field):
    load_input(schema(), _body(base, at_max))
    with pytest.raises(InvalidInput) as refused:
        load_input(schema(), _body(base, past_max))
    assert field in refused.value.details, refused.value.details


def test_a_range_message_names_the_limit():
    with pytest.raises(InvalidInput) as refused:
        load_input(profiles.CompanyRegistration(), company_body(patents=10**30))
    assert str(limits.PATENTS_MAX) in str(refused.value.details["patents"])


def test_too_many_sector_terms_are_refused_before_any_is_resolved():
    terms = [f"no such sector {i}" for i in range(limits.SECTORS_MAX + 1)]
    with pytest.raises(InvalidInput) as refused:
        load_input(profiles.DemandPublication(), demand_body(sectors=terms))
    assert refused.value.details["sectors"] == [f"at most {limits.SECTORS_MAX} items"]


def test_an_overlong_sector_term_is_refused_by_its_length():
    term = "바이오" * limits.SECTOR_TERM_MAX
    with pytest.raises(InvalidInput) as refused:
        load_input(profiles.CompanyRegistration(), company_body(sectors=[term]))
    assert refused.value.details["sectors"] == {
        0: [f"must be at most {limits.SECTOR_TERM_MAX} characters"]}


def test_suggestions_are_searched_for_the_first_unknown_terms_only():
    terms = ["biopharmaceutical", *[f"medical devise {i}" for i in range(15)]]
    with pytest.raises(InvalidInput) as refused:
        load_input(profiles.DemandPublication(), demand_body(sectors=terms))
    problems = refused.value.details["sectors"]
    assert sorted(problems) == list(range(1, 16))
    suggested = [n for n, messages in problems.items() if "closest known terms" in messages[0]]
    assert suggested == list(range(1, 1 + limits.SUGGESTED_TERMS_MAX))
    assert all(problems[n] == [f"unknown sector 'medical devise {n - 1}'"]
               for n in range(1 + limits.SUGGESTED_TERMS_MAX, 16))


def test_the_readme_lists_every_limit():
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Limits", 1)[1].split("\n## ", 1)[0]
    names = [name for name in vars(limits) if re.fullmatch(r"[A-Z][A-Z0-9_]+_MAX", name)]
    assert names
    missing = [name for name in names if f"`{name}`" not in section]
    assert not missing, f"README's Limits table lacks {missing}"
