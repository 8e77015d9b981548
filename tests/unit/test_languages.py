"""One fallback for every text and name shown in a language."""
import pytest

from services.contracts.languages import name_in, supported_language


@pytest.mark.parametrize("names, lang, expected", [
    ({"ko": "한빛바이오", "zh": None, "en": "Hanbit Bio"}, "ko", "한빛바이오"),
    ({"ko": "한빛바이오", "zh": None, "en": "Hanbit Bio"}, "zh", "Hanbit Bio"),   # English next
    ({"ko": "한빛바이오", "zh": "韩光生物", "en": None}, "en", "한빛바이오"),      # then Korean
    ({"ko": None, "zh": "宾县经开区", "en": "  "}, "ko", "宾县经开区"),           # blank is missing
    ({"ko": None, "zh": None, "en": None}, "en", None),
    (None, "en", None),
])
def test_a_name_falls_back_to_english_then_korean_then_chinese(names, lang, expected):
    assert name_in(names, lang) == expected


def test_an_unsupported_language_is_english():
    assert [supported_language(lang) for lang in ("ko", "zh", "en", "jp", None)] == \
        ["ko", "zh", "en", "en", "en"]
