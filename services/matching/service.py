"""nameko entrypoints of the matching service: RPC for the gateway, the two
event consumers, and the calendar timer; each a one-liner into `usecases`."""
from nameko.extensions import DependencyProvider
from nameko.rpc import rpc

from services.platform.nameko_ext import DatabaseDependency, configured_timer, handle_event

from . import config, usecases
from .allocation import usecases as allocation_usecases
from .config import COMPANY_CONSUMER, DEMAND_CONSUMER, SERVICE_NAME


class EvaluationLimit(DependencyProvider):
    """Hands the process-wide evaluation limit from the settings to the use
    cases once, when the container starts."""

    def setup(self):
        usecases.evaluation_slot.configure(config.evaluations())


class MatchingService:
    name = SERVICE_NAME
    db = DatabaseDependency(SERVICE_NAME)
    evaluation_limit = EvaluationLimit()

    @handle_event(COMPANY_CONSUMER)
    def on_company_changed(self, event):
        usecases.company_changed(self.db, event)

    @handle_event(DEMAND_CONSUMER)
    def on_demand_changed(self, event):
        usecases.demand_changed(self.db, event)

    @configured_timer(interval_from=config.expiry_interval)
    def follow_calendar(self):
        usecases.follow_calendar(self.db)

    @rpc
    def list_company_matches(self, actor, company_id, include_withdrawn=False, lang="en",
                             limit=None, cursor=None):
        return usecases.list_company_matches(self.db, actor, company_id, include_withdrawn, lang,
                                             limit, cursor)

    @rpc
    def list_demand_matches(self, actor, demand_id, include_withdrawn=False, lang="en",
                            limit=None, cursor=None):
        return usecases.list_demand_matches(self.db, actor, demand_id, include_withdrawn, lang,
                                            limit, cursor)

    @rpc
    def list_demand_near_misses(self, actor, demand_id, lang="en", limit=None, cursor=None):
        return usecases.list_demand_near_misses(self.db, actor, demand_id, lang, limit, cursor)

    @rpc
    def list_company_near_misses(self, actor, company_id, lang="en", limit=None, cursor=None):
        return usecases.list_company_near_misses(self.db, actor, company_id, lang, limit, cursor)

    @rpc
    def get_match(self, actor, match_id, lang="en"):
        return usecases.get_match(self.db, actor, match_id, lang)

    # --- allocation (issue #3 §6) ---------------------------------------------------

    @rpc
    def set_demand_preferences(self, actor, company_id, body):
        return allocation_usecases.set_demand_preferences(self.db, actor, company_id, body)

    @rpc
    def get_demand_preferences(self, actor, company_id):
        return allocation_usecases.get_demand_preferences(self.db, actor, company_id)

    @rpc
    def run_allocation_round(self, actor, body, lang="en"):
        return allocation_usecases.run_allocation_round(self.db, actor, body, lang)

    @rpc
    def get_allocation_round(self, actor, round_id, lang="en"):
        return allocation_usecases.get_allocation_round(self.db, actor, round_id, lang)

    @rpc
    def list_allocation_rounds(self, actor, limit=None, cursor=None):
        return allocation_usecases.list_allocation_rounds(self.db, actor, limit, cursor)

    @rpc
    def list_park_allocation_rounds(self, actor, park_id, limit=None, cursor=None):
        return allocation_usecases.list_park_allocation_rounds(self.db, actor, park_id, limit,
                                                               cursor)
