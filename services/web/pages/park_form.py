"""The demand form: what a park types, as the body POST
/api/parks/<id>/demands and PATCH /api/demands/<id> take (profiles
validates), a stored demand back as what the form shows, and profiles'
refusals as messages next to the fields. Pure: no RPC here.

The form state (`typed`) is a dict of form field names to what was typed:
strings, or lists for the checkbox groups. Each criterion kind has its own
fields, named c_<kind>_mode ("", "required" or "preference"), c_<kind>_weight
and c_<kind>_value (headcount: c_headcount_min and c_headcount_max)."""
import re

from services.contracts import taxonomy
from services.contracts.vocabulary import CERTIFICATIONS, CRITERION_KINDS, FACILITIES, INCENTIVES

from ..rendering import gettext_for, sector_label
from .errors import N_, by_field

TEXT_FIELDS = ("title", "sectors", "space_offered_m2", "places", "valid_from", "valid_until",
               "status")
LIST_FIELDS = ("facilities", "incentives")
MODES = ("", "required", "preference")
# kind -> how its value is typed: text, number, list (comma separated), sectors,
# codes (checkboxes, from the vocabulary named), range (min and max), none
VALUE_INPUTS = {
    "sectors": "sectors", "space": "number", "facilities": "codes", "incentives": "codes",
    "min_patents": "number", "min_years_since_founding": "years",
    "funding_or_market_validation": "none", "certification_any_of": "codes",
    "headcount": "range", "export_markets": "list",
}
CODES = {"facilities": FACILITIES, "incentives": INCENTIVES,
         "certification_any_of": tuple(CERTIFICATIONS)}
PREFERENCE_ONLY = ("incentives",)

INCENTIVE_LABELS = {
    "free_rent": N_("Free rent"), "tax_benefits": N_("Tax benefits"),
    "subsidies": N_("Subsidies"), "talent_support": N_("Talent support"),
    "one_stop_registration": N_("One-stop registration"),
}

# profiles' criterion messages ("<kind> <problem>") as msgids; the field is
# next to the message, so the kind is left out
CRITERION_MESSAGES = (
    (re.compile(r"needs a whole number >= 0$"), N_("Give a whole number, 0 or more.")),
    (re.compile(r"needs null or a whole number of m² >= 0$"),
     N_("Give a whole number of m², 0 or more, or leave it empty for the space offered.")),
    (re.compile(r"needs a number of years between 0 and 200$"),
     N_("Give a number of years from 0 to 200.")),
    (re.compile(r"needs null or a non-empty list drawn from the sector codes"),
     N_("Use known sectors (any language), or leave it empty for the demand's sectors.")),
    (re.compile(r"needs a non-empty list drawn from"), N_("Choose at least one.")),
    (re.compile(r"needs null or a list drawn from"), N_("Choose from the list.")),
    (re.compile(r"needs a min, a max or both$"), N_("Give a minimum, a maximum or both.")),
    (re.compile(r"bounds must be whole numbers >= 0$"),
     N_("Give whole numbers, 0 or more.")),
    (re.compile(r"min must not exceed max$"),
     N_("The minimum must not be more than the maximum.")),
    (re.compile(r"needs a non-empty list of up to 50 market"),
     N_("Give up to 50 markets, separated by commas, e.g. CN, VN.")),
    (re.compile(r"^incentives can only be a preference"),
     N_("Incentives can only be a preference.")),
    (re.compile(r"^give the weight in hundredths at most"),
     N_("Give the weight in hundredths at most, e.g. 1.25.")),
    (re.compile(r"^Must be greater than or equal to 0 and less than or equal to 100\.$"),
     N_("Give a weight from 0 to 100.")),
    (re.compile(r"^must not be before valid_from$"),
     N_("The end must not be before the start.")),
    (re.compile(r"^each criterion kind may appear once$"),
     N_("Each criterion may appear once.")),
    (re.compile(r"^give at least one field to change$"), N_("Change at least one field.")),
)


def split_terms(text):
    """A comma-separated list as typed (Chinese and Korean commas too)."""
    return [term.strip() for term in (text or "").replace("，", ",").replace("、", ",")
            .split(",") if term.strip()]


def number(text):
    """An integer if the text is one (thousands separators allowed); else the
    text as typed, for profiles to refuse by name."""
    plain = (text or "").replace(",", "").replace(" ", "")
    return int(plain) if plain.lstrip("-").isdigit() else text


def decimal(text):
    """A number (integer when whole) if the text is one; else as typed."""
    try:
        value = float((text or "").replace(",", "."))
    except ValueError:
        return text
    return int(value) if value.is_integer() else value


def _sector_code(term):
    try:
        return taxonomy.resolve(term)
    except taxonomy.UnknownSector:
        return term


def form_state(visit):
    """What the person typed, as the form's state."""
    typed = {name: visit.value(name) for name in TEXT_FIELDS}
    typed.update({name: visit.values(name) for name in LIST_FIELDS})
    for kind, how in VALUE_INPUTS.items():
        typed[f"c_{kind}_mode"] = visit.value(f"c_{kind}_mode")
        typed[f"c_{kind}_weight"] = visit.value(f"c_{kind}_weight")
        if how == "codes":
            typed[f"c_{kind}_value"] = visit.values(f"c_{kind}_value")
        elif how == "range":
            typed["c_headcount_min"] = visit.value("c_headcount_min")
            typed["c_headcount_max"] = visit.value("c_headcount_max")
        elif how != "none":
            typed[f"c_{kind}_value"] = visit.value(f"c_{kind}_value")
    return typed


