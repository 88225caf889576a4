"""Scoring benchmark: offline throughput, and LLM scoring bounded by the server's latency, not by ours.

Run: ``.venv/bin/python benchmarks/bench_score.py [--cases 400] [--llm-cases 100] [--latency 0.2] [--concurrency 8]``

Offline: the sample submissions and corpus cases, each made distinct (so no embedding is served from a cache),
scored after a warm-up that loads the rubric, the calibration, the embedder and the history vectors. Two
rates are printed: evidence and calibrated scores alone, and the full ``score_many`` with novelty against the
sample history and the batch. Target (issue 5): ≥ 50 cases/s.

LLM: a real local HTTP server speaking the OpenAI API (``tests.llm_server``) answers every request after a
fixed latency; ``LLMScorer.try_many`` scores distinct cases with the given concurrency. The ideal time is
cases × latency / concurrency; the ratio measured / ideal shows our own overhead.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from itertools import cycle, islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.backends.llm import LLMClient  # noqa: E402
from pipelines.config import Settings  # noqa: E402
from pipelines.criteria.score import (  # noqa: E402
    REFERENCE_FILES,
    SAMPLE_SUBMISSIONS,
    LLMScorer,
    OfflineScorer,
    ScoreInput,
    history_texts,
    read_jsonl,
    to_inputs,
)
from pipelines.vocabulary import CRITERIA  # noqa: E402
from tests.llm_server import OpenAIStubServer, Reply, chat_reply  # noqa: E402


def _cases(count: int) -> list[ScoreInput]:
    base = to_inputs(read_jsonl(SAMPLE_SUBMISSIONS)) + to_inputs(read_jsonl(REFERENCE_FILES[0]))
    return [
        ScoreInput(f"{case.id}-{i}", case.title, f"{case.text}\n（基准副本 {i}）")
        for i, case in enumerate(islice(cycle(base), count))
    ]


def bench_offline(count: int) -> dict[str, float]:
    cases = _cases(count)
    scorer = OfflineScorer(history=history_texts(None))
    scorer.score_many(_cases(5))  # warm-up: rubric, calibration, embedder, history vectors
    start = time.perf_counter()
    for case in cases:
        scorer.scores(scorer.evidence(case.title, case.text))
    evidence_s = time.perf_counter() - start
    start = time.perf_counter()
    scorer.score_many(cases)
    full_s = time.perf_counter() - start
    return {
        "cases": count,
        "mean_chars": round(sum(len(case.text) for case in cases) / count),
        "evidence_cases_per_s": round(count / evidence_s, 1),
        "with_novelty_cases_per_s": round(count / full_s, 1),
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
    parser.add_argument("--llm-cases", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    offline = bench_offline(args.cases)
    print(f"offline: {json.dumps(offline, ensure_ascii=False)} (target ≥ 50 cases/s)")
    llm = bench_llm(args.llm_cases, args.latency, args.concurrency)
    print(f"llm: {json.dumps(llm, ensure_ascii=False)} (ideal = cases × latency / concurrency)")


if __name__ == "__main__":
    main()
