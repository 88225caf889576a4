"""Reading cases to classify (JSON lines, .docx forms, folders) and the ``train``, ``evaluate`` and ``classify``
verbs of the command line."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pipelines.backends.embed import LEXICAL_DIR as LEXICAL_EMBEDDER_DIR
from pipelines.classify.data import check_category
from pipelines.classify.evaluate import evaluate, format_metrics, save_to_card
from pipelines.classify.llm_opinion import add_llm_opinions
from pipelines.classify.training import train
from pipelines.classify.versions import load_model
from pipelines.config import get_settings
from pipelines.jsonl import read_jsonl
from pipelines.schema import CategorySuggestion


@dataclass
class CaseInput:
    """One case to classify, or the error that kept it from being read."""

    id: str
    title: str = ""
    text: str = ""
    declared_category: int | None = None
    error: dict[str, str] | None = None


def read_cases(path: Path) -> list[CaseInput]:
    """Cases from a JSON-lines file, a .docx form or a folder of both (searched recursively).

    Raises:
        ValueError: a JSON line that is not an object with ``text`` (the message names file and line), or a
            path that is neither.
    """
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix.lower() in {".jsonl", ".docx"})
        return [case for file in files for case in read_cases(file)]
    if path.suffix.lower() == ".docx":
        return [_read_docx(path)]
    if path.suffix.lower() == ".jsonl" and path.is_file():
        return _read_jsonl_cases(path)
    raise ValueError(f"无法读取“{path}”：请给出 .jsonl 文件、.docx 申报表或包含它们的文件夹")


def _read_docx(path: Path) -> CaseInput:
    from pipelines.intake.extract import extract_file
    from pipelines.schema import IntakeError

    try:
        submission = extract_file(path)
    except IntakeError as error:
        return CaseInput(path.name, error=error.to_dict())
    return CaseInput(path.name, submission.title, submission.text, submission.declared_category)


def _read_jsonl_cases(path: Path) -> list[CaseInput]:
    cases = []
    for number, where, record in read_jsonl(path):
        if not str(record.get("text") or "").strip():
            raise ValueError(f"{where} 缺少案例正文 text，请补全后重试")
        declared = check_category(record.get("declared_category"), where)
        cases.append(
            CaseInput(
                str(record.get("id") or f"{path.stem}-{number}"),
                str(record.get("title") or ""),
                str(record["text"]),
                declared,
            )
        )
    return cases


def suggestion_record(case_id: str, suggestion: CategorySuggestion) -> dict[str, Any]:
    """The output line of ``classify`` for one case."""
    record = asdict(suggestion)
    record["probabilities"] = {str(k): v for k, v in suggestion.probabilities.items()}
    record["evidence"] = {str(k): v for k, v in suggestion.evidence.items()}
    record["terms"] = {str(k): v for k, v in suggestion.terms.items()}
    return {"id": case_id, **record}


def _cmd_train(args: argparse.Namespace) -> int:
    engine = None
    if args.include_reviews:
        from pipelines import store

        engine = store.get_engine(args.database_url or None)
    if not (LEXICAL_EMBEDDER_DIR / "model.joblib").exists():
        from pipelines.backends.embed import build_lexical_embedder

        build_lexical_embedder()
    model = train(include_reviews=args.include_reviews, engine=engine, n_splits=args.folds)
    card = model.card
    validation = card["validation"]
    print(
        f"已训练分类模型版本 {model.version}（{card['training_size']} 个训练案例：{card['training_sources']}）"
    )
    print(
        format_metrics(
            {
                "source": "分组交叉验证（折外预测，逐折校准）",
                **card["metrics"],
                **{k: validation[k] for k in ("n", "per_category", "confusion", "reliability", "by_source")},
            }
        )
    )
    misfile, sets = card["misfile"], card["prediction_set"]
    print(
        f"温度 {card['calibration']['temperature']:.3f}；预测集合覆盖率 {sets['coverage']:.0%}：概率不低于 "
        f"{sets['min_probability']:.3f} 的类别进入集合\n"
        f"误报阈值 {misfile['threshold']:.3f}：正确申报被误标 {misfile['false_flag_rate']:.1%}，"
        f"错误申报检出 {misfile['detection_rate']:.1%}\n"
        f"{card['promotion']['reason']}"
    )
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    try:
        metrics = evaluate(args.input, args.version, n_splits=args.folds, seed=args.seed)
        if args.save_to_card:
            if args.input is None:
                raise ValueError("--save-to-card 需要同时给出 --input")
            save_to_card(metrics, args.save_to_card, args.input)
    except (ValueError, FileNotFoundError) as error:
        print(f"评估失败：{error}", file=sys.stderr)
        return 2
    print(format_metrics(metrics))
    if args.save_to_card:
        print(f"已写入模型 {metrics['version']} 的模型卡（evaluations.{args.save_to_card}）")
    return 0


def _cmd_classify(args: argparse.Namespace) -> int:
    try:
        cases = read_cases(args.input)
        model = load_model(args.version)
    except (ValueError, FileNotFoundError) as error:
        print(f"分类失败：{error}", file=sys.stderr)
        return 2
    readable = [c for c in cases if c.error is None]
    items = [(c.title, c.text, c.declared_category) for c in readable]
    suggestions = model.suggest_many(items)
    settings = get_settings()
    if settings.llm_enabled and not args.no_llm:
        from pipelines.backends.llm import get_llm_client

        add_llm_opinions(suggestions, items, get_llm_client(settings))
    by_id = {id(c): s for c, s in zip(readable, suggestions, strict=True)}
    lines = [
        json.dumps(
            suggestion_record(c.id, by_id[id(c)]) if c.error is None else {"id": c.id, "error": c.error},
            ensure_ascii=False,
        )
        for c in cases
    ]
    output = "\n".join(lines) + ("\n" if lines else "")
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(output, encoding="utf-8")
        print(f"已分类 {len(readable)} 个案例，结果写入 {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(output)
    for case in cases:
        if case.error is not None:
            print(f"{case.id}：{case.error['message']}", file=sys.stderr)
    return 1 if len(readable) < len(cases) else 0


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    """Register the verbs ``train``, ``evaluate`` and ``classify``."""
    train_parser = subparsers.add_parser("train", help="训练类别模型，写入新版本并打印交叉验证指标")
    train_parser.add_argument("--include-reviews", action="store_true", help="加入评审专家确认的类别")
    train_parser.add_argument("--database-url", default="", help="数据库地址（默认取配置）")
    train_parser.add_argument("--folds", type=int, default=5, help="交叉验证折数")
    train_parser.set_defaults(func=_cmd_train)

    evaluate_parser = subparsers.add_parser(
        "evaluate", help="评估类别模型（无 --input 时在语料上分组交叉验证）"
    )
    evaluate_parser.add_argument("--input", type=Path, default=None, help="带类别标注的 JSONL 文件")
    evaluate_parser.add_argument("--version", default=None, help="模型版本（默认当前启用的版本）")
    evaluate_parser.add_argument("--folds", type=int, default=5, help="交叉验证折数")
    evaluate_parser.add_argument("--seed", type=int, default=0, help="交叉验证随机种子")
    evaluate_parser.add_argument(
        "--save-to-card", default="", metavar="NAME", help="把 --input 上的结果以该名称写入所用版本的模型卡"
    )
    evaluate_parser.set_defaults(func=_cmd_evaluate)

    classify_parser = subparsers.add_parser("classify", help="为案例建议类别（JSONL、.docx 或文件夹）")
    classify_parser.add_argument("--input", type=Path, required=True, help="JSONL 文件、.docx 申报表或文件夹")
    classify_parser.add_argument("--output", type=Path, default=None, help="输出 JSONL（默认打印到屏幕）")
    classify_parser.add_argument("--version", default=None, help="模型版本（默认当前启用的版本）")
    classify_parser.add_argument("--no-llm", action="store_true", help="不请求大模型第二意见")
    classify_parser.set_defaults(func=_cmd_classify)
