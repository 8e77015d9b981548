"""The three languages Parkmatch speaks, and how a text or a name falls
back when the language asked for is missing: English first (the language
all three sides read), then Korean, then Chinese."""
DEFAULT_LANGUAGE = "en"
FALLBACK_ORDER = ("en", "ko", "zh")


def supported_language(lang):
    """`lang` if Parkmatch speaks it, else English."""
    return lang if lang in FALLBACK_ORDER else DEFAULT_LANGUAGE


def name_in(names, lang=DEFAULT_LANGUAGE):
    """The name in `lang`, else in the fallback order; None if every name is
    missing or blank (a names map in a contract has at least one)."""
    names = names or {}
    for candidate in (lang, *FALLBACK_ORDER):
        name = names.get(candidate)
        if name and name.strip():
            return name
    return None
