"""Every date and date-time a schema accepts lies in a window (years 1900
to 2200), checked as written before any conversion: a far date is a 422
naming the field, never an overflow (a 500)."""
import importlib
import inspect
from datetime import UTC, date, datetime

import pytest
from marshmallow import Schema, ValidationError, fields

from services.agreements.schemas import FulfilmentIn, SignatureIn
from services.contracts.errors import InvalidInput
from services.platform.validation import (
    OUTSIDE_WINDOW,
    WindowAwareDateTime,
    WindowDate,
    WindowDateTime,
    load_input,
)
from services.profiles.schemas import CompanyRegistration
from tests.factories import company_body

SCHEMA_MODULES = ("services.accounts.schemas", "services.agreements.schemas",
                  "services.matching.schemas", "services.matching.allocation.schemas",
                  "services.notifications.schemas", "services.notifications.people_schemas",
                  "services.profiles.schemas")
WINDOWED = (WindowDate, WindowDateTime, WindowAwareDateTime)


def date_fields():
    """(schema, field name, field) for every date-like field of every schema."""
    for module_name in SCHEMA_MODULES:
        module = importlib.import_module(module_name)
        for _, schema in inspect.getmembers(module, inspect.isclass):
            if not issubclass(schema, Schema) or schema.__module__ != module_name:
                continue
            for name, field in schema._declared_fields.items():
                inner = field.inner if isinstance(field, fields.List) else field
                if isinstance(inner, fields.Date | fields.DateTime):
                    yield schema, name, inner


def test_every_date_field_of_every_schema_is_windowed():
    found = list(date_fields())
    assert len(found) > 40
    unwindowed = [f"{schema.__name__}.{name}" for schema, name, field in found
                  if not isinstance(field, WINDOWED)]
    assert unwindowed == []


@pytest.mark.parametrize("signed_at", ["0001-01-01T00:00:00+09:00",
                                       "9999-12-31T23:59:59-09:00",
                                       "0001-01-01", "1899-12-31T23:59:59+00:00"])
def test_a_signature_date_outside_the_window_is_refused_naming_the_field(signed_at):
    with pytest.raises(InvalidInput) as refused:
        load_input(SignatureIn(), {"signed_at": signed_at})
    assert refused.value.details == {"signed_at": [OUTSIDE_WINDOW]}


def test_a_signature_date_in_the_window_is_converted_to_utc():
    loaded = load_input(SignatureIn(), {"signed_at": "1900-01-01T08:00:00+09:00"})
    assert loaded["signed_at"] == datetime(1899, 12, 31, 23, 0, tzinfo=UTC)


@pytest.mark.parametrize("founded_on", ["0001-01-01", "9999-12-31", "1899-12-31", "2201-01-01"])
def test_a_founding_date_outside_the_window_is_refused(founded_on):
    with pytest.raises(InvalidInput) as refused:
        load_input(CompanyRegistration(), {**company_body(), "founded_on": founded_on})
    assert refused.value.details == {"founded_on": [OUTSIDE_WINDOW]}


def test_the_window_edges_are_inside():
    for edge in ("1900-01-01", "2200-12-31"):
        assert WindowDate().deserialize(edge) == date.fromisoformat(edge)
    assert WindowAwareDateTime().deserialize("2200-12-31T23:59:59-09:00").year == 2200
    assert WindowDateTime().deserialize("1900-01-01T00:00:00").year == 1900
    with pytest.raises(ValidationError, match="1900-01-01 and 2200-12-31"):
        WindowDateTime().deserialize("2201-01-01T00:00:00")


def test_agreement_dates_keep_their_narrower_range():
    with pytest.raises(InvalidInput) as refused:
        load_input(FulfilmentIn(), {"occurrence_on": "9999-12-31", "evidence": {}})
    assert "occurrence_on" in refused.value.details
