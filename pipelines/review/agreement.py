"""Reviewer progress, agreement (Krippendorff's α) between reviewers and with the AI, normalised scores and
the cases reviewers disagree on most (organizers and analysts)."""

from __future__ import annotations

from collections.abc import Sequence

import krippendorff
import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from pipelines import accounts, auth, store
from pipelines.auth import User
from pipelines.review.decisions import DECISIONS, conflict_reason, latest_query, to_review
from pipelines.schema import CategorySuggestion, ScoreResult
from pipelines.store import (
    SubmissionRow,
)
from pipelines.vocabulary import (
    CRITERIA,
)


def review_frame(engine: Engine, user: User, year: int) -> pd.DataFrame:
    """Newest real reviews of the year's current cases, one row per (case, reviewer), with z-scores.

    Columns: submission_id, title, reviewer_id, reviewer, final_category, decision, the criterion keys, total,
    ``z_<criterion>`` and ``z_total`` (scores standardised within each reviewer: a strict and a lenient
    reviewer become comparable; NaN when the reviewer has fewer than two reviews), created_at.
    """
    auth.require(user, auth.DASHBOARD)
    with store.session_scope(engine) as session:
        query = select(SubmissionRow.id, SubmissionRow.title).where(SubmissionRow.year == year)
        titles = {sid: title for sid, title in session.execute(query)}
        reviews = [to_review(row, name) for row, name in session.execute(latest_query(year, None))]
    records = [
        {
            "submission_id": r.submission_id,
            "title": titles.get(r.submission_id, ""),
            "reviewer_id": r.reviewer_id,
            "reviewer": r.reviewer,
            "final_category": r.final_category,
            "decision": r.decision,
            **r.scores,
            "total": r.total,
            "created_at": r.created_at,
        }
        for r in reviews
        if not r.conflict_of_interest
    ]
    columns = ["submission_id", "title", "reviewer_id", "reviewer", "final_category", "decision"]
    frame = pd.DataFrame(records, columns=[*columns, *CRITERIA, "total", "created_at"])
    for key in [*CRITERIA, "total"]:
        frame[f"z_{key}"] = _zscore_within(frame, key)
    return frame


def _zscore_within(frame: pd.DataFrame, column: str) -> pd.Series:
    values = frame[column].astype(float)
    grouped = values.groupby(frame["reviewer_id"])
    mean = grouped.transform("mean")
    std = grouped.transform(lambda s: s.std(ddof=0))
    count = grouped.transform("count")
    z = (values - mean) / std.where(std > 0, 1.0)
    return z.where(count >= 2)


def reviewer_progress(engine: Engine, user: User, year: int) -> pd.DataFrame:
    """Per reviewer: cases reviewed, conflicts (declared or same unit), cases left, share done, last save."""
    auth.require(user, auth.DASHBOARD)
    cases = store.list_submissions(engine, year)
    with store.session_scope(engine) as session:
        latest = [to_review(row, name) for row, name in session.execute(latest_query(year, None))]
    rows = []
    for reviewer in accounts.list_reviewers(engine):
        mine = [r for r in latest if r.reviewer_id == reviewer.id]
        declared = {r.submission_id for r in mine if r.conflict_of_interest}
        same_unit = {c.id for c in cases if conflict_reason(reviewer, c.unit, c.implementer)}
        done = {r.submission_id for r in mine if not r.conflict_of_interest}
        conflicts = (declared | same_unit) - done
        left = len(cases) - len(done) - len(conflicts)
        reviewable = len(cases) - len(conflicts)
        rows.append(
            {
                "评审专家": reviewer.label,
                "单位": reviewer.unit,
                "已评": len(done),
                "回避": len(conflicts),
                "待评": left,
                "完成率": len(done) / reviewable if reviewable else 1.0,
                "最近保存": max((r.created_at for r in mine), default=None),
            }
        )
    return pd.DataFrame(rows, columns=["评审专家", "单位", "已评", "回避", "待评", "完成率", "最近保存"])


# Scales of measurement used here: the criterion scores are intervals, category and decision are labels.
LEVELS = ("interval", "nominal")


def krippendorff_alpha(data: np.ndarray, level: str = "interval") -> float:
    """Krippendorff's α for one variable (computed by the ``krippendorff`` package).

    Args:
        data: ratings, shape (n_raters, n_units), NaN where a rater did not rate a unit. Nominal values are
            any numeric codes.
        level: ``interval`` (squared difference) or ``nominal`` (equal or not).

    Returns:
        α in (-∞, 1]; NaN when fewer than two units have two or more ratings (with a single unit the
        expected disagreement is that unit's own, so α would be 0 whatever the ratings) or all values are
        identical.
    """
    data = np.asarray(data, dtype=float)
    if data.ndim != 2:
        raise ValueError("data must have shape (n_raters, n_units)")
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}")
    pairable = data[:, (~np.isnan(data)).sum(axis=0) >= 2]  # units rated at least twice
    if pairable.shape[1] < 2 or np.unique(pairable[~np.isnan(pairable)]).size < 2:
        return float("nan")
    return float(krippendorff.alpha(reliability_data=pairable, level_of_measurement=level))


def _matrix(frame: pd.DataFrame, column: str, rater: str = "reviewer_id") -> np.ndarray:
    """Ratings of ``column`` as (n_raters, n_units) with NaN gaps."""
    if frame.empty:
        return np.empty((0, 0))
    pivot = frame.pivot_table(index=rater, columns="submission_id", values=column, aggfunc="first")
    return pivot.to_numpy(dtype=float)


