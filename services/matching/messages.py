"""Every text matching shows a person, in English, Korean and Chinese, from
one catalogue.

The domain never writes sentences: it records a message as
`{"id": ..., "params": {...}}` (JSON-ready), and `render(message, lang)`
turns it into text in any of the three languages, at read time if need be.
A template names its parameters and how to show them:

    {patents:num}                 a number with thousands separators
    {patents:plural:patent:patents}   English count with singular/plural noun
    {founded:date}                an ISO date in the language's own style
    {held:sector} / {held:sectors}    sector code(s) -> taxonomy labels
    {held:certs} {x:facilities} {x:incentives}   vocabulary labels
    {x:list}                      plain strings, joined the language's way
    {x:m2} {x:krw} {x:pct}        area, money, a share (0.8 -> 80%)
    {x:criterion} {x:criteria}    criterion kind(s) -> names
    {x:subject}                   what the company did not say
    {x:state}                     why a demand is not open
    {x:msg} {x:msgs}              nested message(s)
    {x:names}                     a {lang: name} map -> the name in the language
                                  (else English, else any name given)

Plain Python: no broker, no database.
"""
import functools
import string
from datetime import date

from services.contracts import taxonomy
from services.contracts.languages import (
    DEFAULT_LANGUAGE,
    FALLBACK_ORDER,
    name_in,
    supported_language,
)

LANGUAGES = FALLBACK_ORDER  # en, ko, zh

_LIST_SEPARATOR = {"en": ", ", "ko": ", ", "zh": "、"}
_CLAUSE_SEPARATOR = {"en": "; ", "ko": "; ", "zh": "；"}

_UNDISCLOSED = {
    "en": "{subject:subject} unknown: the company did not say",
    "ko": "{subject:subject} 정보 없음: 기업이 밝히지 않음",
    "zh": "{subject:subject}未知：企业未说明",
}
_FUNDING_RULE = {
    "en": "funding or market validation required",
    "ko": "투자 유치 또는 시장 검증 필요",
    "zh": "要求有融资或市场验证",
}

