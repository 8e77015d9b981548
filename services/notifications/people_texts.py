"""What the alerts to the people of companies, parks and partners say, in
Korean, Chinese or English: texts from the gettext catalogue in `locale/`
(English msgids), numbers and dates through services.platform.i18n. One
description serves the in-app inbox and the e-mail (subject, plain text,
HTML with everything from data escaped). Pure: no I/O besides reading the
catalogue.

Contact details never appear: the events carry none, and an accepted
introduction only points to where the web app shows them."""
from html import escape
from pathlib import Path

from services.contracts import taxonomy
from services.contracts.languages import name_in, supported_language
from services.platform import i18n

from . import recipients

LOCALE_DIR = str(Path(__file__).resolve().parent / "locale")


def _catalogue(lang):
    return i18n.translations(LOCALE_DIR, lang)


def _name(names, lang, fallback):
    return name_in(names, lang) if names else fallback


def _score(value, lang):
    return i18n.format_number(round(float(value), 1), lang)


def _sectors(codes, lang):
    return ", ".join(taxonomy.label(code, lang) if code in taxonomy.SECTORS else code
                     for code in codes or ())


def _match_found(alert, lang, _):
    data = alert["data"]
    park = _name(data["demand"]["park_names"], lang, "?")
    company = _name(data["company"]["names"], lang, "?")
    demand = data["demand"]["title"]
    summary = (data.get("summaries") or {}).get(lang) or data["summary"]
    score = _score(data["score"], lang)
    if alert["organisation_kind"] == recipients.COMPANY:
        title = _("A park wants you: {park} – {demand}").format(park=park, demand=demand)
        lines = [_("Park: {park}").format(park=park), _("Demand: {demand}").format(demand=demand)]
    else:
        title = _("A new candidate for {demand}: {company}").format(demand=demand,
                                                                     company=company)
        lines = [_("Company: {company}").format(company=company),
                 _("Sectors: {sectors}").format(sectors=_sectors(data["company"]["sectors"],
                                                                 lang))]
    return title, [*lines, _("Score: {score}").format(score=score),
                   _("Summary: {summary}").format(summary=summary)]


def _requester(data, lang, _):
    context = data.get("context") or {}
    if data["requester"]["kind"] == recipients.PARTNER:
        return _name(context.get("requester_names"), lang, _("a partner organisation"))
    return _name(context.get("park_names"), lang, _("a park"))


def _introduction_requested(alert, lang, _):
    data = alert["data"]
    context = data.get("context") or {}
    requester = _requester(data, lang, _)
    if context.get("demand_title"):
        title = _("Introduction request from {requester} about {demand}").format(
            requester=requester, demand=context["demand_title"])
    else:
        title = _("Introduction request from {requester}").format(requester=requester)
    lines = [_("Requested by: {requester}").format(requester=requester)]
    if data.get("score") is not None:
        lines.append(_("Score: {score}").format(score=_score(data["score"], lang)))
    answer_by = i18n.format_date(data["expires_at"], lang, format="long")
    lines += [_("Please answer by {date}.").format(date=answer_by),
              _("Your contact details stay hidden until you accept.")]
    return title, lines


def _introduction_accepted(alert, lang, _):
    context = alert["data"].get("context") or {}
    company = _name(context.get("company_names"), lang, _("The company"))
    return (_("Introduction accepted: {company} agreed to be introduced").format(
        company=company),
            [_("Their contact details are now shown in Parkmatch.")])


def _obligation(alert, lang, _):
    data = alert["data"]
    due = i18n.format_date(data["occurrence_on"], lang, format="long")
    if alert["type"] == recipients.OBLIGATION_OVERDUE:
        title = _("Overdue since {date}: {title}").format(date=due, title=data["title"])
    else:
        title = _("Due on {date}: {title}").format(date=due, title=data["title"])
    return title, [_("Agreement: {agreement}").format(agreement=data["agreement_title"]),
                   _("Days until due: {days}").format(
                       days=i18n.format_number(data["days_until_due"], lang))]


DESCRIBERS = {
    recipients.MATCH_FOUND: _match_found,
    recipients.INTRODUCTION_REQUESTED: _introduction_requested,
    recipients.INTRODUCTION_ACCEPTED: _introduction_accepted,
    recipients.OBLIGATION_DUE: _obligation,
    recipients.OBLIGATION_OVERDUE: _obligation,
}


def describe(alert, language, web_url):
    """{title, lines, link, link_label} of one organisation alert in
    `language`; link: where the web app acts on it (or None)."""
    lang = supported_language(language)
    _ = _catalogue(lang).gettext
    title, lines = DESCRIBERS[alert["type"]](alert, lang, _)
    path = recipients.link_path(alert)
    link_label = None
    if alert["type"] == recipients.INTRODUCTION_REQUESTED:
        link_label = _("Accept or decline")
    elif path:
        link_label = _("Open in Parkmatch")
    return {"title": title, "lines": lines, "link": f"{web_url}{path}" if path else None,
            "link_label": link_label}


def _footer(lang):
    return _catalogue(lang).gettext(
        "You receive this as a member of your organisation on Parkmatch. You can choose "
        "immediate e-mails or one daily digest in your settings.")


def _page(lang, subject, sections):
    """sections: (title, lines, link, link_label) each."""
    body = []
    for title, lines, link, link_label in sections:
        items = "".join(f"<li>{escape(line)}</li>" for line in lines)
        body.append(f"<h2>{escape(title)}</h2><ul>{items}</ul>")
        if link:
            body.append(f'<p><a href="{escape(link)}">{escape(link_label or link)}</a></p>')
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{escape(subject)}</title></head><body>{''.join(body)}"
            f"<p><small>{escape(_footer(lang))}</small></p></body></html>")


def _text(section):
    title, lines, link, link_label = section
    text = [title, "", *(f"- {line}" for line in lines)]
    if link:
        text += ["", f"{link_label}: {link}"]
    return text


def render(alert, language, web_url):
    """(subject, plain text, HTML) of the e-mail about one organisation alert."""
    lang = supported_language(language)
    found = describe(alert, lang, web_url)
    section = (found["title"], found["lines"], found["link"], found["link_label"])
    subject = f"[Parkmatch] {found['title']}"
    text = "\n".join([*_text(section), "", _footer(lang), ""])
    return subject, text, _page(lang, subject, [section])


def render_digest(alerts, language, web_url):
    """(subject, plain text, HTML) of a person's daily digest, oldest first."""
    lang = supported_language(language)
    count = len(alerts)
    heading = _catalogue(lang).ngettext(
        "Your Parkmatch digest: {count} alert", "Your Parkmatch digest: {count} alerts",
        count).format(count=i18n.format_number(count, lang))
    sections = []
    for alert in alerts:
        found = describe(alert, lang, web_url)
        sections.append((found["title"], found["lines"], found["link"], found["link_label"]))
    subject = f"[Parkmatch] {heading}"
    text = [heading, ""]
    for section in sections:
        text += [*_text(section), ""]
    text += [_footer(lang), ""]
    return subject, "\n".join(text), _page(lang, subject, sections)
