"""nameko entrypoints of the accounts service: RPC only, each a one-liner
into `usecases` or `api_keys`. None is routed by the public gateway: the web
app calls them (enrol_owner right after it registered an organisation)."""
import logging

from nameko.extensions import DependencyProvider
from nameko.rpc import rpc

from services.platform import mail
from services.platform.nameko_ext import DatabaseDependency

from . import api_keys, usecases
from .config import SERVICE_NAME, Settings

log = logging.getLogger(__name__)


class SettingsDependency(DependencyProvider):
    """The Settings, read from the environment once, when the container starts."""

    def setup(self):
        self.settings = Settings.from_env()

    def get_dependency(self, worker_ctx):
        return self.settings


class MailDependency(DependencyProvider):
    """A function that sends an e-mail from a thread of its own, so the RPC
    answers without waiting for the SMTP server (and in the same time whether
    or not an e-mail went out). Only the purpose and a record id are logged:
    never the address, the link or the token."""

    def setup(self):
        self.smtp = Settings.from_env().smtp

    def get_dependency(self, worker_ctx):
        def send(message, purpose, record_id):
            self.container.spawn_managed_thread(
                lambda: self._send(message, purpose, record_id), identifier="accounts.mail")
        return send

    def _send(self, message, purpose, record_id):
        outcome = mail.send(self.smtp, message.to, message.subject, message.text,
                              message.html)
        if outcome.error:
            log.warning("%s e-mail for %s not sent: %s", purpose, record_id, outcome.error)
        else:
            log.info("%s e-mail for %s sent in %d ms", purpose, record_id, outcome.latency_ms)


class AccountsService:
    name = SERVICE_NAME
    db = DatabaseDependency(SERVICE_NAME)
    settings = SettingsDependency()
    send_mail = MailDependency()

    @property
    def ctx(self):
        return usecases.Context(self.db, self.settings, self.send_mail)

    @rpc
    def enrol_owner(self, organisation, email, name, language):
        return usecases.enrol_owner(self.ctx, organisation, email, name, language)

    @rpc
    def request_sign_in(self, email, language=None, client_address=None):
        return usecases.request_sign_in(self.ctx, email, language, client_address)

    @rpc
    def complete_sign_in(self, token):
        return usecases.complete_sign_in(self.ctx, token)

    @rpc
    def resolve_session(self, session_token):
        return usecases.resolve_session(self.ctx, session_token)

    @rpc
    def sign_out(self, session_token):
        return usecases.sign_out(self.ctx, session_token)

    @rpc
    def invite_person(self, actor, email, name, language, organisation=None, role="member"):
        return usecases.invite_person(self.ctx, actor, email, name, language, organisation,
                                      role)

    @rpc
    def accept_invitation(self, token):
        return usecases.accept_invitation(self.ctx, token)

    @rpc
    def list_people(self, actor, organisation=None, limit=None, cursor=None):
        return usecases.list_people(self.ctx, actor, organisation, limit, cursor)

    @rpc
    def remove_person(self, actor, person_id):
        return usecases.remove_person(self.ctx, actor, person_id)

    @rpc
    def set_language(self, actor, language):
        return usecases.set_language(self.ctx, actor, language)

    @rpc
    def list_api_keys(self, actor, limit=None, cursor=None):
        return api_keys.list_api_keys(self.ctx, actor, limit, cursor)

    @rpc
    def create_api_key(self, actor, data):
        return api_keys.create_api_key(self.ctx, actor, data)

    @rpc
    def revoke_api_key(self, actor, key_id):
        return api_keys.revoke_api_key(self.ctx, actor, key_id)

    @rpc
    def rotate_api_key(self, actor, key_id):
        return api_keys.rotate_api_key(self.ctx, actor, key_id)

    @rpc
    def count_anonymous_write(self, purpose, client_address):
        """Internal (the gateway and the web app, before a registration)."""
        return usecases.count_anonymous_write(self.ctx, purpose, client_address)

    @rpc
    def authenticate_key(self, api_key):
        return api_keys.authenticate_key(self.ctx, api_key)
