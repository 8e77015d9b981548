"""Webhook secrets at rest: the notifications service (a nameko container on
the real broker and database) stores every signing secret sealed with
PARKMATCH_SECRETS_KEY, signs with the opened ones (checked by the
standardwebhooks package), refuses to start without a key or with one that
does not open what is stored, and reseals with a new key at start."""
# ruff: noqa: F811  (pytest fixtures imported from notifications_fixtures)
import logging

import pytest
import sqlalchemy
from standardwebhooks import Webhook

from services.notifications import storage
from services.notifications.service import NotificationsService
from services.platform import secretbox
from tests.conftest import SECRETS_KEY, eventually
from tests.service.notifications_fixtures import (  # noqa: F401  (fixtures)
    assert_count,
    delivery_env,
    match,
    notifications,
    publish,
    receiver,
    register,
    service_db,
)

NEW_KEY = secretbox.new_key_text()


def verifies(secret, request):
    """Check as a partner would, with the standardwebhooks package."""
    try:
        Webhook(secret).verify(request["body"], {
            name: request["headers"][name]
            for name in ("webhook-id", "webhook-timestamp", "webhook-signature")})
        return True
    except Exception:
        return False


def everything_stored(engine):
    """Every row of every table of the service's database, as text."""
    with engine.connect() as conn:
        return "\n".join(repr(tuple(row)) for table in storage.metadata.sorted_tables
                         for row in conn.execute(sqlalchemy.select(table)))


def stored_secrets(engine):
    with engine.connect() as conn:
        rows = conn.execute(sqlalchemy.text(
            "SELECT webhook_secret FROM partners UNION ALL SELECT secret FROM channels "
            "WHERE secret IS NOT NULL UNION ALL SELECT previous_secret FROM channels "
            "WHERE previous_secret IS NOT NULL"))
        return [value for (value,) in rows]


def key_id(text):
    return secretbox.key_id(secretbox.parse_key(text))


def test_no_webhook_secret_is_stored_or_logged_in_plaintext_and_deliveries_verify(
        notifications, service_db, rpc, publish, receiver, caplog):
    # our own loggers at every level; nameko's own DEBUG replies (the RPC
    # client logs whole results, at DEBUG only) are not ours to judge here
    caplog.set_level(logging.DEBUG, logger="services")
    registered, actor = register(rpc, webhooks=[receiver.url("/registered")])
    rpc.notifications.add_subscription(actor, actor["id"], {})
    added = rpc.notifications.add_channel(actor, actor["id"], {
        "kind": "webhook", "url": receiver.url("/added")})
    rotated = rpc.notifications.rotate_channel_secret(actor, actor["id"],
                                                      added["channel"]["id"])
    shown = [registered["webhook_secret"], added["secret"], rotated["secret"]]
    assert all(secret.startswith("whsec_") for secret in shown)

    publish("match.found", match())
    eventually(lambda: assert_count(receiver.to("/registered"), 1))
    eventually(lambda: assert_count(receiver.to("/added"), 1))
    assert verifies(registered["webhook_secret"], receiver.to("/registered")[0])
    during_rotation = receiver.to("/added")[0]
    assert verifies(rotated["secret"], during_rotation)
    assert verifies(added["secret"], during_rotation)
    assert not verifies(registered["webhook_secret"], during_rotation)

    stored = everything_stored(service_db)
    assert "whsec_" not in stored
    for secret in shown:
        assert secret.removeprefix("whsec_") not in stored
        assert secret.removeprefix("whsec_") not in caplog.text
    sealed = stored_secrets(service_db)
    assert len(sealed) == 4  # the partner's, the two channels', the rotated-out one
    assert {secretbox.sealed_key_id(value) for value in sealed} == {key_id(SECRETS_KEY)}


def test_the_service_refuses_to_start_without_a_key(run_service, delivery_env, monkeypatch):
    monkeypatch.delenv("PARKMATCH_SECRETS_KEY")
    with pytest.raises(secretbox.BadKey, match="PARKMATCH_SECRETS_KEY is not set"):
        run_service(NotificationsService)


def test_a_new_key_reseals_everything_at_start_and_then_the_old_one_can_go(
        notifications, service_db, run_service, rpc, publish, receiver, monkeypatch):
    registered, actor = register(rpc, webhooks=[receiver.url("/hooks")])
    rpc.notifications.add_subscription(actor, actor["id"], {})
    url = notifications.config["NOTIFICATIONS_DATABASE_URL"]
    notifications.stop()

    # only the new key: what the old one sealed does not open, and the
    # process says which key it needs (never the secret)
    monkeypatch.setenv("PARKMATCH_SECRETS_KEY", NEW_KEY)
    with pytest.raises(secretbox.CannotOpen) as refused:
        run_service(NotificationsService, database_urls={"notifications": url})
    assert key_id(SECRETS_KEY) in str(refused.value)
    assert registered["webhook_secret"] not in str(refused.value)

    # the new key with the old one beside it: everything is resealed at start
    monkeypatch.setenv("PARKMATCH_SECRETS_OLD_KEYS", SECRETS_KEY)
    run_service(NotificationsService, database_urls={"notifications": url}).stop()
    assert {secretbox.sealed_key_id(value) for value in stored_secrets(service_db)} == {
        key_id(NEW_KEY)}

    # and from now on the new key alone opens them and deliveries still verify
    monkeypatch.delenv("PARKMATCH_SECRETS_OLD_KEYS")
    run_service(NotificationsService, database_urls={"notifications": url})
    publish("match.found", match())
    eventually(lambda: assert_count(receiver.to("/hooks"), 1))
    assert verifies(registered["webhook_secret"], receiver.to("/hooks")[0])
