"""Platform pieces that need no broker."""
from datetime import UTC, date, datetime

import pytest

from services.contracts.errors import InvalidInput, NotFound
from services.platform import keys
from services.platform.serialization import from_document, to_document


def test_api_keys_are_random_typed_and_hashed():
    first, second = keys.new_key("company"), keys.new_key("company")
    assert first != second and len(first) > 40
    assert keys.kind_of(first) == "company" and keys.kind_of("pmk_operator_x") is None
    assert keys.hash_key(first) != first and len(keys.hash_key(first)) == 64
    assert keys.same_secret("abc", "abc") and not keys.same_secret("abc", "abd")
    assert not keys.same_secret("", "")


def test_errors_survive_the_trip_through_nameko_serialisation():
    from nameko.exceptions import deserialize, serialize

    import services.platform.rpc_errors  # noqa: F401  registers the error classes
    invalid = deserialize(serialize(InvalidInput({"country": ["bad"]})))
    assert isinstance(invalid, InvalidInput) and invalid.details == {"country": ["bad"]}
    missing = deserialize(serialize(NotFound("no company x")))
    assert isinstance(missing, NotFound) and missing.details is None
    assert missing.to_body() == {"error": "NotFound", "message": "no company x"}


@pytest.mark.parametrize("value", [
    {"founded_on": date(2024, 7, 29),
     "signed_at": datetime(2024, 7, 29, 9, 30, tzinfo=UTC),
     "parties": [{"signed_at": datetime(2019, 5, 1, tzinfo=UTC)}],
     "valid_until": None, "city": "Seoul"},
])
def test_documents_round_trip_dates(value):
    assert from_document(to_document(value)) == value


def test_text_that_looks_like_a_date_stays_text():
    document = to_document({"names": {"en": "2024-01-01"}, "founded_on": date(2020, 1, 2)})
    assert from_document(document) == {"names": {"en": "2024-01-01"},
                                       "founded_on": date(2020, 1, 2)}


def test_text_no_database_can_store_is_refused_naming_the_field():
    from marshmallow import Schema, fields

    from services.platform.validation import load_input

    class Body(Schema):
        title = fields.Str()
        parties = fields.List(fields.Dict())

    with pytest.raises(InvalidInput) as caught:
        load_input(Body(), {"title": "a\x00b", "parties": [{"id": "ok"}, {"id": "\udbc9x"}]})
    assert set(caught.value.details) == {"title", "parties[1].id"}
