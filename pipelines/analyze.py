"""Run every machine stage on the stored submissions of a call year and store the suggestions.

Order: category (classifier, optional LLM second opinion) → duplicates against past cases and within the
batch → eligibility findings (single-case rules, per-unit limit, repeat rules, misfiling) → offline scores
(+ LLM scores when configured). Each stage's output is stored as a suggestion of its own kind, so the
workbench shows whatever exists and a failing optional stage (the LLM) never hides the others.

The command-line verbs that run the whole flow live here too: ``ingest`` (read and store the forms, then
analyse them) and ``analyze``; intake itself never calls analysis.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine

from pipelines import store
from pipelines.cache import StoreCache
from pipelines.config import Settings, get_settings
from pipelines.eligibility import (
    check_submission,
    check_unit_limits,
    finding_from_category,
    findings_from_matches,
    sort_findings,
)
from pipelines.intake.attachment_store import attachments_by_submission
from pipelines.intake.ingest import ingest_paths
from pipelines.schema import CategorySuggestion, DuplicateMatch, PastCase, Submission

Progress = Callable[[str, int, int], None]
STAGES = ("类别", "查重", "评分", "保存")  # each counts STAGE_UNITS in the progress total
STAGE_UNITS = 100
CLASSIFY_BLOCK = 200  # cases classified between two progress reports


@dataclass
class AnalyzeReport:
    analyzed: int = 0
    stages: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # Chinese, one per failed optional stage
    seconds: dict[str, float] = field(default_factory=dict)  # CPU seconds per stage (where time goes)

    def summary(self) -> str:
        text = f"已分析 {self.analyzed} 个案例（{'、'.join(self.stages)}）"
        return text + ("；" + "；".join(self.problems) if self.problems else "。")


class _Stages:
    """Progress over the stages: ``progress(label, done, total)`` with ``STAGE_UNITS`` per stage, the label
    naming the stage and, where it reports them, the cases done; CPU seconds per stage kept in the report."""

    def __init__(self, progress: Progress | None, report: AnalyzeReport) -> None:
        self.progress, self.report = progress, report
        self.index, self.label, self.started = 0, "", time.process_time()

    def start(self, label: str) -> None:
        self.index, self.label, self.started = STAGES.index(label), label, time.process_time()
        self.update(0, 0)

    def update(self, done: int, total: int) -> None:
        if self.progress is None:
            return
        share = done / total if total else 0.0
        label = f"{self.label} {done}/{total}" if total else self.label
        self.progress(label, self.index * STAGE_UNITS + round(share * STAGE_UNITS), len(STAGES) * STAGE_UNITS)

    def finish(self) -> None:
        self.report.seconds[self.label] = round(time.process_time() - self.started, 2)
        self.report.stages.append(self.label)


def _batch(engine: Engine, year: int) -> list[tuple[int, Submission]]:
    return [(row.id, row.submission()) for row in store.list_submissions(engine, year)]


def history_texts(history: Sequence[PastCase]) -> list[str]:
    """The texts novelty compares against: title and text of each past case."""
    return [f"{case.title}\n{case.text}" for case in history]


def classify_batch(
    engine: Engine,
    batch: Sequence[tuple[int, Submission]],
    settings: Settings,
    second_opinion_ids: set[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[int, CategorySuggestion]:
    """Category suggestions for the batch (``CLASSIFY_BLOCK`` cases at a time, ``progress(done, total)``
    after each), with the LLM's second opinion (when configured) on ``second_opinion_ids`` (all when None)."""
    from pipelines.classify.llm_opinion import add_llm_opinions
    from pipelines.classify.versions import load_model

    model = load_model(settings.classifier_version or None)
    items = [(sub.title, sub.text, sub.declared_category) for _, sub in batch]
    suggestions: list[CategorySuggestion] = []
    for start in range(0, len(items), CLASSIFY_BLOCK):
        suggestions.extend(model.suggest_many(items[start : start + CLASSIFY_BLOCK], settings=settings))
        if progress is not None:
            progress(len(suggestions), len(items))
    if settings.llm_enabled:
        from pipelines.backends.llm import get_llm_client

        asked = [
            i for i, (sid, _) in enumerate(batch) if second_opinion_ids is None or sid in second_opinion_ids
        ]
        client = get_llm_client(settings, StoreCache(engine))
        if client is not None and asked:
            add_llm_opinions([suggestions[i] for i in asked], [items[i] for i in asked], client)
    return {sid: suggestion for (sid, _), suggestion in zip(batch, suggestions, strict=True)}


