"""nameko entrypoints of the notifications service: RPC, the two event
consumers, and the timer that sends due webhooks. Each is a one-liner into
`usecases`."""
from nameko.rpc import rpc

from services.platform.nameko_ext import DatabaseDependency, configured_timer, handle_event

from . import config, usecases
from .config import AGREEMENT_CONSUMER, MATCH_CONSUMER, SERVICE_NAME


class NotificationsService:
    name = SERVICE_NAME
    db = DatabaseDependency(SERVICE_NAME)

    @rpc
    def register_partner(self, actor, data):
        return usecases.register_partner(self.db, actor, data)

    @rpc
    def get_partner(self, actor, partner_id):
        return usecases.get_partner(self.db, actor, partner_id)

    @rpc
    def authenticate(self, api_key):
        return usecases.authenticate(self.db, api_key)

    @rpc
    def add_subscription(self, actor, partner_id, data):
        return usecases.add_subscription(self.db, actor, partner_id, data)

    @rpc
    def list_subscriptions(self, actor, partner_id):
        return usecases.list_subscriptions(self.db, actor, partner_id)

    @rpc
    def list_alerts(self, actor, partner_id, limit=100):
        return usecases.list_alerts(self.db, actor, partner_id, limit)

    @rpc
    def list_deliveries(self, actor, partner_id, limit=100):
        return usecases.list_deliveries(self.db, actor, partner_id, limit)

    @handle_event(MATCH_CONSUMER)
    def on_match_changed(self, event):
        usecases.match_changed(self.db, event)

    @handle_event(AGREEMENT_CONSUMER)
    def on_agreement_changed(self, event):
        usecases.agreement_changed(self.db, event)

    @configured_timer(interval_from=config.delivery_poll_interval)
    def deliver_webhooks(self):
        usecases.deliver_due(self.db)
