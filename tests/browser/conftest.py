"""Browser tests reuse the end-to-end harness: every service (the web app
included) as a real process over a fresh vhost, and a real SMTP server."""
from tests.e2e.conftest import api, mail, operator, system  # noqa: F401  fixtures
