"""Texts, dates and numbers in Korean, Chinese or English, from gettext
catalogues with Babel.

Each package that shows text keeps its own catalogue folder, laid out as
gettext expects (`<package>/locale/<lang>/LC_MESSAGES/messages.po`), with the
English msgid as the key. The .po files are the source of truth and are
compiled in memory the first time a language is asked for, so the repository
holds no binary .mo files and a changed .po needs no build step. Missing
translations fall back to the English msgid, as gettext does.

Pure Python (Babel only): no transport, no storage.
"""
from datetime import UTC, date, datetime
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel import Locale, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from services.contracts.languages import DEFAULT_LANGUAGE, FALLBACK_ORDER

LANGUAGES = ("ko", "zh", "en")
# Babel's locales for the three languages: Chinese is Simplified, as the
# parks write it.
BABEL_LOCALES = {"ko": "ko_KR", "zh": "zh_Hans_CN", "en": "en"}
LANGUAGE_NAMES = {"ko": "한국어", "zh": "中文", "en": "English"}


def supported(lang):
    """`lang` if it is one of the three, else None."""
    return lang if lang in LANGUAGES else None


def negotiate(asked=None, accept_language=None):
    """The language to answer in: the one asked for (a ?lang= or a cookie) if
    supported, else the best of the browser's Accept-Language header, else
    English."""
    if supported(asked):
        return asked
    if accept_language:
        preferred = [part.split(";")[0].strip().split("-")[0].lower()
                     for part in accept_language.split(",") if part.strip()]
        chosen = Locale.negotiate(preferred, list(LANGUAGES), sep="-")
        if chosen is not None:
            return str(chosen.language)
    return DEFAULT_LANGUAGE


@lru_cache(maxsize=64)
def translations(locale_dir, lang):
    """The compiled catalogue of `lang` under `locale_dir` (a NullTranslations
    that returns every msgid as it is where there is none, i.e. English)."""
    path = Path(locale_dir) / lang / "LC_MESSAGES" / "messages.po"
    if lang == "en" or not path.exists():
        return NullTranslations()
    with open(path, "rb") as handle:
        catalog = read_po(handle, locale=BABEL_LOCALES[lang])
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(fp=compiled)


def babel_locale(lang):
    return BABEL_LOCALES.get(lang, BABEL_LOCALES[DEFAULT_LANGUAGE])


def format_date(day, lang, format="medium"):
    """2026년 3월 15일 / 2026年3月15日 / 15 Mar 2026."""
    if day is None:
        return ""
    if isinstance(day, str):
        day = date.fromisoformat(day[:10])
    return dates.format_date(day, format=format, locale=babel_locale(lang))


def format_datetime(moment, lang, tz="UTC", format="medium"):
    if moment is None:
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return dates.format_datetime(moment, format=format, tzinfo=dates.get_timezone(tz),
                                 locale=babel_locale(lang))


def format_number(value, lang):
    if value is None:
        return ""
    return numbers.format_decimal(value, locale=babel_locale(lang))


def format_percent(fraction, lang):
    return numbers.format_percent(fraction, locale=babel_locale(lang))


def fallback_order(lang):
    """The languages to try for a name, `lang` first."""
    return (lang, *[other for other in FALLBACK_ORDER if other != lang])
