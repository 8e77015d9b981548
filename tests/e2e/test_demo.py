"""The main job's demo data loads through the public API and produces what
the README promises: the reference agreements signed, the reference match
alerted to the demo partners with valid signatures."""
import json

import pytest
from standardwebhooks import Webhook

from services.ops import demo
from tests.conftest import eventually, holds
from tests.e2e.conftest import OPERATOR_KEY

pytestmark = pytest.mark.e2e


def test_reference_data_loads_and_alerts_demo_partners(system, operator, receiver, tmp_path):
    secrets_file = tmp_path / "secrets.json"
    ids = demo.load(system.url, OPERATOR_KEY, receiver_url=receiver.url,
                    secrets_file=secrets_file, out=open(tmp_path / "demo.out", "w"))

    reference = json.loads(demo.REFERENCE.read_text())
    assert all(p["name"]["en"] in ids for p in reference["parks"] + reference["partners"])
    agreements = operator.get("/api/agreements").json()
    assert len(agreements) == len(reference["agreements"])
    # signed, and active from their signing date once the agreements timer ran
    eventually(lambda: holds({a["status"] for a in operator.get("/api/agreements").json()}
                             == {"active"}))
    seoul_chongqing = next(a for a in agreements if "Seoul Bio Hub" in a["title"])
    assert {p["signed_at"][:10] for p in seoul_chongqing["parties"]} == {"2024-07-29"}
    assert seoul_chongqing["starts_on"] == "2024-07-29"

    # the Seongnam-Harbin MOU's obligations, the meeting as an RFC 5545 rule
    seongnam = next(a for a in agreements if a["title"].startswith("MOU: Seongnam"))
    obligations = operator.get(f"/api/agreements/{seongnam['id']}/obligations").json()
    meeting = next(o for o in obligations if "twice a year" in o["title"])
    assert meeting["schedule"]["rrule"] == "FREQ=MONTHLY;INTERVAL=6;COUNT=10"
    assert meeting["owner"] == {"kind": "partner",
                                "id": ids["Seongnam High-Tech Valley Innovation Support Center"]}
    assert len(obligations) == 2 and all(o["next_occurrences"] for o in obligations)

    # Xiaowan (microcapsules for medicines) fits Liangjiang's biopharmaceuticals demand
    xiaowan = ids["Chongqing Xiaowan Biotechnology"]
    matches = eventually(lambda: _non_empty(operator.get(f"/api/companies/{xiaowan}/matches")))
    assert matches[0]["demand"]["park_names"]["en"] == "Chongqing Liangjiang Life Science City"

    secrets = json.loads(secrets_file.read_text())

    def alerted():
        found = [r for r in receiver.received
                 if json.loads(r["body"])["type"] == "match.found"]
        assert {r["path"].rsplit("/", 1)[1] for r in found} == {
            "seoul-bio-hub", "kic-china-korea-innovation-center-china"}
        return found
    for request in eventually(alerted):
        hook = request["path"].rsplit("/", 1)[1]
        Webhook(secrets[hook]).verify(request["body"], request["headers"])  # raises if forged


def _non_empty(response):
    assert response.status_code == 200 and response.json()
    return response.json()