MESSAGES = {
    # --- one criterion each --------------------------------------------------
    "sectors.exact": {
        "en": "sectors in common: {common:sectors}",
        "ko": "원하는 업종과 일치: {common:sectors}",
        "zh": "行业一致：{common:sectors}",
    },
    "sectors.child": {
        "en": "works in {held:sector}, a branch of {wanted:sector} (counts {credit:pct})",
        "ko": "{wanted:sector}의 세부 업종인 {held:sector} 분야 기업 ({credit:pct} 반영)",
        "zh": "企业从事{held:sector}，属于{wanted:sector}的细分领域（按{credit:pct}计分）",
    },
    "sectors.related": {
        "en": "works in {held:sector}, related to {wanted:sector} (counts {credit:pct})",
        "ko": "{wanted:sector} 관련 업종인 {held:sector} 분야 기업 ({credit:pct} 반영)",
        "zh": "企业从事{held:sector}，与{wanted:sector}相关（按{credit:pct}计分）",
    },
    "sectors.none": {
        "en": "no sector in common: the company works in {held:sectors}; wanted: {wanted:sectors}",
        "ko": "일치하는 업종 없음: 기업 업종은 {held:sectors}, 원하는 업종은 {wanted:sectors}",
        "zh": "无相同行业：企业从事{held:sectors}，所需行业为{wanted:sectors}",
    },
    "space.met": {
        "en": "needs {needed:m2}; {offered:m2} offered",
        "ko": "필요 면적 {needed:m2}, 제공 가능 면적 {offered:m2}",
        "zh": "需要{needed:m2}，可提供{offered:m2}",
    },
    "space.not_met": {
        "en": "needs {needed:m2}; only {offered:m2} offered",
        "ko": "필요 면적 {needed:m2}, 제공 가능 면적은 {offered:m2}에 불과",
        "zh": "需要{needed:m2}，仅可提供{offered:m2}",
    },
    "facilities.met": {
        "en": "needs {needed:facilities}; all offered",
        "ko": "필요 시설 {needed:facilities}: 모두 제공",
        "zh": "需要{needed:facilities}：均可提供",
    },
    "facilities.not_met": {
        "en": "needs {needed:facilities}; not offered: {missing:facilities}",
        "ko": "필요 시설 {needed:facilities} 중 제공되지 않는 시설: {missing:facilities}",
        "zh": "需要{needed:facilities}；无法提供：{missing:facilities}",
    },
    "incentives.met": {
        "en": "wants {wanted:incentives}; offered: {granted:incentives}",
        "ko": "희망 혜택 {wanted:incentives} 중 제공: {granted:incentives}",
        "zh": "希望获得{wanted:incentives}；可提供：{granted:incentives}",
    },
    "incentives.not_met": {
        "en": "wants {wanted:incentives}; none of them offered",
        "ko": "희망 혜택 {wanted:incentives}: 제공되는 혜택 없음",
        "zh": "希望获得{wanted:incentives}；均不提供",
    },
    "undisclosed": _UNDISCLOSED,
    "patents.compared": {
        "en": "holds {patents:plural:patent:patents}; at least {minimum:num} required",
        "ko": "특허 {patents:num}건 보유, 최소 {minimum:num}건 필요",
        "zh": "拥有{patents:num}项专利，要求至少{minimum:num}项",
    },
    "founding.compared": {
        "en": "founded {founded:date}, {years:plural:year:years} ago; "
              "at least {minimum:plural:year:years} required",
        "ko": "{founded:date} 설립(업력 {years:num}년), 최소 {minimum:num}년 필요",
        "zh": "成立于{founded:date}（已成立{years:num}年），要求至少{minimum:num}年",
    },
    "funding.met_funding": {
        "en": "raised {funding:krw}; " + _FUNDING_RULE["en"],
        "ko": "투자 유치 {funding:krw}; " + _FUNDING_RULE["ko"],
        "zh": "已融资{funding:krw}；" + _FUNDING_RULE["zh"],
    },
    "funding.met_validation": {
        "en": "has market validation; " + _FUNDING_RULE["en"],
        "ko": "시장 검증 완료; " + _FUNDING_RULE["ko"],
        "zh": "已获市场验证；" + _FUNDING_RULE["zh"],
    },
    "funding.met_both": {
        "en": "raised {funding:krw} and has market validation; " + _FUNDING_RULE["en"],
        "ko": "투자 유치 {funding:krw} 및 시장 검증 완료; " + _FUNDING_RULE["ko"],
        "zh": "已融资{funding:krw}并获市场验证；" + _FUNDING_RULE["zh"],
    },
    "funding.not_met": {
        "en": "no funding raised and no market validation; " + _FUNDING_RULE["en"],
        "ko": "투자 유치 실적과 시장 검증 모두 없음; " + _FUNDING_RULE["ko"],
        "zh": "既无融资，也无市场验证；" + _FUNDING_RULE["zh"],
    },
    "funding.no_validation_funding_unknown": {
        "en": "no market validation; " + _UNDISCLOSED["en"],
        "ko": "시장 검증 없음; " + _UNDISCLOSED["ko"],
        "zh": "无市场验证；" + _UNDISCLOSED["zh"],
    },
    "funding.no_funding_validation_unknown": {
        "en": "no funding raised; " + _UNDISCLOSED["en"],
        "ko": "투자 유치 실적 없음; " + _UNDISCLOSED["ko"],
        "zh": "无融资；" + _UNDISCLOSED["zh"],
    },
    "certification.held": {
        "en": "holds {held:certs}; one of {accepted:certs} required",
        "ko": "{held:certs} 보유, 필요 인증: {accepted:certs} 중 하나",
        "zh": "持有{held:certs}，要求具备以下之一：{accepted:certs}",
    },
    "certification.none": {
        "en": "holds no certification; one of {accepted:certs} required",
        "ko": "보유 인증 없음, 필요 인증: {accepted:certs} 중 하나",
        "zh": "未持有任何认证，要求具备以下之一：{accepted:certs}",
    },
    "headcount.at_least": {
        "en": "{headcount:plural:employee:employees}; at least {min:num} required",
        "ko": "직원 {headcount:num}명, 최소 {min:num}명 필요",
        "zh": "员工{headcount:num}人，要求至少{min:num}人",
    },
    "headcount.at_most": {
        "en": "{headcount:plural:employee:employees}; at most {max:num} allowed",
        "ko": "직원 {headcount:num}명, 최대 {max:num}명까지 가능",
        "zh": "员工{headcount:num}人，要求不超过{max:num}人",
    },
    "headcount.between": {
        "en": "{headcount:plural:employee:employees}; between {min:num} and {max:num} required",
        "ko": "직원 {headcount:num}명, {min:num}~{max:num}명 필요",
        "zh": "员工{headcount:num}人，要求{min:num}至{max:num}人",
    },
    "markets.met": {
        "en": "exports to {common:list}; any of {wanted:list} wanted",
        "ko": "{common:list}에 수출 중; 희망 시장: {wanted:list} 중 하나",
        "zh": "已出口至{common:list}；要求出口市场包括{wanted:list}之一",
    },
    "markets.not_met": {
        "en": "exports to {held:list}; none of {wanted:list}",
        "ko": "수출 시장 {held:list}; {wanted:list}에는 수출하지 않음",
        "zh": "出口至{held:list}；未出口至{wanted:list}中的任何市场",
    },
    "markets.none": {
        "en": "exports nowhere yet; any of {wanted:list} wanted",
        "ko": "수출 실적 없음; 희망 시장: {wanted:list} 중 하나",
        "zh": "尚无出口；要求出口市场包括{wanted:list}之一",
    },
    # --- a whole evaluation --------------------------------------------------
    "clauses": {"en": "{parts:msgs}", "ko": "{parts:msgs}", "zh": "{parts:msgs}"},
    "summary.not_open": {
        "en": "{title} is not open ({state:state})",
        "ko": "{title}: 현재 모집하지 않음 ({state:state})",
        "zh": "{title}目前未开放（{state:state}）",
    },
    "summary.unmet": {
        "en": "Does not meet {unmet_count:num} of {required_count:num} required criteria "
              "of {title}: {unmet:criteria}",
        "ko": "{title}의 필수 요건 {required_count:num}개 중 {unmet_count:num}개 미충족: "
              "{unmet:criteria}",
        "zh": "未满足{title}的{required_count:num}项必备条件中的{unmet_count:num}项："
              "{unmet:criteria}",
    },
    "summary.meets_one": {
        "en": "Meets the one required criterion of {title}",
        "ko": "{title}의 필수 요건 1개 충족",
        "zh": "满足{title}的唯一一项必备条件",
    },
    "summary.meets_all": {
        "en": "Meets all {required_count:num} required criteria of {title}",
        "ko": "{title}의 필수 요건 {required_count:num}개 모두 충족",
        "zh": "满足{title}的全部{required_count:num}项必备条件",
    },
    "summary.no_requirements": {
        "en": "{title} sets no required criteria",
        "ko": "{title}에는 필수 요건이 없음",
        "zh": "{title}未设必备条件",
    },
    "summary.preferences": {
        "en": "{met:num} of {total:plural:preference:preferences} met",
        "ko": "선호 조건 {total:num}개 중 {met:num}개 충족",
        "zh": "满足{total:num}项优先条件中的{met:num}项",
    },
    "withdrawn.not_open": {"en": "{state:state}", "ko": "{state:state}", "zh": "{state:state}"},
    "withdrawn.unmet": {
        "en": "required criteria not met: {items:msgs}",
        "ko": "필수 요건 미충족: {items:msgs}",
        "zh": "未满足必备条件：{items:msgs}",
    },
    "criterion.item": {
        "en": "{criterion:criterion} ({explanation:msg})",
        "ko": "{criterion:criterion} ({explanation:msg})",
        "zh": "{criterion:criterion}（{explanation:msg}）",
    },
    # --- what would close a near miss's gap ----------------------------------
    "gap.undisclosed": {
        "en": "{subject:subject} unknown: ask the company",
        "ko": "{subject:subject} 정보 없음: 기업에 확인 필요",
        "zh": "{subject:subject}未知：请向企业询问",
    },
    "gap.patents": {
        "en": "needs {more:plural:more patent:more patents}: has {has:num}, needs {needs:num}",
        "ko": "특허 {more:num}건 더 필요: 보유 {has:num}건, 필요 {needs:num}건",
        "zh": "还需{more:num}项专利：现有{has:num}项，需要{needs:num}项",
    },
    "gap.founding": {
        "en": "founded {founded:date}, eligible from {eligible_on:date}",
        "ko": "{founded:date} 설립, {eligible_on:date}부터 자격 충족",
        "zh": "成立于{founded:date}，自{eligible_on:date}起符合条件",
    },
    "gap.funding": {
        "en": "needs funding or market validation: has neither",
        "ko": "투자 유치 또는 시장 검증 필요: 현재 둘 다 없음",
        "zh": "需要融资或市场验证：目前两者皆无",
    },
    "gap.certification": {
        "en": "needs one of {accepted:certs}: holds {held:certs}",
        "ko": "{accepted:certs} 중 하나 필요: 현재 보유 인증은 {held:certs}",
        "zh": "需具备{accepted:certs}之一：目前持有{held:certs}",
    },
    "gap.certification_none": {
        "en": "needs one of {accepted:certs}: holds none",
        "ko": "{accepted:certs} 중 하나 필요: 현재 보유 인증 없음",
        "zh": "需具备{accepted:certs}之一：目前没有任何认证",
    },
    "gap.space": {
        "en": "needs {needed:m2}, {short:m2} more than the {offered:m2} offered",
        "ko": "필요 면적 {needed:m2}: 제공 가능 면적 {offered:m2}보다 {short:m2} 부족",
        "zh": "需要{needed:m2}，比可提供的{offered:m2}多{short:m2}",
    },
    "gap.facilities": {
        "en": "needs {missing:facilities}, not offered here",
        "ko": "{missing:facilities} 필요: 이 단지에서는 제공하지 않음",
        "zh": "需要{missing:facilities}：本园区不提供",
    },
    "gap.headcount_min": {
        "en": "has {headcount:plural:employee:employees}, needs at least {min:num}",
        "ko": "직원 {headcount:num}명: 최소 {min:num}명 필요",
        "zh": "现有员工{headcount:num}人：至少需要{min:num}人",
    },
    "gap.headcount_max": {
        "en": "has {headcount:plural:employee:employees}, at most {max:num} allowed",
        "ko": "직원 {headcount:num}명: 최대 {max:num}명까지 가능",
        "zh": "现有员工{headcount:num}人：最多允许{max:num}人",
    },
    "gap.markets": {
        "en": "exports to none of {wanted:list}: needs one of them",
        "ko": "{wanted:list} 중 한 곳 이상에 수출해야 함: 현재 수출 없음",
        "zh": "需出口至{wanted:list}之一：目前均未出口",
    },
    # --- why a company did not get a demand in an allocation round ------------
    "allocation.full_with_higher_ranked": {
        "en": "{park:names} ({title}) is full with {admitted:plural:company:companies} "
              "it ranks higher (lowest-ranked admitted: score {lowest:num}; yours: {score:num})",
        "ko": "{park:names} ({title})은(는) 더 높은 순위의 기업 {admitted:num}곳(으)로 "
              "정원이 찼습니다 (합격한 최하위 점수: {lowest:num}, 귀사 점수: {score:num})",
        "zh": "{park:names}（{title}）已满，录取了{admitted:num}家排名更靠前的企业"
              "（录取最低分：{lowest:num}；您的得分：{score:num}）",
    },
}

