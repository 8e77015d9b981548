"""Registering a company: the same fields and validation as POST
/api/companies (profiles validates), then its first person is enrolled by
accounts, who e-mails a sign-in link. Profiles keeps the company pending
(no match, no partner alert, nobody else sees it) until that link, or any
later sign-in of its owner, confirms the address."""
from services.contracts import taxonomy
from services.contracts.errors import InvalidInput
from services.contracts.vocabulary import CERTIFICATIONS, FACILITIES

from ..rendering import sector_label
from . import Page, Route
from .errors import N_, by_field
from .public import details_of, status_of

TEXT_FIELDS = ("name_ko", "name_zh", "name_en", "country", "sectors", "founded_on",
               "patents", "funding_raised_krw", "space_needed_m2", "headcount",
               "contact_person", "contact_email", "contact_phone")
NUMBER_FIELDS = ("patents", "funding_raised_krw", "space_needed_m2", "headcount")

CERTIFICATION_LABELS = {
    "kr_venture": N_("Korean venture business certification"),
    "kr_innobiz": N_("INNOBIZ (technology innovation SME)"),
    "kr_mainbiz": N_("MAINBIZ (management innovation SME)"),
    "cn_high_tech_enterprise": N_("Chinese high-tech enterprise"),
    "iso_9001": N_("ISO 9001"),
    "iso_13485": N_("ISO 13485 (medical devices)"),
    "gmp": N_("Good Manufacturing Practice (GMP)"),
}
FACILITY_LABELS = {
    "office": N_("Office"), "lab": N_("Laboratory"), "clean_room": N_("Clean room"),
    "cold_storage": N_("Cold storage"), "machining": N_("Machining workshop"),
    "dormitory": N_("Dormitory"), "canteen": N_("Canteen"), "incubator": N_("Incubator"),
    "accelerator": N_("Accelerator"), "rnd_centre": N_("R&D centre"),
    "warehouse": N_("Warehouse"),
}


def _number(text):
    """An integer if the text is one (digits, thousands separators
    allowed); else the text as typed, for profiles to refuse by name."""
    plain = text.replace(",", "").replace(" ", "")
    return int(plain) if plain.lstrip("-").isdigit() else text


def company_body(visit):
    """The JSON body POST /api/companies would take, from the form."""
    typed = {name: visit.value(name) for name in TEXT_FIELDS}
    body = {
        "names": {lang: typed[f"name_{lang}"] or None for lang in ("ko", "zh", "en")},
        "country": typed["country"].upper(),
        "sectors": [term.strip() for term in typed["sectors"].replace("，", ",")
                    .replace("、", ",").split(",") if term.strip()],
        "founded_on": typed["founded_on"] or None,
        "market_validation": True if visit.value("market_validation") else None,
        "certifications": visit.values("certifications") or None,
        "facilities_needed": visit.values("facilities_needed") or None,
        "contact": {"person": typed["contact_person"] or None,
                    "email": typed["contact_email"],
                    "phone": typed["contact_phone"] or None},
    }
    for name in NUMBER_FIELDS:
        body[name] = _number(typed[name]) if typed[name] else None
    return body


def _form_context(visit, errors=None):
    typed = {name: visit.value(name) for name in TEXT_FIELDS}
    typed["country"] = typed["country"] or ("KR" if not visit.form else "")
    return {
        "typed": typed,
        "checked": {"certifications": visit.values("certifications"),
                    "facilities_needed": visit.values("facilities_needed"),
                    "market_validation": bool(visit.value("market_validation"))},
        "errors": errors or {},
        # a code the web app has no label for yet is shown as its code
        "certifications": [(code, CERTIFICATION_LABELS.get(code, code))
                           for code in CERTIFICATIONS],
        "facilities": [(code, FACILITY_LABELS.get(code, code)) for code in FACILITIES],
        "sector_labels": sorted({sector_label(code, visit.lang) for code in taxonomy.SECTORS}),
    }


def company_form(visit, rpc):
    return Page("register_company.html", _form_context(visit))


def register_company(visit, rpc):
    body = company_body(visit)
    try:
        # a registration needs no key: limited per client address, as on the API
        rpc.accounts.count_anonymous_write("register_company", visit.client_address)
    except Exception as exc:  # noqa: BLE001  only a rate limit is shown as such
        if status_of(exc) != 429:
            raise
        minutes = max(1, -(-int(details_of(exc).get("retry_after") or 3600) // 60))
        return Page("register_company.html",
                    {**_form_context(visit), "too_many": True, "minutes": minutes},
                    status=429)
    try:
        registered = rpc.profiles.register_company(body, verify_email=True)
    except InvalidInput as exc:
        errors = by_field(exc.details, visit.lang)
        return Page("register_company.html", _form_context(visit, errors), status=422)
    company = registered["company"]
    contact = company.get("contact") or body["contact"]
    rpc.accounts.enrol_owner({"kind": "company", "id": company["id"]}, contact["email"],
                             contact.get("person") or "", visit.lang)
    return Page("check_email.html", {"email": contact["email"], "registered": True})


ROUTES = (
    Route("company_form", "GET", "/register/company", company_form),
    Route("register_company", "POST", "/register/company", register_company),
)
