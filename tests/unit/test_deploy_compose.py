"""deploy/docker-compose.yml parses, runs every service, and sets only
settings the services read, with the defaults they document."""
import re
from pathlib import Path

import yaml

from services.ops.catalog import SERVICES

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "deploy" / "docker-compose.yml"


def compose():
    return yaml.safe_load(COMPOSE.read_text())


def source_text():
    return "\n".join(path.read_text() for path in (ROOT / "services").rglob("*.py"))


def test_every_service_runs_with_the_shared_environment():
    services = compose()["services"]
    for name in SERVICES:
        assert services[name]["command"] == ["run", name], name
        env = services[name].get("environment") or {}
        assert "PARKMATCH_AMQP_URI" in env and "PARKMATCH_OPERATOR_KEY" in env, name
        assert "PARKMATCH_AGREEMENTS_DATABASE_URL" in env, name
    assert services["gateway"]["environment"]["PARKMATCH_HTTP_ADDRESS"] == "0.0.0.0:8000"


def test_partner_settings_are_set_and_every_setting_is_read_by_a_service():
    env = compose()["services"]["notifications"]["environment"]
    for name in ("PARKMATCH_SMTP_HOST", "PARKMATCH_SMTP_PORT", "PARKMATCH_SMTP_SECURITY",
                 "PARKMATCH_SMTP_FROM", "PARKMATCH_PARTNER_DAILY_BUDGET",
                 "PARKMATCH_CHANNEL_FAILURE_LIMIT", "PARKMATCH_INTRODUCTION_TTL_DAYS",
                 "PARKMATCH_MAX_OPEN_INTRODUCTIONS", "PARKMATCH_AGREEMENTS_TIMER_INTERVAL"):
        assert name in env, name
    # by default e-mail goes to the bundled mail catcher, never out
    assert env["PARKMATCH_SMTP_HOST"] == "${PARKMATCH_SMTP_HOST:-mailpit}"
    assert "mailpit" in compose()["services"]
    # never the development-only loopback switch
    assert "PARKMATCH_WEBHOOK_ALLOW_LOOPBACK" not in env
    code = source_text()
    for name in env:
        if name.endswith("_DATABASE_URL"):  # built from the service name
            continue
        assert f'"{name}"' in code, f"{name} is read by no service"


def test_defaults_in_the_file_are_the_services_defaults(monkeypatch):
    from services.agreements import config as agreements
    from services.notifications import config as notifications
    env = compose()["services"]["agreements"]["environment"]
    defaults = {}
    for name, value in env.items():
        found = re.fullmatch(r"\$\{(\w+):-(.*)\}", str(value))
        if found and found.group(1) == name:
            defaults[name] = found.group(2)
    for name in defaults:
        monkeypatch.delenv(name, raising=False)
    assert str(notifications.partner_daily_budget()) == defaults["PARKMATCH_PARTNER_DAILY_BUDGET"]
    assert str(notifications.channel_failure_limit()) == \
        defaults["PARKMATCH_CHANNEL_FAILURE_LIMIT"]
    assert str(notifications.default_digest_hour()) == defaults["PARKMATCH_DEFAULT_DIGEST_HOUR"]
    assert notifications.webhook_timeout() == float(defaults["PARKMATCH_WEBHOOK_TIMEOUT"])
    assert notifications.secret_grace_seconds() == \
        float(defaults["PARKMATCH_WEBHOOK_SECRET_GRACE"])
    assert str(agreements.introduction_ttl_days()) == defaults["PARKMATCH_INTRODUCTION_TTL_DAYS"]
    assert str(agreements.max_open_introductions()) == \
        defaults["PARKMATCH_MAX_OPEN_INTRODUCTIONS"]
    assert agreements.timer_interval() == float(defaults["PARKMATCH_AGREEMENTS_TIMER_INTERVAL"])