def duplicates_batch(
    engine: Engine,
    batch: Sequence[tuple[int, Submission]],
    settings: Settings | None = None,
    history: Sequence[PastCase] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[int, list[DuplicateMatch]]:
    """Repeat matches of the batch against the (stored) history and each other."""
    from pipelines.backends.embed import get_embedder
    from pipelines.repeats.batch import detect_submissions
    from pipelines.repeats.persist import cache_dir

    settings = settings or get_settings()
    return detect_submissions(
        engine, batch, get_embedder(settings), settings.call_year, history, cache_dir(settings), progress
    )


def score_batch(
    engine: Engine, batch: Sequence[tuple[int, Submission]], history: Sequence[PastCase] | None = None
) -> dict[int, dict]:
    """Offline scores of the batch (novelty against the rest of the batch and the stored history)."""
    from pipelines.criteria.score import OfflineScorer, ScoreInput

    past = store.list_past_cases(engine) if history is None else history
    scorer = OfflineScorer(history=history_texts(past))
    results = scorer.score_many([ScoreInput(str(sid), sub.title, sub.text) for sid, sub in batch])
    return {sid: result.to_payload() for (sid, _), result in zip(batch, results, strict=True)}


def llm_score_batch(
    engine: Engine, batch: Sequence[tuple[int, Submission]], settings: Settings
) -> dict[int, dict]:
    from pipelines.backends.llm import get_llm_client
    from pipelines.criteria.score import LLMScorer, ScoreInput

    client = get_llm_client(settings, StoreCache(engine))
    if client is None:
        return {}
    results = LLMScorer(client).score_many([ScoreInput(str(sid), sub.title, sub.text) for sid, sub in batch])
    return {sid: result.to_payload() for (sid, _), result in zip(batch, results, strict=True)}


def prepare_history(engine: Engine, settings: Settings | None = None) -> str:
    """Build, extend or confirm what analysis derives from the stored past cases — the repeat index and the
    character rows novelty compares against — so that an analysis only loads them (run after importing past
    cases; the next analysis would otherwise do it).

    Returns:
        A Chinese summary of what was done.
    """
    from pipelines.backends.embed import get_embedder
    from pipelines.backends.embed_rows import rows_for
    from pipelines.criteria.novelty import character_history_rows, default_rows_dir
    from pipelines.repeats.persist import cache_dir, cached_history_index

    settings = settings or get_settings()
    history = store.list_past_cases(engine)
    embedder = get_embedder(settings)
    index = cached_history_index(history, embedder, settings.call_year, directory=cache_dir(settings))
    if index.loaded_from_cache:
        done = "查重索引已是最新"
    elif index.extended_by:
        done = f"查重索引追加 {index.extended_by} 条"
    else:
        done = "查重索引已重建"
    lexical = getattr(embedder, "inner", embedder)
    rows = rows_for(lexical, default_rows_dir(), "embed_chars")
    if rows is not None and history:
        character_history_rows(lexical, history_texts(history))
        done += f"，新颖度向量新增 {rows.embedded_} 条"
    return f"往年案例 {len(history)} 条：{done}。"


def analyze_submissions(
    engine: Engine,
    submission_ids: Sequence[int] | None = None,
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> AnalyzeReport:
    """Compute and store all suggestions for the current submissions of the call year.

    The whole batch is always read, because duplicates and the per-unit limit depend on it; suggestions are
    written for ``submission_ids`` only (all when None), in one transaction. The past cases are read once.

    Args:
        engine: the store.
        submission_ids: which submissions to (re)analyse; None = all current ones of the call year.
        settings: defaults to the process settings.
        progress: called as ``progress(label, done, total)``: ``STAGE_UNITS`` per stage of ``STAGES``, the
            label naming the stage and the cases done so far (``查重 350/1000``), then ``("完成", total, total)``.

    Returns:
        What was analysed, which optional stages failed (Chinese messages), CPU seconds per stage.
    """
    settings = settings or get_settings()
    batch = _batch(engine, settings.call_year)
    wanted = set(submission_ids) if submission_ids is not None else {sid for sid, _ in batch}
    report = AnalyzeReport(analyzed=len(wanted & {sid for sid, _ in batch}))
    if not report.analyzed:
        return report
    stages = _Stages(progress, report)
    history = store.list_past_cases(engine)
    stages.start("类别")
    categories = classify_batch(engine, batch, settings, wanted, stages.update)
    stages.finish()
    stages.start("查重")
    matches = duplicates_batch(engine, batch, settings, history, stages.update)
    stages.finish()
    stages.start("评分")
    scores = score_batch(engine, batch, history)
    stages.finish()
    stages.start("保存")
    findings = _findings(engine, batch, categories, matches, settings)
    with store.session_scope(engine) as session:  # one transaction for the whole batch
        for sid in sorted(wanted & findings.keys()):
            rows = [
                ("category", categories[sid].to_payload(), categories[sid].model_version),
                ("duplicates", [m.to_payload() for m in matches[sid]], "duplicates"),
                ("eligibility", [f.to_payload() for f in findings[sid]], "rules"),
                ("scores", scores[sid], "offline"),
            ]
            session.add_all(
                store.SuggestionRow(submission_id=sid, kind=kind, payload=payload, agent=agent)
                for kind, payload, agent in rows
            )
    stages.finish()
    report.stages[-1] = "资格审查"
    _llm_scores(engine, [item for item in batch if item[0] in wanted], settings, report)
    if progress:
        progress("完成", len(STAGES) * STAGE_UNITS, len(STAGES) * STAGE_UNITS)
    return report


def _findings(
    engine: Engine,
    batch: Sequence[tuple[int, Submission]],
    categories: dict[int, CategorySuggestion],
    matches: dict[int, list[DuplicateMatch]],
    settings: Settings,
) -> dict[int, list]:
    over_limit = check_unit_limits([(str(sid), sub) for sid, sub in batch], settings)
    files = attachments_by_submission(engine, [sid for sid, _ in batch])
    findings = {}
    for sid, sub in batch:
        found = check_submission(sub, settings, files.get(sid)) + findings_from_matches(
            matches[sid], settings
        )
        found += finding_from_category(categories[sid], sub.declared_category)
        if str(sid) in over_limit:
            found.append(over_limit[str(sid)])
        findings[sid] = sort_findings(found)
    return findings


def _llm_scores(
    engine: Engine, batch: Sequence[tuple[int, Submission]], settings: Settings, report: AnalyzeReport
) -> None:
    if not settings.llm_enabled or not batch:
        return
    from pipelines.backends.llm import LLMError

    try:
        scored = llm_score_batch(engine, batch, settings)
    except LLMError as error:
        report.problems.append(f"大模型评分未完成：{error.message}（离线评分不受影响）")
        return
    for sid, payload in scored.items():
        store.save_suggestion(engine, sid, "llm_scores", payload, payload.get("prompt_version") or "llm")
    report.stages.append("大模型评分")


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    """The verbs that run the whole flow: ``analyze``, ``ingest`` (read, store, then analyse) and
    ``prepare-history`` (the repeat index and novelty rows of the stored past cases)."""
    parser = subparsers.add_parser("analyze", help="对已入库的本年度申报案例做分类、查重、资格审查和评分")
    parser.set_defaults(func=_cli)
    parser = subparsers.add_parser("ingest", help="读取申报表（文件、文件夹或 zip）并入库")
    parser.add_argument("paths", nargs="+", type=Path, help=".docx / .zip 文件或文件夹")
    parser.add_argument("--year", type=int, default=None, help="申报年度（默认取设置中的 call_year）")
    parser.add_argument("--no-analyze", action="store_true", help="只入库，不做分类、查重、评分")
    parser.add_argument("--no-ocr", action="store_true", help="暂不识别附件文字（稍后运行 ocr 命令）")
    parser.set_defaults(func=_cli_ingest)
    parser = subparsers.add_parser(
        "prepare-history",
        help="导入往年案例后更新查重索引与新颖度向量（只处理新增的案例；下次分析也会自动更新）",
    )
    parser.set_defaults(func=_cli_prepare)


def _analyze_with_bar(engine: Engine, settings: Settings) -> AnalyzeReport:
    from tqdm import tqdm

    with tqdm(total=len(STAGES) * STAGE_UNITS, desc="分析", file=sys.stderr, disable=None) as bar:

        def progress(label: str, done: int, total: int) -> None:
            bar.n = done
            bar.set_postfix_str(label)
            bar.refresh()

        return analyze_submissions(engine, settings=settings, progress=progress)


def _cli_ingest(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    settings = get_settings()
    engine = store.get_engine()
    year = args.year or settings.call_year
    with tqdm(total=0, unit="份", desc="读取申报表", file=sys.stderr, disable=None) as bar:

        def progress(done: int, total: int, name: str) -> None:
            bar.total = total
            bar.n = done
            bar.set_postfix_str(name[-30:])
            bar.refresh()

        report = ingest_paths(engine, args.paths, year, "cli", progress, settings)
    for item in report.items:
        if not item.ok:
            print(f"✗ {item.file_name}：{item.message}")
    print(report.summary())
    if report.stored_ids and not args.no_analyze:
        print(_analyze_with_bar(engine, settings).summary())
    if not args.no_ocr:
        from pipelines.intake.ocr_queue import ocr_with_progress_bar

        ocr_with_progress_bar(engine, settings)
    return 0 if report.ok else 1


def _cli(_args: argparse.Namespace) -> int:
    print(_analyze_with_bar(store.get_engine(), get_settings()).summary())
    return 0


def _cli_prepare(_args: argparse.Namespace) -> int:
    print(prepare_history(store.get_engine(), get_settings()))
    return 0
