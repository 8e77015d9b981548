"""The gettext/Babel helper every page and e-mail uses."""
from datetime import date

from services.platform import i18n


def test_a_catalogue_is_compiled_from_its_po_file(tmp_path):
    folder = tmp_path / "ko" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Sign in"\nmsgstr "로그인"\n', encoding="utf-8")
    assert i18n.translations(str(tmp_path), "ko").gettext("Sign in") == "로그인"
    # no Chinese catalogue there: the English msgid comes back
    assert i18n.translations(str(tmp_path), "zh").gettext("Sign in") == "Sign in"


def test_the_language_asked_for_wins_then_the_browsers_then_english():
    assert i18n.negotiate("ko", "zh-CN,zh;q=0.9") == "ko"
    assert i18n.negotiate(None, "zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert i18n.negotiate("fr", "fr-FR,de;q=0.5") == "en"
    assert i18n.negotiate(None, None) == "en"


def test_dates_and_numbers_follow_the_language():
    day = date(2026, 3, 15)
    assert i18n.format_date(day, "zh") == "2026年3月15日"
    assert i18n.format_date(day, "ko") == "2026. 3. 15."
    assert i18n.format_date("2026-03-15", "en") == "Mar 15, 2026"
    assert i18n.format_number(1500000000, "ko") == "1,500,000,000"
    assert "18:30" in i18n.format_datetime("2026-03-15T09:30:00+00:00", "zh", "Asia/Seoul")
