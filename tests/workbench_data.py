"""Seed a store the way intake + analysis would, for the workbench tests and the page benchmark.

Everything goes through the real store functions (save_submission, save_past_cases, save_suggestion,
auth.create_user); the suggestion payloads have exactly the shapes the analysis stages store.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy.engine import Engine

from pipelines import auth, store
from pipelines.schema import (
    AlignedPair,
    CategorySuggestion,
    Contact,
    DuplicateMatch,
    Finding,
    PastCase,
    ScoreResult,
    Submission,
)

PASSWORDS = {"org": "org-password", "ana": "ana-password", "wang": "wang-password", "li": "li-password"}

INTRO = "2023年3月，报社上线“碳路观察”数据新闻专栏，以可视化图表和交互H5解读能源转型。"
PRACTICE = "团队自建能观数据库，覆盖31个省区市的能源统计数据，每周更新一次，并与高校联合建模。"
RESULT = "专栏累计发布作品320期，全网阅读量超过1.2亿次，单篇最高阅读量达860万次。"
VALUE = "该模式已被5家行业媒体复制推广，形成了可借鉴的数据新闻生产流程。"


@dataclass
class Seeded:
    org: auth.User
    analyst: auth.User
    wang: auth.User  # reviewer from 中国建材时报社
    li: auth.User  # reviewer from 中国能源观察报社
    energy: int  # a clean case with every suggestion (unit 能源观察报 = li's unit)
    building: int  # misfiled + repeat of a past awardee (unit 中国建材时报社 = wang's unit)
    ocean: int  # not online, no scores yet
    bare: int  # no suggestions at all (analysis not run)


def submission(
    n: int,
    title: str,
    unit: str,
    declared: int | None,
    sections: dict[str, str] | None = None,
    launch: str = "2023-03",
) -> Submission:
    """A submission as extraction produces it."""
    sections = sections or {"案例简介": INTRO, "主要做法": PRACTICE, "取得成效": RESULT, "推广价值": VALUE}
    return Submission(
        file_name=f"{unit}-申报表{n}.docx",
        content_hash=f"hash-{n}",
        title=title,
        unit=unit,
        implementer=unit,
        declared_category=declared,
        declared_categories=[declared] if declared else [],
        launch_date=launch,
        launch_raw=launch,
        status="正常运营",
        contact=Contact("孙立峰", "010-68215437", "sunlf@example.cn"),
        sections=sections,
        text="\n".join(sections.values()),
    )


def category(
    top: int, second: int, p_top: float, misfiled: bool = False, declared: int | None = None
) -> dict:
    """A stored category suggestion (JSON turns the int keys into strings, as in the store)."""
    rest = (1.0 - p_top) / 5
    probabilities = {str(c): (p_top if c == top else rest) for c in range(1, 7)}
    suggestion = CategorySuggestion(
        category=top,
        probabilities={},
        top2=[top, second],
        confident=p_top >= 0.6,
        misfiled=misfiled,
        suggested_category=top if misfiled else None,
        reasons=[f"“数据新闻”“可视化”等表述符合第{top}类定义"],
        evidence={top: [PRACTICE.rstrip("。")]},
        terms={top: ["数据新闻", "可视化"]},
        model_version="test-1",
    )
    payload = asdict(suggestion)
    payload["probabilities"] = probabilities
    payload["evidence"] = {str(k): v for k, v in payload["evidence"].items()}
    payload["terms"] = {str(k): v for k, v in payload["terms"].items()}
    return payload


def scores(value: float) -> dict:
    result = ScoreResult(
        scores={
            "political": value,
            "innovation": value + 5,
            "effectiveness": value + 10,
            "typicality": value - 5,
        },
        evidence={"effectiveness": [RESULT.rstrip("。")], "typicality": [VALUE.rstrip("。")]},
        scorer="offline",
        novelty=0.4,
    )
    return asdict(result)


def seed(engine: Engine, year: int = 2026) -> Seeded:
    """Accounts, two past cases and four cases of ``year`` with the suggestions analysis would store."""
    org = auth.create_user(
        engine, auth.SYSTEM, "org", "organizer", PASSWORDS["org"], display_name="组织者"
    ).user
    analyst = auth.create_user(engine, org, "ana", "analyst", PASSWORDS["ana"]).user
    wang = auth.create_user(engine, org, "wang", "reviewer", PASSWORDS["wang"], unit="中国建材时报社").user
    li = auth.create_user(engine, org, "li", "reviewer", PASSWORDS["li"], unit="中国能源观察报社").user
    past = [
        PastCase("H2024-07", 2024, "建材行业云展厅", "中国建材时报社", INTRO + RESULT, "awarded", category=3),
        PastCase("H2025-02", 2025, "碳路观察（一期）", "中国能源观察报社", INTRO, "not_selected", category=2),
    ]
    store.save_past_cases(engine, past)

    energy = store.save_submission(engine, submission(1, "“碳路观察”数据新闻品牌", "能源观察报", 2), year)
    building_sections = {"案例简介": "建材时报社打造行业云展厅，" + RESULT, "主要做法": PRACTICE}
    building = store.save_submission(
        engine, submission(2, "建材云展厅2.0", "中国建材时报社", 2, building_sections), year
    )
    ocean = store.save_submission(
        engine, submission(3, "海洋资源融媒矩阵", "中国海洋资源报社", 1, launch="2026-05"), year
    )
    bare = store.save_submission(engine, submission(4, "金融时讯客户端", "中国金融时讯报社", 1), year)

    store.save_suggestion(engine, energy.submission_id, "category", category(2, 4, 0.82), "test-1")
    store.save_suggestion(engine, energy.submission_id, "eligibility", [], "rules")
    store.save_suggestion(engine, energy.submission_id, "scores", scores(70), "offline")
    store.save_suggestion(engine, energy.submission_id, "duplicates", [], "dedupe")

    repeat = DuplicateMatch(
        other_id="H2024-07",
        kind="past_awardee",
        verdict="past_awardee_repeat",
        score=0.91,
        reasons=["单位相同（中国建材时报社）", "标题相似：建材行业云展厅 ≈ 建材云展厅2.0"],
        aligned=[
            AlignedPair("建材时报社打造行业云展厅，" + RESULT, INTRO + RESULT, 0.88, "案例简介", "案例简介")
        ],
        signals={"title_sim": 0.82, "semantic": 0.9, "unit_same": 1.0},
        new_text_ratio=0.2,
        obvious_iteration=False,
        iteration_report={
            "sections": [{"section": "案例简介", "past_section": "案例简介", "new_ratio": 0.2}],
            "new_figures": ["860万次"],
            "new_partners": ["建材时报社联合5家协会"],
            "counts": {"new_figures": 1},
        },
    )
    findings = [
        Finding(
            "past_awardee_repeat",
            "blocker",
            "已入选2024年优秀案例，不得重复申报。",
            "相似度 0.91",
            ["H2024-07"],
        ),
        Finding(
            "over_limit", "check", "同一单位在该类别申报了4个案例。", "同组案例：9、10、11", ["9", "10", "11"]
        ),
    ]
    store.save_suggestion(engine, building.submission_id, "category", category(3, 2, 0.74, True, 2), "test-1")
    store.save_suggestion(
        engine, building.submission_id, "eligibility", [asdict(f) for f in findings], "rules"
    )
    store.save_suggestion(engine, building.submission_id, "scores", scores(55), "offline")
    store.save_suggestion(engine, building.submission_id, "llm_scores", scores(60), "llm")
    store.save_suggestion(engine, building.submission_id, "duplicates", [asdict(repeat)], "dedupe")

    not_online = Finding("not_online", "blocker", "上线时间 2026-05 晚于 2025-12-31。", "2026-05")
    store.save_suggestion(engine, ocean.submission_id, "category", category(1, 6, 0.45), "test-1")
    store.save_suggestion(engine, ocean.submission_id, "eligibility", [asdict(not_online)], "rules")
    return Seeded(
        org,
        analyst,
        wang,
        li,
        energy.submission_id,
        building.submission_id,
        ocean.submission_id,
        bare.submission_id,
    )
