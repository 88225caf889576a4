"""Scoring benchmark: offline throughput, and LLM scoring bounded by the server's latency, not by ours.

Run: ``.venv/bin/python benchmarks/bench_score.py [--cases 400] [--llm-cases 100] [--latency 0.2] [--concurrency 8]``

Offline: full-length application forms — each of the five narrative sections filled to its word limit
(300/1500/800/800/500 characters) from the sample submissions and the corpus, every form distinct, and every
run on forms of its own (so no run is served from a cache an earlier run filled) — scored after a warm-up
that loads the rubric, the calibration, the claim classifiers, the learned scorer, the embedder and the
history vectors. Two rates are printed, each the median of ``--runs`` runs: claims + rubric evidence +
learned scores alone (``raw_many``), and the full ``score_many`` the ``score`` command runs (claims, scores,
reasons, findings, novelty against the sample history and the batch); and the process's peak RSS. Target
(issue 19): ≥ 50 cases/s.

LLM: a real local HTTP server speaking the OpenAI API (``tests.llm_server``) answers every request after a
fixed latency; ``LLMScorer.try_many`` scores distinct cases with the given concurrency. The ideal time is
cases × latency / concurrency; the ratio measured / ideal shows our own overhead.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from itertools import cycle, islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.backends.llm import LLMClient  # noqa: E402
from pipelines.config import Settings  # noqa: E402
from pipelines.criteria.cases import (  # noqa: E402
    REFERENCE_FILES,
    SAMPLE_SUBMISSIONS,
    ScoreInput,
    case_text,
    history_texts,
    read_jsonl,
)
from pipelines.criteria.llm_scorer import LLMScorer  # noqa: E402
from pipelines.criteria.offline import OfflineScorer  # noqa: E402
from pipelines.text import split_sentences  # noqa: E402
from pipelines.vocabulary import CRITERIA, FORM_SECTIONS  # noqa: E402
from tests.llm_server import OpenAIStubServer, Reply, chat_reply  # noqa: E402

LIMITS = {section.name: section.limit for section in FORM_SECTIONS}


def _short_cases(count: int) -> list[ScoreInput]:
    """The sample submissions and corpus cases as they are (the earlier benchmark's input), made distinct."""
    records = read_jsonl(SAMPLE_SUBMISSIONS) + read_jsonl(REFERENCE_FILES[0])
    return [
        ScoreInput(f"{r['id']}-{i}", str(r.get("title", "")), f"{case_text(r)}\n（基准副本 {i}）")
        for i, r in enumerate(islice(cycle(records), count))
    ]


def _tag(number: int) -> str:
    """A short tag of latin letters (never read as a figure) that makes a sentence unique."""
    letters = ""
    while True:
        number, rest = divmod(number, 26)
        letters += "abcdefghijklmnopqrstuvwxyz"[rest]
        if not number:
            return letters


def _cases(count: int, shared: bool = False) -> list[ScoreInput]:
    """``count`` distinct full-length forms: every section filled to its limit with real sentences, each
    sentence tagged so that no two forms share one (real forms do not; shared sentences would be served from
    the claims stage's per-clause caches). ``shared``: untagged, as the benchmark built forms before
    2026-12-07 (for comparison with earlier figures)."""
    records = read_jsonl(SAMPLE_SUBMISSIONS) + read_jsonl(REFERENCE_FILES[0])
    pool = [s for record in records for s in split_sentences(case_text(record))]
    sentences = cycle(pool)
    cases, used = [], 0
    for i, record in enumerate(islice(cycle(records), count)):
        sections = []
        for name, limit in LIMITS.items():
            text = ""
            for sentence in split_sentences(str((record.get("sections") or {}).get(name, ""))):
                used += 1
                text += sentence if shared else f"{sentence[:-1]}（{_tag(used)}）{sentence[-1]}"
            while len(text) + 60 < limit:
                sentence, used = next(sentences), used + 1
                text += sentence if shared else f"{sentence[:-1]}（{_tag(used)}）{sentence[-1]}"
            sections.append(f"{text[:limit]}（副本 {i}）")
        cases.append(ScoreInput(f"{record['id']}-{i}", str(record.get("title", "")), "\n".join(sections)))
    return cases


def _median_rate(count: int, runs: int, action: Callable[[int], object]) -> tuple[float, float]:
    """Median cases/s over ``runs`` runs, by wall clock and by this process's CPU time (the machine is
    shared: CPU time shows what the code costs when other jobs take the cores). ``action(run)`` scores the
    run's own cases, so no run is served from the caches an earlier run filled."""
    wall, cpu = [], []
    for run in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        action(run)
        wall.append(count / (time.perf_counter() - start))
        cpu.append(count / max(1e-9, time.process_time() - start_cpu))
    return round(statistics.median(wall), 1), round(statistics.median(cpu), 1)


def bench_offline(count: int, runs: int, short: bool = False, shared: bool = False) -> dict[str, float]:
    """Claims + scores alone, then the full ``score_many``; each run (and the warm-up) on distinct forms."""
    total = count * (2 * runs + 1)
    every = _short_cases(total) if short else _cases(total, shared)
    batches = [every[i * count : (i + 1) * count] for i in range(2 * runs + 1)]
    scorer = OfflineScorer(history=history_texts(None))
    scorer.score_many(batches[-1][:5])  # warm-up: rubric, calibration, models, embedder, history vectors
    evidence, evidence_cpu = _median_rate(
        count, runs, lambda run: scorer.raw_many([(case.title, case.text) for case in batches[run]])
    )
    full, full_cpu = _median_rate(count, runs, lambda run: scorer.score_many(batches[runs + run]))
    sample = batches[-1][: min(50, count)]
    claims = sum(len(result.claims) for result in scorer.score_many(sample)) / len(sample)
    return {
        "cases": count,
        "runs": runs,
        "sentences": "shared" if shared else "unique",
        "mean_chars": round(sum(len(case.text) for case in every) / len(every)),
        "mean_claims": round(claims, 1),
        "claims_and_scores_cases_per_s": evidence,
        "claims_and_scores_cases_per_cpu_s": evidence_cpu,
        "full_with_novelty_cases_per_s": full,
        "full_with_novelty_cases_per_cpu_s": full_cpu,
        "load_average_1min": round(os.getloadavg()[0], 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def bench_llm(count: int, latency: float, concurrency: int) -> dict[str, float]:
    answer = json.dumps(
        {key: {"score": 50, "reason": "基准", "evidence": []} for key in CRITERIA}, ensure_ascii=False
    )
    server = OpenAIStubServer(handler=lambda path, body: Reply(200, chat_reply(answer).body, latency)).start()
    try:
        settings = Settings(
            llm_base_url=server.base_url, llm_model="bench", llm_concurrency=concurrency, llm_max_retries=0
        )
        scorer = LLMScorer(LLMClient(settings))
        cases = _cases(count)
        start = time.perf_counter()
        results = scorer.try_many(cases)
        measured = time.perf_counter() - start
    finally:
        server.stop()
    failed = sum(1 for result in results if not hasattr(result, "scores"))
    ideal = count * latency / concurrency
    return {
        "cases": count,
        "latency_s": latency,
        "concurrency": concurrency,
        "failed": failed,
        "measured_s": round(measured, 3),
        "ideal_s": round(ideal, 3),
        "ratio": round(measured / ideal, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=400)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--sample-texts", action="store_true", help="score the sample and corpus texts as they are (shorter)"
    )
    parser.add_argument(
        "--shared-sentences",
        action="store_true",
        help="build forms from untagged sentences that recur across forms (the construction before 2026-12-07)",
    )
    parser.add_argument("--llm-cases", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    offline = bench_offline(args.cases, args.runs, args.sample_texts, args.shared_sentences)
    print(f"offline: {json.dumps(offline, ensure_ascii=False)} (target ≥ 50 cases/s)")
    if args.llm_cases:
        llm = bench_llm(args.llm_cases, args.latency, args.concurrency)
        print(f"llm: {json.dumps(llm, ensure_ascii=False)} (ideal = cases × latency / concurrency)")


if __name__ == "__main__":
    main()
