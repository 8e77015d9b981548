"""The accounts settings come from the environment, with the documented defaults."""
from datetime import timedelta

import pytest

from services.accounts.config import Settings


def test_defaults(monkeypatch):
    for name in ("PARKMATCH_WEB_URL", "PARKMATCH_SIGN_IN_LINK_TTL_SECONDS",
                 "PARKMATCH_SESSION_IDLE_TIMEOUT_SECONDS", "PARKMATCH_SESSION_MAX_AGE_SECONDS",
                 "PARKMATCH_INVITATION_TTL_SECONDS", "PARKMATCH_SIGN_IN_RATE_WINDOW_SECONDS",
                 "PARKMATCH_SIGN_IN_LIMIT_PER_EMAIL", "PARKMATCH_SIGN_IN_LIMIT_PER_ADDRESS"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings.from_env()
    assert settings.web_url == "http://127.0.0.1:8080"
    assert settings.sign_in_link_ttl == timedelta(minutes=15)
    assert settings.session_idle_timeout == timedelta(hours=12)
    assert settings.session_max_age == timedelta(days=7)
    assert settings.invitation_ttl == timedelta(days=7)
    assert settings.rate_window == timedelta(minutes=15)
    assert (settings.sign_in_limit_per_email, settings.sign_in_limit_per_address) == (5, 20)


def test_the_environment_overrides_and_nonsense_is_refused(monkeypatch):
    monkeypatch.setenv("PARKMATCH_WEB_URL", "https://app.parkmatch.example/")
    monkeypatch.setenv("PARKMATCH_SIGN_IN_LINK_TTL_SECONDS", "1.5")
    monkeypatch.setenv("PARKMATCH_SMTP_HOST", "mail.example")
    settings = Settings.from_env()
    assert settings.web_url == "https://app.parkmatch.example"
    assert settings.sign_in_link_ttl == timedelta(seconds=1.5)
    assert settings.smtp.host == "mail.example"
    monkeypatch.setenv("PARKMATCH_SIGN_IN_LIMIT_PER_EMAIL", "0")
    with pytest.raises(ValueError, match="PARKMATCH_SIGN_IN_LIMIT_PER_EMAIL"):
        Settings.from_env()
