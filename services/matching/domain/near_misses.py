"""Near misses: what is stored for one, what makes it different, how they
are listed and shown in a language."""
from datetime import date

from ..messages import language, render, render_all
from .criteria import localized_outcome, material_outcome


def near_miss_record(evaluation, now):
    """What is stored for a near miss: the evaluation and, per gap, what
    would close it. `recheck_on` is the day a gap closes by time alone (a
    company old enough then), when the calendar looks at it again."""
    eligible = [date.fromisoformat(g["message"]["params"]["eligible_on"])
                for g in evaluation["gaps"] if g["message"]["id"] == "gap.founding"]
    return {
        "company": evaluation["company"],
        "demand": evaluation["demand"],
        "score": evaluation["score"],
        "outcomes": evaluation["outcomes"],
        "gaps": [_gap_with_texts(gap) for gap in evaluation["gaps"]],
        "recheck_on": min(eligible).isoformat() if eligible else None,
        "updated_at": now,
    }


def _gap_with_texts(gap):
    texts = render_all(gap["message"])
    return {**gap, "text": texts["en"], "texts": texts}


def near_miss_material(record):
    """What makes a near miss different (texts and the time aside)."""
    return {"company": record["company"], "demand": record["demand"], "score": record["score"],
            "outcomes": [material_outcome(o) for o in record["outcomes"]],
            "gaps": [{k: v for k, v in g.items() if k not in ("text", "texts")}
                     for g in record["gaps"]],
            "recheck_on": record["recheck_on"]}


def ranked_near_misses(records):
    """Fewest gaps first, then the best score, then by company id."""
    return sorted(records, key=lambda r: (len(r["gaps"]), -r["score"],
                                          r["company"]["company_id"]))


def localized_near_miss(record, lang):
    lang = language(lang)
    recheck = record.get("recheck_on")
    return {**record, "lang": lang,
            "recheck_on": date.fromisoformat(recheck) if recheck else None,
            "outcomes": [localized_outcome(o, lang) for o in record["outcomes"]],
            "gaps": [{**g, "text": render(g["message"], lang)} for g in record["gaps"]]}
