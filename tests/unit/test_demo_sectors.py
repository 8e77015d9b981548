"""The demo's reference-data sector strings go through the taxonomy; only the
strings taxonomy.resolve cannot answer (several sectors in one string, or
none it knows) have an explicit entry."""
import json

import pytest

from services.contracts import taxonomy
from services.ops import demo

REFERENCE = json.loads(demo.REFERENCE.read_text())
TERMS = sorted({c["sector"] for c in REFERENCE["companies"] if c.get("sector")}
               | {t for p in REFERENCE["parks"]
                  for t in (p.get("target_industries") or [])
                  + ((p.get("programme") or {}).get("target_industries") or [])})


@pytest.mark.parametrize("term", TERMS)
def test_every_reference_sector_string_names_taxonomy_codes(term):
    codes = demo.sectors_of(term)
    assert codes and set(codes) <= set(taxonomy.SECTORS), codes
    if term not in demo.SECTORS_BEYOND_TAXONOMY:
        assert codes == [taxonomy.resolve(term)]


@pytest.mark.parametrize("term", sorted(demo.SECTORS_BEYOND_TAXONOMY))
def test_explicit_entries_are_only_for_what_resolve_cannot_answer(term):
    assert term in TERMS, "an entry for a string the reference data no longer has"
    codes = demo.SECTORS_BEYOND_TAXONOMY[term]
    try:
        resolved = [taxonomy.resolve(term)]
    except taxonomy.UnknownSector:
        return
    # resolve answers one code; the string names more than that
    assert len(codes) > 1 and resolved != codes


def test_examples():
    assert demo.sectors_of("seed R&D") == ["seed_breeding"]
    assert demo.sectors_of("advanced medical devices") == ["medical_devices"]
    assert demo.sectors_of("medical and beauty products") == ["cosmetics", "health_care"]
    assert demo.sectors_of(None) == []
