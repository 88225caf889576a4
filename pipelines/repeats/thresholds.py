"""The decision thresholds of repeat detection, in one place (chosen with ``tools/eval/tune_dedupe.py`` on
``data/eval/dedupe_pairs.jsonl``; ``data/eval/README.md`` has how and how honest)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Thresholds:
    """Decision thresholds (chosen on ``data/eval/dedupe_pairs.jsonl``; see ``data/eval/README.md``)."""

    same_project: float = 0.25  # evidence for the same unit
    same_title_name: float = 0.20  # evidence for the same unit when both titles' names cross over
    min_name_or_figure: float = 0.20  # names or figures must carry a same-unit match
    other_unit: float = 0.45  # evidence when the units differ (parent group / subsidiary)
    other_unit_min_each: float = 0.35  # ... with both names and figures shared
    copy_jaccard: float = 0.5
    copy_containment: float = 0.6
    iteration_new_figures: int = 2  # new figures with units (not years)
    iteration_new_items: int = 2  # new names/features + new partners
    iteration_new_text: float = 0.15  # share of new text, unless later-dated figures appear


DEFAULT_THRESHOLDS = Thresholds()
