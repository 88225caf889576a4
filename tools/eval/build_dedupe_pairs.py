"""Build ``data/eval/dedupe_pairs.jsonl`` from the sample data and the hand-written texts.

Run from the project root: ``.venv/bin/python data/eval/build_dedupe_pairs.py``. Each line is
``{"id", "a": case, "b": past case (with year/outcome) or a batch case, "label", "obvious_iteration"?,
"kind", "source"}``; ``label`` is a verdict of ``pipelines.repeats.detect`` or ``none``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
OUT = ROOT / "data" / "eval" / "dedupe_pairs.jsonl"
sys.path.insert(0, str(HERE))

from dedupe_written import WRITTEN  # noqa: E402

AWARDEE = "past_awardee_repeat"
RESUBMIT = "resubmission_needs_iteration"
BATCH = "same_batch_duplicate"
RELATED = "related_case"

# (a, b, label, obvious_iteration, kind)
PAIRS: list[tuple[str, str, str, bool | None, str]] = [
    # written: past awardees rewritten, summarised, abbreviated unit names
    ("W01", "HA003", AWARDEE, None, "heavy rewrite, alias unit"),
    ("W02", "HA045", AWARDEE, None, "150-char summary"),
    ("W03", "HB005", AWARDEE, None, "rewrite, product name unquoted"),
    ("W04", "HB013", AWARDEE, None, "120-char summary, alias unit"),
    ("W05", "HB015", AWARDEE, None, "heavy rewrite, alias unit"),
    ("W06", "HA012", AWARDEE, None, "180-char summary of a 2,300-char case"),
    ("W07", "HA029", AWARDEE, None, "150-char summary of a 2,300-char case"),
    ("W08", "HB056", AWARDEE, None, "200-char summary"),
    ("W09", "HB012", AWARDEE, None, "shortened rewrite"),
    ("W10", "HA066", AWARDEE, None, "120-char summary"),
    ("W11", "HA056", AWARDEE, None, "partial rewrite, alias unit"),
    ("W12", "HB011", AWARDEE, None, "100-char summary"),
    ("W13", "HB027", AWARDEE, None, "summary of an organisational reform (no product name)"),
    # written: not selected, back with real iteration
    ("W14", "HA002", RESUBMIT, True, "iteration of a vague case: client app, data, digital human, partners"),
    ("W15", "HA013", RESUBMIT, True, "2.0 with river-basin data, LLM assistant, partners"),
    ("W16", "HB014", RESUBMIT, True, "2.0 with Q&A, languages, bank partners"),
    ("W17", "HB017", RESUBMIT, True, "new agents, private deployment, university partner"),
    ("W18", "HA064", RESUBMIT, True, "new compliance self-check service, partners"),
    # written: not selected, back without real change
    ("W19", "HA020", RESUBMIT, False, "reworded vague case"),
    ("W20", "HB019", RESUBMIT, False, "reworded, same figures"),
    ("W21", "HA058", RESUBMIT, False, "100-char summary"),
    ("W22", "HB014", RESUBMIT, False, "expansion in official style, same facts"),
    ("W23", "HA013", RESUBMIT, False, "shortened rewording, same figures"),
    # written: hard negatives
    ("W24", "HA045", RELATED, None, "same unit, same stock phrases, different project"),
    ("W24", "HC002", RELATED, None, "same unit, same audience (truck drivers), different project"),
    ("W25", "W26", "none", None, "two county media centres both doing 新闻+政务"),
    ("W27", "HB015", "none", None, "same kind (digital human) by another unit"),
    ("W27", "HB012", RELATED, None, "same unit, built on the other project's model"),
    ("W28", "HB013", RELATED, None, "same unit, similar name prefix 小医, same slogans"),
    ("W16", "HB015", "none", None, "digital human iteration vs another unit's digital human"),
    ("W14", "HA045", RELATED, None, "same unit, both use road-condition data"),
    ("W15", "HA056", RELATED, None, "same unit, name 水利云 inside 水利云课堂"),
    ("W23", "HA056", RELATED, None, "same unit, name 水利云 inside 水利云课堂"),
    ("W06", "HA001", RELATED, None, "same unit, the other project is named as the base"),
    ("W09", "HB001", RELATED, None, "same unit, the other project is named as the base"),
    ("W08", "HB045", RELATED, None, "same unit, the other project is named as the base"),
    # written, second round: updated figures without new features, real change with few figures
    ("W29", "HB019", RESUBMIT, False, "same system, updated cumulative figures only"),
    ("W30", "HA058", RESUBMIT, False, "same platform, grown figures only, no new feature"),
    ("W31", "HA009", RESUBMIT, True, "vague small case back as a client app with partners"),
    ("W32", "HB058", AWARDEE, None, "80-char summary with two figures"),
    ("W33", "HB058", RELATED, None, "same unit, same topic (中欧班列), different project and boilerplate"),
    # sample submissions (planted triggers)
    ("S001", "HC001", AWARDEE, None, "sample: heavy rewrite"),
    ("S002", "HC002", AWARDEE, None, "sample: 200-char summary"),
    ("S003", "HC003", AWARDEE, None, "sample: moderate rewrite"),
    ("S004", "HC004", RESUBMIT, True, "sample: iteration"),
    ("S005", "HC005", RESUBMIT, True, "sample: iteration"),
    ("S006", "HC006", RESUBMIT, False, "sample: cosmetic rewording"),
    ("S007", "HC007", RESUBMIT, False, "sample: no iteration"),
    ("S011", "S012", BATCH, None, "sample: same case, two categories"),
    ("S013", "S014", BATCH, None, "sample: parent group and subsidiary"),
    ("S037", "S013", "none", None, "sample: same applicant, different project (batch)"),
    ("S008", "HC008", RELATED, None, "sample: same unit and boilerplate"),
    ("S008", "HC004", RELATED, None, "sample: same unit"),
    ("S009", "HC009", RELATED, None, "sample: same unit, mentions the other as a channel"),
    ("S009", "HC003", RELATED, None, "sample: same unit"),
    ("S010", "HC010", RELATED, None, "sample: same unit, same structure"),
    ("S030", "HC002", RELATED, None, "sample: same unit"),
    ("S043", "HC001", RELATED, None, "sample: same unit"),
    ("S001", "HB002", RELATED, None, "sample: same unit, data platform vs data column"),
    ("S003", "HC009", RELATED, None, "sample: same unit"),
    # history against history: same kind by another unit
    ("HB014", "HB015", "none", None, "digital human anchors, two units"),
    ("HC003", "HB014", "none", None, "digital human anchors, two units"),
    ("HB023", "HB029", "none", None, "融媒体工作室 mechanisms, two units"),
    ("HA006", "HA008", "none", None, "中央厨房, two units"),
    ("HB018", "HB021", "none", None, "sector LLM Q&A, two units"),
    ("HA045", "HA059", "none", None, "新闻+政务 service platforms, two units"),
    ("HB046", "HB047", "none", None, "overseas account matrices, two units"),
    ("HA047", "HA056", "none", None, "training platforms, two units"),
    ("HB005", "HB004", "none", None, "blockchain copyright platforms, two units"),
    ("HB057", "HB056", "none", None, "multilingual translation platforms, two units"),
    # history against history: same unit, different project
    ("HA013", "HA056", RELATED, None, "水利云 vs 水利云课堂"),
    ("HA001", "HA012", RELATED, None, "client matrix vs command centre"),
    ("HB001", "HB012", RELATED, None, "cloud platform vs LLM built on it"),
    ("HB045", "HB056", RELATED, None, "bilingual matrix vs international centre"),
    ("HA011", "HB006", RELATED, None, "science matrix vs live broadcasting"),
    ("HB013", "HB035", RELATED, None, "AIGC agent vs AIGC usage rules"),
    ("HA036", "HB013", RELATED, None, "two AIGC health-science projects of one unit"),
]


def _load(path: Path) -> dict[str, dict]:
    records = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            records[record["id"]] = record
    return records


def _case(record: dict, as_past: bool) -> dict:
    keys = ("id", "title", "unit", "category", "sections", "text")
    case = {key: record[key] for key in keys if record.get(key) not in (None, "", {})}
    if as_past:
        case["year"] = record["year"]
        case["outcome"] = record["outcome"]
    if "category" not in case and record.get("declared_categories"):
        case["category"] = record["declared_categories"][0]
    return case


def main() -> int:
    history: dict[str, dict] = {}
    for path in sorted((ROOT / "data" / "sample" / "history").glob("*.jsonl")):
        history.update(_load(path))
    submissions = _load(ROOT / "data" / "sample" / "submissions_2026.jsonl")
    written = {key: {"id": key, **value} for key, value in WRITTEN.items()}
    lines = []
    for number, (a_id, b_id, label, obvious, kind) in enumerate(PAIRS, start=1):
        a_record = written.get(a_id) or submissions.get(a_id) or history[a_id]
        b_record = written.get(b_id) or submissions.get(b_id) or history[b_id]
        b_is_past = label != BATCH and b_id not in submissions
        pair = {
            "id": f"P{number:03d}",
            "a": _case(a_record, as_past=False),
            "b": _case(b_record, as_past=b_is_past),
            "label": label,
            "kind": kind,
            "source": "written" if a_id.startswith("W") else "sample" if a_id.startswith("S") else "history",
        }
        if obvious is not None:
            pair["obvious_iteration"] = obvious
        lines.append(json.dumps(pair, ensure_ascii=False))
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} pairs to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
