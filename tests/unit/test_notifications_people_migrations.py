"""0003 makes alerts and deliveries able to belong to organisations and
people, on a database that already holds partner alerts and deliveries
(SQLite rebuilds the tables those rows point at)."""
from datetime import UTC, datetime

import sqlalchemy

from services.platform import migrations
from services.platform.db import make_engine


def test_0003_keeps_partner_alerts_and_deliveries(tmp_path):
    url = f"sqlite:///{tmp_path / 'notifications.db'}"
    at = datetime(2026, 1, 1, tzinfo=UTC)
    migrations.upgrade("notifications", url, "0002")
    engine = make_engine(url)  # foreign keys on, as the services run
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text(
            "INSERT INTO partners (id, version, api_key_hash, webhook_secret, document, "
            "created_at) VALUES ('p1', 1, 'h', 's', '{}', :at)"), {"at": at})
        conn.execute(sqlalchemy.text(
            "INSERT INTO alerts (id, partner_id, kind, subject_id, subject_version, dedupe_key, "
            "data, occurred_at, created_at) VALUES ('a1', 'p1', 'match.found', 'm1', 1, 'k', "
            "'{}', :at, :at)"), {"at": at})
        conn.execute(sqlalchemy.text(
            "INSERT INTO deliveries (id, alert_id, partner_id, url, status, attempts, "
            "created_at) VALUES ('d1', 'a1', 'p1', 'https://x.example/h', 'delivered', 1, :at)"),
            {"at": at})
    migrations.upgrade("notifications", url, "0003")
    with engine.begin() as conn:
        alerts = conn.execute(sqlalchemy.text(
            "SELECT id, partner_id, organisation_kind FROM alerts")).all()
        deliveries = conn.execute(sqlalchemy.text(
            "SELECT id, alert_id, person_id FROM deliveries")).all()
        conn.execute(sqlalchemy.text(
            "INSERT INTO alerts (id, partner_id, kind, subject_id, subject_version, dedupe_key, "
            "data, occurred_at, created_at, organisation_kind, organisation_id) VALUES "
            "('a2', NULL, 'match.found', 'm1', 1, 'org:company:c1|k', '{}', :at, :at, "
            "'company', 'c1')"), {"at": at})
        references = conn.execute(sqlalchemy.text("PRAGMA foreign_key_list(deliveries)")).all()
        enforced = conn.execute(sqlalchemy.text("PRAGMA foreign_keys")).scalar()
    engine.dispose()
    assert [tuple(row) for row in alerts] == [("a1", "p1", None)]
    assert [tuple(row) for row in deliveries] == [("d1", "a1", None)]
    assert {row[2] for row in references} == {"alerts", "partners"}
    assert enforced == 1
