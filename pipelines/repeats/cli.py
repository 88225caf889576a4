"""The command line of repeat detection: ``dedupe`` and ``evaluate-dedupe``.

``dedupe --history H.jsonl --input CASES.jsonl --output OUT.jsonl`` reuses the history index stored by an
earlier run on a history file with the same bytes (``pipelines.repeats.persist``); without files it runs on
the store.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipelines.repeats.readers import DedupeInputError, read_cases, read_history, read_pairs
from pipelines.repeats.semantic import Reranker, reranker_from_settings
from pipelines.schema import DuplicateMatch
from pipelines.vocabulary import REPEAT_VERDICTS, VERDICTS

if TYPE_CHECKING:
    from pipelines.backends.embed import Embedder


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    """Register ``dedupe`` and ``evaluate-dedupe``."""
    dedupe = subparsers.add_parser("dedupe", help="查找往年入选/未入选案例的重复申报与本批次内的重复申报")
    dedupe.add_argument(
        "--history", type=Path, help="往年案例 JSONL（id、year、title、unit、text/sections、outcome）"
    )
    dedupe.add_argument(
        "--input", type=Path, help="本年度案例 JSONL（id、title、unit、text/sections、category）"
    )
    dedupe.add_argument("--output", type=Path, help="结果写入此 JSONL 文件（默认输出到屏幕）")
    dedupe.add_argument(
        "--no-embedder", action="store_true", help="不使用向量模型（只用名称、数据与文字重合）"
    )
    dedupe.set_defaults(func=_cli_dedupe)
    evaluate = subparsers.add_parser("evaluate-dedupe", help="在标注的案例对上评估重复检测")
    evaluate.add_argument("--pairs", type=Path, required=True, help="标注案例对 JSONL（a、b、label）")
    evaluate.add_argument(
        "--history", type=Path, help="可选：这些案例对所取自的往年案例 JSONL（词语稀有度与套话也从中学习）"
    )
    evaluate.add_argument("--no-embedder", action="store_true", help="不使用向量模型")
    evaluate.set_defaults(func=_cli_evaluate)


def _cli_embedder(args: argparse.Namespace) -> Embedder | None:
    if args.no_embedder:
        return None
    from pipelines.backends.embed import EmbeddingError, get_embedder

    try:
        return get_embedder()
    except EmbeddingError as exc:
        print(f"提示：{exc.message}。本次不使用语义相似度，只用名称、数据与文字重合判断。", file=sys.stderr)
        return None


def _cli_reranker() -> Reranker | None:
    from pipelines.backends.embed import EmbeddingError

    try:
        return reranker_from_settings()
    except EmbeddingError as exc:
        print(f"提示：{exc.message}。本次不做句向量重排序。", file=sys.stderr)
        return None


def _match_record(match: DuplicateMatch) -> dict[str, Any]:
    record: dict[str, Any] = {
        "other_id": match.other_id,
        "kind": match.kind,
        "verdict": match.verdict,
        "score": match.score,
        "signals": match.signals,
        "reasons": match.reasons,
    }
    if match.verdict == "resubmission_needs_iteration":
        record["new_text_ratio"] = match.new_text_ratio
        record["obvious_iteration"] = match.obvious_iteration
        record["iteration_report"] = match.iteration_report
    if match.aligned:
        record["aligned"] = [asdict(pair) for pair in match.aligned]
    return record


def _cli_dedupe(args: argparse.Namespace) -> int:
    if (args.history is None) != (args.input is None):
        print(
            "错误：--history 与 --input 需同时给出；两者都不给时对数据库中的本年度申报进行比对。",
            file=sys.stderr,
        )
        return 2
    embedder = _cli_embedder(args)
    try:
        if args.history is None:
            from pipelines import store
            from pipelines.repeats.batch import detect_for_store

            results: dict[Any, list[DuplicateMatch]] = detect_for_store(store.get_engine(), embedder)
        else:
            from pipelines.repeats.detect import detect_duplicates
            from pipelines.repeats.persist import cached_history_index, file_hash

            cases = read_cases(args.input)
            index = cached_history_index(
                None,
                embedder,
                content_hash=file_hash(args.history),
                load_history=lambda: read_history(args.history),
            )
            index.reranker = _cli_reranker()
            if index.loaded_from_cache:
                state = "载入已保存的索引"
            elif index.extended_by:
                state = f"在已保存的索引上追加 {index.extended_by} 条并保存"
            else:
                state = "新建索引并保存"
            print(f"往年案例查重索引：{state}（{len(index.index_)} 条往年案例）。", file=sys.stderr)
            results = detect_duplicates(cases, index)
    except DedupeInputError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    lines = [
        json.dumps({"id": case_id, "matches": [_match_record(m) for m in matches]}, ensure_ascii=False)
        for case_id, matches in results.items()
    ]
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
    else:
        print("\n".join(lines))
    flagged = sum(any(m.verdict in REPEAT_VERDICTS for m in ms) for ms in results.values())
    print(f"共比对 {len(results)} 个案例，其中 {flagged} 个疑似重复申报（需人工核实）。", file=sys.stderr)
    return 0


def _cli_evaluate(args: argparse.Namespace) -> int:
    try:
        from pipelines.repeats.evaluate import judge_pairs, pair_metrics

        pairs = read_pairs(args.pairs)
        history = read_history(args.history) if args.history else []
        outcomes = judge_pairs(pairs, _cli_embedder(args), reranker=_cli_reranker(), history=history)
        metrics = pair_metrics(outcomes)
    except DedupeInputError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    print(f"案例对 {metrics['pairs']} 组")
    print(f"重复检测 precision {metrics['precision']:.3f}  recall {metrics['recall']:.3f}")
    print(f"结论完全一致 {metrics['verdict_accuracy']:.3f}")
    print(f"迭代判断正确率 {metrics['iteration_accuracy']:.3f}（{metrics['iteration_pairs']} 组）")
    print(f"不同项目被判为往年入选重复（past_awardee_repeat）：{metrics['awardee_false_alarms']} 组")
    labels = [*VERDICTS, "none"]
    print("混淆矩阵（行 = 标注，列 = 判断）")
    print("label\\pred".ljust(30) + "".join(label[:12].rjust(14) for label in labels))
    for label in labels:
        row = metrics["confusion"].get(label, {})
        print(label.ljust(30) + "".join(str(row.get(p, 0)).rjust(14) for p in labels))
    print("按类型（判断正确 / 组数）")
    for kind, row in sorted(metrics["per_kind"].items(), key=lambda item: (item[1]["label"], item[0])):
        print(f"  {row['right']}/{row['pairs']}  {row['label']}  {kind}")
    return 0
