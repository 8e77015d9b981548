"""The company's pages: its dashboard (its matches best first with every
criterion explained, its near misses with what would close each gap, the
introductions parks asked for), editing its profile, and the agreements and
obligations it is party to. Every list is paged."""
from services.contracts.errors import InvalidInput, NotFound

from ..rendering import sector_label
from . import Page, Redirect, Route
from .dashboards import context, with_contacts
from .errors import N_, by_field
from .register import TEXT_FIELDS, company_body
from .register import _form_context as form_context

AGREEMENT_KINDS = {"mou": N_("Memorandum of understanding"), "tenancy": N_("Tenancy"),
                   "investment": N_("Investment"), "cooperation": N_("Cooperation")}
AGREEMENT_STATES = {
    "draft": N_("draft"), "proposed": N_("proposed"), "signed": N_("signed"),
    "active": N_("active"), "completed": N_("completed"), "terminated": N_("terminated"),
    "expired": N_("expired"), "cancelled": N_("cancelled"),
}
AGREEMENT_LABELS = {"agreement_kinds": AGREEMENT_KINDS, "agreement_states": AGREEMENT_STATES}
OBLIGATIONS_PER_AGREEMENT = 5


def _known_or_empty(call):
    """A page of a list matching keeps: empty while matching has not yet
    heard of a company that registered a moment ago."""
    try:
        return call()
    except NotFound:
        return {"items": [], "next_cursor": None}


def dashboard(visit, rpc):
    actor, args = visit.actor, visit.args
    company = rpc.profiles.get_company(actor, actor["id"])
    matches = _known_or_empty(lambda: rpc.matching.list_company_matches(
        actor, actor["id"], include_withdrawn=False, lang=visit.lang,
        cursor=args.get("matches_cursor")))
    near_misses = _known_or_empty(lambda: rpc.matching.list_company_near_misses(
        actor, actor["id"], lang=visit.lang, cursor=args.get("near_misses_cursor")))
    introductions = rpc.agreements.list_introductions(
        actor, None, cursor=args.get("introductions_cursor"))
    shown = with_contacts(rpc, actor, introductions["items"])
    return Page("company.html", context(
        company=company, matches=matches["items"], matches_next=matches["next_cursor"],
        near_misses=near_misses["items"], near_misses_next=near_misses["next_cursor"],
        introductions=shown, introductions_next=introductions["next_cursor"],
        demands=_demands_of(rpc, actor, matches["items"], shown, visit.lang),
        notice=args.get("notice")))


def _demands_of(rpc, actor, matches, introductions, lang):
    """{match id: the demand} for the introductions shown: from the matches
    on this page, else read one by one (an introduction's match may be on
    another page of matches, or withdrawn)."""
    demands = {match["match_id"]: match["demand"] for match in matches}
    for introduction in introductions:
        match_id = introduction["match_id"]
        if match_id not in demands:
            try:
                demands[match_id] = rpc.matching.get_match(actor, match_id, lang=lang)["demand"]
            except NotFound:
                continue
    return demands


def accept_introduction(visit, rpc):
    rpc.agreements.accept_introduction(visit.actor, visit.params["introduction_id"], {})
    return Redirect("/company?notice=accepted#introductions")


def decline_introduction(visit, rpc):
    reason = visit.value("reason") or None
    rpc.agreements.decline_introduction(visit.actor, visit.params["introduction_id"],
                                        {"reason": reason})
    return Redirect("/company?notice=declined#introductions")


# --- the profile ------------------------------------------------------------------------

def typed_from(company, lang):
    """The profile as the form's fields show it (what a person would type)."""
    names = company.get("names") or {}
    contact = company.get("contact") or {}
    numbers = {name: "" if company.get(name) is None else str(company[name])
               for name in ("patents", "funding_raised_krw", "space_needed_m2", "headcount")}
    typed = {
        **{f"name_{code}": names.get(code) or "" for code in ("ko", "zh", "en")},
        "country": company.get("country") or "",
        "sectors": ", ".join(sector_label(code, lang) for code in company.get("sectors") or ()),
        "founded_on": company.get("founded_on") or "",
        "contact_person": contact.get("person") or "", "contact_email": contact.get("email") or "",
        "contact_phone": contact.get("phone") or "", **numbers,
    }
    return {name: typed.get(name, "") for name in TEXT_FIELDS}


def profile_form(visit, rpc):
    company = rpc.profiles.get_company(visit.actor, visit.actor["id"])
    shown = form_context(visit)
    shown["typed"] = typed_from(company, visit.lang)
    shown["checked"] = {"certifications": company.get("certifications") or [],
                        "facilities_needed": company.get("facilities_needed") or [],
                        "market_validation": bool(company.get("market_validation"))}
    return Page("company_profile.html", {**shown, "company": company, "editing": True,
                                         "notice": visit.args.get("notice")})


def save_profile(visit, rpc):
    """PATCH /api/companies/<id> with every field of the form: a blank
    optional field clears it. Refused: the messages next to the fields,
    what was typed kept, nothing stored."""
    actor = visit.actor
    try:
        rpc.profiles.update_company(actor, actor["id"], company_body(visit))
    except InvalidInput as exc:
        company = rpc.profiles.get_company(actor, actor["id"])
        shown = form_context(visit, by_field(exc.details, visit.lang))
        return Page("company_profile.html", {**shown, "company": company, "editing": True},
                    status=422)
    return Redirect("/company/profile?notice=saved")


# --- agreements -----------------------------------------------------------------------------

def agreements(visit, rpc):
    actor = visit.actor
    listed = rpc.agreements.list_agreements(actor, cursor=visit.args.get("cursor"))
    obligations = {agreement["id"]: rpc.agreements.list_obligations(
        actor, agreement["id"], limit=OBLIGATIONS_PER_AGREEMENT)
        for agreement in listed["items"]}
    return Page("company_agreements.html", context(
        agreements=listed["items"], next_cursor=listed["next_cursor"],
        obligations=obligations, **AGREEMENT_LABELS))


def agreement(visit, rpc):
    actor, agreement_id = visit.actor, visit.params["agreement_id"]
    shown = rpc.agreements.get_agreement(actor, agreement_id)
    obligations = rpc.agreements.list_obligations(actor, agreement_id,
                                                  cursor=visit.args.get("cursor"))
    return Page("company_agreement.html", context(
        agreement=shown, obligations=obligations["items"],
        next_cursor=obligations["next_cursor"], **AGREEMENT_LABELS))


ROUTES = (
    Route("company_dashboard", "GET", "/company", dashboard, "company"),
    Route("accept_introduction", "POST", "/company/introductions/<introduction_id>/accept",
          accept_introduction, "company"),
    Route("decline_introduction", "POST", "/company/introductions/<introduction_id>/decline",
          decline_introduction, "company"),
    Route("company_profile", "GET", "/company/profile", profile_form, "company"),
    Route("save_company_profile", "POST", "/company/profile", save_profile, "company"),
    Route("company_agreements", "GET", "/company/agreements", agreements, "company"),
    Route("company_agreement", "GET", "/company/agreements/<agreement_id>", agreement,
          "company"),
)
