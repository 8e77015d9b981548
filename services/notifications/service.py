"""nameko entrypoints of the notifications service: RPC, the event
consumers, and the timers that send due deliveries and digests. Each is a
one-liner into `usecases`, handing in the settings those use cases need."""
from nameko.extensions import DependencyProvider
from nameko.rpc import rpc

from services.platform.db import Database
from services.platform.nameko_ext import (
    DatabaseDependency,
    configured_timer,
    handle_event,
)

from . import config, usecases
from .config import (
    AGREEMENT_CONSUMER,
    INTRODUCTION_CONSUMER,
    MATCH_CONSUMER,
    OBLIGATION_CONSUMER,
    PEOPLE_CONSUMER,
    SERVICE_NAME,
)


class SealedSecrets(DependencyProvider):
    """At start: PARKMATCH_SECRETS_KEY must be set and, with the old keys,
    open every stored webhook secret (which it then reseals if an old key
    sealed it); otherwise the process stops before it serves anything."""

    def setup(self):
        settings = config.settings()  # secretbox.BadKey without a key
        url = self.container.config.get(f"{SERVICE_NAME.upper()}_DATABASE_URL") \
            or config.database_url()
        database = Database(url, SERVICE_NAME)
        try:
            usecases.reseal_stored_secrets(database, settings)
        finally:
            database.dispose()

    def get_dependency(self, worker_ctx):
        return None


class NotificationsService:
    name = SERVICE_NAME
    db = DatabaseDependency(SERVICE_NAME)
    sealed_secrets = SealedSecrets()

    @property
    def settings(self):
        """Read from the environment for each call (a worker's service
        instance lives for one call), as the use cases read it before."""
        return config.settings()

    @rpc
    def register_partner(self, actor, data, idempotency_key=None):
        return usecases.register_partner(self.db, self.settings, actor, data, idempotency_key)

    @rpc
    def get_partner(self, actor, partner_id):
        return usecases.get_partner(self.db, actor, partner_id)

    @rpc
    def list_partners(self, actor, limit=None, cursor=None):
        return usecases.list_partners(self.db, actor, limit, cursor)

    @rpc
    def authenticate(self, api_key):
        return usecases.authenticate(self.db, api_key)

    @rpc
    def add_channel(self, actor, partner_id, data, idempotency_key=None):
        return usecases.add_channel(self.db, self.settings, actor, partner_id, data,
                                    idempotency_key)

    @rpc
    def list_channels(self, actor, partner_id, limit=None, cursor=None):
        return usecases.list_channels(self.db, actor, partner_id, limit, cursor)

    @rpc
    def update_channel(self, actor, partner_id, channel_id, data):
        return usecases.update_channel(self.db, self.settings, actor, partner_id, channel_id, data)

    @rpc
    def delete_channel(self, actor, partner_id, channel_id):
        return usecases.delete_channel(self.db, actor, partner_id, channel_id)

    @rpc
    def rotate_channel_secret(self, actor, partner_id, channel_id):
        return usecases.rotate_channel_secret(self.db, self.settings, actor, partner_id, channel_id)

    @rpc
    def send_test(self, actor, partner_id, channel_id):
        return usecases.send_test(self.db, actor, partner_id, channel_id)

    @rpc
    def add_subscription(self, actor, partner_id, data, idempotency_key=None):
        return usecases.add_subscription(self.db, actor, partner_id, data, idempotency_key)

    @rpc
    def list_subscriptions(self, actor, partner_id, limit=None, cursor=None):
        return usecases.list_subscriptions(self.db, actor, partner_id, limit, cursor)

    @rpc
    def update_subscription(self, actor, partner_id, subscription_id, data):
        return usecases.update_subscription(self.db, actor, partner_id, subscription_id, data)

    @rpc
    def delete_subscription(self, actor, partner_id, subscription_id):
        return usecases.delete_subscription(self.db, actor, partner_id, subscription_id)

    @rpc
    def list_alerts(self, actor, partner_id, limit=None, cursor=None):
        return usecases.list_alerts(self.db, actor, partner_id, limit, cursor)

    @rpc
    def list_deliveries(self, actor, partner_id, limit=None, cursor=None):
        return usecases.list_deliveries(self.db, actor, partner_id, limit, cursor)

    @rpc
    def redeliver(self, actor, partner_id, delivery_id):
        return usecases.redeliver(self.db, actor, partner_id, delivery_id)

    @rpc
    def matches_alerted(self, actor, partner_id):
        return usecases.matches_alerted(self.db, actor, partner_id)

    @rpc
    def get_alert_preferences(self, actor):
        return usecases.get_alert_preferences(self.db, self.settings, actor)

    @rpc
    def set_alert_preferences(self, actor, prefs):
        return usecases.set_alert_preferences(self.db, self.settings, actor, prefs)

    @rpc
    def list_inbox(self, actor, limit=None, cursor=None):
        return usecases.list_inbox(self.db, self.settings, actor, limit, cursor)

    @rpc
    def mark_read(self, actor, alert_id):
        return usecases.mark_read(self.db, actor, alert_id)

    @rpc
    def inbox_summary(self, actor):
        return usecases.inbox_summary(self.db, actor)

    @handle_event(PEOPLE_CONSUMER)
    def on_people_changed(self, event):
        usecases.people_changed(self.db, event)

    @handle_event(MATCH_CONSUMER)
    def on_match_changed(self, event):
        usecases.match_changed(self.db, self.settings, event)

    @handle_event(AGREEMENT_CONSUMER)
    def on_agreement_changed(self, event):
        usecases.agreement_changed(self.db, self.settings, event)

    @handle_event(INTRODUCTION_CONSUMER)
    def on_introduction_changed(self, event):
        usecases.introduction_changed(self.db, self.settings, event)

    @handle_event(OBLIGATION_CONSUMER)
    def on_obligation_reminded(self, event):
        usecases.obligation_reminded(self.db, self.settings, event)

    @configured_timer(interval_from=config.delivery_poll_interval)
    def deliver_webhooks(self):
        usecases.deliver_due(self.db, self.settings)

    @configured_timer(interval_from=config.digest_poll_interval)
    def send_digests(self):
        usecases.send_due_digests(self.db)
        usecases.send_due_person_digests(self.db)
