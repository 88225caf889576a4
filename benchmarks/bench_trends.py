"""Trend analysis speed on the sample data: each stage of ``build_report``, the exports, exact vs.
Barnes-Hut t-SNE (the choice in ``pipelines.trends.clusters._tsne``), and the 趋势分析 page (AppTest, a temporary
SQLite store seeded with the sample). Prints seconds and ratios from one run.

Run: ``.venv/bin/python benchmarks/bench_trends.py``
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.manifold import TSNE

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines import auth, config, store, trends  # noqa: E402
from pipelines.config import PROJ_ROOT, SAMPLE_DIR  # noqa: E402
from pipelines.intake.history import read_table  # noqa: E402
from pipelines.schema import PreviousApplication, Submission  # noqa: E402


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


def _seed_sample(url: str) -> auth.User:
    engine = store.get_engine(url)
    for path in sorted((SAMPLE_DIR / "history").glob("*.jsonl")):
        store.save_past_cases(engine, read_table(path))
    lines = (SAMPLE_DIR / "submissions_2026.jsonl").read_text(encoding="utf-8").splitlines()
    for record in map(json.loads, filter(str.strip, lines)):
        declared = record.get("declared_categories") or []
        submission = Submission(
            file_name=f"{record['id']}.docx",
            content_hash=record["id"],
            title=record["title"],
            unit=record["unit"],
            declared_category=declared[0] if len(declared) == 1 else None,
            sections=record["sections"],
            text="\n".join(record["sections"].values()),
            previous_applications=[
                PreviousApplication(p.get("year"), p.get("title", "")) for p in record["previous"]
            ],
        )
        store.save_submission(engine, submission, 2026)
    return auth.create_user(engine, auth.SYSTEM, "bench", "analyst", "bench-password-1").user


def _page() -> None:
    from streamlit.testing.v1 import AppTest

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        os.environ["DATABASE_URL"] = url
        config.get_settings.cache_clear()
        analyst = _seed_sample(url)
        at = AppTest.from_file(str(PROJ_ROOT / "app.py"), default_timeout=600)
        at.session_state["user_id"] = analyst.id
        at.run()
        _, first = _timed("page: first render (186 cases)", at.switch_page("app_pages/trends.py").run)
        _, again = _timed("page: rerun (cached report)", at.run)
        at.multiselect(key="trends_outcomes").set_value(["awarded"])
        _timed("page: new filter (awarded only)", at.run)
        print(f"{'first render / cached rerun':<36}{first / again:>8.1f} ×")
        store.dispose_engines()


def main() -> None:
    frame, _ = _timed("load_sample", trends.load_sample)
    texts = trends.case_text(frame)
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
    _page()


if __name__ == "__main__":
    main()
