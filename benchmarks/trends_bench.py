"""Trend analysis speed on the sample data: each stage of ``build_report``, the exports, and exact vs.
Barnes-Hut t-SNE (the choice in ``pipelines.trends._tsne``). Prints seconds and ratios from one run.

Run: ``.venv/bin/python benchmarks/trends_bench.py``
"""

from __future__ import annotations

import time

import numpy as np
from sklearn.manifold import TSNE

from pipelines import trends


def _timed(label: str, action, *args, **kwargs):
    start = time.perf_counter()
    result = action(*args, **kwargs)
    seconds = time.perf_counter() - start
    print(f"{label:<36}{seconds:>8.2f} s")
    return result, seconds


def _tsne_methods(dense: np.ndarray) -> None:
    times = {}
    for method in ("exact", "barnes_hut"):
        tsne = TSNE(perplexity=30.0, init="pca", max_iter=500, method=method, random_state=0)
        _, times[method] = _timed(f"t-SNE {method} (n={len(dense)})", tsne.fit_transform, dense)
    print(f"{'Barnes-Hut / exact':<36}{times['barnes_hut'] / times['exact']:>8.2f} ×")


def main() -> None:
    frame, _ = _timed("load_sample", trends.load_sample)
    texts = trends._case_text(frame)
    _timed("term_trends (tokenise, first call)", trends.term_trends, frame)
    _timed("term_trends (tokens cached)", trends.term_trends, frame)
    _timed("mention_shares", trends.mention_shares, frame, trends.load_terms())
    _timed("mark_repeats", trends.mark_repeats, frame)
    vectors, _ = _timed("case_vectors", trends.case_vectors, texts)
    _timed("cluster_cases", trends.cluster_cases, frame, 2026, vectors)
    _timed("case_map", trends.case_map, frame, vectors)
    report, _ = _timed("build_report (tokens cached)", trends.build_report, frame)
    tables = trends.report_tables(report)
    _timed("excel_bytes", trends.excel_bytes, tables)
    for stem, chart in trends.report_charts(report).items():
        _timed(f"png {stem}", trends.chart_bytes, chart, "png")
    rng = np.random.default_rng(0)
    _tsne_methods(vectors)
    larger = np.vstack([vectors + 0.01 * rng.standard_normal(vectors.shape) for _ in range(4)])
    _tsne_methods(larger)


if __name__ == "__main__":
    main()
