"""The profiles service in a nameko container on the real broker and a real
database: every state change reaches the broker as an event, through the
outbox, and contact details never do."""
from datetime import UTC

import pytest

from services.contracts.actors import OPERATOR
from services.contracts.errors import Forbidden, InvalidInput, NotFound
from services.profiles.service import ProfilesService
from tests.factories import company_body, demand_body, park_body


@pytest.fixture
def profiles(run_service):
    return run_service(ProfilesService)


def test_registering_a_company_publishes_it_without_contact_details(profiles, rpc, event_spy):
    result = rpc.profiles.register_company(company_body())

    assert result["api_key"].startswith("pmk_company_")
    company_id = result["company"]["id"]
    event = event_spy.wait_for("company.registered",
                               lambda e: e["payload"]["company_id"] == company_id)
    assert event["producer"] == "profiles"
    assert event["payload"]["sectors"] == ["biopharmaceuticals"]
    assert "contact" not in event["payload"]
    assert "minji@example.kr" not in str(event)


def test_invalid_company_names_every_bad_field(profiles, rpc):
    with pytest.raises(InvalidInput) as caught:
        rpc.profiles.register_company(company_body(country="Korea", sectors=["spaceships"],
                                                   patents=-1, contact={}))
    details = caught.value.details
    assert set(details) >= {"country", "sectors", "patents", "contact"}


def test_update_bumps_version_and_unchanged_update_emits_nothing(profiles, rpc, event_spy):
    company = rpc.profiles.register_company(company_body())["company"]
    actor = {"kind": "company", "id": company["id"]}

    updated = rpc.profiles.update_company(actor, company["id"], {"patents": 4})
    again = rpc.profiles.update_company(actor, company["id"], {"patents": 4})

    assert updated["version"] == 2 and again["version"] == 2
    event_spy.wait_for("company.updated", lambda e: e["payload"]["patents"] == 4)
    rpc.profiles.update_company(actor, company["id"], {"headcount": 30})
    event_spy.wait_for("company.updated", lambda e: e["payload"]["version"] == 3)
    assert [e["payload"]["version"] for e in event_spy.of_type("company.updated")] == [2, 3]


def test_a_company_cannot_touch_another_company(profiles, rpc):
    mine = rpc.profiles.register_company(company_body())["company"]
    theirs = rpc.profiles.register_company(company_body())["company"]
    with pytest.raises(Forbidden):
        rpc.profiles.update_company({"kind": "company", "id": mine["id"]}, theirs["id"],
                                    {"patents": 0})
    seen_by_other = rpc.profiles.get_company({"kind": "company", "id": mine["id"]}, theirs["id"])
    assert seen_by_other["contact"] is None
    stored = rpc.profiles.get_company(OPERATOR, theirs["id"])
    assert stored["contact"]["email"] == "minji@example.kr"


def test_park_publishes_demand_and_closing_it_is_an_update(profiles, rpc, event_spy):
    park = rpc.profiles.register_park(OPERATOR, park_body())
    actor = {"kind": "park", "id": park["park"]["id"]}
    demand = rpc.profiles.publish_demand(actor, park["park"]["id"], demand_body())
    published = event_spy.wait_for("park_demand.published")
    assert published["payload"]["park"]["region"]["city"] == "Harbin"
    assert len(published["payload"]["criteria"]) == 4

    closed = rpc.profiles.update_demand(actor, demand["id"], {"status": "closed"})
    assert closed["status"] == "closed"
    event_spy.wait_for("park_demand.updated", lambda e: e["payload"]["status"] == "closed")
    with pytest.raises(NotFound):
        rpc.profiles.get_demand(actor, "no-such-demand")


def test_authenticate_resolves_keys_to_actors(profiles, rpc):
    registered = rpc.profiles.register_company(company_body())
    assert rpc.profiles.authenticate(registered["api_key"]) == {
        "kind": "company", "id": registered["company"]["id"]}
    assert rpc.profiles.authenticate(registered["api_key"] + "x") is None
    assert rpc.profiles.authenticate("nonsense") is None


def test_sectors_typed_as_terms_are_stored_and_published_as_codes(profiles, rpc, event_spy):
    company = rpc.profiles.register_company(company_body(sectors=["바이오 의약", "生技", "AI"]))
    assert company["company"]["sectors"] == ["biopharmaceuticals", "artificial_intelligence"]
    company_id = company["company"]["id"]
    event = event_spy.wait_for("company.registered",
                               lambda e: e["payload"]["company_id"] == company_id)
    assert event["payload"]["sectors"] == ["biopharmaceuticals", "artificial_intelligence"]
    assert rpc.profiles.get_company(OPERATOR, company_id)["sectors"] == \
        ["biopharmaceuticals", "artificial_intelligence"]

    with pytest.raises(InvalidInput) as caught:
        rpc.profiles.register_company(company_body(sectors=["cloud", "bogus"]))
    assert caught.value.details == {"sectors": {"1": [
        "unknown sector 'bogus'; closest known terms: biopharmaceuticals (Biopharmaceuticals)"]}}


def test_dates_follow_the_business_clock(profiles, rpc, monkeypatch, tmp_path):
    """A demand published without valid_from opens on the clock's today, and
    a founding date is "in the future" by the clock, so time moved with
    PARKMATCH_CLOCK_FILE (as the e2e harness does) reaches matching's
    validity windows and founding ages consistently."""
    from datetime import date, datetime, timedelta

    from services.platform import clock
    path = tmp_path / "clock"
    monkeypatch.setenv(clock.CLOCK_FILE_VARIABLE, str(path))
    travelled = datetime.now(UTC) + timedelta(days=400)
    clock.travel_to(path, travelled)

    park = rpc.profiles.register_park(OPERATOR, park_body())
    actor = {"kind": "park", "id": park["park"]["id"]}
    body = {k: v for k, v in demand_body().items() if k != "valid_from"}
    demand = rpc.profiles.publish_demand(actor, park["park"]["id"], body)
    assert demand["valid_from"] == travelled.date().isoformat()

    founded = (travelled - timedelta(days=1)).date()
    assert founded > date.today()  # in the real future, in the clock's past
    registered = rpc.profiles.register_company(company_body(founded_on=founded.isoformat()))
    assert registered["company"]["founded_on"] == founded.isoformat()
    with pytest.raises(InvalidInput):
        rpc.profiles.register_company(
            company_body(founded_on=(travelled + timedelta(days=2)).date().isoformat()))
