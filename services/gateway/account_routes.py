"""The API's routes for accounts: people of an organisation, invitations,
the operator's enrolment of a park's or partner's first person, and API keys
for machine clients. Declared like every route (route_spec.py)."""
from marshmallow import fields

from .route_spec import ACTOR, BODY, Route, body_field, path


def account_routes():
    from services.accounts import schemas as accounts

    class ApiKeyCreated(accounts.ApiKeyOut):
        api_key = fields.Str(metadata={"description": "the key; shown once, store it safely"})

    return [*_people_routes(accounts), *_api_key_routes(accounts, ApiKeyCreated)]


def _people_routes(accounts):
    return [
        Route("list_people", "GET", "/api/people",
              "accounts.list_people", args=(ACTOR,),
              summary="The people of the caller's organisation (operator: everyone)",
              tag="accounts", response=accounts.PersonOut, many=True, paged=True),
        Route("invite_person", "POST", "/api/invitations",
              "accounts.invite_person",
              args=(ACTOR, body_field("email"), body_field("name"), body_field("language")),
              kwargs={"organisation": body_field("organisation"), "role": body_field("role")},
              summary="Invite a colleague by e-mail into the organisation (an owner signed in "
                      "on the web; the operator names the organisation); the link signs them in",
              tag="accounts", status=201,
              body=accounts.InvitationIn, response=accounts.InvitationOut),
        Route("remove_person", "DELETE", "/api/people/<person_id>",
              "accounts.remove_person", args=(ACTOR, path("person_id")),
              summary="Remove a person (an owner or the operator; never the last owner); "
                      "their sessions end at once",
              tag="accounts", response=accounts.PersonOut),
        Route("enrol_owner", "POST", "/api/enrolments",
              "accounts.enrol_owner",
              args=(body_field("organisation"), body_field("email"), body_field("name"),
                    body_field("language")),
              summary="Give a registered park, partner or company its first person (an "
                      "owner); they receive a sign-in link that also verifies the address",
              tag="accounts", auth="operator", status=201,
              body=accounts.EnrolmentIn, response=accounts.PersonOut),
    ]


def _api_key_routes(accounts, created):
    key_id = path("key_id")
    return [
        Route("list_api_keys", "GET", "/api/api-keys",
              "accounts.list_api_keys", args=(ACTOR,),
              summary="The organisation's API keys by prefix and label (never the key)",
              tag="accounts", response=accounts.ApiKeyOut, many=True, paged=True),
        Route("create_api_key", "POST", "/api/api-keys",
              "accounts.create_api_key", args=(ACTOR, BODY),
              summary="A new API key, shown once (an owner signed in on the web, or the "
                      "operator for a named organisation; a key cannot create keys)",
              tag="accounts", status=201, body=accounts.ApiKeyIn, response=created),
        Route("rotate_api_key", "POST", "/api/api-keys/<key_id>/rotations",
              "accounts.rotate_api_key", args=(ACTOR, key_id),
              summary="Replace a key: the new one is shown once, the old one stops working "
                      "at once", tag="accounts", status=201, response=created),
        Route("revoke_api_key", "POST", "/api/api-keys/<key_id>/revocation",
              "accounts.revoke_api_key", args=(ACTOR, key_id),
              summary="Revoke a key: it stops working at once", tag="accounts", status=201,
              response=accounts.ApiKeyOut),
    ]



