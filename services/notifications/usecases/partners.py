"""Partners: registration by the operator, reading one, and the API-key
check the gateway asks for."""
from datetime import datetime

from services.contracts.actors import require_operator, require_owner_or_operator
from services.contracts.errors import InvalidInput, NotFound
from services.platform import clock, idempotency, keys, pages
from services.platform.validation import load_input

from .. import domain, signing, ssrf, storage
from ..schemas import PartnerOut, PartnerRegistration


def require_partner(conn, partner_id):
    partner = storage.get_partner(conn, partner_id)
    if partner is None:
        raise NotFound(f"no partner {partner_id}")
    return partner


def url_problem(url, allow_loopback):
    """Why the SSRF rules refuse a webhook URL at registration, or None."""
    try:
        ssrf.check_url(url, allow_loopback=allow_loopback)
    except ssrf.UnsafeUrl as exc:
        return str(exc)
    return None


def register_partner(db, settings, actor, data, idempotency_key=None):
    require_operator(actor, "partner registration (partners are vetted)")
    fields = load_input(PartnerRegistration(), data)
    problems = {index: [problem] for index, url in enumerate(fields["webhooks"])
                if (problem := url_problem(url, settings.allow_loopback))}
    if problems:
        raise InvalidInput({"webhooks": problems})
    api_key = keys.new_key("partner")
    webhook_secret = signing.new_secret()

    def work(uow):
        now = clock.now()
        partner = domain.new_partner(fields, now)
        storage.insert_partner(uow.connection, partner, keys.hash_key(api_key), webhook_secret,
                               settings.secrets)
        # the registration's webhook URLs are its first channels, signed with
        # the secret returned now (each channel can rotate its own later)
        for url in fields["webhooks"]:
            storage.insert_channel(uow.connection, domain.new_channel(
                partner["id"], domain.WEBHOOK, url, now), secret=webhook_secret,
                box=settings.secrets)
        uow.emit("partner.registered", domain.partner_snapshot(partner))
        return {"partner": PartnerOut().dump(partner), "api_key": api_key,
                "webhook_secret": webhook_secret}

    return idempotency.run_once(db, work, idempotency_key, actor=actor,
                                operation="register_partner", request=data)


def get_partner(db, actor, partner_id):
    require_owner_or_operator(actor, "partner", partner_id, "this partner")
    return PartnerOut().dump(db.run(lambda uow: require_partner(uow.connection, partner_id)))


def list_partners(db, actor, limit=None, cursor=None):
    """A page of every partner, oldest registration first (the operator only)."""
    require_operator(actor, "listing partners")
    page = pages.request("partners", limit, cursor, kinds=(datetime, str))
    rows = db.run(lambda uow: storage.partners_page(uow.connection, page.after, page.fetch))
    return page.page(rows, lambda partner: (partner["created_at"], partner["id"]),
                     PartnerOut(many=True).dump)


def authenticate(db, api_key):
    """The partner an API key belongs to, or None."""
    if keys.kind_of(api_key) != "partner":
        return None
    partner_id = db.run(lambda uow: storage.partner_id_for_key(uow.connection,
                                                               keys.hash_key(api_key)))
    return {"kind": "partner", "id": partner_id} if partner_id else None
