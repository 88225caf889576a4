"""Score the output of ``python -m pipelines dedupe`` against labelled pairs, as an outside check would.

Run from the project root::

    .venv/bin/python -m pipelines dedupe --history H.jsonl --input CASES.jsonl --output OUT.jsonl
    .venv/bin/python tools/eval/score_dedupe_output.py --pairs PAIRS.jsonl --output OUT.jsonl

For each pair the verdict is the one the output gives ``a`` for ``other_id == b.id`` ("none" when there is no
such match); the figures are those of ``evaluate-dedupe`` (precision, recall, awardee false alarms,
iteration accuracy, per kind), but here the history file, the batch and the candidate retrieval are all in play.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pipelines.repeats.evaluate import PairOutcome, pair_metrics  # noqa: E402
from pipelines.repeats.readers import read_pairs  # noqa: E402


def outcomes(pairs: list[dict], output: Path) -> list[PairOutcome]:
    """One ``PairOutcome`` per pair from the dedupe output lines ``{"id", "matches": [...]}``."""
    lines = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines() if line.strip()]
    matches = {line["id"]: {m["other_id"]: m for m in line["matches"]} for line in lines}
    found = []
    for pair in pairs:
        match = matches.get(str(pair["a"]["id"]), {}).get(str(pair["b"]["id"]))
        found.append(
            PairOutcome(
                label=pair["label"],
                predicted=match["verdict"] if match else "none",
                expected_iteration=pair.get("obvious_iteration"),
                predicted_iteration=match.get("obvious_iteration") if match else None,
                score=match["score"] if match else 0.0,
                signals=match.get("signals", {}) if match else {},
                kind=str(pair.get("kind") or ""),
            )
        )
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, required=True)
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args()
    metrics = pair_metrics(outcomes(read_pairs(args.pairs), args.output))
    print(
        f"pairs {metrics['pairs']}: precision {metrics['precision']:.3f}  recall {metrics['recall']:.3f}  "
        f"verdicts {metrics['verdict_accuracy']:.3f}  iteration {metrics['iteration_accuracy']:.3f} "
        f"({metrics['iteration_pairs']} pairs)  awardee false alarms {metrics['awardee_false_alarms']}"
    )
    for kind, row in sorted(metrics["per_kind"].items(), key=lambda item: (item[1]["label"], item[0])):
        print(f"  {row['right']}/{row['pairs']}  {row['label']}  {kind}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
