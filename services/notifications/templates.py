"""What an alert e-mail says, in Korean, Chinese and English: a subject, a
plain-text part and an HTML part rendered from one catalogue. Everything
that comes from data is HTML-escaped. Pure: no I/O.

Contact details never appear: the events carry none."""
from html import escape

from services.contracts import languages, taxonomy
from services.contracts.languages import supported_language

TITLES = {
    "match.found": {
        "en": "New match: {company} for {demand}",
        "ko": "새 매칭: {company} – {demand}",
        "zh": "新匹配：{company} – {demand}"},
    "match.updated": {
        "en": "Match updated: {company} for {demand}",
        "ko": "매칭 변경: {company} – {demand}",
        "zh": "匹配已更新：{company} – {demand}"},
    "match.withdrawn": {
        "en": "Match withdrawn: {company} for {demand}",
        "ko": "매칭 철회: {company} – {demand}",
        "zh": "匹配已撤回：{company} – {demand}"},
    "introduction.requested": {
        "en": "Introduction requested for match {match}",
        "ko": "매칭 {match}에 대한 소개 요청",
        "zh": "匹配 {match} 的引荐请求"},
    "introduction.accepted": {
        "en": "Introduction accepted for match {match}",
        "ko": "매칭 {match}에 대한 소개 수락",
        "zh": "匹配 {match} 的引荐已接受"},
    "agreement.proposed": {
        "en": "Agreement proposed: {title}",
        "ko": "협약 제안: {title}",
        "zh": "协议已提议：{title}"},
    "agreement.signed": {
        "en": "Agreement signed: {title}",
        "ko": "협약 체결: {title}",
        "zh": "协议已签署：{title}"},
    "obligation.due": {
        "en": "Obligation due on {due}: {title}",
        "ko": "의무 이행 기한 {due}: {title}",
        "zh": "义务将于 {due} 到期：{title}"},
    "obligation.overdue": {
        "en": "Obligation overdue since {due}: {title}",
        "ko": "의무 이행 기한 경과 ({due}): {title}",
        "zh": "义务已逾期（{due}）：{title}"},
    "channel.disabled": {
        "en": "Your alert channel {target} was disabled",
        "ko": "알림 채널 {target}이(가) 비활성화되었습니다",
        "zh": "您的提醒渠道 {target} 已停用"},
    "test": {
        "en": "Test alert for your channel {target}",
        "ko": "알림 채널 {target} 테스트",
        "zh": "渠道 {target} 的测试提醒"},
    "digest": {
        "en": "Your Parkmatch digest: {count} alert(s)",
        "ko": "Parkmatch 요약: 알림 {count}건",
        "zh": "Parkmatch 摘要：{count} 条提醒"},
}

LABELS = {
    "score": {"en": "Score", "ko": "점수", "zh": "得分"},
    "park": {"en": "Park", "ko": "산업단지", "zh": "园区"},
    "sectors": {"en": "Sectors", "ko": "분야", "zh": "行业"},
    "summary": {"en": "Summary", "ko": "요약", "zh": "摘要"},
    "reason": {"en": "Reason", "ko": "사유", "zh": "原因"},
    "agreement": {"en": "Agreement", "ko": "협약", "zh": "协议"},
    "status": {"en": "Status", "ko": "상태", "zh": "状态"},
    "days": {"en": "Days until due", "ko": "남은 일수", "zh": "距到期天数"},
    "channel_help": {
        "en": "Fix the endpoint, then re-enable the channel: PATCH "
              "/api/partners/<id>/channels/<channel id> {\"enabled\": true}.",
        "ko": "엔드포인트를 고친 뒤 채널을 다시 활성화하세요: PATCH "
              "/api/partners/<id>/channels/<channel id> {\"enabled\": true}.",
        "zh": "请修复接收端后重新启用该渠道：PATCH "
              "/api/partners/<id>/channels/<channel id> {\"enabled\": true}。"},
    "test": {
        "en": "This is a test alert from Parkmatch: your channel works.",
        "ko": "Parkmatch 테스트 알림입니다. 채널이 정상적으로 작동합니다.",
        "zh": "这是来自 Parkmatch 的测试提醒：您的渠道工作正常。"},
    "footer": {
        "en": "You receive this because of your Parkmatch subscriptions.",
        "ko": "Parkmatch 구독 설정에 따라 발송된 메일입니다.",
        "zh": "您收到此邮件是因为您在 Parkmatch 的订阅设置。"},
}


def _lang(language):
    return supported_language(language)


def name_in(names, language):
    return languages.name_in(names, language) or "?"


def _sectors(codes, language):
    return ", ".join(taxonomy.label(code, language) if code in taxonomy.SECTORS else code
                     for code in codes or ())


def _summary(data, lang):
    return (data.get("summaries") or {}).get(lang) or data["summary"]


def describe(kind, data, language):
    """(title, [detail lines]) of one alert in `language`."""
    lang = _lang(language)

    def label(key):
        return LABELS[key][lang]

    if kind.startswith("match."):
        company = name_in(data["company"]["names"], lang)
        demand = data["demand"]["title"]
        title = TITLES[kind][lang].format(company=company, demand=demand)
        lines = [f"{label('park')}: {name_in(data['demand']['park_names'], lang)}",
                 f"{label('score')}: {data['score']:.1f}",
                 f"{label('sectors')}: {_sectors(data['demand']['sectors'], lang)}",
                 f"{label('summary')}: {_summary(data, lang)}"]
        if data.get("withdrawn_reason"):
            lines.append(f"{label('reason')}: {data['withdrawn_reason']}")
        return title, lines
    if kind.startswith("introduction."):
        title = TITLES[kind][lang].format(match=data["match_id"])
        lines = [f"{label('status')}: {data['status']}"]
        if data.get("score") is not None:
            lines.append(f"{label('score')}: {data['score']:.1f}")
        if data.get("sectors"):
            lines.append(f"{label('sectors')}: {_sectors(data['sectors'], lang)}")
        return title, lines
    if kind.startswith("agreement."):
        title = TITLES[kind][lang].format(title=data["title"])
        lines = [f"{label('status')}: {data['status']}", f"{data['kind']}"]
        if data.get("sectors"):
            lines.append(f"{label('sectors')}: {_sectors(data['sectors'], lang)}")
        return title, lines
    if kind.startswith("obligation."):
        title = TITLES[kind][lang].format(due=data["occurrence_on"], title=data["title"])
        return title, [f"{label('agreement')}: {data['agreement_title']}",
                       f"{label('days')}: {data['days_until_due']}"]
    if kind == "channel.disabled":
        title = TITLES[kind][lang].format(target=data["target"])
        return title, [f"{label('reason')}: {data['reason']}", label("channel_help")]
    if kind == "test":
        title = TITLES[kind][lang].format(target=data.get("label") or data["target"])
        return title, [label("test")]
    if kind == "digest":
        title = TITLES[kind][lang].format(count=data["count"])
        return title, [describe(item["type"], item["data"], lang)[0] for item in data["items"]]
    return kind, []


def render(kind, data, language):
    """(subject, plain text, HTML) of an alert e-mail."""
    lang = _lang(language)
    title, lines = describe(kind, data, lang)
    subject = f"[Parkmatch] {title}"
    footer = LABELS["footer"][lang]
    text = "\n".join([title, "", *(f"- {line}" for line in lines), "", footer, ""])
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    html = (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{escape(subject)}</title></head><body>"
            f"<h1>{escape(title)}</h1><ul>{items}</ul>"
            f"<p><small>{escape(footer)}</small></p></body></html>")
    return subject, text, html
