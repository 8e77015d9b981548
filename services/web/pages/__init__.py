"""Page logic: plain functions from a Visit (the request's values, who is
signed in, the page's language) and the RPC proxies to what a page shows
(Page: a template and its context) or where the browser goes next
(Redirect). No transport here: app.py turns both into HTTP responses."""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Route:
    """One page: each page module lists its own in ROUTES; app.py serves them all."""
    name: str
    method: str
    path: str           # werkzeug syntax
    page: object        # (visit, rpc) -> Page | Redirect
    kind: str | None = None  # the organisation kind the page is for; None: anyone


@dataclass
class Visit:
    lang: str
    path: str
    params: dict = field(default_factory=dict)   # from the URL path
    form: dict = field(default_factory=dict)     # POSTed fields (lists for repeated names)
    args: dict = field(default_factory=dict)     # the query string
    actor: dict | None = None                    # from the session, with person_id and role
    person: dict | None = None
    session_token: str | None = None
    client_address: str | None = None

    def value(self, name, default=""):
        """One form field, stripped."""
        found = self.form.get(name, default)
        if isinstance(found, list):
            found = found[0] if found else default
        return (found or "").strip()

    def values(self, name):
        """A repeated form field (checkboxes)."""
        found = self.form.get(name, [])
        return [item for item in (found if isinstance(found, list) else [found]) if item]


@dataclass
class Cookie:
    name: str
    value: str = ""
    max_age: int | None = None
    delete: bool = False


@dataclass
class Page:
    template: str
    context: dict = field(default_factory=dict)
    status: int = 200
    cookies: list = field(default_factory=list)


@dataclass
class Redirect:
    location: str
    cookies: list = field(default_factory=list)
    status: int = 303
