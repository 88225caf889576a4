"""Duplicate-detection benchmark: a synthetic history of 100,000 past cases, one case and 1,000 cases against it.

Run: ``.venv/bin/python benchmarks/bench_dedupe.py [--history 100000] [--queries 1000]``

The history is the sample history (so the planted repeats of ``submissions_2026.jsonl`` are in it) plus
synthetic cases: each one 8–20 sentences drawn from the sample and corpus texts, with its quoted names
replaced by random names, every number replaced, a unit from a pool of 5,000 synthetic units and a random
year and outcome. Queries are the 44 sample submissions plus synthetic cases made the same way.

Embeddings come from a hashed character-bigram embedder (256 dimensions, random projection) defined here:
fitting the default lexical embedder on 100,000 texts is a training job, not part of matching. The time the
default embedder needs for one query text is printed separately.

One case is timed with ``HistoryIndex.query``; the 1,000 cases with ``HistoryIndex.query_many`` (what
``detect_duplicates`` uses: one embedding call, neighbour search in blocks of 64). Peak RSS includes the
generated history itself. Wall-clock and CPU times are both printed: on a shared machine (other jobs
running) the wall clock includes waiting for a core. Targets (issue 4): one case < 200 ms, 1,000 cases < 2 minutes, peak memory
< 2 GB, on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.config import DATA_DIR, SAMPLE_DIR  # noqa: E402
from pipelines.repeats.detect import BatchCase, HistoryIndex  # noqa: E402
from pipelines.repeats.signals import clean_codepoints, unique_sorted  # noqa: E402
from pipelines.schema import PastCase  # noqa: E402

CHARSET = "华中海江山云智融数星光新远航信达通和安泰宏晨博越汇联创启明鑫锦峰宇恒正嘉祥瑞春秋天地人文科学"
SECTIONS = ("案例简介", "主要做法", "创新点", "取得成效", "推广价值")
TITLE_TAILS = (
    "融媒体平台",
    "数据新闻专栏",
    "智能体",
    "数字人主播",
    "国际传播项目",
    "工作室机制",
    "服务平台",
    "系列报道",
)
UNIT_TAILS = ("报社", "传媒集团", "传媒中心", "杂志社", "传媒有限公司")
INDUSTRIES = (
    "能源",
    "交通",
    "水利",
    "农业",
    "金融",
    "医药",
    "教育",
    "气象",
    "海洋",
    "林草",
    "建材",
    "化工",
    "电力",
    "邮政",
)


class HashedBigramEmbedder:
    """Character bigrams hashed to 65,536 buckets, projected to 256 dimensions by a fixed random matrix."""

    id = "bench-hashed-bigram-256"

    def __init__(self, dim: int = 256, buckets: int = 2**16, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.buckets = buckets
        self.projection = rng.standard_normal((buckets, dim)).astype(np.float32)

    def embed(self, texts: list[str]) -> np.ndarray:
        rows = np.zeros((len(texts), self.projection.shape[1]), dtype=np.float32)
        for i, text in enumerate(texts):
            codes = clean_codepoints(text)
            if codes.size < 2:
                continue
            grams = unique_sorted((codes[:-1] * np.uint64(1_000_003) + codes[1:]) % np.uint64(self.buckets))
            rows[i] = self.projection[grams.astype(np.intp)].sum(axis=0)
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        return np.divide(rows, norms, out=np.zeros_like(rows), where=norms > 0)


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _text(record: dict) -> str:
    return record.get("text") or "\n".join((record.get("sections") or {}).values())


def sample_history() -> list[PastCase]:
    cases = []
    for path in sorted((SAMPLE_DIR / "history").glob("*.jsonl")):
        for r in _read(path):
            cases.append(
                PastCase(r["id"], r["year"], r["title"], r["unit"], _text(r), r["outcome"], r.get("category"))
            )
    return cases


def sentence_pool() -> list[str]:
    texts = [_text(r) for path in sorted((SAMPLE_DIR / "history").glob("*.jsonl")) for r in _read(path)]
    texts += [r["text"] for r in _read(DATA_DIR / "corpus" / "cases.jsonl")]
    sentences = [s for text in texts for s in re.split(r"(?<=[。！？；])", text) if len(s) >= 8]
    return sentences


class Generator:
    """Synthetic cases from the sentence pool with fresh names, figures and units."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.pool = sentence_pool()
        self.units = [
            f"{self._name(2)}{INDUSTRIES[i % len(INDUSTRIES)]}{UNIT_TAILS[i % len(UNIT_TAILS)]}"
            for i in range(5000)
        ]

    def _name(self, length: int) -> str:
        return "".join(CHARSET[i] for i in self.rng.integers(0, len(CHARSET), length))

    def _number(self, match: re.Match) -> str:
        return str(int(self.rng.integers(1, 10 ** len(match.group(0)))))

    def case(self, index: int) -> tuple[str, str, str, dict[str, str]]:
        count = int(self.rng.integers(8, 21))
        picks = [self.pool[i] for i in self.rng.integers(0, len(self.pool), count)]
        body = re.sub(r"\d+", self._number, "".join(picks))
        body = re.sub(r"“[^”]{2,12}”", lambda _: f"“{self._name(int(self.rng.integers(2, 5)))}”", body)
        name = self._name(int(self.rng.integers(2, 5)))
        title = f"“{name}”{TITLE_TAILS[index % len(TITLE_TAILS)]}"
        cut = np.linspace(0, len(body), len(SECTIONS) + 1).astype(int)
        sections = {SECTIONS[k]: body[cut[k] : cut[k + 1]] for k in range(len(SECTIONS))}
        unit = self.units[int(self.rng.integers(0, len(self.units)))]
        return title, unit, body, sections


