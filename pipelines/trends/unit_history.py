"""Units across years: one display name per organisation, repeats of earlier cases, each unit's history."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer

from pipelines.text import normalize
from pipelines.units import match_units

if TYPE_CHECKING:
    pass

from pipelines.trends.frame import clean_text

# ----------------------------------------------------------------------------------------------- units


def _title_grams(title: str) -> set[str]:
    clean = re.sub(r"[^\w]", "", normalize(title).lower())
    return {clean[i : i + 2] for i in range(len(clean) - 1)} or ({clean} if clean else set())


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


REPEAT_BASIS_LABELS = {"detector": "查重结果", "declared": "申报表自述", "similar": "标题或正文相似", "": ""}


@dataclass(frozen=True)
class RepeatRule:
    """When a case counts as re-submitting an earlier case of the same organisation.

    Checked against every earlier-year case of the same ``unit_group``, in this order:

    1. ``detector``: the duplicate detector matched it (``flagged_repeat_of`` names that case's id);
    2. ``declared``: a title under 往年申报情况 (``declared_previous``) matches its title (Jaccard of
       character bigrams ≥ ``declared_title``);
    3. ``similar``: the narratives (cosine of character-bigram TF-IDF ≥ ``text``) or the titles (Jaccard ≥
       ``title``) are similar.

    On the sample data the seven planted re-submissions score ≥ 0.41 on text or title or are declared,
    while the closest other pair of one unit reaches 0.27 (text) and 0.35 (title); hence 0.4.
    """

    text: float = 0.4
    title: float = 0.4
    declared_title: float = 0.5


def mark_repeats(frame: pd.DataFrame, rule: RepeatRule = RepeatRule()) -> pd.DataFrame:
    """Which cases re-submit an earlier case of the same organisation (see ``RepeatRule``).

    Kept simple on purpose: the duplicate detector of the review workflow is the authority on a single
    case; this gives the rate for an overview across years.

    Returns:
        In ``frame``'s order: id, repeat_of (earlier case id or ``""``), repeat_similarity (the larger of
        text and title similarity to it; 0 when no repeat), repeat_basis (detector | declared | similar | "").
    """
    result = pd.DataFrame(
        {"id": frame["id"].to_numpy(), "repeat_of": "", "repeat_similarity": 0.0, "repeat_basis": ""}
    )
    if frame.empty:
        return result
    texts = [clean_text(t) for t in frame["text"].fillna("")]
    vectors = TfidfVectorizer(analyzer="char", ngram_range=(2, 2), sublinear_tf=True).fit_transform(texts)
    titles = [_title_grams(t) for t in frame["title"].fillna("")]
    years, groups = frame["year"].to_numpy(), frame["unit_group"].to_numpy()
    for i in range(len(frame)):
        earlier = np.flatnonzero((groups == groups[i]) & (years < years[i]))
        if len(earlier):
            text_sim = (vectors[earlier] @ vectors[i].T).toarray().ravel()
            title_sim = np.array([_jaccard(titles[i], titles[j]) for j in earlier])
            found = _repeat_match(frame, i, earlier, text_sim, title_sim, titles, rule)
            if found:
                result.loc[i, ["repeat_of", "repeat_similarity", "repeat_basis"]] = found
    return result


def _repeat_match(
    frame: pd.DataFrame,
    i: int,
    earlier: np.ndarray,
    text_sim: np.ndarray,
    title_sim: np.ndarray,
    titles: list[set[str]],
    rule: RepeatRule,
) -> list[object] | None:
    declared = [_title_grams(t) for t in frame["declared_previous"].iloc[i]]
    declared_sim = np.array([max((_jaccard(d, titles[j]) for d in declared), default=0.0) for j in earlier])
    ids = frame["id"].to_numpy()[earlier]
    similarity = np.maximum(text_sim, title_sim)
    tests = (
        ("detector", ids == frame["flagged_repeat_of"].iloc[i]),
        ("declared", declared_sim >= rule.declared_title),
        ("similar", (text_sim >= rule.text) | (title_sim >= rule.title)),
    )
    for basis, hit in tests:
        if hit.any():
            best = int(np.argmax(np.where(hit, similarity, -1.0)))
            return [ids[best], float(similarity[best]), basis]
    return None


def unit_history(frame: pd.DataFrame) -> pd.DataFrame:
    """Each organisation's record over the years.

    Uses ``frame``'s repeat_of column when present, otherwise ``mark_repeats(frame)``.

    Returns:
        One row per unit_group, most applications first: unit, names (as written), applications, awarded,
        not_selected, pending, award_rate (awarded / decided; NaN when none decided), years, categories
        (name×count), repeats, repeat_rate (repeats / applications).
    """
    columns = [
        "unit",
        "names",
        "applications",
        "awarded",
        "not_selected",
        "pending",
        "award_rate",
        "years",
        "categories",
        "repeats",
        "repeat_rate",
    ]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    if "repeat_of" not in frame:
        frame = frame.assign(repeat_of=mark_repeats(frame)["repeat_of"].to_numpy())
    rows = [_unit_row(unit, group) for unit, group in frame.groupby("unit_group", sort=False)]
    history = pd.DataFrame(rows, columns=columns)
    return history.sort_values(
        ["applications", "awarded", "unit"], ascending=[False, False, True], ignore_index=True
    )


def _unit_row(unit: str, group: pd.DataFrame) -> dict[str, object]:
    outcomes = group["outcome"].value_counts()
    decided = outcomes.get("awarded", 0) + outcomes.get("not_selected", 0)
    repeats = int((group["repeat_of"] != "").sum())
    categories = Counter(group["category_name"])
    return {
        "unit": unit,
        "names": "、".join(sorted(group["unit"].unique())),
        "applications": len(group),
        "awarded": int(outcomes.get("awarded", 0)),
        "not_selected": int(outcomes.get("not_selected", 0)),
        "pending": int(outcomes.get("pending", 0)),
        "award_rate": outcomes.get("awarded", 0) / decided if decided else float("nan"),
        "years": "、".join(str(y) for y in sorted(group["year"].unique())),
        "categories": "、".join(f"{name}×{n}" for name, n in sorted(categories.items())),
        "repeats": repeats,
        "repeat_rate": repeats / len(group),
    }


def unit_cases(frame: pd.DataFrame, unit: str) -> pd.DataFrame:
    """The cases of one organisation, oldest first.

    Args:
        frame: cases frame.
        unit: a ``unit_group``, a name as written, or any other name ``match_units`` ties to a group.

    Returns:
        Columns id, year, title, unit, category_name, outcome_label (and repeat_of when ``frame`` has it);
        empty when no organisation matches.
    """
    groups = set(frame.loc[frame["unit"] == unit, "unit_group"]) | ({unit} & set(frame["unit_group"]))
    if not groups:
        groups = {g for g in frame["unit_group"].unique() if match_units(unit, g).same}
    columns = ["id", "year", "title", "unit", "category_name", "outcome_label"]
    columns += ["repeat_of"] if "repeat_of" in frame else []
    chosen = frame[frame["unit_group"].isin(groups)]
    return chosen.sort_values(["year", "id"])[columns].reset_index(drop=True)
