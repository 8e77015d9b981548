"""Delivery settings come from the environment, read when asked for."""
from services.notifications import config


def test_defaults(monkeypatch):
    for name in ("PARKMATCH_DELIVERY_POLL_INTERVAL", "PARKMATCH_WEBHOOK_TIMEOUT",
                 "PARKMATCH_WEBHOOK_RETRY_DELAYS", "PARKMATCH_DELIVERY_CONCURRENCY",
                 "PARKMATCH_WEBHOOK_BACKOFF_BASE", "PARKMATCH_WEBHOOK_BACKOFF_MAX",
                 "PARKMATCH_WEBHOOK_MAX_ATTEMPTS", "PARKMATCH_WEBHOOK_ALLOW_LOOPBACK",
                 "PARKMATCH_CHANNEL_FAILURE_LIMIT", "PARKMATCH_PARTNER_DAILY_BUDGET",
                 "PARKMATCH_WEBHOOK_SECRET_GRACE", "PARKMATCH_SMTP_HOST",
                 "PARKMATCH_SMTP_SECURITY", "PARKMATCH_SMTP_PORT"):
        monkeypatch.delenv(name, raising=False)
    assert config.delivery_poll_interval() == 1
    assert config.webhook_timeout() == 15
    # exponential bounds for full jitter: 30 s doubling, capped at 6 h, 12 tries in all
    delays = config.webhook_retry_delays()
    assert delays[:4] == [30, 60, 120, 240] and len(delays) == 11
    assert max(delays) == 6 * 3600 and 12 * 3600 < sum(delays) < 48 * 3600
    assert config.allow_loopback() is False
    assert config.channel_failure_limit() == 5
    assert config.partner_daily_budget() == 50
    assert config.secret_grace_seconds() == 24 * 3600
    assert config.smtp().host is None and config.smtp().port == 25
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


def test_backoff_and_smtp_from_the_environment(monkeypatch):
    monkeypatch.delenv("PARKMATCH_WEBHOOK_RETRY_DELAYS", raising=False)
    monkeypatch.setenv("PARKMATCH_WEBHOOK_BACKOFF_BASE", "10")
    monkeypatch.setenv("PARKMATCH_WEBHOOK_BACKOFF_MAX", "50")
    monkeypatch.setenv("PARKMATCH_WEBHOOK_MAX_ATTEMPTS", "5")
    assert config.webhook_retry_delays() == [10, 20, 40, 50]
    monkeypatch.setenv("PARKMATCH_SMTP_HOST", "smtp.example.org")
    monkeypatch.setenv("PARKMATCH_SMTP_SSL", "1")
    monkeypatch.setenv("PARKMATCH_SMTP_PASSWORD", "hunter2")
    smtp = config.smtp()
    assert smtp.security == "ssl" and smtp.port == 465
    assert smtp.password == "hunter2"
    monkeypatch.setenv("PARKMATCH_WEBHOOK_ALLOW_LOOPBACK", "1")
    assert config.allow_loopback() is True


def test_the_use_cases_settings_are_read_together_and_hide_the_smtp_password(monkeypatch):
    monkeypatch.setenv("PARKMATCH_PARTNER_DAILY_BUDGET", "3")
    monkeypatch.setenv("PARKMATCH_WEBHOOK_RETRY_DELAYS", "1,2")
    monkeypatch.setenv("PARKMATCH_WEBHOOK_TIMEOUT", "20")
    monkeypatch.setenv("PARKMATCH_SMTP_HOST", "smtp.example.org")
    monkeypatch.setenv("PARKMATCH_SMTP_PASSWORD", "hunter2")
    settings = config.settings()
    assert settings.partner_daily_budget == 3
    assert settings.webhook_retry_delays == (1, 2)
    assert settings.delivery_lease_seconds == 80 and settings.smtp.timeout == 20
    assert settings.smtp.host == "smtp.example.org" and settings.smtp.password == "hunter2"
    assert "hunter2" not in repr(settings) and "hunter2" not in str(settings)
    monkeypatch.setenv("PARKMATCH_PARTNER_DAILY_BUDGET", "4")
    assert settings.partner_daily_budget == 3  # a value: read once, when built
    assert config.settings().partner_daily_budget == 4
