"""Snapshot of every offline score, claim, reason and finding on the evaluation pair sets and the sample
submissions, to prove that a speed change leaves the scorer's output identical.

Run: ``.venv/bin/python tools/eval/score_snapshot.py OUT.json`` (writes the snapshot), then after the change
``.venv/bin/python tools/eval/score_snapshot.py NEW.json --compare OUT.json`` (exit 1 and the first
differences when any output differs). Inputs: data/eval/score_pairs, trap_pairs, trap_pairs_holdout,
fresh/score_pairs_fresh, fresh2/score_pairs_fresh2, train3/* (strong and weak texts, each padded with the
padding-check slogans too) and data/sample/submissions_2026.jsonl, scored in batches of 50 with the sample
history (novelty). Never reads /work/fresh3 (blind data).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from pipelines.config import DATA_DIR  # noqa: E402
from pipelines.criteria.cases import (  # noqa: E402
    SAMPLE_SUBMISSIONS,
    ScoreInput,
    case_text,
    history_texts,
    read_jsonl,
)
from pipelines.criteria.evaluate import PADDING_CHECK  # noqa: E402
from pipelines.criteria.offline import OfflineScorer  # noqa: E402

PAIR_FILES = (
    "score_pairs.jsonl",
    "trap_pairs.jsonl",
    "trap_pairs_holdout.jsonl",
    "fresh/score_pairs_fresh.jsonl",
    "fresh2/score_pairs_fresh2.jsonl",
    "train3/pairs_t1.jsonl",
    "train3/pairs_t2.jsonl",
)
BATCH = 50


def inputs() -> list[ScoreInput]:
    """Every input of the snapshot, in a fixed order."""
    cases = []
    for name in PAIR_FILES:
        for record in read_jsonl(DATA_DIR / "eval" / name, cases=False):
            title = str(record.get("title", ""))
            for side in ("strong", "weak"):
                cases.append(ScoreInput(f"{name}:{record['id']}:{side}", title, record[side]))
            padded = record["weak"] + "".join(PADDING_CHECK)
            cases.append(ScoreInput(f"{name}:{record['id']}:padded", title, padded))
    for record in read_jsonl(SAMPLE_SUBMISSIONS):
        cases.append(ScoreInput(f"sample:{record['id']}", str(record.get("title", "")), case_text(record)))
    return cases


def snapshot() -> dict[str, dict]:
    """Case id -> the full scoring output (``ScoreResult.to_payload``)."""
    scorer = OfflineScorer(history=history_texts(None))
    cases = inputs()
    out: dict[str, dict] = {}
    for start in range(0, len(cases), BATCH):
        batch = cases[start : start + BATCH]
        for case, result in zip(batch, scorer.score_many(batch), strict=True):
            out[case.id] = result.to_payload()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--compare", type=Path, help="an earlier snapshot that must be identical")
    args = parser.parse_args()
    data = snapshot()
    args.out.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1), encoding="utf-8")
    print(f"{len(data)} cases → {args.out}")
    if not args.compare:
        return 0
    before = json.loads(args.compare.read_text(encoding="utf-8"))
    after = json.loads(json.dumps(data, ensure_ascii=False, sort_keys=True))
    differ = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    for key in differ[:10]:
        print(f"不同：{key}")
    print(f"identical: {not differ} ({len(differ)} of {len(set(before) | set(after))} cases differ)")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
