"""The operator lists every partner page by page (the web app's
organisations page); nobody else may. Notifications in a nameko container
on the real broker and a real database."""
# ruff: noqa: F811  (pytest fixtures imported from notifications_fixtures)
import pytest

from services.contracts.actors import OPERATOR
from services.contracts.errors import Forbidden, InvalidInput, Unauthenticated
from tests.service.notifications_fixtures import (  # noqa: F401  (fixtures)
    delivery_env,
    notifications,
    register,
)


def test_the_operator_pages_through_every_partner_oldest_first(notifications, rpc):
    registered = [register(rpc)[0]["partner"] for _ in range(5)]
    web_operator = {**OPERATOR, "person_id": "p1", "role": "owner"}
    seen, cursor, pages = [], None, 0
    while True:
        page = rpc.notifications.list_partners(web_operator, limit=2, cursor=cursor)
        assert len(page["items"]) <= 2
        seen.extend(page["items"])
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert pages == 3
    assert [p["id"] for p in seen] == [p["id"] for p in registered]
    assert seen[0] == registered[0]  # the same record get_partner shows, never a secret
    with pytest.raises(InvalidInput) as caught:
        rpc.notifications.list_partners(OPERATOR, limit=0)
    assert "limit" in caught.value.details


def test_only_the_operator_lists_partners(notifications, rpc):
    _, partner = register(rpc)
    with pytest.raises(Forbidden):
        rpc.notifications.list_partners(partner)
    with pytest.raises(Forbidden):
        rpc.notifications.list_partners({"kind": "company", "id": "c1", "person_id": "p",
                                         "role": "owner"})
    with pytest.raises(Unauthenticated):
        rpc.notifications.list_partners(None)