def synthetic_history(size: int, generator: Generator) -> list[PastCase]:
    history = sample_history()
    for i in range(size - len(history)):
        title, unit, body, sections = generator.case(i)
        year = int(generator.rng.integers(2019, 2026))
        outcome = "awarded" if generator.rng.random() < 0.3 else "not_selected"
        history.append(PastCase(f"P{i:06d}", year, title, unit, body, outcome, sections=sections))  # type: ignore[arg-type]
    return history


def queries(count: int, generator: Generator) -> list[BatchCase]:
    cases = [
        BatchCase(r["id"], r["title"], r["unit"], _text(r), sections=r["sections"])
        for r in _read(SAMPLE_DIR / "submissions_2026.jsonl")
    ]
    for i in range(count - len(cases)):
        title, unit, body, sections = generator.case(i)
        cases.append(BatchCase(f"Q{i:04d}", title, unit, body, sections=sections))
    return cases[:count]


def planted_found(index: HistoryIndex, cases: list[BatchCase]) -> tuple[int, int]:
    records = {r["id"]: r for r in _read(SAMPLE_DIR / "submissions_2026.jsonl")}
    expected = found = 0
    for case in cases:
        triggers = [
            t
            for t in records.get(case.id, {}).get("triggers", [])
            if t.get("rule") in ("past_awardee_repeat", "resubmission_needs_iteration")
        ]
        for trigger in triggers:
            expected += 1
            found += any(
                m.other_id == trigger["other"] and m.verdict == trigger["rule"] for m in index.query(case)
            )
    return found, expected


def default_embedder_ms(text: str) -> str:
    try:
        from pipelines.backends.embed import get_embedder

        embedder = get_embedder()
        embedder.embed(["预热"])
        start = time.perf_counter()
        getattr(embedder, "inner", embedder).embed([text])
        return f"{(time.perf_counter() - start) * 1000:.1f} ms"
    except Exception as exc:  # noqa: BLE001 (report, do not fail the benchmark)
        return f"unavailable ({exc})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--single", type=int, default=200, help="queries timed one by one for p50/p95")
    args = parser.parse_args()

    start = time.perf_counter()
    generator = Generator(seed=0)
    history = synthetic_history(args.history, generator)
    cases = queries(args.queries, generator)
    generated = time.perf_counter() - start
    embedder = HashedBigramEmbedder()

    start = time.perf_counter()
    index = HistoryIndex.build(history, embedder, call_year=2026)
    build = time.perf_counter() - start

    latencies, cpu = [], []
    for case in cases[: args.single]:
        start, start_cpu = time.perf_counter(), time.process_time()
        index.query(case)
        latencies.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    start, start_cpu = time.perf_counter(), time.process_time()
    matches = sum(len(found) for found in index.query_many(cases))
    total, total_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    found, expected = planted_found(index, cases)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"history: {len(history):,} cases (generated in {generated:.1f} s); queries: {len(cases):,}")
    print(f"index build: {build:.1f} s ({build / len(history) * 1e6:.0f} µs per case)")
    print(
        f"one case: p50 {statistics.median(latencies):.1f} ms, "
        f"p95 {np.percentile(latencies, 95):.1f} ms, max {max(latencies):.1f} ms (over {len(latencies)} cases)"
    )
    print(f"  CPU time per case: p50 {statistics.median(cpu):.1f} ms, p95 {np.percentile(cpu, 95):.1f} ms")
    print(
        f"{len(cases):,} cases with query_many: {total:.1f} s wall, {total_cpu:.1f} s CPU ({matches:,} matches)"
    )
    print(f"planted repeats of the sample found in the {len(history):,}-case history: {found}/{expected}")
    print(
        f"peak RSS: {peak_mb:,.0f} MB; load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(f"default embedder, one query text: {default_embedder_ms(cases[0].text)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
