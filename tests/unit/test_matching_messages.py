"""The message catalogue renders parsed-once templates exactly as
string.Formatter would, and falls back to it for anything but plain fields."""
import string

import pytest

from services.matching import messages


def formatter_render(msg, lang):
    template = messages.MESSAGES[msg["id"]][messages.language(lang)]
    return messages._Formatter(messages.language(lang)).vformat(template, (), msg["params"])


SAMPLES = [
    messages.message("patents.compared", patents=1, minimum=3),
    messages.message("founding.compared", founded="2023-03-16", years=2, minimum=3),
    messages.message("sectors.child", held="biologics", wanted="biopharmaceuticals", credit=0.8),
    messages.message("withdrawn.unmet", items=[messages.message(
        "criterion.item", criterion="min_patents",
        explanation=messages.message("patents.compared", patents=0, minimum=1))]),
    messages.message("allocation.full_with_higher_ranked", park={"en": "Binxian", "zh": "宾县"},
                     title="Valley {phase 1}", admitted=1200, lowest=88.5, score=70.0),
]


@pytest.mark.parametrize("msg", SAMPLES, ids=lambda m: m["id"])
@pytest.mark.parametrize("lang", ["en", "ko", "zh", "fr"])
def test_the_parsed_template_renders_as_string_formatter_does(msg, lang):
    assert messages.render(msg, lang) == formatter_render(msg, lang)


def test_templates_beyond_plain_fields_take_the_general_path(monkeypatch):
    monkeypatch.setitem(messages.MESSAGES, "test.braces", {
        "en": "{{literal}} {count:num} {title!r}", "ko": "{count:num}", "zh": "{count:num}"})
    assert messages._pieces("{{literal}} {count:num} {title!r}") is None
    msg = {"id": "test.braces", "params": {"count": 1234, "title": "x"}}
    assert messages.render(msg, "en") == "{literal} 1,234 'x'"
    # escaped braces alone keep the fast path, and come out single
    monkeypatch.setitem(messages.MESSAGES, "test.escaped", {
        "en": "{{a}} {count:num}", "ko": "{count:num}", "zh": "{count:num}"})
    assert messages._pieces("{{a}} {count:num}") is not None
    assert messages.render({"id": "test.escaped", "params": {"count": 1}}) == \
        string.Formatter().vformat("{{a}} {count}", (), {"count": 1}) == "{a} 1"
