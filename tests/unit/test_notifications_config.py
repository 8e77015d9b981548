"""Delivery settings come from the environment, read when asked for."""
from services.notifications import config


def test_defaults(monkeypatch):
    for name in ("PARKMATCH_DELIVERY_POLL_INTERVAL", "PARKMATCH_WEBHOOK_TIMEOUT",
                 "PARKMATCH_WEBHOOK_RETRY_DELAYS", "PARKMATCH_DELIVERY_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)
    assert config.delivery_poll_interval() == 1
    assert config.webhook_timeout() == 15
    assert config.webhook_retry_delays() == [10, 60, 300, 1800, 7200, 21600]
    assert config.delivery_concurrency() == 10
    # a claimed delivery stays hidden well beyond one request's timeout
    assert config.delivery_lease_seconds() == 60


def test_environment_overrides(monkeypatch):
    monkeypatch.setenv("PARKMATCH_DELIVERY_POLL_INTERVAL", "0.25")
    monkeypatch.setenv("PARKMATCH_WEBHOOK_TIMEOUT", "30")
    monkeypatch.setenv("PARKMATCH_WEBHOOK_RETRY_DELAYS", "1, 2,5")
    assert config.delivery_poll_interval() == 0.25
    assert config.webhook_timeout() == 30
    assert config.webhook_retry_delays() == [1, 2, 5]
    assert config.delivery_lease_seconds() == 120
