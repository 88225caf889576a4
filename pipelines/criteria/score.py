"""Scores on the call's four criteria (政治性、创新性、实效性、典型性): the ``score`` command line.

Scores are triage signals for reviewers, never verdicts: every score comes with the claims behind it.

- ``OfflineScorer`` (``pipelines.criteria.offline``, default, no network): reads the case's claims
  (``pipelines.claims``), scores each criterion as an explainable function of them (``evidence``) and maps
  the raw strength to 0–100 by the percentiles of a reference set (``calibration``).
- ``LLMScorer`` (``pipelines.criteria.llm_scorer``): any OpenAI-compatible model with the versioned
  ``rubric_score`` prompt; the case is fenced data, answers are validated.
- novelty (``pipelines.criteria.novelty``): 1 − the highest cosine similarity to past cases and the batch.

``python -m pipelines score --input CASES.jsonl --output OUT.jsonl``: input lines ``{"id","title","text"}``
(or ``"sections"``); output lines ``{"id","scores","novelty","evidence","scorer","reasons","claims",
"findings"}``. Bad input stops before anything is written.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipelines.config import DATA_DIR, get_settings
from pipelines.criteria.calibration import CALIBRATION_FILE, fit_calibration
from pipelines.criteria.cases import (
    ScoreInput,
    distribution,
    history_texts,
    read_jsonl,
    reference_cases,
    to_inputs,
)
from pipelines.criteria.evaluate import evaluate_pairs
from pipelines.criteria.learned import MODEL_DIR, ScorerModel, default_model
from pipelines.criteria.llm_scorer import LLMScorer, score_many_with_fallback
from pipelines.criteria.offline import OfflineScorer
from pipelines.criteria.rubric import ScoreError, load_rubric
from pipelines.schema import ScoreResult

__all__ = ["LLMScorer", "OfflineScorer", "ScoreInput", "add_cli"]

PAIRS_FILE = DATA_DIR / "eval" / "score_pairs.jsonl"


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "score",
        help="按四项评审标准给案例打分（附主张与理由）",
        description="读取案例的主张，按政治性、创新性、实效性、典型性打分，每项附理由和所依据的主张；默认离线评分，不联网。",
    )
    parser.add_argument("--input", type=Path, help='案例 JSONL，每行 {"id","title","text"}（或 "sections"）')
    parser.add_argument(
        "--scorer", choices=("offline", "llm"), default="offline", help="评分方式（默认 offline）"
    )
    parser.add_argument("--history", type=Path, help="往年案例 JSONL（用于新颖度；默认用样例往年案例）")
    parser.add_argument("--output", type=Path, help="结果 JSONL（默认输出到屏幕）")
    parser.add_argument("--summary", action="store_true", help="另外打印各项分数的分布（最小/四分位/最大）")
    parser.add_argument("--calibrate", action="store_true", help="用参考案例重新生成分数校准文件")
    parser.add_argument(
        "--train",
        action="store_true",
        help="用 data/eval 中全部强弱案例对训练逐条主张评分模型（写入 models/scorer/，附留一集评估），并重新校准",
    )
    parser.add_argument(
        "--loso", action="store_true", help="只做留一集评估（每次留出一个案例对集合），不写模型"
    )
    parser.add_argument(
        "--pairs",
        type=Path,
        nargs="?",
        const=PAIRS_FILE,
        help="评估强弱案例对（默认评估集）：按标准、按类型（kind）、按划分（split）报告强者胜出的比例",
    )
    parser.set_defaults(func=_cli_score)


def _cli_score(args: argparse.Namespace) -> int:
    try:
        if args.train or args.loso:
            return _cli_train(loso_only=args.loso and not args.train)
        if args.calibrate:
            return _cli_calibrate()
        if args.pairs:
            return _cli_pairs(args.pairs)
        if not args.input:
            print("请用 --input 指定案例文件（或使用 --calibrate、--pairs）", file=sys.stderr)
            return 2
        return _cli_run(args)
    except ScoreError as error:
        print(f"评分失败：{error.message}", file=sys.stderr)
        return 2


def _cli_calibrate(model: ScorerModel | None = None) -> int:
    rubric = load_rubric()
    cases, reference = reference_cases()
    scorer = OfflineScorer(rubric=rubric, model=model or ScorerModel.load())
    calibration = fit_calibration(rubric, scorer.raw_many, cases, reference, scorer.model_.version)
    path = calibration.save(CALIBRATION_FILE)
    print(f"已用 {reference['cases']} 个参考案例（{', '.join(reference['files'])}）生成校准文件 {path}")
    return 0


def _cli_train(loso_only: bool) -> int:
    from pipelines.criteria import training

    def progress(message: str) -> None:
        print(message, file=sys.stderr)

    if loso_only:
        data = training.load_pairs(training.read_pair_sets())
        print(json.dumps(training.leave_one_set_out(data, training.Settings()), ensure_ascii=False, indent=1))
        return 0
    model = training.train_scorer(progress=progress)
    card = model.card
    print(
        f"评分模型 {model.version}：{card['features']} 个特征，训练对 "
        f"{sum(s['pairs'] for s in card['training_sets'].values())} 个，已写入 {MODEL_DIR}"
    )
    print(
        json.dumps(
            {"in_sample": card["in_sample"], "leave_one_set_out": card["leave_one_set_out"]},
            ensure_ascii=False,
            indent=1,
        )
    )
    default_model.cache_clear()
    return _cli_calibrate(model)


def _cli_pairs(path: Path) -> int:
    pairs = read_jsonl(path, required=("id", "criterion", "strong", "weak"), cases=False)
    report = evaluate_pairs(OfflineScorer(), pairs)
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0


def _cli_run(args: argparse.Namespace) -> int:
    cases = to_inputs(read_jsonl(args.input))
    offline = OfflineScorer(history=history_texts(args.history))
    llm = _llm_scorer(offline.history) if args.scorer == "llm" else None
    outcomes = score_many_with_fallback(offline, llm, cases)
    if offline.novelty_error_:
        print(f"（新颖度未计算：{offline.novelty_error_}）", file=sys.stderr)
    failures = [outcome.error for outcome in outcomes if outcome.error]
    for message in failures:
        print(f"{message}（保留离线评分）", file=sys.stderr)
    results = [outcome.best for outcome in outcomes]
    _write([output_line(case, result) for case, result in zip(cases, results, strict=True)], args.output)
    if args.summary:
        print(json.dumps(distribution(results), ensure_ascii=False, indent=1), file=sys.stderr)
    return 1 if failures or (args.scorer == "llm" and llm is None) else 0


def _llm_scorer(history: Sequence[str]) -> LLMScorer | None:
    from pipelines.backends.llm import LLMError, get_llm_client

    try:
        client = get_llm_client(get_settings())
    except LLMError as error:
        client, message = None, error.message
    else:
        message = "未配置大模型服务，请在 config.toml 中设置 llm_base_url 和 llm_model"
    if client is None:
        print(f"大模型评分不可用：{message}。输出的是离线评分结果。", file=sys.stderr)
        return None
    return LLMScorer(client, history=history)


def output_line(case: ScoreInput, result: ScoreResult) -> dict[str, Any]:
    """One output line of ``score``: the contract fields, reasons, claims and per-criterion findings."""
    line = {
        "id": case.id,
        "scores": result.scores,
        "novelty": result.novelty,
        "evidence": result.evidence,
        "scorer": result.scorer,
        "reasons": result.reasons,
        "claims": result.claims,
        "findings": result.findings,
    }
    if result.prompt_version:
        line["prompt_version"] = result.prompt_version
    return line


def _write(lines: Sequence[dict[str, Any]], output: Path | None) -> None:
    text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    if output is None:
        sys.stdout.write(text)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
    os.replace(temporary, output)