# --- labels ---------------------------------------------------------------------

CRITERIA = {
    "sectors": {"en": "sector", "ko": "업종", "zh": "行业"},
    "space": {"en": "space", "ko": "면적", "zh": "面积"},
    "facilities": {"en": "facilities", "ko": "시설", "zh": "设施"},
    "incentives": {"en": "incentives", "ko": "혜택", "zh": "优惠政策"},
    "min_patents": {"en": "patents", "ko": "특허", "zh": "专利"},
    "min_years_since_founding": {"en": "years since founding", "ko": "업력", "zh": "成立年限"},
    "funding_or_market_validation": {"en": "funding or market validation",
                                     "ko": "투자 유치 또는 시장 검증", "zh": "融资或市场验证"},
    "certification_any_of": {"en": "certification", "ko": "인증", "zh": "资质认证"},
    "headcount": {"en": "headcount", "ko": "직원 수", "zh": "员工人数"},
    "export_markets": {"en": "export markets", "ko": "수출 시장", "zh": "出口市场"},
}

SUBJECTS = {
    "patents": {"en": "patents", "ko": "특허", "zh": "专利情况"},
    "founded_on": {"en": "founding date", "ko": "설립일", "zh": "成立日期"},
    "certifications": {"en": "certification", "ko": "인증", "zh": "资质认证"},
    "headcount": {"en": "headcount", "ko": "직원 수", "zh": "员工人数"},
    "export_markets": {"en": "export markets", "ko": "수출 시장", "zh": "出口市场"},
    "funding": {"en": "funding", "ko": "투자 유치", "zh": "融资情况"},
    "market_validation": {"en": "market validation", "ko": "시장 검증", "zh": "市场验证情况"},
    "funding_and_validation": {"en": "funding and market validation",
                               "ko": "투자 유치와 시장 검증", "zh": "融资和市场验证情况"},
}

