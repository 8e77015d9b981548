"""What the agreements service accepts and returns over RPC (and so what the
public API accepts and returns: the gateway documents AgreementProposal,
SignatureIn and AgreementOut)."""
from datetime import date, datetime, timedelta, timezone

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from services.contracts.events import RegionSchema
from services.contracts.vocabulary import AGREEMENT_KINDS, PARTY_KINDS, SECTORS

# Clocks differ a little between the caller and us; more than this is a mistake.
CLOCK_SKEW = timedelta(minutes=5)


class PartyRef(Schema):
    kind = fields.Str(required=True, validate=validate.OneOf(PARTY_KINDS))
    id = fields.Str(required=True, validate=validate.Length(min=1, max=64))


class DocumentRef(Schema):
    url = fields.Url(required=True, schemes={"http", "https"})
    sha256 = fields.Str(required=True, validate=validate.Regexp(
        r"^[0-9a-f]{64}$", error="give the SHA-256 of the document as 64 lowercase hex digits"))


class AgreementProposal(Schema):
    kind = fields.Str(required=True, validate=validate.OneOf(AGREEMENT_KINDS))
    title = fields.Str(required=True, validate=validate.Length(min=3, max=300))
    match_id = fields.Str(load_default=None, allow_none=True, metadata={
        "description": "the match the agreement comes from; it must be active and its "
                       "company and park must be parties"})
    parties = fields.List(fields.Nested(PartyRef), required=True,
                          validate=validate.Length(min=2, max=20))
    sponsor_partner_id = fields.Str(load_default=None, allow_none=True, metadata={
        "description": "the partner brokering the agreement; a partner proposing an "
                       "agreement it is not a party to becomes its sponsor"})
    terms = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=20000))
    documents = fields.List(fields.Nested(DocumentRef), load_default=list,
                            validate=validate.Length(max=50))
    proposed_by = fields.Nested(PartyRef, load_default=None, allow_none=True, metadata={
        "description": "operator only: the party (or sponsor partner) the operator records "
                       "the proposal for; defaults to the first party"})

    @validates_schema
    def _parties_are_distinct(self, data, **kwargs):
        seen = {}
        for index, party in enumerate(data.get("parties") or []):
            first = seen.setdefault((party["kind"], party["id"]), index)
            if first != index:
                raise ValidationError(f"parties[{index}] repeats parties[{first}]; "
                                      "each party may appear once", "parties")


class SignedAt(fields.Str):
    """An ISO date (taken as midnight UTC) or an ISO date-time with a UTC offset."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            if len(text) == 10:
                day = date.fromisoformat(text)
                return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValidationError("use an ISO date (2024-07-29) or date-time with offset "
                                  "(2024-07-29T10:00:00+09:00)") from None
        if moment.tzinfo is None:
            raise ValidationError("give the date-time with its UTC offset, e.g. +09:00")
        return moment.astimezone(timezone.utc)


class SignatureIn(Schema):
    party = fields.Nested(PartyRef, load_default=None, allow_none=True, metadata={
        "description": "operator only: the party the operator signs for; a party signs "
                       "for itself"})
    signed_at = SignedAt(load_default=None, allow_none=True, metadata={
        "description": "when it was signed, for recording historic agreements; "
                       "defaults to now"})

    @validates("signed_at")
    def _not_in_future(self, value, **kwargs):
        if value is not None and value > datetime.now(timezone.utc) + CLOCK_SKEW:
            raise ValidationError("cannot be in the future")


class PartyOut(PartyRef):
    name = fields.Str(allow_none=True)
    signed_at = fields.AwareDateTime(allow_none=True, metadata={
        "description": "null until this party has signed"})


class ProposerOut(PartyRef):
    name = fields.Str(allow_none=True)


class AgreementOut(Schema):
    id = fields.Str(required=True)
    version = fields.Int(required=True)
    kind = fields.Str(required=True, validate=validate.OneOf(AGREEMENT_KINDS))
    title = fields.Str(required=True)
    status = fields.Str(required=True, metadata={"description": "proposed, then signed"})
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
    signed_at = fields.AwareDateTime(allow_none=True, metadata={
        "description": "when the last party signed"})
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)


class ActorOut(Schema):
    kind = fields.Str(required=True, metadata={"description": "company, park, partner or operator"})
    id = fields.Str(required=True)


class HistoryEntryOut(Schema):
    at = fields.AwareDateTime(required=True)
    actor = fields.Nested(ActorOut, required=True)
    action = fields.Str(required=True, metadata={"description": "proposed, signed, state_changed"})
    details = fields.Dict(required=True)
