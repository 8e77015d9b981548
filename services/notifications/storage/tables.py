"""The notifications tables (and the outbox and inbox beside them)."""
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from services.platform.idempotency import idempotency_table
from services.platform.outbox import messaging_tables

metadata = MetaData()
messaging_tables(metadata)
idempotency_table(metadata)  # creates retried under an Idempotency-Key

partners = Table(
    "partners", metadata,
    Column("id", String(36), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("api_key_hash", String(64), nullable=False, unique=True),
    # Kept apart from the document so it is never returned or logged with
    # the partner; sealed (secrets.py), opened only to sign.
    Column("webhook_secret", Text, nullable=False),
    Column("document", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

subscriptions = Table(
    "subscriptions", metadata,
    Column("id", String(36), primary_key=True),
    Column("partner_id", String(36), ForeignKey("partners.id"), nullable=False, index=True),
    Column("document", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

alerts = Table(
    "alerts", metadata,
    Column("id", String(36), primary_key=True),
    # a partner's alert; NULL for an organisation's (inbox) alert
    Column("partner_id", String(36), ForeignKey("partners.id"), nullable=True),
    Column("kind", String(40), nullable=False),
    Column("subject_id", String(64), nullable=False, index=True),
    Column("subject_version", Integer, nullable=False),
    # (partner, kind, subject, version): the same fact never alerts twice.
    Column("dedupe_key", String(255), nullable=False, unique=True),
    Column("data", JSON, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # what the event said, without its version: unchanged re-matches are no news
    Column("content_hash", String(64), nullable=True),
    # domain.SENT_NOW, IN_DIGEST, DIGESTED, DROPPED or NOTICE
    Column("disposition", String(16), nullable=False, server_default="immediate"),
    Column("language", String(2), nullable=False, server_default="en"),
    # an organisation's alert (company, park or partner people): its inbox
    Column("organisation_kind", String(16), nullable=True),
    Column("organisation_id", String(64), nullable=True),
    Index("ix_alerts_partner_created", "partner_id", "created_at"),
    Index("ix_alerts_organisation_created", "organisation_kind", "organisation_id",
          "created_at"),
    Index("ix_alerts_partner_subject", "partner_id", "subject_id"),
)

deliveries = Table(
    "deliveries", metadata,
    Column("id", String(36), primary_key=True),
    Column("alert_id", String(36), ForeignKey("alerts.id"), nullable=False, index=True),
    # a partner's delivery; NULL for an e-mail to a person (person_id)
    Column("partner_id", String(36), ForeignKey("partners.id"), nullable=True),
    Column("url", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=True),
    Column("last_status_code", Integer, nullable=True),
    Column("last_error", Text, nullable=True),
    # Set when a process claims the delivery to send it; its result only
    # moves the delivery on if the claim is still its own.
    Column("claim_token", String(36), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("delivered_at", DateTime(timezone=True), nullable=True),
    Column("channel_id", String(36), nullable=True),
    Column("channel_kind", String(16), nullable=False, server_default="webhook"),
    # attempts made before the latest manual redelivery (its retries start afresh)
    Column("round_start", Integer, nullable=False, server_default="0"),
    # an e-mail to a person: who, and in which language it is written
    Column("person_id", String(36), nullable=True),
    Column("language", String(2), nullable=True),
    Index("ix_deliveries_due", "status", "next_attempt_at"),
    Index("ix_deliveries_partner_created", "partner_id", "created_at"),
)

channels = Table(
    "channels", metadata,
    Column("id", String(36), primary_key=True),
    Column("partner_id", String(36), ForeignKey("partners.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("target", Text, nullable=False),
    Column("label", Text, nullable=True),
    Column("enabled", Boolean, nullable=False),
    Column("disabled_reason", Text, nullable=True),
    Column("consecutive_failures", Integer, nullable=False),
    # webhook channels: the signing secret, and the one it replaced until
    # previous_secret_until (rotation grace), both sealed (secrets.py).
    # Never part of what is returned.
    Column("secret", Text, nullable=True),
    Column("previous_secret", Text, nullable=True),
    Column("previous_secret_until", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("deleted_at", DateTime(timezone=True), nullable=True),
)

digest_items = Table(
    "digest_items", metadata,
    Column("id", String(36), primary_key=True),
    Column("partner_id", String(36), ForeignKey("partners.id"), nullable=False),
    # the digest subscription it waits for; NULL: the default daily digest
    Column("subscription_id", String(36), nullable=True),
    Column("alert_id", String(36), ForeignKey("alerts.id"), nullable=False),
    Column("subject_id", String(64), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    # pending, sent, dropped (withdrawn first), superseded (a newer one came)
    Column("status", String(16), nullable=False),
    Column("language", String(2), nullable=False),
    Column("channel_ids", JSON, nullable=False),
    Column("digest_alert_id", String(36), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_digest_items_due", "status", "due_at"),
    Index("ix_digest_items_subject", "partner_id", "subject_id", "status"),
)

delivery_attempts = Table(
    "delivery_attempts", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
           autoincrement=True),
    Column("delivery_id", String(36), ForeignKey("deliveries.id"), nullable=False, index=True),
    Column("number", Integer, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("error", Text, nullable=True),
    Column("latency_ms", Integer, nullable=False),
)

# The people of companies, parks and partners (from accounts' person.*
# events) and the alert preferences they set here.
people = Table(
    "people", metadata,
    Column("person_id", String(36), primary_key=True),
    Column("organisation_kind", String(16), nullable=False),
    Column("organisation_id", String(64), nullable=False),
    Column("email", String(320), nullable=False),
    Column("name", String(200), nullable=False),
    Column("language", String(2), nullable=False),
    Column("time_zone", String(64), nullable=True),
    Column("country", String(2), nullable=True),
    Column("mode", String(16), nullable=False),
    Column("digest_hour", Integer, nullable=True),
    # accounts' time of the change this row reflects: older events are ignored
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Column("removed", Boolean, nullable=False),
    Index("ix_people_organisation", "organisation_kind", "organisation_id"),
)

# One row per (person, organisation alert): the person is e-mailed about an
# alert at most once (at once or in a digest), and the day's count is the budget.
person_alerts = Table(
    "person_alerts", metadata,
    Column("id", String(36), primary_key=True),
    Column("person_id", String(36), nullable=False),
    Column("alert_id", String(36), ForeignKey("alerts.id"), nullable=False),
    Column("subject_id", String(64), nullable=False),
    # immediate, digest (waiting), digested, dropped
    Column("disposition", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=True),
    Column("digest_alert_id", String(36), nullable=True),
    UniqueConstraint("person_id", "alert_id", name="uq_person_alerts_person_alert"),
    Index("ix_person_alerts_due", "disposition", "due_at"),
    Index("ix_person_alerts_person_created", "person_id", "disposition", "created_at"),
    Index("ix_person_alerts_subject", "subject_id", "disposition"),
)

# Which inbox alerts each person has read.
inbox_reads = Table(
    "inbox_reads", metadata,
    Column("alert_id", String(36), ForeignKey("alerts.id"), primary_key=True),
    Column("person_id", String(36), primary_key=True),
    Column("read_at", DateTime(timezone=True), nullable=False),
)
