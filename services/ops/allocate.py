"""`parkmatch allocate`: run an allocation round through the gateway's HTTP
API as the operator and print who got which demand and why the others did
not.

The gateway is PARKMATCH_API_URL, else the address the gateway listens on
(PARKMATCH_HTTP_ADDRESS, 0.0.0.0 read as 127.0.0.1), else
http://127.0.0.1:8000; the key is PARKMATCH_OPERATOR_KEY.
"""
import json
import sys
import unicodedata

import requests

from services.contracts.languages import name_in
from services.platform import settings

DEFAULT_ADDRESS = "0.0.0.0:8000"  # the gateway's default (services/gateway, README)


def api_url():
    explicit = settings.env("PARKMATCH_API_URL")
    if explicit:
        return explicit.rstrip("/")
    host, _, port = settings.env("PARKMATCH_HTTP_ADDRESS", DEFAULT_ADDRESS).rpartition(":")
    if host in ("", "0.0.0.0", "::", "[::]"):
        host = "127.0.0.1"
    return f"http://{host}:{port}"


def run(demand_ids=None, park_id=None, lang="en", url=None, operator_key=None, as_json=False,
        out=sys.stdout):
    """Returns the process exit code: 0 when the round ran, else 1 (the
    reason on stderr)."""
    operator_key = operator_key or settings.env("PARKMATCH_OPERATOR_KEY")
    if not operator_key:
        print("parkmatch allocate: set PARKMATCH_OPERATOR_KEY (or --operator-key)",
              file=sys.stderr)
        return 1
    body = {}
    if demand_ids:
        body["demand_ids"] = list(demand_ids)
    if park_id:
        body["park_id"] = park_id
    url = (url or api_url()).rstrip("/")
    try:
        response = requests.post(f"{url}/api/allocation-rounds", params={"lang": lang},
                                 json=body, timeout=120,
                                 headers={"Authorization": f"Bearer {operator_key}"})
    except requests.RequestException as exc:
        print(f"parkmatch allocate: the gateway at {url} did not answer: {exc}", file=sys.stderr)
        return 1
    if response.status_code != 201:
        print(f"parkmatch allocate: {response.status_code} {_error_text(response)}",
              file=sys.stderr)
        return 1
    held = response.json()
    out.write(json.dumps(held, ensure_ascii=False, indent=2) + "\n" if as_json else render(held))
    return 0


def _error_text(response):
    try:
        body = response.json()
    except ValueError:
        return response.text[:500]
    text = body.get("message", "")
    for field, reasons in (body.get("details") or {}).items():
        said = "; ".join(map(str, reasons)) if isinstance(reasons, list) else reasons
        text += f"\n  {field}: {said}"
    return text


def _name(names, fallback):
    return name_in(names) or fallback


def _number(value):
    return f"{int(value)}" if float(value).is_integer() else f"{value}"


def display_width(text):
    """Columns `text` takes in a terminal: wide and full-width characters
    (Hangul, CJK ideographs, full-width forms: East Asian Width W or F) take
    two, combining marks none, everything else one."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def _pad(text, width):
    return text + " " * (width - display_width(text))


def _table(header, rows):
    columns = zip(header, *rows, strict=True)
    widths = [max(display_width(str(cell)) for cell in column) for column in columns]
    lines = ["  ".join(_pad(str(cell), width)
                       for cell, width in zip(row, widths, strict=True)).rstrip()
             for row in [header, *rows]]
    return "\n".join(lines) + "\n"


def render(held):
    """A round as readable text: a line of counts, the assignments per
    demand, then every company's why-not answers."""
    summary = held["summary"]
    names = {c["company_id"]: _name(c.get("names"), c["company_id"])
             for c in held["companies"]}
    text = (f"Allocation round {held['round_id']} ({held['created_at']}): "
            f"{summary['demands']} demand(s), {summary['companies']} company(ies), "
            f"{summary['places']} place(s); {summary['placed']} placed, "
            f"{summary['unplaced']} without a place\n\n")
    rows = []
    for demand in held["demands"]:
        admitted = ", ".join(f"{names.get(a['company_id'], a['company_id'])} "
                             f"({_number(a['score'])})" for a in demand["admitted"]) or "-"
        rows.append([f"{_name(demand['park_names'], demand['park_id'])}: {demand['title']}",
                     f"{len(demand['admitted'])}/{demand['places']}",
                     str(demand["candidates"]), admitted])
    text += "Assignments\n" + _table(["demand", "filled", "candidates", "admitted (score)"],
                                     rows)
    rows = []
    for company in held["companies"]:
        for answer in company["why_not"]:
            where = "no place" if company["demand_id"] is None else \
                f"placed at choice {company['choice']}"
            rows.append([names[company["company_id"]], where, answer["text"]])
    text += "\nWhy not\n" + (_table(["company", "outcome", "why not"], rows) if rows
                             else "every company got its first choice\n")
    return text
