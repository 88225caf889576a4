"""Choose the duplicate-detection thresholds on the pair set, with a two-fold honesty check.

Run from the project root: ``.venv/bin/python data/eval/tune_dedupe.py [--no-embedder]``.

The pairs are split into two folds by the id of their ``b`` case (pairs about the same past case stay in
one fold). For each fold, thresholds are chosen by grid search on it and measured on the *other* fold; the
script prints both, plus the grid optimum on all pairs and the figures of the shipped defaults
(``pipelines.repeats.thresholds.DEFAULT_THRESHOLDS``). The objective is verdict accuracy plus iteration accuracy,
with ties broken towards the middle of the plateau (largest distance to the nearest failing value), so
a threshold does not sit on the edge of the labelled examples.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import sys
from dataclasses import asdict, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pipelines.repeats.evaluate import PairOutcome, judge_pairs  # noqa: E402
from pipelines.repeats.iteration import is_obvious_iteration  # noqa: E402
from pipelines.repeats.readers import read_pairs  # noqa: E402
from pipelines.repeats.thresholds import DEFAULT_THRESHOLDS, Thresholds  # noqa: E402
from pipelines.repeats.verdicts import decide_verdict  # noqa: E402
from pipelines.vocabulary import REPEAT_VERDICTS  # noqa: E402

GRID = {
    "same_project": [0.20, 0.225, 0.25, 0.275, 0.30, 0.325, 0.35, 0.375, 0.40, 0.45],
    "same_title_name": [0.15, 0.175, 0.20, 0.225, 0.25, 0.275, 0.30],
    "min_name_or_figure": [0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40],
}
OTHER_UNIT_GRID = {
    "other_unit": [0.20, 0.25, 0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60, 0.65, 0.70],
    "other_unit_min_each": [0.10, 0.20, 0.30, 0.40, 0.50],
}
ITERATION_GRID = {
    "iteration_new_figures": [1, 2, 3, 4, 5, 6],
    "iteration_new_items": [1, 2, 3, 4],
    "iteration_new_text": [0.10, 0.15, 0.20, 0.25, 0.30, 0.40, 0.50],
}


def predict(outcome: PairOutcome, thresholds: Thresholds) -> tuple[str, bool | None]:
    verdict = decide_verdict(
        outcome.signals, outcome.batch, outcome.outcome, outcome.recent_award, thresholds
    )
    obvious = None
    if verdict == "resubmission_needs_iteration":
        it = outcome.iteration
        obvious = is_obvious_iteration(
            int(it["new_figures"]), int(it["new_items"]), it["new_text"], bool(it["later"]), thresholds
        )
    return verdict or "none", obvious


def score(outcomes: list[PairOutcome], thresholds: Thresholds) -> dict[str, float]:
    predictions = [predict(o, thresholds) for o in outcomes]
    positives = [o.label in REPEAT_VERDICTS for o in outcomes]
    flagged = [p[0] in REPEAT_VERDICTS for p in predictions]
    hits = sum(p and f for p, f in zip(positives, flagged, strict=True))
    iterations = [
        (o, p) for o, p in zip(outcomes, predictions, strict=True) if o.expected_iteration is not None
    ]
    return {
        "precision": hits / sum(flagged) if any(flagged) else 1.0,
        "recall": hits / sum(positives) if any(positives) else 1.0,
        "verdict_accuracy": sum(o.label == p[0] for o, p in zip(outcomes, predictions, strict=True))
        / len(outcomes),
        "iteration_accuracy": sum(p == (o.label, o.expected_iteration) for o, p in iterations)
        / len(iterations)
        if iterations
        else 1.0,
        "awardee_false_alarms": sum(
            p[0] == "past_awardee_repeat" and o.label in ("none", "related_case")
            for o, p in zip(outcomes, predictions, strict=True)
        ),
    }


def _objective(metrics: dict[str, float]) -> float:
    return metrics["verdict_accuracy"] + metrics["iteration_accuracy"] - metrics["awardee_false_alarms"]


def choose(outcomes: list[PairOutcome]) -> Thresholds:
    """Grid search (same-unit thresholds, other-unit thresholds, then iteration), preferring plateau centres."""
    best = _search(outcomes, DEFAULT_THRESHOLDS, GRID)
    best = _search(outcomes, best, OTHER_UNIT_GRID)
    return _search(outcomes, best, ITERATION_GRID)


def _search(outcomes: list[PairOutcome], base: Thresholds, grid: dict[str, list[float]]) -> Thresholds:
    names = list(grid)
    results = {}
    for values in itertools.product(*(grid[name] for name in names)):
        candidate = replace(base, **dict(zip(names, values, strict=True)))
        results[values] = _objective(score(outcomes, candidate))
    top = max(results.values())
    winners = [values for values, value in results.items() if value == top]

    def margin(values: tuple) -> int:
        # grid steps from ``values`` to the plateau's edge (a non-optimal value or the grid's end)
        smallest = len(max(grid.values(), key=len))
        for axis, name in enumerate(names):
            index = grid[name].index(values[axis])
            for direction in (-1, 1):
                k, steps = index + direction, 0
                while 0 <= k < len(grid[name]):
                    if results[(*values[:axis], grid[name][k], *values[axis + 1 :])] != top:
                        break
                    k, steps = k + direction, steps + 1
                smallest = min(smallest, steps)
        return smallest

    chosen = max(winners, key=margin)
    return replace(base, **dict(zip(names, chosen, strict=True)))


def fold_of(pair: dict) -> int:
    return int(hashlib.sha1(pair["b"]["id"].encode()).hexdigest(), 16) % 2


def _line(label: str, metrics: dict[str, float]) -> str:
    return (
        f"{label:<34} precision {metrics['precision']:.3f}  recall {metrics['recall']:.3f}  "
        f"verdicts {metrics['verdict_accuracy']:.3f}  iteration {metrics['iteration_accuracy']:.3f}  "
        f"awardee false alarms {int(metrics['awardee_false_alarms'])}"
    )


def _chosen(thresholds: Thresholds) -> str:
    keys = [*GRID, *OTHER_UNIT_GRID, *ITERATION_GRID]
    values = asdict(thresholds)
    return ", ".join(f"{key}={values[key]}" for key in keys)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=ROOT / "data" / "eval" / "dedupe_pairs.jsonl")
    parser.add_argument("--no-embedder", action="store_true")
    args = parser.parse_args()
    embedder = None
    if not args.no_embedder:
        from pipelines.backends.embed import get_embedder

        embedder = get_embedder()
    pairs = read_pairs(args.pairs)
    outcomes = judge_pairs(pairs, embedder)
    folds = [[o for p, o in zip(pairs, outcomes, strict=True) if fold_of(p) == k] for k in (0, 1)]
    print(f"pairs {len(pairs)}: fold 0 = {len(folds[0])}, fold 1 = {len(folds[1])}")
    for k in (0, 1):
        chosen = choose(folds[k])
        print(f"chosen on fold {k}: {_chosen(chosen)}")
        print(_line(f"  measured on fold {1 - k}", score(folds[1 - k], chosen)))
    chosen = choose(outcomes)
    print(f"grid optimum on all pairs: {_chosen(chosen)}")
    print(_line("  on all pairs (in-sample)", score(outcomes, chosen)))
    print(f"shipped defaults: {_chosen(DEFAULT_THRESHOLDS)}")
    for k in (0, 1):
        print(_line(f"  defaults on fold {k}", score(folds[k], DEFAULT_THRESHOLDS)))
    print(_line("  defaults on all pairs", score(outcomes, DEFAULT_THRESHOLDS)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
