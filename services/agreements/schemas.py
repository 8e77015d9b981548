"""What the agreements service accepts and returns over RPC (and so what the
public API accepts and returns: the gateway documents these schemas)."""
from datetime import UTC, date, datetime, timedelta

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from services.contracts import limits as L
from services.contracts.events import RegionSchema
from services.contracts.vocabulary import (
    AGREEMENT_KINDS,
    AGREEMENT_STATES,
    INTRODUCTION_STATUSES,
    PARTY_KINDS,
    SECTORS,
)
from services.platform.validation import WindowAwareDateTime, WindowDate, require_in_window

from . import domain

# Clocks differ a little between the caller and us; more than this is a mistake.
CLOCK_SKEW = timedelta(minutes=5)


class PartyRef(Schema):
    kind = fields.Str(required=True, validate=validate.OneOf(PARTY_KINDS))
    id = fields.Str(required=True, validate=validate.Length(min=1, max=64))


# Dates far outside any agreement's life are mistakes (and would overflow
# date arithmetic).
SANE_DATE = validate.Range(min=date(1950, 1, 1), max=date(2200, 12, 31),
                           error="must be between 1950-01-01 and 2200-12-31")


def a_date(**kwargs):
    return WindowDate(validate=SANE_DATE, **kwargs)


class DocumentRef(Schema):
    url = L.url_field(required=True)
    sha256 = fields.Str(required=True, validate=validate.Regexp(
        r"^[0-9a-f]{64}$", error="give the SHA-256 of the document as 64 lowercase hex digits"))
    title = fields.Str(allow_none=True, validate=validate.Length(max=300))


class DocumentIn(DocumentRef):
    """A document attached by reference: where it is, and its SHA-256 so
    everyone can check they read the same bytes."""
    title = fields.Str(required=True, validate=validate.Length(min=1, max=300))


class AgreementProposal(Schema):
    kind = fields.Str(required=True, validate=validate.OneOf(AGREEMENT_KINDS))
    title = fields.Str(required=True, validate=validate.Length(min=3, max=300))
    match_id = fields.Str(load_default=None, allow_none=True,
                          validate=validate.Length(min=1, max=L.ID_MAX), metadata={
        "description": "the match the agreement comes from; it must be active and its "
                       "company and park must be parties"})
    parties = L.unique_list(fields.Nested(PartyRef), L.PARTIES_MAX, unique=False, required=True,
                            validate=validate.Length(min=2, max=L.PARTIES_MAX))
    sponsor_partner_id = fields.Str(load_default=None, allow_none=True,
                                    validate=validate.Length(min=1, max=L.ID_MAX), metadata={
        "description": "the partner brokering the agreement; a partner proposing an "
                       "agreement it is not a party to becomes its sponsor"})
    terms = fields.Str(load_default=None, allow_none=True,
                       validate=validate.Length(max=L.TERMS_TEXT_MAX))
    documents = L.unique_list(fields.Nested(DocumentRef), L.DOCUMENTS_MAX, unique=False,
                              load_default=list)
    proposed_by = fields.Nested(PartyRef, load_default=None, allow_none=True, metadata={
        "description": "operator only: the party (or sponsor partner) the operator records "
                       "the proposal for; defaults to the first party"})
    draft = fields.Bool(load_default=False, metadata={
        "description": "true: keep it a draft until a transition to 'proposed'"})
    starts_on = a_date(load_default=None, allow_none=True, metadata={
        "description": "once signed, the agreement becomes active on this date"})
    ends_on = a_date(load_default=None, allow_none=True, metadata={
        "description": "an active agreement expires after this date"})

    @validates_schema
    def _term_is_ordered(self, data, **kwargs):
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            raise ValidationError("must not be before starts_on", "ends_on")

    @validates_schema
    def _parties_are_distinct(self, data, **kwargs):
        seen = {}
        for index, party in enumerate(data.get("parties") or []):
            first = seen.setdefault((party["kind"], party["id"]), index)
            if first != index:
                raise ValidationError(f"parties[{index}] repeats parties[{first}]; "
                                      "each party may appear once", "parties")