STATES = {
    "closed": {"en": "demand closed", "ko": "모집 마감", "zh": "需求已关闭"},
    "expired": {"en": "demand expired", "ko": "모집 기간 만료", "zh": "需求已过期"},
    "not_yet_open": {"en": "demand not open yet", "ko": "모집 시작 전", "zh": "需求尚未开始"},
}

CERTIFICATIONS = {
    "kr_venture": {"en": "Korean venture certification", "ko": "벤처기업 확인",
                   "zh": "韩国风险企业认证"},
    "kr_innobiz": {"en": "INNOBIZ", "ko": "이노비즈", "zh": "INNOBIZ技术创新型中小企业认证"},
    "kr_mainbiz": {"en": "MAINBIZ", "ko": "메인비즈", "zh": "MAINBIZ经营创新型中小企业认证"},
    "cn_high_tech_enterprise": {"en": "Chinese high-tech enterprise", "ko": "중국 고신기술기업",
                                "zh": "高新技术企业"},
    "iso_9001": {"en": "ISO 9001", "ko": "ISO 9001", "zh": "ISO 9001"},
    "iso_13485": {"en": "ISO 13485", "ko": "ISO 13485", "zh": "ISO 13485"},
    "gmp": {"en": "GMP", "ko": "GMP(우수 제조 관리 기준)", "zh": "GMP（药品生产质量管理规范）"},
}

