"""What users can do with profiles. Each function is one transaction: it
validates input, applies domain rules, stores the result and emits the events
that follow, all through one unit of work (`db.run`). Record dates are the
business clock's (clock.now(), clock.today()), which rehearsals can move."""
from datetime import datetime

from services.contracts.actors import (
    is_actor,
    is_operator,
    require_authenticated,
    require_operator,
    require_owner_or_operator,
)
from services.contracts.errors import Forbidden, InvalidInput, NotFound
from services.platform import clock, idempotency, keys, pages
from services.platform.validation import load_input

from . import directory, domain, storage
from .config import PEOPLE_CONSUMER
from .schemas import (
    CompanyDirectoryQuery,
    CompanyOut,
    CompanyRegistration,
    CompanyUpdate,
    DemandOut,
    DemandPublication,
    DemandUpdate,
    ParkDirectoryQuery,
    ParkListing,
    ParkOut,
    ParkRegistration,
)

# --- companies ------------------------------------------------------------

def register_company(db, data, verify_email=False, idempotency_key=None):
    """Store the company and announce it, or, with `verify_email` (the web
    app's registration), keep it pending, unannounced and seen only by
    itself and the operator until an owner confirms the e-mail address
    (`company_owner_verified`). A retry under the same `idempotency_key`
    gets the first answer, its API key included, and registers nothing."""
    fields = load_input(CompanyRegistration(), data)
    api_key = keys.new_key("company")

    def work(uow):
        company = domain.new_company(fields, clock.now(), pending_verification=bool(verify_email))
        storage.insert_company(uow.connection, company, keys.hash_key(api_key))
        if not domain.is_pending(company):
            uow.emit("company.registered", domain.company_snapshot(company))
        return {"company": CompanyOut().dump(company), "api_key": api_key}

    return idempotency.run_once(db, work, idempotency_key, actor=None,
                                operation="register_company",
                                request={"data": data, "verify_email": bool(verify_email)})


def _may_see(actor, company):
    """A pending company exists only for itself and the operator."""
    return not domain.is_pending(company) or is_operator(actor) or \
        is_actor(actor, "company", company["id"])


def update_company(db, actor, company_id, data):
    changes = load_input(CompanyUpdate(), data, partial=True)

    def work(uow):
        company = storage.get_company(uow.connection, company_id, for_update=True)
        if company is None or not _may_see(actor, company):
            raise NotFound(f"no company {company_id}")
        require_owner_or_operator(actor, "company", company_id, "this company profile")
        updated, changed = domain.apply_changes(company, changes, clock.now())
        if changed:
            storage.save_company(uow.connection, updated)
            if not domain.is_pending(updated):  # its release announces the latest version
                uow.emit("company.updated", domain.company_snapshot(updated))
        return updated

    return CompanyOut().dump(db.run(work))


def get_company(db, actor, company_id):
    require_authenticated(actor)
    company = db.run(lambda uow: storage.get_company(uow.connection, company_id))
    if company is None or not _may_see(actor, company):
        raise NotFound(f"no company {company_id}")
    may_see_contact = is_operator(actor) or is_actor(actor, "company", company_id)
    return CompanyOut().dump(domain.public_company(company, may_see_contact))


def company_owner_verified(db, event):
    """person.enrolled / person.updated from accounts: when an owner of a
    pending company has confirmed the address, the company stops pending
    and is announced (company.registered) in the same transaction as the
    inbox row, so a redelivered event does nothing; so does a later
    colleague's confirmation, the company being no longer pending."""
    company_id = domain.verified_owner_company(event.payload)
    if company_id is None:
        return False

    def work(uow):
        company = storage.get_company(uow.connection, company_id, for_update=True)
        if company is None or not domain.is_pending(company):
            return False
        company = domain.released(company)
        storage.save_company(uow.connection, company)
        uow.emit("company.registered", domain.company_snapshot(company))
        return True

    return bool(db.handle(PEOPLE_CONSUMER, event, work))


def list_pending_companies(db, actor, limit=None, cursor=None):
    """The operator's page of companies registered through the web app whose
    owner has not confirmed the e-mail address yet, oldest first. They stay
    pending (decisions.md): the owner may still confirm by any later sign-in."""
    page = pages.request("pending_companies", limit, cursor, kinds=(datetime, str))
    require_operator(actor, "the list of companies awaiting e-mail confirmation")
    rows = db.run(lambda uow: storage.pending_companies(uow.connection, page.after, page.fetch))
    return page.page(rows, lambda company: (company["created_at"], company["id"]),
                     CompanyOut(many=True).dump)


# --- parks and their demand -------------------------------------------------

def register_park(db, actor, data, idempotency_key=None):
    require_operator(actor, "park registration (parks are vetted before they can see companies)")
    fields = load_input(ParkRegistration(), data)
    api_key = keys.new_key("park")

    def work(uow):
        park = domain.new_park(fields, clock.now())
        storage.insert_park(uow.connection, park, keys.hash_key(api_key))
        uow.emit("park.registered", domain.park_snapshot(park))
        return {"park": ParkOut().dump(park), "api_key": api_key}

    return idempotency.run_once(db, work, idempotency_key, actor=actor,
                                operation="register_park", request=data)


def get_park(db, actor, park_id):
    require_authenticated(actor)
    park = db.run(lambda uow: storage.get_park(uow.connection, park_id))
    if park is None:
        raise NotFound(f"no park {park_id}")
    may_see_contact = is_operator(actor) or is_actor(actor, "park", park_id)
    return ParkOut().dump(domain.public_park(park, may_see_contact))


