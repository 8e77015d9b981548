"""Time zones are checked by name against the IANA list, never by asking
the file system: a directory, a path, an over-long name is simply unknown."""
from zoneinfo import ZoneInfo

import pytest
from marshmallow import ValidationError

from services.notifications.people_schemas import AlertPreferencesIn
from services.notifications.recipients import time_zone_of, valid_time_zone
from services.notifications.schemas import PartnerRegistration
from services.platform.time_zones import MAX_LENGTH, ZONE_NAMES, is_iana_zone


@pytest.mark.parametrize("name", ["Asia/Seoul", "Asia/Shanghai", "UTC", "Etc/UTC",
                                  "America/Argentina/Buenos_Aires", "Asia/Calcutta"])
def test_iana_names_are_zones(name):
    assert is_iana_zone(name)


@pytest.mark.parametrize("name", [
    "Asia", "America/Argentina", "Etc", "", " Asia/Seoul", "asia/seoul", "Asia/Seoul/",
    "../../../etc/passwd", "/usr/share/zoneinfo/Asia/Seoul", "Asia/../Asia/Seoul",
    "posixrules", "localtime", "A" * 300, "Asia/" + "x" * 300, "Asia/Seoul\x00",
    "Asia/\udc00", None, 9, ["Asia/Seoul"],
])
def test_anything_else_is_not_a_zone(name):
    assert not is_iana_zone(name)


def test_every_listed_name_loads_and_is_within_the_length_limit():
    assert len(ZONE_NAMES) > 400
    for name in ZONE_NAMES:
        assert len(name) <= MAX_LENGTH
        ZoneInfo(name)


def test_the_check_never_opens_a_file(monkeypatch):
    import builtins
    import os

    def refuse(*args, **kwargs):
        raise AssertionError(f"the file system was touched: {args}")

    monkeypatch.setattr(builtins, "open", refuse)
    monkeypatch.setattr(os, "stat", refuse)
    monkeypatch.setattr(os, "listdir", refuse)
    assert is_iana_zone("Europe/Berlin") and not is_iana_zone("Europe")


@pytest.mark.parametrize("name", ["Asia", "A" * 300, "Asia/Nowhere"])
def test_partner_registration_refuses_a_zone_that_is_not_one(name):
    with pytest.raises(ValidationError) as refused:
        PartnerRegistration().load({"names": {"en": "P"}, "country": "KR", "kind": "other",
                                    "time_zone": name})
    assert "time_zone" in refused.value.messages


def test_alert_preferences_refuse_a_directory_name():
    with pytest.raises(ValidationError) as refused:
        AlertPreferencesIn().load({"time_zone": "Asia"})
    assert list(refused.value.messages) == ["time_zone"]
    assert AlertPreferencesIn().load({"time_zone": "Asia/Seoul"}) == {"time_zone": "Asia/Seoul"}


def test_a_person_with_a_bad_zone_falls_back_to_their_country():
    assert not valid_time_zone("Asia")
    person = {"time_zone": "Asia", "country": "CN", "organisation_kind": "company"}
    assert time_zone_of(person) == "Asia/Shanghai"
