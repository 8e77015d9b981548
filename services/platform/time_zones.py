"""IANA time zone names, checked by name against a fixed list.

`zoneinfo.ZoneInfo(name)` looks `name` up as a path under the system's zone
directories: a directory such as `Asia` or a 300-character name is an
IsADirectoryError or an OSError (a 500), and every lookup of a new name
touches the file system with text the caller chose. So no user-given name
reaches ZoneInfo before it is found in this list.

The list is the `tzdata` package's `zones` file (every zone and link name
tzdata ships, about 600), read once at import from the package's own data
through importlib.resources: a fixed resource name, never a path built from
input. `zoneinfo.available_timezones()` was not used: it walks every TZPATH
directory, and its answer depends on the machine. Every name here is one
ZoneInfo can load, from tzdata if the system has no zone files."""
from importlib import resources

# The longest IANA name is about 30 characters; anything much longer is not one.
MAX_LENGTH = 64


def _zone_names():
    text = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


ZONE_NAMES = _zone_names()


def is_iana_zone(name):
    """True when `name` is an IANA time zone name (e.g. Asia/Seoul, UTC)."""
    return isinstance(name, str) and 0 < len(name) <= MAX_LENGTH and name in ZONE_NAMES