def publish_demand(db, actor, park_id, data, idempotency_key=None):
    fields = load_input(DemandPublication(), data)

    def work(uow):
        park = storage.get_park(uow.connection, park_id)
        if park is None:
            raise NotFound(f"no park {park_id}")
        require_owner_or_operator(actor, "park", park_id, "this park's demand")
        demand = domain.new_demand(park, fields, clock.today(), clock.now())
        storage.insert_demand(uow.connection, demand)
        uow.emit("park_demand.published", domain.demand_snapshot(demand, park))
        return DemandOut().dump(demand)

    return idempotency.run_once(db, work, idempotency_key, actor=actor,
                                operation="publish_demand",
                                request={"park_id": park_id, "data": data})


def update_demand(db, actor, demand_id, data):
    changes = load_input(DemandUpdate(), data, partial=True)

    def work(uow):
        demand = storage.get_demand(uow.connection, demand_id, for_update=True)
        if demand is None:
            raise NotFound(f"no demand {demand_id}")
        require_owner_or_operator(actor, "park", demand["park_id"], "this demand")
        start = changes.get("valid_from", demand["valid_from"])
        end = changes.get("valid_until", demand.get("valid_until"))
        if start and end and end < start:
            raise InvalidInput({"valid_until": ["must not be before valid_from"]})
        updated, changed = domain.apply_changes(demand, changes, clock.now())
        if changed:
            park = storage.get_park(uow.connection, demand["park_id"])
            storage.save_demand(uow.connection, updated)
            uow.emit("park_demand.updated", domain.demand_snapshot(updated, park))
        return updated

    return DemandOut().dump(db.run(work))


def get_demand(db, actor, demand_id):
    require_authenticated(actor)
    demand = db.run(lambda uow: storage.get_demand(uow.connection, demand_id))
    if demand is None:
        raise NotFound(f"no demand {demand_id}")
    return DemandOut().dump(demand)


def list_park_demands(db, actor, park_id, limit=None, cursor=None):
    """A page of the park's demands, oldest first."""
    page = pages.request(f"park_demands/{park_id}", limit, cursor, kinds=(datetime, str))
    require_authenticated(actor)
    rows = db.run(lambda uow: storage.demands_of_park(uow.connection, park_id, page.after,
                                                      page.fetch))
    return page.page(rows, lambda demand: (demand["created_at"], demand["id"]),
                     DemandOut(many=True).dump)


# --- the directory ------------------------------------------------------------

DIRECTORY_OF_COMPANIES = ("park", "partner", "operator")


def list_parks(db, actor, q=None, limit=None, cursor=None):
    """A page of the parks `q` finds (a name, city or province, or a sector
    term of an open demand; blank: every park), oldest first, each with its
    open demands. Any signed-in actor; contacts only for the park itself and
    the operator, exactly as get_park."""
    require_authenticated(actor)
    query = load_input(ParkDirectoryQuery(), {"q": q})
    page = pages.request("parks", limit, cursor, kinds=(datetime, str))
    term, sector, today = directory.folded(query["q"]), directory.sector_of(query["q"]), \
        clock.today()

    def current(demands):
        return [demand for demand in demands if directory.is_open(demand, today)]

    found = db.run(lambda uow: storage.parks_page(
        uow.connection, page.after, page.fetch,
        lambda park, demands: directory.park_found(park, current(demands), term, sector)))

    def view(shown):
        return ParkListing(many=True).dump([
            {**domain.public_park(park, is_operator(actor) or is_actor(actor, "park", park["id"])),
             "open_demands": current(demands)} for park, demands in shown])

    return page.page(found, lambda pair: (pair[0]["created_at"], pair[0]["id"]), view)


def list_companies(db, actor, q=None, sector=None, limit=None, cursor=None):
    """A page of the companies whose name contains `q` and that work in
    `sector` (a term in any language), oldest first. Parks, partners and the
    operator; contact details only for the operator, exactly as get_company
    shows a company to anyone but itself."""
    require_authenticated(actor)
    if actor.get("kind") not in DIRECTORY_OF_COMPANIES:
        raise Forbidden("only parks, partners and the operator may list companies")
    query = load_input(CompanyDirectoryQuery(), {"q": q, "sector": sector})
    page = pages.request("companies", limit, cursor, kinds=(datetime, str))
    term = directory.folded(query["q"])

    def choose(company):
        return directory.company_found(company, term, query["sector"])

    found = db.run(lambda uow: storage.companies_page(uow.connection, page.after, page.fetch,
                                                      choose))
    operator = is_operator(actor)
    return page.page(found, lambda company: (company["created_at"], company["id"]),
                     lambda shown: CompanyOut(many=True).dump(
                         [domain.public_company(company, operator) for company in shown]))


# --- internal: for the agreements service only (the gateway routes no path here) ---

def contacts_for_introduction(db, company_id, park_id=None):
    """The company's and the park's contact details, for the sides of an
    introduction the company has accepted. Only the agreements service calls
    this, after checking the acceptance; no HTTP route leads here."""
    def work(uow):
        company = storage.get_company(uow.connection, company_id)
        park = storage.get_park(uow.connection, park_id) if park_id else None
        return domain.introduction_contacts(company, park)

    return db.run(work)


# --- authentication ---------------------------------------------------------

def authenticate(db, api_key):
    """The actor an API key belongs to, or None."""
    kind = keys.kind_of(api_key)
    lookup = {"company": storage.company_id_for_key, "park": storage.park_id_for_key}.get(kind)
    if lookup is None:
        return None
    actor_id = db.run(lambda uow: lookup(uow.connection, keys.hash_key(api_key)))
    return {"kind": kind, "id": actor_id} if actor_id else None
