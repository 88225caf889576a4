"""A case whose every applicant- and LLM-written field holds spreadsheet formulas, Markdown links and images,
and raw HTML, stored through the real store functions (for the export, page and browser tests).

Nothing here is escaped: the point is to see that exporters and pages escape it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy.engine import Engine

from pipelines import store
from pipelines.review import decisions as review
from pipelines.review import flag_actions
from pipelines.schema import (
    AlignedPair,
    DuplicateMatch,
    Finding,
    PastCase,
    ScoreResult,
)
from tests import workbench_data

LINK = "[点此](http://evil)"
IMAGE = "![](http://evil/x.png)"
HTML = "<img src=x onerror=alert(1)>"
ANCHOR = '<a href="http://evil">官网</a>'
FORMULA_TITLE = '=HYPERLINK("http://evil","点此领奖")'
FORMULA_UNIT = "@SUM(1+1)*cmd|' /C calc'!A0"
BARE = "http://evil/bare www.evil.example"  # GFM would link these by themselves
# Line breaks that would end an HTML block and let the rest be read as Markdown
BREAKOUT = f"\r\r{LINK}\n\n{IMAGE}\r\n\r\n{BARE}"
EVIL = f"{LINK} {IMAGE} {HTML} {ANCHOR} {BARE}"
TITLE = f"{FORMULA_TITLE} {LINK}"
COMMENT = "=1+1 评审意见 " + LINK
# Every formula-looking start the spreadsheet rule must defuse, as they reach the cells
FORMULA_TEXTS = (FORMULA_TITLE, FORMULA_UNIT, "+86-10-1234", "-2+3", "\t=1+2")


@dataclass
class Crafted:
    seeded: workbench_data.Seeded
    case_id: int


def seed_crafted(engine: Engine, year: int = 2026) -> Crafted:
    """The usual workbench data plus one crafted case with suggestions, a review and a flag action."""
    seeded = workbench_data.seed(engine, year)
    sections = {
        "案例简介": f"{workbench_data.INTRO}{EVIL}",
        "主要做法": f"{FORMULA_TEXTS[3]} {workbench_data.PRACTICE}{LINK}",
        "取得成效": f"{workbench_data.RESULT}{IMAGE}",
        "推广价值": f"{workbench_data.VALUE}{BREAKOUT}",
    }
    submission = workbench_data.submission(77, TITLE, FORMULA_UNIT, 2, sections)
    submission.implementer = FORMULA_TEXTS[2]
    submission.recommender = FORMULA_TEXTS[4]
    submission.status = EVIL
    submission.attachments = [f"{IMAGE}.pdf"]
    submission.warnings = [f"未读出上线时间 {LINK}"]
    case_id = store.save_submission(engine, submission, year).submission_id

    category = workbench_data.category(3, 2, 0.7, misfiled=True, declared=2)
    category["reasons"] = [f"理由 {LINK}", f"图片 {IMAGE}"]
    category["evidence"] = {"3": [f"证据句 {HTML}"]}
    category["terms"] = {"3": [f"词{LINK}"]}
    category["llm_category"] = 3
    category["llm_reason"] = f"大模型理由 {IMAGE} {ANCHOR}"
    store.save_suggestion(engine, case_id, "category", category, "test-1")
    findings = [
        Finding("not_online", "blocker", f"上线时间不符 {LINK}", f"原文 {IMAGE}"),
        Finding("related_case", "info", f"同单位案例 {ANCHOR}", f"{HTML}", [str(seeded.energy)]),
    ]
    store.save_suggestion(engine, case_id, "eligibility", [asdict(f) for f in findings], "rules")
    scores = ScoreResult(
        scores={"political": 70, "innovation": 60, "effectiveness": 80, "typicality": 50},
        evidence={"effectiveness": [f"引文 {LINK}"]},
        scorer="llm",
        model=f"m {IMAGE}",
        reasons={"innovation": f"理由 {ANCHOR} {IMAGE}"},
    )
    store.save_suggestion(engine, case_id, "llm_scores", asdict(scores), "llm")
    store.save_past_cases(
        engine, [PastCase("H-EVIL", 2025, f"往年 {LINK}", FORMULA_UNIT, EVIL, "awarded", category=2)]
    )
    match = DuplicateMatch(
        other_id="H-EVIL",
        kind="past_awardee",
        verdict="past_awardee_repeat",
        score=0.8,
        reasons=[f"相似 {LINK}", IMAGE],
        aligned=[AlignedPair(f"本案 {HTML}", f"往年 {LINK}", 0.8, "案例简介", f"段落 {IMAGE}")],
        new_text_ratio=0.3,
        obvious_iteration=False,
        iteration_report={
            "sections": [{"section": f"部分{LINK}", "past_section": IMAGE, "new_ratio": 0.3}],
            "new_figures": [f"数字 {LINK}"],
        },
    )
    store.save_suggestion(engine, case_id, "duplicates", [asdict(match)], "dedupe")
    scores_keys = ("political", "innovation", "effectiveness", "typicality")
    review.save_review(
        engine, seeded.li, case_id, review.ReviewInput(2, dict.fromkeys(scores_keys, 66), "待定", COMMENT)
    )
    flag_actions.record_flag_action(
        engine, seeded.org, case_id, "not_online", "dismissed", note=f"=2*3 已核实 {LINK}"
    )
    return Crafted(seeded, case_id)
