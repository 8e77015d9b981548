"""Controlled vocabularies shared by every service and by the public API.

Codes are stable identifiers; labels are for people. Sectors come from
taxonomy.py (ko/zh/en labels, synonyms, ISIC Rev. 4).
"""
from . import taxonomy as _taxonomy

# Sector codes and labels live in taxonomy.py; this view keeps the old
# code -> (en, ko, zh) shape for code that only needs labels.
SECTORS = {code: (sector.labels["en"], sector.labels["ko"], sector.labels["zh"])
           for code, sector in _taxonomy.SECTORS.items()}

CERTIFICATIONS = {
    "kr_venture": "Korean venture business certification (벤처기업확인)",
    "kr_innobiz": "INNOBIZ (기술혁신형 중소기업)",
    "kr_mainbiz": "MAINBIZ (경영혁신형 중소기업)",
    "cn_high_tech_enterprise": "Chinese high-tech enterprise (高新技术企业)",
    "iso_9001": "ISO 9001",
    "iso_13485": "ISO 13485 (medical devices)",
    "gmp": "Good Manufacturing Practice",
}

FACILITIES = (
    "office", "lab", "clean_room", "cold_storage", "machining", "dormitory",
    "canteen", "incubator", "accelerator", "rnd_centre", "warehouse",
)

INCENTIVES = ("free_rent", "tax_benefits", "subsidies", "talent_support", "one_stop_registration")

# Criteria a demand may set; each is hard (required) or a preference, with a
# weight. The offer kinds (sectors, space, facilities, incentives) default to
# what the demand offers and need no value; incentives are a preference only.
CRITERION_KINDS = (
    "sectors",                          # value: null (the demand's sectors) or sector codes
    "space",                            # value: null (space_offered_m2) or m² offered
    "facilities",                       # value: null (the demand's facilities) or codes
    "incentives",                       # value: null (the demand's incentives) or codes
    "min_patents",                      # value: int
    "min_years_since_founding",         # value: number of years
    "funding_or_market_validation",     # value: true
    "certification_any_of",             # value: list of certification codes
    "headcount",                        # value: {"min": int|null, "max": int|null}
    "export_markets",                   # value: list of markets (any of), e.g. ["CN", "VN"]
)

PARTNER_KINDS = (
    "cooperation_centre", "accelerator_association", "industrial_complex_body",
    "government_office", "other",
)

AGREEMENT_KINDS = ("mou", "tenancy", "investment", "cooperation")

# The agreement lifecycle (issue #4); the transitions are in agreements/domain/lifecycle.py.
AGREEMENT_STATES = ("draft", "proposed", "signed", "active", "completed", "terminated",
                    "expired")

PARTY_KINDS = ("company", "park", "partner")

# Every event kind a partner may subscribe to (issue #4).
ALERT_EVENT_KINDS = (
    "match.found", "match.updated", "match.withdrawn",
    "introduction.requested", "introduction.accepted",
    "agreement.proposed", "agreement.signed",
    "obligation.due", "obligation.overdue",
)

LANGUAGES = ("ko", "zh", "en")

INTRODUCTION_STATUSES = ("requested", "accepted", "declined", "expired", "withdrawn")

# RFC 5545 recurrence or a one-off due date.
OBLIGATION_SCHEDULES = ("once", "recurring")