def _criterion_value(kind, typed):
    how = VALUE_INPUTS[kind]
    raw = typed.get(f"c_{kind}_value")
    if how == "none":
        return True
    if how == "range":
        low, high = typed.get("c_headcount_min"), typed.get("c_headcount_max")
        return {"min": number(low) if low else None, "max": number(high) if high else None}
    if how == "codes":
        return list(raw) if raw else (None if kind in ("facilities", "incentives") else [])
    if how == "sectors":
        return [_sector_code(term) for term in split_terms(raw)] or None
    if how == "list":
        return split_terms(raw)
    if not raw:
        return None
    return decimal(raw) if how == "years" else number(raw)


def criteria_of(typed):
    """The criteria list from the criteria editor: the kinds with a mode, in
    the vocabulary's order."""
    criteria = []
    for kind in CRITERION_KINDS:
        mode = typed.get(f"c_{kind}_mode")
        if mode not in ("required", "preference"):
            continue
        criterion = {"kind": kind, "value": _criterion_value(kind, typed),
                     "required": mode == "required"}
        weight = typed.get(f"c_{kind}_weight")
        if weight:
            criterion["weight"] = decimal(weight)
        criteria.append(criterion)
    return criteria


def demand_body(typed, editing=False):
    """The JSON body publish_demand (or, editing, update_demand) takes."""
    body = {
        "title": typed.get("title", ""),
        "sectors": split_terms(typed.get("sectors")),
        "space_offered_m2": number(typed["space_offered_m2"])
        if typed.get("space_offered_m2") else None,
        "facilities": list(typed.get("facilities") or ()),
        "incentives": list(typed.get("incentives") or ()),
        "criteria": criteria_of(typed),
        "places": number(typed["places"]) if typed.get("places") else None,
        "valid_from": typed.get("valid_from") or None,
        "valid_until": typed.get("valid_until") or None,
    }
    if body["places"] is None and not editing:
        del body["places"]   # "Missing data for required field."
    if editing and typed.get("status"):
        body["status"] = typed["status"]
    return body


def _text(value):
    return "" if value is None else str(value)


def typed_from_demand(demand, lang):
    """A stored demand as the form shows it for editing."""
    typed = {
        "title": demand.get("title") or "",
        "sectors": ", ".join(sector_label(code, lang) for code in demand.get("sectors") or ()),
        "space_offered_m2": _text(demand.get("space_offered_m2")),
        "places": _text(demand.get("places")),
        "valid_from": _text(demand.get("valid_from")),
        "valid_until": _text(demand.get("valid_until")),
        "status": demand.get("status") or "open",
        "facilities": list(demand.get("facilities") or ()),
        "incentives": list(demand.get("incentives") or ()),
    }
    for criterion in demand.get("criteria") or ():
        kind, value = criterion["kind"], criterion.get("value")
        how = VALUE_INPUTS.get(kind)
        if how is None:
            continue
        typed[f"c_{kind}_mode"] = "required" if criterion.get("required") else "preference"
        typed[f"c_{kind}_weight"] = _text(decimal(_text(criterion.get("weight", 1))))
        if how == "range":
            typed["c_headcount_min"] = _text((value or {}).get("min"))
            typed["c_headcount_max"] = _text((value or {}).get("max"))
        elif how == "codes":
            typed[f"c_{kind}_value"] = list(value or ())
        elif how == "sectors":
            typed[f"c_{kind}_value"] = ", ".join(sector_label(c, lang) for c in value or ())
        elif how == "list":
            typed[f"c_{kind}_value"] = ", ".join(value or ())
        elif how != "none":
            typed[f"c_{kind}_value"] = _text(value)
    return typed


def _localised(message, lang):
    for pattern, msgid in CRITERION_MESSAGES:
        if pattern.search(message):
            return gettext_for(lang)(msgid)
    return message


def flat_names(details, prefix=""):
    """InvalidInput details as dotted field names: {"criteria": {"0":
    {"value": [...]}}} -> {"criteria.0.value": [...]}."""
    flat = {}
    for key, value in (details or {}).items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            flat.update(flat_names(value, name))
        else:
            flat[name] = value if isinstance(value, list) else [value]
    return flat


def criterion_field(name, criteria):
    """The form field of a dotted criteria error (criteria.0.value: the
    value field of the first criterion sent), or None for another field."""
    parts = name.split(".")
    if parts[0] != "criteria" or len(parts) < 3 or not parts[1].isdigit():
        return None
    index = int(parts[1])
    if index >= len(criteria):
        return "criteria"
    kind, field = criteria[index]["kind"], parts[2]
    if field == "value":
        return f"c_{kind}_value"
    return f"c_{kind}_weight" if field == "weight" else f"c_{kind}_mode"


def field_errors(details, lang, body):
    """{form field: [messages in lang]} for profiles' refusal of `body`."""
    errors, rest = {}, {}
    for name, messages in flat_names(details).items():
        field = criterion_field(name, body.get("criteria") or [])
        if field:
            errors.setdefault(field, []).extend(_localised(str(m), lang) for m in messages)
        else:
            rest[name.split(".")[0]] = rest.get(name.split(".")[0], []) + list(messages)
    for field, messages in by_field(rest, lang).items():
        errors.setdefault(field, []).extend(_localised(m, lang) for m in messages)
    return errors
