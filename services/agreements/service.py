"""nameko entrypoints of the agreements service: RPC for people, reliable
event consumers for its directory of parties and matches, and the timer for
everything time-based. Each a one-liner into `usecases`, handing them the
settings they need."""
import eventlet
from nameko.extensions import DependencyProvider
from nameko.rpc import RpcProxy, rpc

from services.platform.nameko_ext import DatabaseDependency, configured_timer, handle_event

from . import config, usecases
from .config import DIRECTORY_CONSUMER, MATCH_CONSUMER, SERVICE_NAME


class Settings(DependencyProvider):
    """config.settings(), read afresh for each worker: one call sees one
    consistent set, and a value changed in the environment holds from the
    next call on."""

    def get_dependency(self, worker_ctx):
        return config.settings()


class AgreementsService:
    name = SERVICE_NAME
    db = DatabaseDependency(SERVICE_NAME)
    settings = Settings()
    profiles = RpcProxy("profiles")
    notifications = RpcProxy("notifications")

    def _contacts_for(self, company_id, park_id):
        with eventlet.Timeout(self.settings.rpc_timeout):
            return self.profiles.contacts_for_introduction(company_id, park_id)

    @rpc
    def propose_agreement(self, actor, data, idempotency_key=None):
        return usecases.propose_agreement(self.db, actor, data, idempotency_key)

    @rpc
    def sign_agreement(self, actor, agreement_id, data=None):
        return usecases.sign_agreement(self.db, actor, agreement_id, data)

    @rpc
    def get_agreement(self, actor, agreement_id):
        return usecases.get_agreement(self.db, actor, agreement_id)

    @rpc
    def list_agreements(self, actor, limit=None, cursor=None):
        return usecases.list_agreements(self.db, actor, limit, cursor)

    @rpc
    def get_agreement_history(self, actor, agreement_id, limit=None, cursor=None):
        return usecases.get_agreement_history(self.db, actor, agreement_id, limit, cursor)

    @rpc
    def transition_agreement(self, actor, agreement_id, data):
        return usecases.transition_agreement(self.db, actor, agreement_id, data)

    @rpc
    def add_document(self, actor, agreement_id, data):
        return usecases.add_document(self.db, actor, agreement_id, data)

    @rpc
    def add_obligation(self, actor, agreement_id, data, idempotency_key=None):
        return usecases.add_obligation(self.db, actor, agreement_id, data, idempotency_key)

    @rpc
    def list_obligations(self, actor, agreement_id, limit=None, cursor=None):
        return usecases.list_obligations(self.db, actor, agreement_id, limit, cursor)

    @rpc
    def change_obligation(self, actor, agreement_id, obligation_id, data):
        return usecases.change_obligation(self.db, actor, agreement_id, obligation_id, data)

    @rpc
    def cancel_obligation(self, actor, agreement_id, obligation_id, data=None):
        return usecases.cancel_obligation(self.db, actor, agreement_id, obligation_id, data)

    @rpc
    def record_fulfilment(self, actor, agreement_id, obligation_id, data):
        return usecases.record_fulfilment(self.db, actor, agreement_id, obligation_id, data)

    @rpc
    def request_introduction(self, actor, data, idempotency_key=None):
        return usecases.request_introduction(self.db, actor, data, self.settings,
                                             idempotency_key)

    @rpc
    def list_introductions(self, actor, status=None, limit=None, cursor=None):
        return usecases.list_introductions(self.db, actor, status, limit, cursor)

    @rpc
    def get_introduction(self, actor, introduction_id):
        return usecases.get_introduction(self.db, actor, introduction_id, self._contacts_for)

    @rpc
    def accept_introduction(self, actor, introduction_id, data=None):
        return usecases.decide_introduction(self.db, actor, introduction_id, "accepted", data,
                                            self._contacts_for)

    @rpc
    def decline_introduction(self, actor, introduction_id, data=None):
        return usecases.decide_introduction(self.db, actor, introduction_id, "declined", data,
                                            self._contacts_for)

    @rpc
    def withdraw_introduction(self, actor, introduction_id, data=None):
        return usecases.withdraw_introduction(self.db, actor, introduction_id, data,
                                              self._contacts_for)

    def _matches_alerted(self, actor, partner_id):
        with eventlet.Timeout(self.settings.rpc_timeout):
            return self.notifications.matches_alerted(actor, partner_id)

    @rpc
    def get_funnel(self, actor, query):
        return usecases.get_funnel(self.db, actor, query, self._matches_alerted)

    @handle_event(DIRECTORY_CONSUMER)
    def on_directory_event(self, event):
        usecases.record_directory_entry(self.db, event)

    @handle_event(MATCH_CONSUMER)
    def on_match_event(self, event):
        usecases.record_match(self.db, event)

    @configured_timer(interval_from=config.timer_interval)
    def run_timers(self):
        usecases.run_timers(self.db)
