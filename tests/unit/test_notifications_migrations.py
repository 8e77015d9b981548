"""The notifications migrations build exactly the tables storage uses, and
0002 turns each webhook URL of an existing partner into a channel signed
with that partner's secret; 0004 seals the plaintext webhook secrets with
PARKMATCH_SECRETS_KEY, and without a key stops before changing anything."""
import json
from datetime import UTC, datetime

import pytest
import sqlalchemy
from alembic import command

from services.platform import migrations


def test_0002_makes_channels_of_registration_webhooks(tmp_path):
    url = f"sqlite:///{tmp_path / 'notifications.db'}"
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as conn:
        command.upgrade(migrations.alembic_config("notifications", conn), "0001")
        conn.execute(sqlalchemy.text(
            "INSERT INTO partners (id, version, api_key_hash, webhook_secret, document, "
            "created_at) VALUES ('p1', 1, 'h', 'whsec_old', :doc, :at)"),
            {"doc": json.dumps({"webhooks": ["https://a.example.org/h",
                                             "https://b.example.org/h"]}),
             "at": datetime(2026, 1, 1, tzinfo=UTC)})
        command.upgrade(migrations.alembic_config("notifications", conn), "0002")
        rows = conn.execute(sqlalchemy.text(
            "SELECT partner_id, kind, target, secret, enabled FROM channels "
            "ORDER BY target")).all()
    engine.dispose()
    assert [tuple(row) for row in rows] == [
        ("p1", "webhook", "https://a.example.org/h", "whsec_old", 1),
        ("p1", "webhook", "https://b.example.org/h", "whsec_old", 1)]


def _plaintext_secrets_at_0003(conn):
    command.upgrade(migrations.alembic_config("notifications", conn), "0003")
    conn.execute(sqlalchemy.text(
        "INSERT INTO partners (id, version, api_key_hash, webhook_secret, document, "
        "created_at) VALUES ('p1', 1, 'h', 'whsec_registration', '{}', :at)"),
        {"at": datetime(2026, 1, 1, tzinfo=UTC)})
    conn.execute(sqlalchemy.text(
        "INSERT INTO channels (id, partner_id, kind, target, enabled, consecutive_failures, "
        "secret, previous_secret, previous_secret_until, created_at) VALUES "
        "('c1', 'p1', 'webhook', 'https://a.example.org/h', 1, 0, 'whsec_new', 'whsec_old', "
        ":at, :at), ('c2', 'p1', 'email', 'a@example.org', 1, 0, NULL, NULL, NULL, :at)"),
        {"at": datetime(2026, 1, 1, tzinfo=UTC)})


def _stored(conn):
    return [tuple(row) for row in conn.execute(sqlalchemy.text(
        "SELECT 'partner', id, webhook_secret, NULL FROM partners UNION ALL "
        "SELECT 'channel', id, secret, previous_secret FROM channels ORDER BY 2"))]


def test_0004_seals_the_plaintext_webhook_secrets_with_the_environments_key(tmp_path):
    from services.notifications import config, storage
    from services.platform import secretbox

    box = config.secret_box()  # tests/conftest.py's PARKMATCH_SECRETS_KEY
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'notifications.db'}")
    with engine.begin() as conn:
        _plaintext_secrets_at_0003(conn)
        command.upgrade(migrations.alembic_config("notifications", conn), "0004")
        stored = _stored(conn)
        channel_secrets = storage.channel_secrets(conn, ["c1", "c2"], box)
        partner_secrets = storage.webhook_secrets(conn, ["p1"], box)
        command.downgrade(migrations.alembic_config("notifications", conn), "0003")
        downgraded = _stored(conn)
    engine.dispose()
    assert "whsec_" not in repr(stored)
    sealed = [value for row in stored for value in row[2:] if value is not None]
    assert len(sealed) == 3
    assert {secretbox.sealed_key_id(value) for value in sealed} == {box.key_id}
    assert partner_secrets == {"p1": "whsec_registration"}
    assert channel_secrets["c1"]["secret"] == "whsec_new"
    assert channel_secrets["c1"]["previous_secret"] == "whsec_old"
    assert channel_secrets["c2"]["secret"] is None
    assert downgraded == [("channel", "c1", "whsec_new", "whsec_old"),
                          ("channel", "c2", None, None),
                          ("partner", "p1", "whsec_registration", None)]


def test_0004_without_a_key_stops_and_leaves_the_secrets_as_they_were(tmp_path, monkeypatch):
    from services.platform import secretbox

    monkeypatch.delenv("PARKMATCH_SECRETS_KEY")
    url = f"sqlite:///{tmp_path / 'notifications.db'}"
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as conn:
        _plaintext_secrets_at_0003(conn)
    engine.dispose()
    with pytest.raises(secretbox.BadKey, match="PARKMATCH_SECRETS_KEY is not set"):
        migrations.upgrade("notifications", url)
    engine = sqlalchemy.create_engine(url)
    with engine.connect() as conn:
        revision = conn.execute(sqlalchemy.text("SELECT version_num FROM alembic_version"))
        assert revision.scalar() == "0003"
        assert ("partner", "p1", "whsec_registration", None) in _stored(conn)
    engine.dispose()
