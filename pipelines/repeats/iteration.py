"""What a re-submission adds to its past case (the iteration report) and which passages correspond (the
side-by-side view).

The iteration report aligns the sections, measures the share of new text per section, and lists new figures
(later periods, bigger numbers), new names (features, products) and new partners; ``obvious_iteration``
needs substantive new content, not rewording: at least ``iteration_new_figures`` new figures with units,
``iteration_new_items`` new names or partners, and ``iteration_new_text`` new text or figures dated after
the past call (``Thresholds``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pipelines.figures import Figure, figure_specificity
from pipelines.repeats import signals as sig
from pipelines.repeats.facts import extract_partners
from pipelines.repeats.fingerprint import CaseDoc
from pipelines.repeats.thresholds import DEFAULT_THRESHOLDS, Thresholds
from pipelines.schema import AlignedPair

NEW_SENTENCE_SIMILARITY = 0.45  # a sentence below this against every past sentence counts as new text
ALIGN_MIN_SIMILARITY = 0.35
MAX_ALIGNED = 12


def _section_pairs(a: CaseDoc, b: CaseDoc) -> list[tuple[str, str, list[str], np.ndarray]]:
    """Each section of ``a``: the section of ``b`` it corresponds to (same name, else the most similar one),
    its sentences, and their similarity ``(m, n)`` to all ``n`` sentences of ``b`` (text moves between sections).
    """
    b_names = {name for name, _ in b.section_sentences}
    b_all = [s for _, sentences in b.section_sentences for s in sentences]
    pairs = []
    for name, sentences in a.section_sentences:
        other_name = name if name in b_names else _closest_section(sentences, b.section_sentences)
        pairs.append((name, other_name, sentences, sig.sentence_similarity(sentences, b_all)))
    return pairs


def _closest_section(sentences: list[str], sections: list[tuple[str, list[str]]]) -> str:
    joined = "".join(sentences)
    scored = [(sig.sentence_similarity([joined], ["".join(s)])[0, 0], name) for name, s in sections]
    return max(scored)[1] if scored else ""


def aligned_passages(a: CaseDoc, b: CaseDoc) -> list[AlignedPair]:
    """The passages of ``a`` most similar to a passage of ``b`` (for the side-by-side view).

    Returns:
        Up to ``MAX_ALIGNED`` pairs with similarity ``>= ALIGN_MIN_SIMILARITY``, in the order of ``a``.
    """
    b_flat = [(name, s) for name, sentences in b.section_sentences for s in sentences]
    a_flat = [(name, s) for name, sentences in a.section_sentences for s in sentences]
    similarity = sig.sentence_similarity([s for _, s in a_flat], [s for _, s in b_flat])
    columns, values = sig.best_alignment(similarity)
    keep = [i for i in np.argsort(-values, kind="stable")[:MAX_ALIGNED] if values[i] >= ALIGN_MIN_SIMILARITY]
    return [
        AlignedPair(
            this_text=a_flat[i][1],
            other_text=b_flat[columns[i]][1],
            similarity=round(float(values[i]), 4),
            this_section=a_flat[i][0],
            other_section=b_flat[columns[i]][0],
        )
        for i in sorted(keep)
    ]


def iteration_report(
    a: CaseDoc, b: CaseDoc, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> tuple[float, bool, dict[str, Any]]:
    """What is new in the re-submission ``a`` of the not-selected past case ``b``.

    Returns:
        ``(new_text_ratio, obvious_iteration, report)``; the report holds ``sections`` (each with
        ``section``, ``past_section``, ``new_ratio``), ``new_figures``, ``later_figures``, ``grown_figures``,
        ``new_features``, ``new_partners``, ``counts`` (``new_figures``, ``new_items``) and ``reasons`` (Chinese).
    """
    sections, lengths, best = [], [], []
    for name, other_name, sentences, similarity in _section_pairs(a, b):
        _, values = sig.best_alignment(similarity)
        sizes = [len(s) for s in sentences]
        sections.append(
            {
                "section": name,
                "past_section": other_name,
                "new_ratio": round(sig.weighted_new_ratio(sizes, values, NEW_SENTENCE_SIMILARITY), 4),
            }
        )
        lengths.extend(sizes)
        best.extend(values.tolist())
    new_text = round(sig.weighted_new_ratio(lengths, best, NEW_SENTENCE_SIMILARITY), 4)
    new_figures = [f for key, f in a.figures.items() if key not in b.figures and figure_specificity(f) >= 0.6]
    past_year = b.year or 0
    later = [f.text for f in new_figures if f.unit == "date" and f.value > past_year]
    later += [f.text for f in a.figures.values() if f.unit == "year" and f.value > past_year]
    grown = _grown_figures(a, b)
    new_features = [name for name in a.names if name not in b.full and name not in b.names]
    new_partners = [p for p in extract_partners(a.text) if p not in b.full]
    substantive_figures = len([f for f in new_figures if f.unit not in ("date", "year")])
    new_items = len(new_features) + len(new_partners)
    obvious = is_obvious_iteration(substantive_figures, new_items, new_text, bool(later), thresholds)
    reasons = _iteration_reasons(obvious, substantive_figures, new_items, new_text, later, grown)
    report = {
        "counts": {"new_figures": substantive_figures, "new_items": new_items},
        "sections": sections,
        "new_figures": [f.text for f in new_figures],
        "later_figures": sorted(set(later)),
        "grown_figures": grown,
        "new_features": new_features,
        "new_partners": new_partners,
        "reasons": reasons,
    }
    return new_text, obvious, report


def is_obvious_iteration(
    new_figures: int,
    new_items: int,
    new_text: float,
    later: bool,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> bool:
    """Substantive new content: new figures, new features/partners, and new text or later-dated figures."""
    return (
        new_figures >= thresholds.iteration_new_figures
        and new_items >= thresholds.iteration_new_items
        and (new_text >= thresholds.iteration_new_text or later)
    )


def _grown_figures(a: CaseDoc, b: CaseDoc) -> list[str]:
    """Figures of ``a`` bigger than a figure of ``b`` with the same measure word (860万 → 1200万 用户)."""
    grown = []
    past_by_unit: dict[str, list[Figure]] = {}
    for figure in b.figures.values():
        past_by_unit.setdefault(figure.unit, []).append(figure)
    for key, figure in a.figures.items():
        if key in b.figures or figure.unit in ("date", "year", "%") or figure_specificity(figure) < 0.6:
            continue
        smaller = [f for f in past_by_unit.get(figure.unit, []) if f.value < figure.value <= f.value * 10]
        if smaller:
            closest = max(smaller, key=lambda f: f.value)
            grown.append(f"{closest.text} → {figure.text}")
    return grown


def _iteration_reasons(
    obvious: bool, figures: int, items: int, new_text: float, later: list[str], grown: list[str]
) -> list[str]:
    facts = [
        f"新增数据 {figures} 项",
        f"新增功能、产品或合作方 {items} 项",
        f"新写内容约占 {new_text:.0%}",
    ]
    if later:
        facts.append(f"出现晚于上次申报的时间：{'、'.join(sorted(set(later))[:4])}")
    if grown:
        facts.append(f"数据增长：{'；'.join(grown[:3])}")
    if obvious:
        return ["有明显迭代更新：" + "，".join(facts) + "。请评审人核实新增内容是否属实。"]
    return [
        "未见明显迭代更新："
        + "，".join(facts)
        + "。多为改写表述，请要求申报单位说明相比上次申报的实质性变化。"
    ]