def _ai_pairs(frame: pd.DataFrame, ai: dict[int, float], column: str) -> np.ndarray:
    """(2, n_reviews): each review's value next to the AI's value for the same case."""
    rows = frame[frame["submission_id"].isin(ai) & frame[column].notna()]
    return np.vstack(
        [rows[column].to_numpy(dtype=float), rows["submission_id"].map(ai).to_numpy(dtype=float)]
    )


def agreement(engine: Engine, user: User, year: int) -> pd.DataFrame:
    """Agreement between reviewers and between reviewers and the AI, per measure.

    Interval α for the criterion scores and the total, nominal α for the final category and the decision.
    Reviewer-vs-AI pairs each review with the stored AI suggestion for the same case.

    Returns:
        Columns 指标, 尺度, 专家之间α, 评分数, 专家与离线评分α, 专家与大模型评分α, 专家与分类模型α.
    """
    frame = review_frame(engine, user, year)
    ids = frame["submission_id"].unique().tolist()
    ai_scores = {kind: _ai_score_maps(engine, kind, ids) for kind in ("scores", "llm_scores")}
    suggested = {
        sid: CategorySuggestion.from_payload(row.payload).category
        for sid, row in store.latest_suggestions(engine, "category", ids).items()
        if isinstance(row.payload, dict)
    }
    ai_category = {sid: float(category) for sid, category in suggested.items() if category is not None}
    decision_codes = frame["decision"].map({d: i for i, d in enumerate(DECISIONS)})
    frame = frame.assign(decision_code=decision_codes)
    measures = [(key, label, "interval") for key, label in CRITERIA.items()]
    measures += [("total", "总分（四项平均）", "interval"), ("final_category", "最终类别", "nominal")]
    measures.append(("decision_code", "评审结论", "nominal"))
    rows = []
    for column, label, level in measures:
        row = {
            "指标": label,
            "尺度": "区间" if level == "interval" else "类别",
            "专家之间α": krippendorff_alpha(_matrix(frame, column), level),
            "评分数": int(frame[column].notna().sum()),
        }
        for kind, name in (("scores", "专家与离线评分α"), ("llm_scores", "专家与大模型评分α")):
            ai = ai_scores[kind].get(column, {})
            row[name] = krippendorff_alpha(_ai_pairs(frame, ai, column), level) if ai else np.nan
        category_ai = ai_category if column == "final_category" else {}
        row["专家与分类模型α"] = (
            krippendorff_alpha(_ai_pairs(frame, category_ai, column), level) if category_ai else np.nan
        )
        rows.append(row)
    return pd.DataFrame(rows)


def _ai_score_maps(engine: Engine, kind: str, submission_ids: Sequence[int]) -> dict[str, dict[int, float]]:
    """criterion (and ``total``) → {submission id: AI score} from the newest stored suggestion of ``kind``."""
    maps: dict[str, dict[int, float]] = {key: {} for key in [*CRITERIA, "total"]}
    for sid, row in store.latest_suggestions(engine, kind, submission_ids).items():
        result = ScoreResult.from_payload(row.payload)
        for key in CRITERIA:
            if result.scores.get(key) is not None:
                maps[key][sid] = float(result.scores[key])
        if not np.isnan(result.mean_score):
            maps["total"][sid] = result.mean_score
    return maps if any(maps.values()) else {}


def case_scores(engine: Engine, user: User, year: int) -> pd.DataFrame:
    """Per case: number of reviews, mean raw total, mean per-reviewer-normalised total, decisions.

    Sorted by the normalised mean (best first), which removes the effect of strict or lenient reviewers.
    """
    frame = review_frame(engine, user, year)
    columns = ["案例编号", "案例名称", "评审数", "平均总分", "标准化平均分", "推荐", "待定", "不推荐"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    grouped = frame.groupby("submission_id")
    table = pd.DataFrame(
        {
            "案例编号": grouped.size().index,
            "案例名称": grouped["title"].first().to_numpy(),
            "评审数": grouped.size().to_numpy(),
            "平均总分": grouped["total"].mean().round(1).to_numpy(),
            "标准化平均分": grouped["z_total"].mean().round(2).to_numpy(),
        }
    )
    for decision in DECISIONS:
        table[decision] = grouped["decision"].apply(lambda s, d=decision: int((s == d).sum())).to_numpy()
    return table.sort_values(["标准化平均分", "平均总分"], ascending=False, na_position="last").reset_index(
        drop=True
    )


def most_disagreed(engine: Engine, user: User, year: int, top: int = 20) -> pd.DataFrame:
    """Cases with at least two reviews where reviewers disagree most.

    Disagreement = range of the reviewers' normalised totals (in standard deviations) + one point per extra
    distinct decision, so a 推荐/不推荐 split weighs like a one-standard-deviation score gap.
    """
    frame = review_frame(engine, user, year)
    columns = ["案例编号", "案例名称", "评审数", "总分差", "标准化分差", "结论", "最终类别", "分歧度"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for sid, group in frame.groupby("submission_id"):
        if len(group) < 2:
            continue
        z_range = (
            float(group["z_total"].max() - group["z_total"].min()) if group["z_total"].notna().any() else 0.0
        )
        decisions = group["decision"].value_counts()
        categories = sorted({int(c) for c in group["final_category"].dropna()})
        rows.append(
            {
                "案例编号": sid,
                "案例名称": group["title"].iloc[0],
                "评审数": len(group),
                "总分差": round(float(group["total"].max() - group["total"].min()), 1),
                "标准化分差": round(z_range, 2),
                "结论": "，".join(f"{d}×{n}" for d, n in decisions.items()),
                "最终类别": "、".join(str(c) for c in categories),
                "分歧度": round(z_range + len(decisions) - 1, 2),
            }
        )
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values("分歧度", ascending=False).head(top).reset_index(drop=True)
