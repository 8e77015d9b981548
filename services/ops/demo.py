"""Demo data from the real organisations in data/reference-data.json, loaded
through the public HTTP API like any client would, and a webhook receiver
that prints the alerts partners get.

Where the reports give no value the profile leaves it unknown (null) rather
than guessing; the few values a demo needs that no report gives (a demand's
number of places, companies' contact addresses) are marked DEMO below."""
import json
import re
import sys
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

from services.contracts import taxonomy
from services.notifications import signing
from services.platform import clock, settings

REFERENCE = Path(__file__).with_name("data") / "reference-data.json"

# Sector strings of the reference data that the taxonomy cannot answer with
# taxonomy.resolve, which maps one term to one code: each of these names
# several sectors ("medical and beauty products" is health care *and*
# cosmetics; Xiaowan's microcapsules go into cosmetics, medicines and food)
# or does not resolve at all (language *and* vocational education). Every
# other string resolves through the taxonomy (sectors_of).
SECTORS_BEYOND_TAXONOMY = {
    "medical and beauty products": ["cosmetics", "health_care"],
    "microcapsule raw materials for cosmetics, medicines and food":
        ["cosmetics", "biopharmaceuticals", "food_processing"],
    "Korean-language and vocational education": ["language_education", "vocational_training"],
}


def sectors_of(term):
    """The sector codes a reference-data string names (empty for none)."""
    if not term:
        return []
    if term in SECTORS_BEYOND_TAXONOMY:
        return list(SECTORS_BEYOND_TAXONOMY[term])
    return [taxonomy.resolve(term)]


FACILITY_CODES = {
    "accelerator": "accelerator", "R&D centre": "rnd_centre", "incubator": "incubator",
    "machining plant": "machining", "cold storage": "cold_storage", "canteen": "canteen",
    "dormitory": "dormitory",
}

INCENTIVE_CODES = {"free rent for Korean companies": "free_rent", "tax benefits": "tax_benefits"}

PARTNER_KINDS = {
    "Korea-China International Industrial Innovation Cooperation Center": "cooperation_centre",
    "Seongnam Industrial Complex Management Corporation": "industrial_complex_body",
    "Seongnam High-Tech Valley Innovation Support Center": "cooperation_centre",
    "Korea Accelerator Association": "accelerator_association",
    "KIC China (Korea Innovation Center China)": "government_office",
    "Seoul Bio Hub": "cooperation_centre",
}

# Signatories of the reference agreements that are not in the partner list:
# government bodies, which Parkmatch models as partners of kind government_office.
GOVERNMENT_BODIES = {
    "Korea Ministry of Science, ICT and Future Planning":
        ("KR", "미래창조과학부", "韩国未来创造科学部"),
    "China Ministry of Science and Technology":
        ("CN", "중국 과학기술부", "中华人民共和国科学技术部"),
    "Seoul Metropolitan Government": ("KR", "서울특별시", "首尔特别市"),
    "Chongqing Municipal Government": ("CN", "충칭시 인민정부", "重庆市人民政府"),
}

# Who gets webhooks in the demo, and in what scope.
DEMO_SUBSCRIPTIONS = {
    "KIC China (Korea Innovation Center China)": {"min_score": 0},
    "Seoul Bio Hub": {"sectors": ["biopharmaceuticals", "medical_devices", "health_care"]},
    "Korea-China International Industrial Innovation Cooperation Center": {
        "regions": [{"country": "CN", "province": "Heilongjiang"}]},
}

AGREEMENT_KINDS = {"MOU": "mou", "government MOU": "mou",
                   "friendship-city agreement": "cooperation"}

# DEMO: the Seongnam-Harbin MOU was signed at Binxian ETDZ on a day the reports
# do not give. The demo dates it 170 days before the load, so its twice-yearly
# exchange meeting falls due about two weeks after the load and the reminder
# timer has something to say.
UNDATED_SIGNING_DAYS_AGO = 170

# The reference obligations as schedules. Owners: the reports say the two
# centres undertake them together; one owner each is the demo's choice (DEMO).
# index of the owning party, schedule builder from the start date
OBLIGATION_SCHEDULES = {
    "hold an economic and trade exchange meeting twice a year": (0, lambda start: {
        "kind": "recurring", "rrule": "FREQ=MONTHLY;INTERVAL=6;COUNT=10",
        "starts_on": start.isoformat()}),
    # DEMO: no deadline is reported; one year after signing.
    "provide company promotion and a matching exchange platform": (1, lambda start: {
        "kind": "once", "due_on": (start + timedelta(days=365)).isoformat()}),
}


def slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40]


