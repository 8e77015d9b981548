"""Everything the matching service reads from the environment."""
from services.platform import settings

SERVICE_NAME = "matching"

# Consumers as named in services/contracts/topology.py.
COMPANY_CONSUMER = "matching.company_changed"
DEMAND_CONSUMER = "matching.demand_changed"

# Seconds between two looks at the calendar (expired demands, demands whose
# window opens). The nameko container config may override it (tests do).
EXPIRY_INTERVAL_KEY = "PARKMATCH_MATCHING_EXPIRY_INTERVAL"
DEFAULT_EXPIRY_INTERVAL = 60.0


def database_url():
    return settings.database_url(SERVICE_NAME)


def expiry_interval(container_config=None):
    value = (container_config or {}).get(EXPIRY_INTERVAL_KEY) or \
        settings.env(EXPIRY_INTERVAL_KEY, DEFAULT_EXPIRY_INTERVAL)
    return float(value)


# At most this many evaluations (company or demand events, calendar units)
# run at once in one matching process. Each is a SERIALIZABLE transaction
# that reads and inserts into the same index pages as its neighbours, so
# more at once mostly buys serialisation failures and retries (measured:
# docs/guide/matching.md, "Matching throughput"); two still overlap one's database waits
# with the other's Python work.
EVALUATIONS_KEY = "PARKMATCH_MATCHING_EVALUATIONS"
DEFAULT_EVALUATIONS = 2


def evaluations():
    value = int(settings.env(EVALUATIONS_KEY, DEFAULT_EVALUATIONS))
    if value < 1:
        raise ValueError(f"{EVALUATIONS_KEY} must be at least 1, not {value}")
    return value