class SignedAt(fields.Str):
    """An ISO date (taken as midnight UTC) or an ISO date-time with a UTC
    offset, within the date window (checked before converting to UTC, which
    overflows for 0001-01-01T00:00:00+09:00)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            if len(text) == 10:
                day = require_in_window(date.fromisoformat(text))
                return datetime(day.year, day.month, day.day, tzinfo=UTC)
            moment = require_in_window(datetime.fromisoformat(text))
        except ValueError:
            raise ValidationError("use an ISO date (2024-07-29) or date-time with offset "
                                  "(2024-07-29T10:00:00+09:00)") from None
        if moment.tzinfo is None:
            raise ValidationError("give the date-time with its UTC offset, e.g. +09:00")
        return moment.astimezone(UTC)


class SignatureIn(Schema):
    party = fields.Nested(PartyRef, load_default=None, allow_none=True, metadata={
        "description": "operator only: the party the operator signs for; a party signs "
                       "for itself"})
    signed_at = SignedAt(load_default=None, allow_none=True, metadata={
        "description": "when it was signed, for recording historic agreements; "
                       "defaults to now"})

    @validates("signed_at")
    def _not_in_future(self, value, **kwargs):
        if value is not None and value > datetime.now(UTC) + CLOCK_SKEW:
            raise ValidationError("cannot be in the future")


class PartyOut(PartyRef):
    name = fields.Str(allow_none=True)
    signed_at = WindowAwareDateTime(allow_none=True, metadata={
        "description": "null until this party has signed"})


class ProposerOut(PartyRef):
    name = fields.Str(allow_none=True)


class AgreementOut(Schema):
    id = fields.Str(required=True)
    version = fields.Int(required=True)
    kind = fields.Str(required=True, validate=validate.OneOf(AGREEMENT_KINDS))
    title = fields.Str(required=True)
    status = fields.Str(required=True, validate=validate.OneOf(AGREEMENT_STATES), metadata={
        "description": "draft -> proposed -> signed -> active -> completed | terminated | "
                       "expired"})
    match_id = fields.Str(allow_none=True)
    parties = fields.List(fields.Nested(PartyOut), required=True)
    proposed_by = fields.Nested(ProposerOut, required=True)
    sponsor_partner_id = fields.Str(allow_none=True)
    terms = fields.Str(allow_none=True)
    documents = fields.List(fields.Nested(DocumentRef))
    sectors = fields.List(fields.Str(validate=validate.OneOf(sorted(SECTORS))), metadata={
        "description": "from the match, if any"})
    region = fields.Nested(RegionSchema, allow_none=True, metadata={
        "description": "the park's region, from the match, if any"})
    signed_at = WindowAwareDateTime(allow_none=True, metadata={
        "description": "when the last party signed"})
    starts_on = WindowDate(allow_none=True)
    ends_on = WindowDate(allow_none=True)
    proposed_at = WindowAwareDateTime(allow_none=True)
    allowed_transitions = fields.Method("_allowed", metadata={
        "description": "states POST .../transitions may move it to now"})
    created_at = WindowAwareDateTime(required=True)
    updated_at = WindowAwareDateTime(required=True)

    def _allowed(self, agreement):
        return domain.allowed_transitions(agreement["status"])


class ActorOut(Schema):
    kind = fields.Str(required=True, metadata={
        "description": "company, park, partner, operator, or system (the timer)"})
    id = fields.Str(required=True)


class HistoryEntryOut(Schema):
    at = WindowAwareDateTime(required=True)
    actor = fields.Nested(ActorOut, required=True)
    action = fields.Str(required=True, metadata={
        "description": "proposed, signed, state_changed, document_added, obligation_added, "
                       "obligation_fulfilled, obligation_changed, obligation_cancelled"})
    details = fields.Dict(required=True)


# --- lifecycle -------------------------------------------------------------------------------

class TransitionIn(Schema):
    to = fields.Str(required=True, validate=validate.OneOf(AGREEMENT_STATES), metadata={
        "description": "the state to move to; a 409 names the allowed ones"})
    reason = fields.Str(load_default=None, allow_none=True,
                        validate=validate.Length(max=L.REASON_MAX),
                        metadata={"description": "required to terminate"})


# --- introductions --------------------------------------------------------------------------

class IntroductionContact(Schema):
    person = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=200))
    email = L.email_field(required=True)
    phone = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=40))


class IntroductionRequest(Schema):
    match_id = fields.Str(required=True, validate=validate.Length(min=1, max=64), metadata={
        "description": "an active match; the requester is its park, a partner, or the operator"})
    message = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=4000),
                         metadata={"description": "shown to the company with the request"})
    contact = fields.Nested(IntroductionContact, load_default=None, allow_none=True, metadata={
        "description": "the contact the company receives if it accepts (required from "
                       "partners; a park defaults to its profile contact)"})
    requested_by = fields.Nested(PartyRef, load_default=None, allow_none=True, metadata={
        "description": "operator only: the park or partner it records the request for; "
                       "defaults to the match's park"})
    sponsor_partner_id = fields.Str(load_default=None, allow_none=True,
                                    validate=validate.Length(min=1, max=64), metadata={
        "description": "the partner brokering it; a requesting partner is the sponsor"})


class DecisionIn(Schema):
    reason = fields.Str(load_default=None, allow_none=True,
                        validate=validate.Length(max=L.REASON_MAX),
                        metadata={"description": "optional: why it is declined or withdrawn"})


class IntroductionContactsOut(Schema):
    company = fields.Nested(IntroductionContact, allow_none=True)
    park = fields.Nested(IntroductionContact, allow_none=True)
    requester = fields.Nested(IntroductionContact, allow_none=True)


class IntroductionOut(Schema):
    id = fields.Str(required=True)
    version = fields.Int(required=True)
    status = fields.Str(required=True, validate=validate.OneOf(INTRODUCTION_STATUSES))
    match_id = fields.Str(required=True)
    company_id = fields.Str(required=True)
    demand_id = fields.Str(allow_none=True)
    park_id = fields.Str(required=True)
    requester = fields.Nested(PartyRef, required=True)
    sponsor_partner_id = fields.Str(allow_none=True)
    message = fields.Str(allow_none=True)
    sectors = fields.List(fields.Str())
    region = fields.Nested(RegionSchema, allow_none=True)
    score = fields.Float(allow_none=True)
    requested_at = WindowAwareDateTime(required=True)
    expires_at = WindowAwareDateTime(required=True)
    decided_at = WindowAwareDateTime(allow_none=True)
    decided_by = fields.Nested(PartyRef, allow_none=True)
    decline_reason = fields.Str(allow_none=True)
    withdrawal_reason = fields.Str(allow_none=True, metadata={
        "description": "the requester's reason, if it withdrew the request"})
    contacts = fields.Nested(IntroductionContactsOut, allow_none=True, metadata={
        "description": "null until the company accepts; then both sides' contacts"})


# --- obligations ----------------------------------------------------------------------------

class ScheduleIn(Schema):
    kind = fields.Str(required=True, validate=validate.OneOf(("once", "recurring")))
    due_on = a_date(load_default=None, allow_none=True, metadata={"description": "kind once"})
    rrule = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=500),
                       metadata={"description": "kind recurring: an RFC 5545 RRULE, e.g. "
                                                "FREQ=MONTHLY;INTERVAL=6;COUNT=10"})
    starts_on = a_date(load_default=None, allow_none=True, metadata={
        "description": "kind recurring: the first occurrence"})


class ObligationIn(Schema):
    title = fields.Str(required=True, validate=validate.Length(min=3, max=300))
    owner = fields.Nested(PartyRef, required=True, metadata={
        "description": "the party that owes it"})
    schedule = fields.Nested(ScheduleIn, required=True)
    remind_days_before = fields.List(
        fields.Int(strict=True, validate=validate.Range(min=0, max=3650)),
        load_default=None, allow_none=True, validate=validate.Length(max=10), metadata={
            "description": "default [30, 7]; tenancy agreements [90, 60, 30]"})

    @validates_schema
    def _schedule_is_complete(self, data, **kwargs):
        schedule = data.get("schedule")
        if not schedule:
            return
        if schedule["kind"] == "once":
            if schedule.get("due_on") is None:
                raise ValidationError("a one-off obligation needs due_on", "schedule.due_on")
            data["schedule"] = {"kind": "once", "due_on": schedule["due_on"]}
            return
        problems = {}
        if not schedule.get("rrule"):
            problems["schedule.rrule"] = ["a recurring obligation needs an RFC 5545 rule"]
        if schedule.get("starts_on") is None:
            problems["schedule.starts_on"] = ["a recurring obligation needs starts_on"]
        if problems:
            raise ValidationError(problems)
        reasons = domain.rrule_problems(schedule["rrule"], schedule["starts_on"])
        if reasons:
            raise ValidationError(reasons, "schedule.rrule")
        data["schedule"] = {"kind": "recurring", "rrule": schedule["rrule"].strip(),
                            "starts_on": schedule["starts_on"]}


class ObligationChange(Schema):
    """PATCH of an obligation: any of title, schedule, remind_days_before."""
    title = fields.Str(validate=validate.Length(min=3, max=300))
    schedule = fields.Nested(ScheduleIn)
    remind_days_before = fields.List(
        fields.Int(strict=True, validate=validate.Range(min=0, max=3650)),
        validate=validate.Length(max=10))

    @validates_schema
    def _something_and_a_complete_schedule(self, data, **kwargs):
        if not data:
            raise ValidationError("give title, schedule or remind_days_before", "_schema")
        ObligationIn._schedule_is_complete(self, data)


class CancellationIn(Schema):
    reason = fields.Str(load_default=None, allow_none=True,
                        validate=validate.Length(max=L.REASON_MAX),
                        metadata={"description": "optional: why it is no longer owed"})


class EvidenceIn(Schema):
    url = L.url_field(load_default=None, allow_none=True)
    sha256 = fields.Str(load_default=None, allow_none=True, validate=validate.Regexp(
        r"^[0-9a-f]{64}$", error="give the SHA-256 as 64 lowercase hex digits"))
    note = fields.Str(required=True, validate=validate.Length(min=1, max=4000))


class FulfilmentIn(Schema):
    occurrence_on = a_date(required=True, metadata={"description": "the due date fulfilled"})
    fulfilled_on = a_date(load_default=None, allow_none=True, metadata={
        "description": "for recording history; defaults to today"})
    evidence = fields.Nested(EvidenceIn, required=True)


class ScheduleOut(Schema):
    kind = fields.Str()
    due_on = WindowDate(allow_none=True)
    rrule = fields.Str(allow_none=True)
    starts_on = WindowDate(allow_none=True)


class FulfilmentOut(Schema):
    obligation_id = fields.Str()
    occurrence_on = WindowDate()
    fulfilled_on = WindowDate()
    on_time = fields.Bool()
    evidence = fields.Dict()
    recorded_by = fields.Nested(ActorOut)
    recorded_at = WindowAwareDateTime()


class ObligationOut(Schema):
    id = fields.Str(required=True)
    agreement_id = fields.Str(required=True)
    title = fields.Str(required=True)
    owner = fields.Nested(PartyRef, required=True)
    schedule = fields.Nested(ScheduleOut, required=True)
    remind_days_before = fields.List(fields.Int())
    next_occurrences = fields.List(WindowDate(), metadata={
        "description": "the next (up to 3) due dates not yet fulfilled"})
    overdue_occurrences = fields.List(WindowDate(), metadata={
        "description": "past due dates (since it was recorded) not fulfilled"})
    fulfilments = fields.List(fields.Nested(FulfilmentOut))
    created_at = WindowAwareDateTime(required=True)
    status = fields.Str(metadata={"description": "active or cancelled"})
    schedule_since = WindowDate(allow_none=True, metadata={
        "description": "the day the schedule last changed: earlier occurrences of it are not "
                       "owed"})
    changed_at = WindowAwareDateTime(allow_none=True)
    changed_by = fields.Nested(ActorOut, allow_none=True)
    cancelled_at = WindowAwareDateTime(allow_none=True)
    cancelled_by = fields.Nested(ActorOut, allow_none=True)
    cancellation_reason = fields.Str(allow_none=True)


# --- the funnel -------------------------------------------------------------------------------

class FunnelStageOut(Schema):
    stage = fields.Str()
    count = fields.Int(allow_none=True)
    conversion = fields.Float(allow_none=True, metadata={
        "description": "count / the previous stage's count; null if that is 0 or unknown"})


class FunnelOut(Schema):
    partner_id = fields.Str(allow_none=True)
    park_id = fields.Str(allow_none=True)
    as_of = WindowDate()
    stages = fields.List(fields.Nested(FunnelStageOut))
    overall_conversion = fields.Float(allow_none=True, metadata={
        "description": "agreements signed / matches"})
    on_time_rate = fields.Float(allow_none=True, metadata={
        "description": "obligation occurrences met on time / due so far"})
    matches_source = fields.Str(metadata={
        "description": "where the match count comes from"})
