"""nameko entrypoints of the agreements service: RPC for people, reliable
event consumers for its directory of parties and matches. Each a one-liner
into `usecases`."""
from nameko.rpc import rpc

from services.platform.nameko_ext import DatabaseDependency, handle_event

from . import usecases
from .config import DIRECTORY_CONSUMER, MATCH_CONSUMER, SERVICE_NAME


class AgreementsService:
    name = SERVICE_NAME
    db = DatabaseDependency(SERVICE_NAME)

    @rpc
    def propose_agreement(self, actor, data):
        return usecases.propose_agreement(self.db, actor, data)

    @rpc
    def sign_agreement(self, actor, agreement_id, data=None):
        return usecases.sign_agreement(self.db, actor, agreement_id, data)

    @rpc
    def get_agreement(self, actor, agreement_id):
        return usecases.get_agreement(self.db, actor, agreement_id)

    @rpc
    def list_agreements(self, actor):
        return usecases.list_agreements(self.db, actor)

    @rpc
    def get_agreement_history(self, actor, agreement_id):
        return usecases.get_agreement_history(self.db, actor, agreement_id)

    @handle_event(DIRECTORY_CONSUMER)
    def on_directory_event(self, event):
        usecases.record_directory_entry(self.db, event)

    @handle_event(MATCH_CONSUMER)
    def on_match_event(self, event):
        usecases.record_match(self.db, event)
