"""The people directory, organisation alerts (the in-app inbox) and their
read marks, and the per-person ledger of e-mails."""
from sqlalchemy import and_, func, or_, select

from services.platform.sql import as_utc, insert_if_absent

from ..domain import DIGEST
from .alerts import _alert
from .tables import alerts, inbox_reads, people, person_alerts

PERSON_FIELDS = ("organisation_kind", "organisation_id", "email", "name", "language",
                 "time_zone", "country", "mode", "digest_hour", "changed_at", "removed")


def _person(row):
    found = {"person_id": row.person_id, **{name: getattr(row, name) for name in PERSON_FIELDS}}
    found["changed_at"] = as_utc(found["changed_at"])
    return found


def get_person(conn, person_id, for_update=False):
    query = select(people).where(people.c.person_id == person_id)
    if for_update and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    return _person(row) if row else None


def save_person(conn, person):
    values = {name: person[name] for name in PERSON_FIELDS}
    if not insert_if_absent(conn, people, {"person_id": person["person_id"], **values}):
        conn.execute(people.update().where(people.c.person_id == person["person_id"])
                     .values(**values))


def people_of(conn, organisation):
    """The organisation's people who have not been removed, in a fixed order."""
    rows = conn.execute(select(people).where(
        people.c.organisation_kind == organisation["kind"],
        people.c.organisation_id == organisation["id"],
        people.c.removed.is_(False)).order_by(people.c.person_id))
    return [_person(row) for row in rows]


def people_by_id(conn, person_ids):
    if not person_ids:
        return {}
    rows = conn.execute(select(people).where(people.c.person_id.in_(list(person_ids))))
    return {row.person_id: _person(row) for row in rows}


# --- the per-person ledger -------------------------------------------------------------

def insert_person_alert(conn, entry):
    """False if the person already has this alert (at once or in a digest)."""
    return insert_if_absent(conn, person_alerts, entry)


def person_alerts_since(conn, person_id, since, disposition):
    return conn.execute(select(func.count()).select_from(person_alerts).where(
        person_alerts.c.person_id == person_id, person_alerts.c.disposition == disposition,
        person_alerts.c.created_at >= since)).scalar()


def claim_due_person_digests(conn, now, disposition, limit=1000):
    """Entries waiting for a digest whose time has come, locked against a
    second process (PostgreSQL: SKIP LOCKED; SQLite: the write lock)."""
    query = (select(person_alerts).where(person_alerts.c.disposition == disposition,
                                         person_alerts.c.due_at <= now)
             .order_by(person_alerts.c.person_id, person_alerts.c.created_at).limit(limit))
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return [{"id": row.id, "person_id": row.person_id, "alert_id": row.alert_id,
             "subject_id": row.subject_id} for row in conn.execute(query)]


def waiting_person_alerts_about(conn, subject_id, disposition):
    rows = conn.execute(select(person_alerts.c.id).where(
        person_alerts.c.subject_id == subject_id, person_alerts.c.disposition == disposition))
    return [row.id for row in rows]


def set_person_alerts(conn, entry_ids, **values):
    if entry_ids:
        conn.execute(person_alerts.update().where(person_alerts.c.id.in_(list(entry_ids)))
                     .values(**values))


# --- the inbox ---------------------------------------------------------------------------

def _of(organisation):
    return and_(alerts.c.organisation_kind == organisation["kind"],
                alerts.c.organisation_id == organisation["id"], alerts.c.kind != DIGEST)


def latest_organisation_alert_about(conn, organisation, subject_id):
    row = conn.execute(select(alerts).where(_of(organisation), alerts.c.subject_id == subject_id)
                       .order_by(alerts.c.created_at.desc()).limit(1)).first()
    return _alert(row) if row else None


def inbox(conn, organisation, person_id, limit, before=None):
    """The organisation's alerts, newest first, each with whether this
    person has read it; `before`: (created_at, id) of the last one seen."""
    read = select(inbox_reads.c.alert_id).where(inbox_reads.c.person_id == person_id)
    query = (select(alerts, alerts.c.id.in_(read).label("is_read")).where(_of(organisation))
             .order_by(alerts.c.created_at.desc(), alerts.c.id.desc()).limit(limit))
    if before is not None:
        created_at, alert_id = before
        query = query.where(or_(alerts.c.created_at < created_at,
                                and_(alerts.c.created_at == created_at,
                                     alerts.c.id < alert_id)))
    return [{**_alert(row), "read": bool(row.is_read)}
            for row in conn.execute(query)]


def organisation_alert(conn, organisation, alert_id):
    row = conn.execute(select(alerts).where(_of(organisation), alerts.c.id == alert_id)).first()
    return _alert(row) if row else None


def mark_read(conn, alert_id, person_id, now):
    insert_if_absent(conn, inbox_reads, {"alert_id": alert_id, "person_id": person_id,
                                         "read_at": now})


def inbox_counts(conn, organisation, person_id):
    total = conn.execute(select(func.count()).select_from(alerts)
                         .where(_of(organisation))).scalar()
    read = conn.execute(select(func.count()).select_from(inbox_reads).join(
        alerts, alerts.c.id == inbox_reads.c.alert_id).where(
        _of(organisation), inbox_reads.c.person_id == person_id)).scalar()
    return {"total": total, "unread": total - read}
