"""The notifications migrations build exactly the tables storage uses, and
0002 turns each webhook URL of an existing partner into a channel signed
with that partner's secret."""
import json
from datetime import UTC, datetime

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
