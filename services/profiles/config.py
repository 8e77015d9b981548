"""Everything the profiles service reads from the environment.

The same shape as the other services: `settings()` reads what the use cases
need into one frozen `ProfilesSettings`. Today that is nothing (the database
comes through DatabaseDependency, dates from the business clock in
services.platform.clock), so the use cases take no settings yet; a setting
they come to need is added here and handed in by the entrypoint, as
notifications does."""
from dataclasses import dataclass

from services.platform import settings as environment

SERVICE_NAME = "profiles"

# Consumer names: the queues parkmatch.<consumer> this service reads (see
# contracts/topology.py): accounts' person events, for the owners who confirm
# the e-mail address of a company registered through the web app.
PEOPLE_CONSUMER = "profiles.people_verified"


def database_url():
    return environment.database_url(SERVICE_NAME)


@dataclass(frozen=True)
class ProfilesSettings:
    """The settings the profiles use cases read (none yet)."""


def settings():
    """Read the use cases' settings from the environment, now."""
    return ProfilesSettings()
