"""What the accounts e-mails say, in Korean, Chinese or English: the texts
come from the gettext catalogue in `locale/` (English msgids are the keys),
durations are worded by Babel. Each e-mail is a subject and paragraphs,
rendered as plain text and as HTML with everything from data escaped.
Pure: no I/O besides reading the catalogue."""
from dataclasses import dataclass
from html import escape
from pathlib import Path

from babel.dates import format_timedelta

from services.contracts.languages import name_in, supported_language
from services.platform import i18n

LOCALE_DIR = str(Path(__file__).resolve().parent / "locale")


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str


def _translator(lang):
    return i18n.translations(LOCALE_DIR, supported_language(lang)).gettext


def organisation_label(organisation, names, lang):
    """The organisation's name in `lang` (or the next language that has
    one); without names, its kind and id."""
    name = name_in(names, lang) if names else None
    if name:
        return name
    _ = _translator(lang)
    kind = {"company": _("company"), "park": _("park"),
            "partner": _("partner organisation")}.get(organisation["kind"], organisation["kind"])
    return f"{kind} {organisation['id']}"


def duration(delta, lang):
    """"15 minutes" / "15분" / "15分钟"."""
    return format_timedelta(delta, locale=i18n.babel_locale(supported_language(lang)),
                            threshold=1.0)


def sign_in(to, person_name, organisation, link, valid_for, lang):
    _ = _translator(lang)
    values = {"name": person_name, "organisation": organisation,
              "duration": duration(valid_for, lang)}
    return _render(to, _("Sign in to Parkmatch for {organisation}"), [
        _("Hello {name},"),
        _("Someone asked to sign in to Parkmatch for {organisation} with this e-mail address. "
          "Open this link to sign in:"),
        None,
        _("The link is valid for {duration} and works only once."),
        _("If you did not ask for this, ignore this e-mail: without the link nobody can "
          "sign in."),
    ], values, link)


def verification(to, person_name, organisation, link, valid_for, lang):
    _ = _translator(lang)
    values = {"name": person_name, "organisation": organisation,
              "duration": duration(valid_for, lang)}
    return _render(to, _("Confirm your e-mail address for {organisation} on Parkmatch"), [
        _("Hello {name},"),
        _("{organisation} was registered on Parkmatch with this e-mail address as its owner. "
          "Open this link to confirm the address and sign in:"),
        None,
        _("The link is valid for {duration} and works only once."),
        _("If you did not ask for this, ignore this e-mail."),
    ], values, link)


def invitation(to, person_name, organisation, inviter, link, valid_for, lang):
    _ = _translator(lang)
    values = {"name": person_name, "organisation": organisation, "inviter": inviter,
              "duration": duration(valid_for, lang)}
    # two sentences, not one with a placeholder: Korean words "X invites"
    # differently for a person and for a team
    who_invites = _(
        "{inviter} invites you to join {organisation} on Parkmatch. Open this link to "
        "accept the invitation and sign in:") if inviter else _(
        "The Parkmatch team invites you to join {organisation}. Open this link to "
        "accept the invitation and sign in:")
    return _render(to, _("You are invited to {organisation} on Parkmatch"), [
        _("Hello {name},"),
        who_invites,
        None,
        _("The invitation is valid for {duration} and works only once."),
        _("If you did not ask for this, ignore this e-mail."),
    ], values, link)


def _render(to, subject, paragraphs, values, link):
    """`None` in `paragraphs` marks where the link goes."""
    texts = [link if p is None else p.format(**values) for p in paragraphs]
    html_paragraphs = [
        f'<p><a href="{escape(link)}">{escape(link)}</a></p>' if p is None
        else f"<p>{escape(p.format(**values))}</p>" for p in paragraphs]
    return Email(to=to, subject=subject.format(**values), text="\n\n".join(texts) + "\n",
                 html="<html><body>" + "".join(html_paragraphs) + "</body></html>")