class Client:
    def __init__(self, base_url, key):
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {key}"

    def call(self, method, path, body=None, expect=(200, 201), tries=60):
        """Call the API, waiting out 503s and eventual consistency (422 for
        a party or match another service has not heard of yet)."""
        for attempt in range(tries):
            response = self.session.request(method, self.base_url + path, json=body, timeout=60)
            if response.status_code in expect:
                return response.json()
            retryable = response.status_code in (502, 503) or (
                response.status_code == 422 and "unknown" in response.text)
            if not retryable or attempt == tries - 1:
                raise RuntimeError(f"{method} {path} -> {response.status_code}: {response.text}")
            time.sleep(0.5)


def load(base_url, operator_key=None, receiver_url="http://127.0.0.1:8099",
         secrets_file=None, out=sys.stdout):
    """Register the reference parks, companies, partners and agreements."""
    operator_key = operator_key or settings.env("PARKMATCH_OPERATOR_KEY")
    if not operator_key:
        raise SystemExit("set PARKMATCH_OPERATOR_KEY or pass --operator-key")
    data = json.loads(REFERENCE.read_text())
    api = Client(base_url, operator_key)
    ids = {}

    # Partners first, so their subscriptions see the matches the rest causes.
    secrets = _load_partners(api, data, receiver_url, ids, out)
    if secrets_file:
        Path(secrets_file).write_text(json.dumps(secrets, indent=2))
    _load_parks(api, data, ids, out)
    _load_companies(api, data, ids, out)
    park_names = {park["name"]["en"] for park in data["parks"]}
    for agreement in data["agreements"]:
        _load_agreement(api, agreement, ids, park_names, out)
    _enrol_demo_people(api, data, ids, out)
    return ids


def demo_address(name):
    """DEMO: the reports name no people; each park and demo partner gets one
    invented person, so the web app can be tried."""
    return f"demo@{slug(name)}.example"


def _enrol_demo_people(api, data, ids, out):
    organisations = [("park", park["name"], park["country"]) for park in data["parks"]]
    organisations += [("partner", partner["name"], partner["country"])
                      for partner in data["partners"]
                      if partner["name"]["en"] in DEMO_SUBSCRIPTIONS]
    for kind, names, country in organisations:
        address = demo_address(names["en"])
        api.call("POST", "/api/enrolments", {
            "organisation": {"kind": kind, "id": ids[names["en"]], "names": names},
            "email": address, "name": f"{names['en']} (demo)",
            "language": "zh" if country == "CN" else "ko"})
        print(f"person    {address} signs in for {names['en']}", file=out)


def _load_partners(api, data, receiver_url, ids, out):
    """Register every partner; the demo ones get a webhook on the local
    receiver and a subscription. Returns their webhook secrets by slug."""
    secrets = {}
    partners = [(p["name"], p["country"], PARTNER_KINDS.get(p["name"]["en"], "other"))
                for p in data["partners"]]
    partners += [({"en": en, "ko": ko, "zh": zh}, country, "government_office")
                 for en, (country, ko, zh) in GOVERNMENT_BODIES.items()]
    for names, country, kind in partners:
        name = names["en"]
        hook = f"{receiver_url}/hooks/{slug(name)}" if name in DEMO_SUBSCRIPTIONS else None
        registered = api.call("POST", "/api/partners", {
            "names": names, "country": country, "kind": kind,
            "webhooks": [hook] if hook else []})
        partner_id = registered["partner"]["id"]
        ids[name] = partner_id
        if hook:
            secrets[slug(name)] = registered["webhook_secret"]
            api.call("POST", f"/api/partners/{partner_id}/subscriptions",
                     DEMO_SUBSCRIPTIONS[name])
        print(f"partner   {name}{' (webhook + subscription)' if hook else ''}", file=out)
    return secrets


def _load_parks(api, data, ids, out):
    for park in data["parks"]:
        body = {"names": park["name"],
                "region": {"country": park["country"], "province": park.get("province"),
                           "city": park.get("city")},
                "level": park.get("level"),
                "description": park.get("note") or park.get("offer") or park.get("talent"),
                "planned_area_m2": park.get("planned_area_m2"),
                "resident_firms": park.get("resident_firms")}
        registered = api.call("POST", "/api/parks", body)
        ids[park["name"]["en"]] = registered["park"]["id"]
        for demand in _demands_of(park):
            api.call("POST", f"/api/parks/{registered['park']['id']}/demands", demand)
        print(f"park      {park['name']['en']}", file=out)


def _load_companies(api, data, ids, out):
    for company in data["companies"]:
        sectors = sectors_of(company.get("sector"))
        if not sectors:
            print(f"skipped   {company['name']['en']}: the reports name no sector", file=out)
            continue
        body = {"names": company["name"], "country": company["country"], "sectors": sectors,
                "patents": company.get("patents"),
                "export_markets": company.get("exports_to"),
                # DEMO: the reports give no contact details.
                "contact": {"email": f"contact@{slug(company['name']['en'])}.example"}}
        registered = api.call("POST", "/api/companies", body)
        ids[company["name"]["en"]] = registered["company"]["id"]
        print(f"company   {company['name']['en']}", file=out)