FACILITIES = {
    "office": {"en": "office", "ko": "사무실", "zh": "办公室"},
    "lab": {"en": "lab", "ko": "실험실", "zh": "实验室"},
    "clean_room": {"en": "clean room", "ko": "클린룸", "zh": "洁净室"},
    "cold_storage": {"en": "cold storage", "ko": "냉장·냉동 창고", "zh": "冷库"},
    "machining": {"en": "machining", "ko": "기계 가공 시설", "zh": "机加工车间"},
    "dormitory": {"en": "dormitory", "ko": "기숙사", "zh": "宿舍"},
    "canteen": {"en": "canteen", "ko": "구내식당", "zh": "食堂"},
    "incubator": {"en": "incubator", "ko": "인큐베이터", "zh": "孵化器"},
    "accelerator": {"en": "accelerator", "ko": "액셀러레이터", "zh": "加速器"},
    "rnd_centre": {"en": "R&D centre", "ko": "연구개발센터", "zh": "研发中心"},
    "warehouse": {"en": "warehouse", "ko": "창고", "zh": "仓库"},
}

INCENTIVES = {
    "free_rent": {"en": "free rent", "ko": "임대료 면제", "zh": "免租金"},
    "tax_benefits": {"en": "tax benefits", "ko": "세제 혜택", "zh": "税收优惠"},
    "subsidies": {"en": "subsidies", "ko": "보조금", "zh": "补贴"},
    "talent_support": {"en": "talent support", "ko": "인재 지원", "zh": "人才支持"},
    "one_stop_registration": {"en": "one-stop registration", "ko": "원스톱 등록 지원",
                              "zh": "一站式注册服务"},
}


