"""nameko entrypoints of the profiles service: RPC, and the consumer of
accounts' person events that releases companies waiting for their e-mail
address to be confirmed; each a one-liner into `usecases`."""
from nameko.rpc import rpc

from services.platform.nameko_ext import DatabaseDependency, handle_event

from . import usecases
from .config import PEOPLE_CONSUMER, SERVICE_NAME


class ProfilesService:
    name = SERVICE_NAME
    db = DatabaseDependency(SERVICE_NAME)

    @rpc
    def register_company(self, data, verify_email=False, idempotency_key=None):
        return usecases.register_company(self.db, data, verify_email, idempotency_key)

    @rpc
    def update_company(self, actor, company_id, data):
        return usecases.update_company(self.db, actor, company_id, data)

    @rpc
    def get_company(self, actor, company_id):
        return usecases.get_company(self.db, actor, company_id)

    @rpc
    def list_pending_companies(self, actor, limit=None, cursor=None):
        """The operator's (not routed by the gateway yet)."""
        return usecases.list_pending_companies(self.db, actor, limit, cursor)

    @rpc
    def register_park(self, actor, data, idempotency_key=None):
        return usecases.register_park(self.db, actor, data, idempotency_key)

    @rpc
    def get_park(self, actor, park_id):
        return usecases.get_park(self.db, actor, park_id)

    @rpc
    def publish_demand(self, actor, park_id, data, idempotency_key=None):
        return usecases.publish_demand(self.db, actor, park_id, data, idempotency_key)

    @rpc
    def update_demand(self, actor, demand_id, data):
        return usecases.update_demand(self.db, actor, demand_id, data)

    @rpc
    def get_demand(self, actor, demand_id):
        return usecases.get_demand(self.db, actor, demand_id)

    @rpc
    def list_park_demands(self, actor, park_id, limit=None, cursor=None):
        return usecases.list_park_demands(self.db, actor, park_id, limit, cursor)

    @rpc
    def list_parks(self, actor, q=None, limit=None, cursor=None):
        return usecases.list_parks(self.db, actor, q, limit, cursor)

    @rpc
    def list_companies(self, actor, q=None, sector=None, limit=None, cursor=None):
        return usecases.list_companies(self.db, actor, q, sector, limit, cursor)

    @rpc
    def contacts_for_introduction(self, company_id, park_id=None):
        """Internal (agreements only; not routed by the gateway)."""
        return usecases.contacts_for_introduction(self.db, company_id, park_id)

    @rpc
    def authenticate(self, api_key):
        return usecases.authenticate(self.db, api_key)

    @handle_event(PEOPLE_CONSUMER)
    def on_person_event(self, event):
        usecases.company_owner_verified(self.db, event)
