"""A company's near misses over RPC: the matching service in a nameko
container on the real broker and database, fed by profiles."""
import pytest

from services.contracts.actors import OPERATOR
from services.contracts.errors import Forbidden, InvalidInput, NotFound
from services.matching.service import MatchingService
from services.profiles.service import ProfilesService
from tests.conftest import eventually
from tests.service.test_matching_service import publish_park_demand, register_company


@pytest.fixture
def services(run_service):
    run_service(ProfilesService)
    return run_service(MatchingService)


def test_a_company_reads_its_near_misses_paged_with_what_closes_each_gap(services, rpc):
    park_actor, one_gap = publish_park_demand(rpc, title="One patent short")
    _, two_gaps = publish_park_demand(rpc, title="Patents and certification short", criteria=[
        {"kind": "min_patents", "value": 1, "required": True, "weight": 1},
        {"kind": "certification_any_of", "value": ["iso_13485"], "required": True,
         "weight": 1}])
    actor, company = register_company(rpc, patents=0)

    def both_found():
        try:
            found = rpc.matching.list_company_near_misses(actor, company["id"])["items"]
        except NotFound:  # matching has not heard of the company yet
            found = []
        assert len(found) == 2
        return found
    listed = eventually(both_found)
    # fewest gaps first, each gap with the text that says what closes it
    assert [miss["demand"]["demand_id"] for miss in listed] == [one_gap["id"], two_gaps["id"]]
    assert [gap["text"] for gap in listed[0]["gaps"]] == ["needs 1 more patent: has 0, needs 1"]
    assert len(listed[1]["gaps"]) == 2

    first = rpc.matching.list_company_near_misses(actor, company["id"], lang="zh", limit=1)
    assert [m["demand"]["demand_id"] for m in first["items"]] == [one_gap["id"]]
    assert first["items"][0]["gaps"][0]["text"] == "还需1项专利：现有0项，需要1项"
    second = rpc.matching.list_company_near_misses(actor, company["id"], lang="zh", limit=1,
                                                   cursor=first["next_cursor"])
    assert [m["demand"]["demand_id"] for m in second["items"]] == [two_gaps["id"]]
    assert second["next_cursor"] is None

    # closing the demand drops its near miss from the company's list
    rpc.profiles.update_demand(park_actor, one_gap["id"], {"status": "closed"})
    def only_the_open_one():
        found = rpc.matching.list_company_near_misses(actor, company["id"])["items"]
        assert [miss["demand"]["demand_id"] for miss in found] == [two_gaps["id"]]
    eventually(only_the_open_one)

    assert rpc.matching.list_company_near_misses(OPERATOR, company["id"])["items"]
    for stranger in ({"kind": "company", "id": "someone-else"}, park_actor):
        with pytest.raises(Forbidden):
            rpc.matching.list_company_near_misses(stranger, company["id"])
    with pytest.raises(InvalidInput) as refused:
        rpc.matching.list_company_near_misses(actor, company["id"], lang="fr")
    assert "lang" in refused.value.details
