"""Every text the web app shows has a Korean and a Chinese translation, and
every page renders in each language."""
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from services.platform import i18n
from services.web import rendering

WEB = Path(rendering.__file__).resolve().parent
METHODS = [("**/pages/**.py", "python"), ("**/templates/**.html", "jinja2")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def extracted_msgids():
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(WEB), METHODS, OPTIONS):
        found.add(message if isinstance(message, str) else message[0])
    return found


def catalogue(lang):
    with open(WEB / "locale" / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return {m.id: m.string for m in read_po(handle) if m.id}


def test_extraction_finds_the_texts_of_templates_and_page_modules():
    msgids = extracted_msgids()
    assert "Register a company" in msgids                      # a template
    assert "Not a valid email address." in msgids              # pages/errors.py
    assert "Years since founding" in msgids                    # pages/dashboards.py


@pytest.mark.parametrize("lang", ["ko", "zh"])
def test_every_extracted_msgid_has_a_translation(lang):
    translated = catalogue(lang)
    missing = sorted(m for m in extracted_msgids() if not (translated.get(m) or "").strip())
    assert not missing, f"{lang}: {len(missing)} untranslated: {missing[:10]}"


@pytest.mark.parametrize("lang", ["ko", "zh"])
def test_translations_keep_their_placeholders(lang):
    for msgid, text in catalogue(lang).items():
        assert set(PLACEHOLDER.findall(msgid)) == set(PLACEHOLDER.findall(text)), msgid


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_pages_render_in_each_language_with_its_lang_attribute(lang):
    base = {"csrf_token": "t", "path": "/", "actor": None, "person": None}
    html = rendering.render("landing.html", {**base, "dashboard": None}, lang)
    assert f'<html lang="{lang}">' in html
    expected = {"ko": "기업 등록", "zh": "企业注册", "en": "Register a company"}[lang]
    assert expected in html
    for code in i18n.LANGUAGES:  # a switch link per language
        assert f'href="/language/{code}?next=/"' in html


@pytest.mark.parametrize("path", sorted(
    (Path(__file__).resolve().parents[2] / "services").glob("*/locale/*/LC_MESSAGES/messages.po")),
    ids=lambda p: f"{p.parts[-5]}/{p.parts[-3]}")
def test_no_msgid_appears_twice_in_a_catalogue(path):
    """Two entries for one msgid: gettext keeps one silently, so a later
    translation would be lost without anyone noticing."""
    text = path.read_text(encoding="utf-8")
    entries = re.findall(r'^(?:msgctxt (".*")\n)?msgid (".*"(?:\n".*")*)', text, re.M)
    keys = [entry for entry in entries if entry[1] != '""']
    assert len(keys) == len(set(keys)), sorted({k for k in keys if keys.count(k) > 1})
