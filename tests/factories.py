"""Valid request bodies built from the reference data, to vary per test."""
from datetime import date, timedelta

OPERATOR_KEY = "test-operator-key"


def company_body(**overrides):
    body = {
        "names": {"en": "Vision Semicon", "ko": "비전세미콘"},
        "country": "KR",
        "sectors": ["biopharmaceuticals"],
        "founded_on": (date.today() - timedelta(days=365 * 6)).isoformat(),
        "patents": 3,
        "funding_raised_krw": 2_000_000_000,
        "market_validation": True,
        "certifications": ["kr_venture"],
        "space_needed_m2": 400,
        "facilities_needed": ["lab"],
        "headcount": 25,
        "contact": {"person": "Kim Minji", "email": "minji@example.kr", "phone": "+82-2-555-0101"},
    }
    body.update(overrides)
    return body


def park_body(**overrides):
    body = {
        "names": {"en": "Binxian Economic and Technological Development Zone",
                  "ko": "빈현경제기술개발구", "zh": "宾县经济技术开发区"},
        "region": {"country": "CN", "province": "Heilongjiang", "city": "Harbin"},
        "level": "national ETDZ",
    }
    body.update(overrides)
    return body


def harbin_screening():
    """The Harbin cooperation centre's rule from shared/domain/README.md."""
    return [
        {"kind": "min_patents", "value": 1, "required": True, "weight": 2},
        {"kind": "min_years_since_founding", "value": 3, "required": True, "weight": 1},
        {"kind": "funding_or_market_validation", "value": True, "required": True, "weight": 1},
        {"kind": "certification_any_of", "value": ["kr_venture", "kr_innobiz"],
         "required": True, "weight": 1},
    ]


def demand_body(**overrides):
    body = {
        "title": "Korea-China High-Tech Valley, phase 1",
        "sectors": ["biopharmaceuticals", "medical_devices", "advanced_manufacturing",
                    "food_processing", "health_care"],
        "space_offered_m2": 51700,
        "facilities": ["lab", "machining", "cold_storage", "dormitory", "canteen", "incubator"],
        "incentives": ["free_rent", "tax_benefits"],
        "criteria": harbin_screening(),
        "places": 40,
    }
    body.update(overrides)
    return body
