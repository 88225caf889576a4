"""Classification throughput and peak memory with the default (lexical) setup.

Run: ``.venv/bin/python benchmarks/bench_classify.py [--cases 1000] [--version V] [--full-length]``. Cases are
corpus summaries (about 240 characters) with their sentences rotated, so no two texts repeat; ``--full-length``
pads them to the form's word limits (3,900 characters), which the 200 cases/s target was not set for. Prints cases per second for the probabilities alone and
for full suggestions (prediction sets, evidence sentences, terms, deciding phrases, definition clauses, reasons), the lexical embedder's rate, and the peak resident
memory of the process. Targets: ≥ 200 cases/s for suggestions, peak memory < 1 GB.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.backends.embed import get_embedder  # noqa: E402
from pipelines.classify.data import CORPUS_FILE, load_labelled  # noqa: E402
from pipelines.classify.docs import prepare  # noqa: E402
from pipelines.classify.versions import load_model  # noqa: E402
from pipelines.config import Settings  # noqa: E402
from pipelines.text import split_sentences  # noqa: E402
from pipelines.vocabulary import SECTION_LIMITS  # noqa: E402


def _cases(n: int, full_length: bool = False) -> list[tuple[str, str, int | None]]:
    """Corpus summaries with their sentences rotated; ``full_length`` pads each to the form's word limits
    (3,900 characters) with sentences of the other corpus cases."""
    corpus = load_labelled(CORPUS_FILE)
    pool = [s for case in corpus for s in split_sentences(case.text)]
    limit = sum(SECTION_LIMITS.values())
    cases = []
    for i in range(n):
        case = corpus[i % len(corpus)]
        sentences = split_sentences(case.text)
        shift = (i // len(corpus)) % max(len(sentences), 1)
        text = "".join(sentences[shift:] + sentences[:shift])
        step = i * 97
        while full_length and len(text) + 60 < limit:
            text += pool[step % len(pool)]
            step += 1
        cases.append((case.title, text[:limit] if full_length else text, case.category))
    return cases


def _rate(label: str, n: int, seconds: float) -> float:
    rate = n / seconds
    print(f"{label:<34} {n:>6d} 个  {seconds:7.2f} s  {rate:8.1f} 个/秒")
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(description="类别分类吞吐量与内存基准")
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--version", default=None)
    parser.add_argument(
        "--full-length", action="store_true", help="cases padded to the form's 3,900 characters"
    )
    args = parser.parse_args()
    model = load_model(args.version)
    cases = _cases(args.cases, args.full_length)
    print(f"平均 {sum(len(text) for _, text, _ in cases) / len(cases):.0f} 字/件")
    model.suggest_many(cases[:5], settings=Settings())  # warm-up: jieba dictionary, lazy imports

    started = time.perf_counter()
    docs = [prepare(title, text) for title, text, _ in cases]
    model.predict_proba(docs)
    _rate("概率（分词 + 特征 + 模型）", len(cases), time.perf_counter() - started)

    started = time.perf_counter()
    suggestions = model.suggest_many(cases, settings=Settings())
    rate = _rate("完整建议（含证据句、词语、理由）", len(cases), time.perf_counter() - started)

    embedder = get_embedder(Settings())
    started = time.perf_counter()
    embedder.embed([text for _, text, _ in cases])
    _rate(f"词汇向量 {embedder.id}", len(cases), time.perf_counter() - started)

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    flagged = sum(s.misfiled for s in suggestions)
    print(f"模型版本 {model.version}；误报标记 {flagged} 个（声明类别 = 语料真实类别）")
    print(f"峰值内存 {peak_mb:.0f} MB（目标 < 1024 MB）；完整建议 {rate:.0f} 个/秒（目标 ≥ 200）")
    return 0 if rate >= 200 and peak_mb < 1024 else 1


if __name__ == "__main__":
    sys.exit(main())
