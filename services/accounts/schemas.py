"""What the accounts service accepts and returns over RPC. Tokens, keys and
their hashes appear in no output schema: the two results that hand out a
secret (a session token, a new API key) add it next to the dumped record."""
from marshmallow import Schema, fields, validate

from services.contracts import limits as L
from services.contracts.events import NamesSchema
from services.platform.i18n import LANGUAGES
from services.platform.validation import WindowDateTime

from .domain import MEMBER, ORGANISATION_KINDS, OWNER

LANGUAGE = validate.OneOf(LANGUAGES, error="use one of ko, zh, en")
NAME = validate.Length(min=1, max=L.NAME_MAX)


class Address(fields.Email):
    """An e-mail address; blanks around it (a paste, a phone keyboard) are dropped."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = value.strip()
        return super()._deserialize(value, attr, data, **kwargs)


ADDRESS_LENGTH = L.email_length  # RFC 5321: local part <= 64, whole <= 254


class OrganisationSchema(Schema):
    kind = fields.Str(required=True, validate=validate.OneOf(ORGANISATION_KINDS))
    id = fields.Str(required=True, validate=validate.Length(min=1, max=64))
    names = fields.Nested(NamesSchema, load_default=None, allow_none=True, metadata={
        "description": "the organisation's names, for the e-mails (optional)"})


class OrganisationOut(Schema):
    kind = fields.Str(required=True)
    id = fields.Str(required=True)


class EnrolmentIn(Schema):
    organisation = fields.Nested(OrganisationSchema, required=True)
    email = Address(required=True, validate=ADDRESS_LENGTH)
    name = fields.Str(required=True, validate=NAME)
    language = fields.Str(required=True, validate=LANGUAGE)


class SignInRequestIn(Schema):
    email = Address(required=True, validate=ADDRESS_LENGTH)
    language = fields.Str(load_default=None, allow_none=True, validate=LANGUAGE)
    client_address = fields.Str(load_default=None, allow_none=True,
                                validate=validate.Length(max=100))


class InvitationIn(Schema):
    email = Address(required=True, validate=ADDRESS_LENGTH)
    name = fields.Str(required=True, validate=NAME)
    language = fields.Str(required=True, validate=LANGUAGE)
    role = fields.Str(load_default=MEMBER, validate=validate.OneOf((OWNER, MEMBER)))
    organisation = fields.Nested(OrganisationSchema, load_default=None, allow_none=True)


class TokenIn(Schema):
    token = fields.Str(required=True, validate=validate.Length(min=1, max=200))


class LanguageIn(Schema):
    language = fields.Str(required=True, validate=LANGUAGE)


class LabelIn(Schema):
    label = fields.Str(required=True, validate=validate.Length(min=1, max=100))


class ApiKeyIn(LabelIn):
    organisation = fields.Nested(OrganisationSchema, load_default=None, allow_none=True,
                                 metadata={"description": "operator only: whose key"})


class PersonOut(Schema):
    id = fields.Str(required=True)
    email = fields.Str(required=True)
    name = fields.Str(required=True)
    language = fields.Str(required=True)
    organisation = fields.Method("_organisation")
    role = fields.Str(required=True)
    verified_at = WindowDateTime(allow_none=True)
    created_at = WindowDateTime(required=True)

    def _organisation(self, record):
        return {"kind": record["organisation_kind"], "id": record["organisation_id"]}


class InvitationOut(Schema):
    id = fields.Str(required=True)
    email = fields.Str(required=True)
    name = fields.Str(required=True)
    language = fields.Str(required=True)
    role = fields.Str(required=True)
    organisation = fields.Method("_organisation")
    invited_by = fields.Str(allow_none=True, metadata={"description": "a person id"})
    created_at = WindowDateTime(required=True)
    expires_at = WindowDateTime(required=True)
    accepted_at = WindowDateTime(allow_none=True)

    def _organisation(self, record):
        return {"kind": record["organisation_kind"], "id": record["organisation_id"]}


class ApiKeyOut(Schema):
    id = fields.Str(required=True)
    prefix = fields.Str(required=True, metadata={
        "description": "the key's first 16 characters, to recognise it; never the key"})
    label = fields.Str(required=True)
    organisation = fields.Method("_organisation")
    created_at = WindowDateTime(required=True)
    last_used_at = WindowDateTime(allow_none=True)
    revoked_at = WindowDateTime(allow_none=True)

    def _organisation(self, record):
        return {"kind": record["organisation_kind"], "id": record["organisation_id"]}