def _demands_of(park):
    programme = park.get("programme")
    if programme:
        screening = programme.get("screening", {})
        criteria = []
        if "min_patents" in screening:
            criteria.append({"kind": "min_patents", "value": screening["min_patents"]})
        if "min_years_since_founding" in screening:
            criteria.append({"kind": "min_years_since_founding",
                             "value": screening["min_years_since_founding"]})
        if screening.get("funding_or_market_validation"):
            criteria.append({"kind": "funding_or_market_validation", "value": True})
        if screening.get("korean_high_tech_certification"):
            criteria.append({"kind": "certification_any_of",
                             "value": ["kr_venture", "kr_innobiz", "kr_mainbiz"]})
        yield {
            "title": programme["name"]["en"],
            "sectors": sorted({c for t in programme["target_industries"] for c in sectors_of(t)}),
            "space_offered_m2": programme.get("phase_1_gross_floor_area_m2"),
            "facilities": [FACILITY_CODES[f] for f in programme["facilities"]
                           if f in FACILITY_CODES],
            "incentives": [INCENTIVE_CODES[i] for i in programme["incentives"]],
            "criteria": criteria,
            "places": 40,  # DEMO: the size of the delegation the reports mention
        }
    elif park.get("target_industries"):
        room = (park.get("capacity_firms") or 0) - (park.get("resident_firms") or 0)
        yield {
            "title": f"{park['name']['en']}: new {', '.join(park['target_industries'])} firms",
            "sectors": sorted({c for t in park["target_industries"] for c in sectors_of(t)}),
            "places": room if room > 0 else 10,
        }


def _load_agreement(api, agreement, ids, park_names, out, today=None):
    parties = []
    for name in agreement["parties"]:
        if name not in ids:
            print(f"skipped   agreement of {agreement['parties']}: {name} unknown", file=out)
            return
        parties.append({"kind": "park" if name in park_names else "partner", "id": ids[name]})
    scope = agreement.get("scope") or []
    obligations = agreement.get("obligations") or []
    terms = "; ".join(
        ([agreement["purpose"]] if agreement.get("purpose") else [])
        + [f"scope: {s}" for s in scope] + [f"obligation: {o}" for o in obligations])
    signed_on = _date_of(agreement.get("date"))
    if signed_on is None:
        # DEMO: see UNDATED_SIGNING_DAYS_AGO
        signed_on = ((today or clock.today())
                     - timedelta(days=UNDATED_SIGNING_DAYS_AGO)).isoformat()
    proposal = api.call("POST", "/api/agreements", {
        "kind": AGREEMENT_KINDS.get(agreement["kind"], "mou"),
        "title": f"{agreement['kind']}: {' / '.join(agreement['parties'])}",
        "parties": parties,
        "terms": terms or None,
        # the agreements are in force from their signing (an MOU names no other
        # start); none of them has an end date
        "starts_on": signed_on,
    })
    for party in parties:
        api.call("POST", f"/api/agreements/{proposal['id']}/signatures",
                 {"party": party, "signed_at": signed_on})
    for text in obligations:
        owner_index, schedule = OBLIGATION_SCHEDULES[text]
        api.call("POST", f"/api/agreements/{proposal['id']}/obligations", {
            "title": text, "owner": parties[owner_index],
            "schedule": schedule(date.fromisoformat(signed_on))})
    print(f"agreement {agreement['kind']}: {' / '.join(agreement['parties'])} (signed"
          f"{f', {len(obligations)} obligations' if obligations else ''})", file=out)


def _date_of(text):
    """'2024-07-29' or '2019-05' (month only: its first day) as ISO, else None."""
    if not text:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return f"{text}-01"
    return None


# --- the demo webhook receiver ---------------------------------------------

def serve_receiver(port, secrets_file=None):
    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            hook = self.path.rsplit("/", 1)[-1]
            secrets = json.loads(Path(secrets_file).read_text()) if secrets_file and \
                Path(secrets_file).exists() else {}
            verified = hook in secrets and signing.verify(secrets[hook], self.headers, body)
            try:
                alert = json.loads(body)
            except ValueError:
                alert = {"raw": body.decode(errors="replace")}
            print(f"[webhook {hook}] {'signature OK' if verified else 'SIGNATURE NOT VERIFIED'} "
                  f"{json.dumps(alert, ensure_ascii=False)[:600]}", flush=True)
            self.send_response(204 if verified else 401)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Receiver)
    print(f"demo webhook receiver on http://127.0.0.1:{port}/hooks/<partner>", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.server_close()