def language(lang):
    """A supported language code; anything else is English."""
    return supported_language(lang)


def _label(table, code, lang):
    return table.get(code, {}).get(lang) or str(code)


def _number(value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}"


def _date(value, lang):
    day = value if isinstance(value, date) else date.fromisoformat(str(value))
    if lang == "ko":
        return f"{day.year}년 {day.month}월 {day.day}일"
    if lang == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return day.isoformat()


def _name(names, lang):
    return name_in(names, lang) or ""


def _joined(items, lang):
    return _LIST_SEPARATOR[lang].join(items)


_LIST_TABLES = {"certs": CERTIFICATIONS, "facilities": FACILITIES, "incentives": INCENTIVES,
                "criteria": CRITERIA}
_SINGLE_TABLES = {"criterion": CRITERIA, "subject": SUBJECTS, "state": STATES}


class _Formatter(string.Formatter):
    def __init__(self, lang):
        super().__init__()
        self.lang = lang

    def format_field(self, value, spec):
        lang = self.lang
        kind, _, rest = spec.partition(":")
        if kind == "":
            return str(value)
        if kind == "num":
            return _number(value)
        if kind == "plural":
            singular, _, plural = rest.partition(":")
            return f"{_number(value)} {singular if value == 1 else plural}"
        if kind == "date":
            return _date(value, lang)
        if kind == "m2":
            return f"{_number(value)} m²"
        if kind == "krw":
            return {"en": f"{_number(value)} KRW", "ko": f"{_number(value)}원",
                    "zh": f"{_number(value)}韩元"}[lang]
        if kind == "pct":
            return f"{round(value * 100):d}%"
        if kind == "sector":
            return taxonomy.label(value, lang)
        if kind == "sectors":
            return _joined([taxonomy.label(code, lang) for code in value], lang)
        if kind in _LIST_TABLES:
            return _joined([_label(_LIST_TABLES[kind], code, lang) for code in value], lang)
        if kind == "list":
            return _joined([str(item) for item in value], lang)
        if kind in _SINGLE_TABLES:
            return _label(_SINGLE_TABLES[kind], value, lang)
        if kind == "names":
            return _name(value, lang)
        if kind == "msg":
            return render(value, lang)
        if kind == "msgs":
            return _CLAUSE_SEPARATOR[lang].join(render(item, lang) for item in value)
        raise ValueError(f"unknown format {spec!r}")


def message(message_id, **params):
    """A message to render later: its id and JSON-ready parameters."""
    if message_id not in MESSAGES:
        raise KeyError(f"no message {message_id!r}")
    return {"id": message_id, "params": params}


_FORMATTERS = {lang: _Formatter(lang) for lang in LANGUAGES}


@functools.lru_cache(maxsize=1024)
def _pieces(template):
    """A template parsed once: [(literal, field name or None, spec)], or None
    when it uses more than plain `{name}` / `{name:spec}` fields (then the
    general string.Formatter path renders it)."""
    pieces = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        if name is not None and (conversion or not name.isidentifier() or "{" in (spec or "")):
            return None
        pieces.append((literal, name, spec or ""))
    return pieces


def render(msg, lang=DEFAULT_LANGUAGE):
    """The text of a message in `lang` (en, ko or zh; anything else is en)."""
    lang = language(lang)
    template = MESSAGES[msg["id"]][lang]
    params = msg.get("params") or {}
    formatter = _FORMATTERS[lang]
    pieces = _pieces(template)
    if pieces is None:
        return formatter.vformat(template, (), params)
    # the same as formatter.vformat(template, (), params), without re-parsing
    # the template on every call (texts are rendered for every kept pair)
    out = []
    for literal, name, spec in pieces:
        out.append(literal)
        if name is not None:
            out.append(formatter.format_field(params[name], spec))
    return "".join(out)


def render_state(state, lang=DEFAULT_LANGUAGE):
    """Why a demand is not open ("closed", "expired", "not_yet_open") in words."""
    return _label(STATES, state, language(lang))


def render_all(msg):
    """{en, ko, zh} texts of one message."""
    return {lang: render(msg, lang) for lang in LANGUAGES}
