"""What the agreements RPC accepts, and that its migration matches its tables."""
from datetime import UTC, datetime, timedelta

import pytest
from marshmallow import ValidationError

from services.agreements.schemas import AgreementProposal, SignatureIn

SHA = "a" * 64


def proposal(**overrides):
    body = {"kind": "mou", "title": "Bio innovation exchange MOU",
            "parties": [{"kind": "partner", "id": "seoul-bio-hub"},
                        {"kind": "park", "id": "liangjiang"}]}
    body.update(overrides)
    return body


def test_a_minimal_proposal_loads_with_defaults():
    loaded = AgreementProposal().load(proposal())
    assert loaded["match_id"] is None and loaded["documents"] == []
    assert loaded["sponsor_partner_id"] is None and loaded["proposed_by"] is None


def test_every_bad_field_is_named():
    with pytest.raises(ValidationError) as caught:
        AgreementProposal().load(proposal(
            kind="handshake", title="", parties=[{"kind": "park", "id": "x"}],
            documents=[{"url": "ftp://example.org/a.pdf", "sha256": "xyz"}]))
    assert set(caught.value.messages) == {"kind", "title", "parties", "documents"}
    assert set(caught.value.messages["documents"][0]) == {"url", "sha256"}


def test_a_party_may_appear_once():
    party = {"kind": "company", "id": "c1"}
    with pytest.raises(ValidationError) as caught:
        AgreementProposal().load(proposal(parties=[party, {"kind": "park", "id": "p"}, party]))
    assert "parties[2] repeats parties[0]" in caught.value.messages["parties"][0]


def test_documents_carry_a_url_and_a_sha256():
    loaded = AgreementProposal().load(proposal(
        documents=[{"url": "https://example.org/mou.pdf", "sha256": SHA}]))
    assert loaded["documents"] == [{"url": "https://example.org/mou.pdf", "sha256": SHA}]


def test_signed_at_takes_a_date_or_an_aware_date_time():
    assert SignatureIn().load({"signed_at": "2024-07-29"})["signed_at"] == \
        datetime(2024, 7, 29, tzinfo=UTC)
    seoul = SignatureIn().load({"signed_at": "2024-07-29T10:00:00+09:00"})["signed_at"]
    assert seoul == datetime(2024, 7, 29, 1, 0, tzinfo=UTC)
    assert SignatureIn().load({}) == {"party": None, "signed_at": None}


@pytest.mark.parametrize("value", ["2024-07-29T10:00:00", "yesterday", "2024-13-01"])
def test_signed_at_refuses_what_it_cannot_place_in_time(value):
    with pytest.raises(ValidationError) as caught:
        SignatureIn().load({"signed_at": value})
    assert "signed_at" in caught.value.messages


def test_signed_at_cannot_be_in_the_future():
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    with pytest.raises(ValidationError) as caught:
        SignatureIn().load({"signed_at": tomorrow})
    assert caught.value.messages == {"signed_at": ["cannot be in the future"]}
