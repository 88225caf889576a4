"""Pair signals, the same-project decision and the verdict with its reasons.

Each pair of cases gets signals: title similarity, 5-character shingle Jaccard and containment both ways on
the project texts, the semantic cosine of the project texts (``semantic``), the rarity-weighted overlap of
project names, partners and places (``name_overlap``) and of figures (``figure_overlap``), whether the title
names cross over (``title_names``), and whether the units are the same organisation (``unit_same``, 全称/简称
via ``pipelines.units``). They combine into ``evidence`` = weighted sum (``EVIDENCE_WEIGHTS``); a pair is the
*same project* when

- ``evidence >= same_project`` and the facts carry it (``max(name_overlap, figure_overlap) >=
  min_name_or_figure``), or
- the same unit and the names in both titles cross over with ``evidence >= same_title_name``, or
- the project text is near-copied (shingle Jaccard or containment of the shorter side).

Same project + same unit → ``past_awardee_repeat`` (awarded in the last two calls) or
``resubmission_needs_iteration`` (not selected); from a *different* unit only under the stricter
``other_unit`` rule with names and figures both shared (parent group and subsidiary); same unit but not the
same project → ``related_case``. Within the batch, the same project twice → ``same_batch_duplicate``. The
unit alone never makes a repeat: every path needs shared project facts or shared project text, and facts
the unit repeats across its different projects are discounted (``keys.unit_common_keys``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pipelines.figures import Figure
from pipelines.repeats import signals as sig
from pipelines.repeats.facts import mentions_as_base
from pipelines.repeats.fingerprint import CaseDoc
from pipelines.repeats.iteration import aligned_passages, iteration_report
from pipelines.repeats.keys import Weights
from pipelines.repeats.sameunit import same_unit, unit_match
from pipelines.repeats.thresholds import DEFAULT_THRESHOLDS, Thresholds
from pipelines.schema import DuplicateMatch
from pipelines.units import normalize_unit

EVIDENCE_WEIGHTS = {
    "name_overlap": 0.25,
    "figure_overlap": 0.25,
    "semantic": 0.20,
    "title_names": 0.15,
    "containment": 0.10,
    "title_sim": 0.05,
}
NAME_SMOOTHING = 3.0  # about one rare name's IDF weight
FIGURE_SMOOTHING = 3.0
AWARDEE_YEARS = 2  # rule 五: awardees of the previous two calls
MAX_RELATED = 8


def _found(keys: Sequence[str], other_text: str) -> list[str]:
    """The fact keys (``CaseDoc.keys``: names, ``p:`` partners, ``@`` places) found in the other text, except
    names the other text mentions only as the base it builds on (``facts.mentions_as_base``)."""
    found = []
    for key in keys:
        name = key.removeprefix("@").removeprefix("p:")
        if name in other_text and not (key == name and mentions_as_base(name, other_text)):
            found.append(key)
    return found


def _pair_code(first: np.ndarray | int, second: np.ndarray | int) -> np.ndarray | int:
    """Two adjacent characters folded into 32 bits (collisions only cost a needless substring search)."""
    return ((first << 16) ^ second) & 0xFFFFFFFF


def _text_bigrams(doc: CaseDoc) -> np.ndarray:
    """The distinct adjacent character pairs of ``doc.full``, folded (``_pair_code``), sorted uint32 (kept on
    the doc)."""
    codes = doc.memo.get("full_bigrams")
    if codes is None:
        points = np.frombuffer(doc.full.encode("utf-32-le"), dtype=np.uint32)
        codes = doc.memo["full_bigrams"] = np.unique(_pair_code(points[:-1], points[1:]).astype(np.uint32))
    return codes


def _found_in(doc: CaseDoc, attribute: str, other: CaseDoc) -> list[str]:
    """``_found(getattr(doc, attribute), other.full)``, searching only for the keys whose first two characters
    occur next to each other somewhere in the other text (the same result, most keys skipped)."""
    kept = doc.memo.get(attribute)
    if kept is None:
        keys = getattr(doc, attribute)
        names = [key.removeprefix("@").removeprefix("p:") for key in keys]
        firsts = np.asarray([_pair_code(ord(n[0]), ord(n[1])) if len(n) > 1 else 0 for n in names], np.uint32)
        kept = doc.memo[attribute] = (keys, firsts, np.asarray([len(n) < 2 for n in names], dtype=bool))
    keys, firsts, short = kept
    if not keys:
        return []
    codes = _text_bigrams(other)
    possible = short.copy()
    if codes.size:
        positions = np.minimum(np.searchsorted(codes, firsts), codes.size - 1)
        possible |= codes[positions] == firsts
    candidates = [keys[i] for i in np.flatnonzero(possible)]
    if other.outcome is not None:  # a past case: kept in the index's small LRU, nothing remembered on it
        return _found(candidates, other.full)
    known = other.memo.setdefault("found", {})  # a batch case meets the same names from many candidates
    missing = [key for key in candidates if key not in known]
    if missing:
        hits = set(_found(missing, other.full))
        known.update((key, key in hits) for key in missing)
    return [key for key in candidates if known[key]]


def pair_signals(a: CaseDoc, b: CaseDoc, weights: Weights, semantic: float | None) -> dict[str, float]:
    """All signals of one pair of prepared cases (``a`` this case, ``b`` the other).

    Facts that the (same) unit repeats across its different projects are discounted.

    Returns:
        Signal name → value in ``[0, 1]`` (``unit_same`` 0/1; ``semantic`` 0 when no embedder).
    """
    unit_same = same_unit(a.unit, b.unit)
    units = {normalize_unit(a.unit), normalize_unit(b.unit)} if unit_same else {""}
    units_key = tuple(sorted(units))
    memo = weights._cache  # noqa: SLF001 (the weights' own memo: per key and units, cleared with it)

    def name_weight(key: str) -> float:
        value = memo.get(("n", key, units_key))  # type: ignore[call-overload]
        if value is None:
            value = memo[("n", key, units_key)] = min(weights.name(key, unit) for unit in units)  # type: ignore[index]
        return value

    def figure_weight(figure: Figure) -> float:
        return min(weights.figure(figure, unit) for unit in units)

    def totals(doc: CaseDoc) -> tuple[float, float]:
        """The weight of all the doc's names and of all its figures (kept on the doc per weights and units:
        a case meets dozens of candidates)."""
        key = ("totals", *units_key)
        kept = doc.memo.get(key)
        if kept is None or kept[0] is not weights:
            names = sig.weighted_sum(doc.keys, name_weight)
            kept = doc.memo[key] = (weights, names, sum(figure_weight(f) for f in doc.figures.values()))
        return kept[1], kept[2]

    (names_a, figure_a), (names_b, figure_b) = totals(a), totals(b)
    found_ab = sig.weighted_sum(_found_in(a, "keys", b), name_weight)
    found_ba = sig.weighted_sum(_found_in(b, "keys", a), name_weight)
    name_ab = found_ab / (names_a + NAME_SMOOTHING) if found_ab else 0.0
    name_ba = found_ba / (names_b + NAME_SMOOTHING) if found_ba else 0.0
    shared_figures = [a.figures[key] for key in a.figures.keys() & b.figures.keys()]
    figure_shared = sum(figure_weight(f) for f in shared_figures)
    shared = sig.shared_count(a.shingles, b.shingles)
    union = a.shingles.size + b.shingles.size - shared
    title_hits = (bool(_found_in(a, "title_names", b)), bool(_found_in(b, "title_names", a)))
    return {
        "title_sim": round(sig.bigram_cosine(a.title, b.title), 4),
        "shingle_jaccard": round(shared / union if union else 0.0, 4),
        "containment_ab": round(shared / a.shingles.size if a.shingles.size else 0.0, 4),
        "containment_ba": round(shared / b.shingles.size if b.shingles.size else 0.0, 4),
        "semantic": round(max(0.0, semantic or 0.0), 4),
        "name_overlap": round((name_ab + name_ba) / 2, 4),
        "figure_overlap": round(sig.overlap_score(figure_shared, figure_a, figure_b, FIGURE_SMOOTHING), 4),
        "title_names": (float(title_hits[0]) + float(title_hits[1])) / 2,
        "unit_same": float(unit_same),
    }


def reversed_signals(signals: dict[str, float]) -> dict[str, float]:
    """The signals of pair (b, a) from those of (a, b): only the directed containments swap."""
    return {
        **signals,
        "containment_ab": signals["containment_ba"],
        "containment_ba": signals["containment_ab"],
    }


def _max_containment(signals: dict[str, float]) -> float:
    return max(signals["containment_ab"], signals["containment_ba"])


def evidence_score(signals: dict[str, float]) -> float:
    """The weighted evidence that two cases are the same project (``EVIDENCE_WEIGHTS``), in ``[0, 1]``."""
    values = {**signals, "containment": _max_containment(signals)}
    return float(sum(weight * values[name] for name, weight in EVIDENCE_WEIGHTS.items()))


def is_near_copy(signals: dict[str, float], thresholds: Thresholds = DEFAULT_THRESHOLDS) -> bool:
    """Near-copied project text: high shingle Jaccard, or most of the shorter text found in the other."""
    return (
        signals["shingle_jaccard"] >= thresholds.copy_jaccard
        or _max_containment(signals) >= thresholds.copy_containment
    )


def same_project(
    signals: dict[str, float], same_unit: bool, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> bool:
    """Decide from the signals whether two cases are one project (see the module docstring)."""
    if is_near_copy(signals, thresholds):
        return True
    evidence = evidence_score(signals)
    names, figures = signals["name_overlap"], signals["figure_overlap"]
    if same_unit:
        if signals["title_names"] == 1.0 and evidence >= thresholds.same_title_name:
            return True
        return evidence >= thresholds.same_project and max(names, figures) >= thresholds.min_name_or_figure
    return evidence >= thresholds.other_unit and min(names, figures) >= thresholds.other_unit_min_each


def decide_verdict(
    signals: dict[str, float],
    batch: bool,
    outcome: str | None,
    recent_award: bool,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> str | None:
    """The verdict from the signals and the other case's standing (None = not meaningful).

    Args:
        signals: ``pair_signals`` of the pair.
        batch: the other case is in this year's batch.
        outcome: the other (past) case's outcome.
        recent_award: the other case was awarded in the last ``AWARDEE_YEARS`` calls.
        thresholds: decision thresholds.
    """
    unit = bool(signals["unit_same"])
    if not same_project(signals, unit, thresholds):
        return None if batch or not unit else "related_case"
    if batch:
        return "same_batch_duplicate"
    if outcome == "awarded":
        return "past_awardee_repeat" if recent_award else "related_case"
    return "resubmission_needs_iteration"


def shared_facts(a: CaseDoc, b: CaseDoc) -> dict[str, list[str]]:
    """The facts both cases hold and the facts only ``a`` holds (names, partners, places, figures)."""
    shared_names = [n for n in a.names if n in b.full]
    shared_partners = [p for p in a.partners if p in b.full]
    shared_places = [p for p in a.places if p in b.full]
    shared_figures = [a.figures[k].text for k in a.figures if k in b.figures]
    return {
        "names": shared_names,
        "partners": shared_partners,
        "places": shared_places,
        "figures": shared_figures,
        "new_names": [n for n in a.names if n not in b.full],
        "new_figures": [f.text for k, f in a.figures.items() if k not in b.figures],
    }


def _evidence_reasons(facts: dict[str, list[str]], signals: dict[str, float]) -> list[str]:
    reasons = []
    if facts["names"]:
        reasons.append(f"共同的项目名称：{'、'.join(f'“{n}”' for n in facts['names'][:5])}")
    if facts["figures"]:
        reasons.append(f"相同的数据：{'、'.join(facts['figures'][:6])}")
    if facts["partners"] or facts["places"]:
        reasons.append(f"相同的合作方或地点：{'、'.join((facts['partners'] + facts['places'])[:5])}")
    if signals["semantic"] >= 0.5:
        reasons.append(f"项目内容语义相近（{signals['semantic']:.2f}）")
    if _max_containment(signals) >= 0.3:
        reasons.append(
            f"文字重合：本案 {signals['containment_ab']:.0%} 的片段见于对方，对方 {signals['containment_ba']:.0%} 见于本案"
        )
    if facts["new_names"] or facts["new_figures"]:
        new = [f"“{n}”" for n in facts["new_names"][:3]] + facts["new_figures"][:3]
        reasons.append(f"本案独有的内容：{'、'.join(new)}")
    return reasons


def judge(
    a: CaseDoc,
    b: CaseDoc,
    weights: Weights,
    semantic: float | None,
    batch: bool,
    call_year: int,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    align: bool = True,
    signals: dict[str, float] | None = None,
) -> DuplicateMatch | None:
    """The verdict for one pair with its evidence, or None when the pair is not meaningful.

    Args:
        a: this case.
        b: the other case (past, or in the batch when ``batch``).
        weights: rarity weights of the facts.
        semantic: cosine of the project texts (None without an embedder).
        batch: ``b`` is in this year's batch.
        call_year: this year's call, for rule 五's two years.
        thresholds: decision thresholds.
        align: compute the aligned passages for the side-by-side view.
        signals: ``pair_signals(a, b, weights, semantic)`` when already known (e.g. ``reversed_signals`` of
            the pair judged the other way round).
    """
    signals = signals if signals is not None else pair_signals(a, b, weights, semantic)
    recent = b.year is None or b.year >= call_year - AWARDEE_YEARS
    verdict = decide_verdict(signals, batch, b.outcome, recent, thresholds)
    if verdict is None:
        return None
    near_copy = is_near_copy(signals, thresholds)
    score = round(max(evidence_score(signals), 0.9 if near_copy else 0.0), 4)
    kind = "same_batch" if batch else ("past_awardee" if b.outcome == "awarded" else "past_not_selected")
    unit_reason = unit_match(a.unit, b.unit).reason
    if not same_project(signals, bool(signals["unit_same"]), thresholds):
        reasons = [f"同一申报单位（{unit_reason}）的不同项目，仅供参考：{b.year}年《{b.title}》"]
        return DuplicateMatch(b.id, kind, verdict, score, signals, reasons)  # type: ignore[arg-type]
    reasons = _evidence_reasons(shared_facts(a, b), signals)
    if signals["unit_same"]:
        reasons.insert(0, f"同一申报单位：{unit_reason}")
    else:
        reasons.insert(0, f"申报单位不同（{unit_reason}），可能为上下级单位或更名，请核实是否同一项目")
    if verdict == "related_case":
        reasons.insert(
            0, f"与{b.year}年入选案例《{b.title}》相同，但早于前两届，不受条件（五）限制，请人工判断"
        )
        return DuplicateMatch(b.id, kind, verdict, score, signals, reasons)  # type: ignore[arg-type]
    aligned = aligned_passages(a, b) if align else []
    match = DuplicateMatch(b.id, kind, verdict, score, signals, reasons, aligned=aligned)  # type: ignore[arg-type]
    if verdict == "past_awardee_repeat":
        reasons.insert(0, f"与{b.year}年已入选案例《{b.title}》为同一项目")
    elif verdict == "resubmission_needs_iteration":
        new_text, obvious, report = iteration_report(a, b, thresholds)
        reasons.insert(0, f"与{b.year}年未入选案例《{b.title}》为同一项目")
        reasons.extend(report["reasons"])
        match.new_text_ratio, match.obvious_iteration, match.iteration_report = new_text, obvious, report
    else:
        reasons.insert(0, "本批次中另一份申报为同一项目（不同类别或不同单位重复申报）")
    return match


def finish(matches: list[DuplicateMatch], top_k: int) -> list[DuplicateMatch]:
    """Repeats first by score, then at most ``MAX_RELATED`` related cases, at most ``top_k`` in all."""
    repeats = [m for m in matches if m.verdict != "related_case"]
    related = sorted((m for m in matches if m.verdict == "related_case"), key=lambda m: -m.score)
    return sorted(repeats + related[:MAX_RELATED], key=lambda m: -m.score)[:top_k]
