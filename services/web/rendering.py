"""Jinja2 environments, one per language, with the gettext catalogue of
services/web/locale installed and filters that format per language."""
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.contracts import taxonomy
from services.platform import i18n

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
LOCALE_DIR = str(HERE / "locale")


def gettext_for(lang):
    """gettext of `lang` for texts composed in the page modules."""
    return i18n.translations(LOCALE_DIR, lang).gettext


def name_in(names, lang):
    """A name in `lang`, else in the next language that has one."""
    names = names or {}
    for other in i18n.fallback_order(lang):
        if (names.get(other) or "").strip():
            return names[other]
    return ""


def sector_label(code, lang):
    return taxonomy.label(code, lang) if code in taxonomy.SECTORS else code


@lru_cache(maxsize=8)
def environment(lang):
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                      autoescape=select_autoescape(("html",)),
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_translations(i18n.translations(LOCALE_DIR, lang), newstyle=True)
    env.filters.update(
        date=lambda value: i18n.format_date(value, lang),
        datetime=lambda value: i18n.format_datetime(value, lang, format="short"),
        number=lambda value: i18n.format_number(value, lang),
        percent=lambda value: "" if value is None else i18n.format_percent(value, lang),
        name=lambda names: name_in(names, lang),
        sector=lambda code: sector_label(code, lang),
    )
    env.globals.update(lang=lang, languages=i18n.LANGUAGES,
                       language_names=i18n.LANGUAGE_NAMES)
    return env


def render(template, context, lang):
    return environment(lang).get_template(template).render(**context)
