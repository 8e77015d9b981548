"""What the company, park and partner dashboards share: criterion, outcome
and status names as msgids, and introductions joined with their contacts."""
from . import Redirect, Route
from .errors import N_

CRITERIA = {
    "sectors": N_("Sectors"), "space": N_("Space"), "facilities": N_("Facilities"),
    "incentives": N_("Incentives"), "min_patents": N_("Patents"),
    "min_years_since_founding": N_("Years since founding"),
    "funding_or_market_validation": N_("Funding or market validation"),
    "certification_any_of": N_("Certifications"), "headcount": N_("Headcount"),
    "export_markets": N_("Export markets"),
}
OUTCOMES = {"met": N_("met"), "not_met": N_("not met"), "unknown": N_("unknown")}
INTRODUCTION_STATUSES = {
    "requested": N_("requested"), "accepted": N_("accepted"), "declined": N_("declined"),
    "expired": N_("expired"), "withdrawn": N_("withdrawn"),
}
FUNNEL_STAGES = {
    "matches": N_("Matches"), "introductions_requested": N_("Introductions requested"),
    "introductions_accepted": N_("Introductions accepted"),
    "agreements_proposed": N_("Agreements proposed"),
    "agreements_signed": N_("Agreements signed"), "obligations_due": N_("Obligations due"),
    "obligations_met_on_time": N_("Obligations met on time"),
}
ALERT_TYPES = {
    "match.found": N_("New match"), "match.updated": N_("Match changed"),
    "match.withdrawn": N_("Match withdrawn"),
    "introduction.requested": N_("Introduction requested"),
    "introduction.accepted": N_("Introduction accepted"),
    "agreement.proposed": N_("Agreement proposed"), "agreement.signed": N_("Agreement signed"),
    "obligation.due": N_("Obligation due"), "obligation.overdue": N_("Obligation overdue"),
}

LABELS = {"criteria": CRITERIA, "outcomes": OUTCOMES, "statuses": INTRODUCTION_STATUSES,
          "stages": FUNNEL_STAGES, "alert_types": ALERT_TYPES}


def with_contacts(rpc, actor, introductions):
    """Accepted introductions carry both sides' contacts only when read one
    by one (the list never has them)."""
    shown = []
    for introduction in introductions:
        if introduction.get("status") == "accepted" and not introduction.get("contacts"):
            introduction = rpc.agreements.get_introduction(actor, introduction["id"])
        shown.append(introduction)
    return shown


def context(**values):
    return {**LABELS, **values}


def to_introductions(dashboard):
    """The page an e-mail's introduction link opens: the dashboard's
    introductions, where Accept and Decline are (signing in first if needed)."""
    def page(visit, rpc):
        return Redirect(f"{dashboard}#introductions")
    return page


# the links in alert e-mails lead to the dashboard where the request is answered
ROUTES = (
    Route("company_introduction", "GET", "/company/introductions/<introduction_id>",
          to_introductions("/company"), "company"),
    Route("park_introduction", "GET", "/park/introductions/<introduction_id>",
          to_introductions("/park"), "park"),
    Route("partner_introduction", "GET", "/partner/introductions/<introduction_id>",
          to_introductions("/partner"), "partner"),
)
