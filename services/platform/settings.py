"""Environment helpers shared by the per-service config modules."""
import os
from pathlib import Path

DATA_DIR = Path(os.environ.get("PARKMATCH_DATA_DIR", "var/data"))


def env(name, default=None):
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_float_list(name, default):
    raw = env(name)
    if raw is None:
        return list(default)
    return [float(part) for part in raw.split(",") if part.strip()]


def amqp_uri():
    return env("PARKMATCH_AMQP_URI", "amqp://guest:guest@localhost:5672/")


def database_url(service):
    """PARKMATCH_<SERVICE>_DATABASE_URL, else a SQLite file of the service's own."""
    explicit = env(f"PARKMATCH_{service.upper()}_DATABASE_URL")
    if explicit:
        return explicit
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(DATA_DIR / f'{service}.db').resolve()}"


def retry_delays():
    """Seconds to wait before each retry of a failed event handler; after the
    last one the message is dead-lettered."""
    return env_float_list("PARKMATCH_RETRY_DELAYS", (1, 5, 30, 120, 600))


def nameko_config():
    return {
        "AMQP_URI": amqp_uri(),
        "max_workers": int(env("PARKMATCH_MAX_WORKERS", "10")),
        "serializer": "json",
        "WEB_SERVER_ADDRESS": env("PARKMATCH_HTTP_ADDRESS", "0.0.0.0:8000"),
        "PARKMATCH_RETRY_DELAYS": retry_delays(),
    }
