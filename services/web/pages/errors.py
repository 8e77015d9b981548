"""The validation messages the services answer with, as msgids of the web
app's catalogue, so a field's message is shown in the page's language.

The services word their messages in English (marshmallow's own, and the
profiles schema's); those with values in them are matched by pattern and
translated with the values put back."""
import re

from ..rendering import gettext_for


def N_(text):
    """Marks a msgid for `pybabel extract`; translated when shown."""
    return text


FIXED = (
    # marshmallow's common messages
    N_("Missing data for required field."),
    N_("Field may not be null."),
    N_("Not a valid string."),
    N_("Not a valid integer."),
    N_("Not a valid number."),
    N_("Not a valid boolean."),
    N_("Not a valid date."),
    N_("Not a valid email address."),
    N_("Not a valid list."),
    N_("Invalid input type."),
    N_("Unknown field."),
    # the profiles schema's own
    N_("use a two-letter ISO 3166 country code, e.g. KR"),
    N_("must be 0 or more"),
    N_("must be 1 or more"),
    N_("cannot be in the future"),
    N_("give the name in at least one of ko, zh, en"),
    N_("must not contain NUL characters"),
    N_("String does not match expected pattern."),
)

PATTERNS = (
    (re.compile(r"^Longer than maximum length (?P<max>\d+)\.$"),
     N_("Longer than maximum length %(max)s.")),
    (re.compile(r"^Shorter than minimum length (?P<min>\d+)\.$"),
     N_("Shorter than minimum length %(min)s.")),
    (re.compile(r"^Length must be between (?P<min>\d+) and (?P<max>\d+)\.$"),
     N_("Length must be between %(min)s and %(max)s.")),
    (re.compile(r"^Must be one of: (?P<choices>.*)\.$"),
     N_("Must be one of: %(choices)s.")),
    (re.compile(r"^unknown sector '(?P<term>.*)'; closest known terms: (?P<terms>.*)$"),
     N_("Unknown sector “%(term)s”; closest known terms: %(terms)s")),
    (re.compile(r"^unknown sector '(?P<term>.*)'$"),
     N_("Unknown sector “%(term)s”")),
    (re.compile(r"^Must be greater than or equal to (?P<min>[\d.]+) and less than or equal to "
                r"(?P<max>[\d.]+)\.$"),
     N_("Must be between %(min)s and %(max)s.")),
)


def localise(message, lang):
    """`message` in `lang` where the catalogue has it, else as it came."""
    gettext = gettext_for(lang)
    if message in FIXED:
        return gettext(message)
    for pattern, msgid in PATTERNS:
        found = pattern.match(message)
        if found:
            return gettext(msgid) % found.groupdict()
    return message


def by_field(details, lang, prefix=""):
    """InvalidInput details ({"contact": {"email": [...]}, "sectors": {"0":
    [...]}}) as {form field: [messages in lang]}: nested fields join with
    "_" (contact_email), list positions fold into their list's field."""
    found = {}
    for key, value in (details or {}).items():
        key = str(key)
        if key.isdigit() or key == "_schema":
            name = prefix or "_form"
        else:
            name = f"{prefix}_{key}" if prefix else key
        if isinstance(value, dict):
            for field_name, messages in by_field(value, lang, name).items():
                found.setdefault(field_name, []).extend(messages)
        else:
            messages = value if isinstance(value, list) else [value]
            found.setdefault(name, []).extend(localise(str(m), lang) for m in messages)
    return found
