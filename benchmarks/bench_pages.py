"""Server-side render time of the review queue and the case page with 2,000 submissions and 10,000 past cases.

A temporary SQLite database is filled with synthetic cases carrying every kind of suggestion the analysis
stores (category with evidence, eligibility findings, duplicates with aligned passages, offline and LLM
scores) and 2,000 reviews; each page is then run through Streamlit's AppTest as a reviewer and as an
organizer, right after a data change (the per-user queue cache cleared) and with the cache warm. Target: under
1.5 s per page. Prints one table; nothing is asserted.

    .venv/bin/python benchmarks/bench_pages.py [--submissions 2000] [--past 10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

PROJ_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJ_ROOT))

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from pipelines import auth, store  # noqa: E402
from pipelines.schema import AlignedPair, CategorySuggestion, DuplicateMatch, Finding, PastCase, ScoreResult  # noqa: E402
from pipelines.store import ReviewRow, SubmissionRow, SuggestionRow  # noqa: E402
from pipelines.vocabulary import CRITERIA  # noqa: E402
from tests.workbench_data import submission  # noqa: E402

SENTENCES = [
    "报社上线融媒体客户端，打造新媒体矩阵，覆盖微信、微博、抖音等平台",
    "团队自建行业数据库，覆盖31个省区市，每周更新一次",
    "全网阅读量超过1.2亿次，单篇最高阅读量达860万次",
    "该模式已被5家行业媒体复制推广，形成可借鉴的生产流程",
    "引入大模型辅助采编，生成式人工智能日均处理稿件200篇",
    "建立以质量为导向的考核分配机制，融媒体工作室增至12个",
    "面向海外用户推出多语种短视频，海外社交平台粉丝达80万",
    "开展新闻+政务服务，接入便民事项46项，服务群众超过300万人次",
    "坚持正确政治方向和舆论导向，围绕中心工作开展主题宣传",
    "首创行业数字人主播，获得国家发明专利2项",
]
UNITS = [f"中国{name}报社" for name in ("能源观察", "建材时", "海洋资源", "金融时讯", "水利水电", "铁道时讯")]
CODES = [
    ("not_online", "blocker"),
    ("over_limit", "check"),
    ("launch_unknown", "check"),
    ("misfiled", "check"),
]


def _text(rng: random.Random, sentences: int) -> str:
    return "。".join(rng.choice(SENTENCES) for _ in range(sentences)) + "。"


def build(url: str, n_submissions: int, n_past: int, seed: int = 7) -> dict[str, int]:
    """Fill the database at ``url``; returns the ids the timing needs."""
    rng = random.Random(seed)
    engine = store.get_engine(url)
    past = [
        PastCase(
            f"H{i:05d}", 2024 + i % 2, f"往年案例{i}", rng.choice(UNITS), _text(rng, 12), "awarded", 1 + i % 6
        )
        for i in range(n_past)
    ]
    store.save_past_cases(engine, past)
    org = auth.create_user(engine, auth.SYSTEM, "org", "organizer", "org-password").user
    reviewers = [
        auth.create_user(engine, org, f"r{i}", "reviewer", "reviewer-password", unit=f"某某单位{i}").user
        for i in range(5)
    ]
    with store.session_scope(engine) as session:
        rows = []
        for i in range(n_submissions):
            sections = {
                label: _text(rng, 8) for label in ("案例简介", "主要做法", "创新点", "取得成效", "推广价值")
            }
            sub = submission(
                i, f"案例{i}：{rng.choice(SENTENCES)[:12]}", rng.choice(UNITS), 1 + i % 6, sections
            )
            rows.append(SubmissionRow.from_submission(sub, 2026))
        session.add_all(rows)
        session.flush()
        for row in rows:
            session.add_all(_suggestions(rng, row))
        for n, row in enumerate(rows[: 2 * len(rows) // 5]):
            for reviewer in rng.sample(reviewers, 5 if n % 4 == 0 else 1):
                scores = {key: float(rng.randint(40, 95)) for key in CRITERIA}
                session.add(
                    ReviewRow(
                        submission_id=row.id,
                        reviewer_id=reviewer.id,
                        final_category=row.declared_category,
                        decision=rng.choice(["推荐", "待定", "不推荐"]),
                        comments="意见",
                        **scores,
                    )
                )
        ids = {
            "first": rows[0].id,
            "middle": rows[len(rows) // 2].id,
            "reviewer": reviewers[0].id,
            "org": org.id,
        }
    store.dispose_engines()
    return ids


def _suggestions(rng: random.Random, row: SubmissionRow) -> list[SuggestionRow]:
    """What analysis stores for one case: category, findings, duplicates, offline (and some LLM) scores."""
    text = row.payload["text"]
    sentences = [s for s in text.split("。") if s]
    top = 1 + rng.randrange(6)
    probabilities = {str(c): (0.7 if c == top else 0.06) for c in range(1, 7)}
    category = asdict(
        CategorySuggestion(
            top,
            {},
            [top, 1 + top % 6],
            True,
            top != row.declared_category,
            top,
            ["理由一", "理由二"],
            {top: sentences[:2]},
            {top: ["融媒体", "客户端"]},
            "bench",
        )
    )
    category.update(
        probabilities=probabilities, evidence={str(top): sentences[:2]}, terms={str(top): ["融媒体"]}
    )
    findings = [
        asdict(Finding(code, severity, f"{code} 的说明"))
        for code, severity in rng.sample(CODES, rng.randrange(3))
    ]
    matches = [
        asdict(
            DuplicateMatch(
                f"H{rng.randrange(10000):05d}",
                "past_awardee",
                "past_awardee_repeat",
                0.8,
                {"title": 0.7},
                ["单位相同"],
                aligned=[
                    AlignedPair(s, s + "。新增内容", 0.9, "案例简介", "案例简介") for s in sentences[:3]
                ],
            )
        )
        for _ in range(rng.randrange(3))
    ]
    scores = {
        k: float(rng.randint(30, 95)) for k in ("political", "innovation", "effectiveness", "typicality")
    }
    evidence = {k: sentences[:2] for k in scores}
    payloads = [
        ("category", category),
        ("eligibility", findings),
        ("duplicates", matches),
        ("scores", asdict(ScoreResult(scores, evidence, "offline", novelty=0.4))),
    ]
    if rng.random() < 0.3:
        payloads.append(("llm_scores", asdict(ScoreResult(scores, evidence, "llm", model="bench-llm"))))
    return [
        SuggestionRow(submission_id=row.id, kind=kind, payload=payload, agent="bench")
        for kind, payload in payloads
    ]


def _run(at: AppTest, page: str, case_id: int | None, clear_cache: bool) -> float:
    if clear_cache:
        st.cache_data.clear()
    if case_id is not None:
        at.query_params["case"] = str(case_id)
    at.switch_page(f"app_pages/{page}")
    start = time.perf_counter()
    at.run()
    if at.exception:
        raise RuntimeError(at.exception[0].value)
    return time.perf_counter() - start


def time_pages(user_id: int, case_id: int, runs: int) -> dict[str, tuple[float, float, float]]:
    """Seconds per page for one signed-in user: (first run, median with the queue cache cleared before each
    run = right after any data change, median with the cache warm = browsing without changes)."""
    at = AppTest.from_file(str(PROJ_ROOT / "app.py"), default_timeout=120)
    at.session_state["user_id"] = user_id
    st.cache_data.clear()
    start = time.perf_counter()
    at.run()  # signing in lands on the queue: its first run
    figures = {"评审队列": [time.perf_counter() - start]}
    figures["案例详情（从队列进入）"] = [_run(at, "case_detail.py", case_id, clear_cache=True)]
    for label, page, case in (
        ("评审队列", "review_queue.py", None),
        ("案例详情（从队列进入）", "case_detail.py", case_id),
    ):
        misses = [_run(at, page, case, clear_cache=True) for _ in range(runs)]
        hits = [_run(at, page, case, clear_cache=False) for _ in range(runs)]
        figures[label] += [statistics.median(misses), statistics.median(hits)]
    del at.session_state[
        "queue_order"
    ]  # a link opened in a new tab: the case page builds the queue order itself
    first = _run(at, "case_detail.py", case_id, clear_cache=True)
    misses = [_run(at, "case_detail.py", case_id, clear_cache=True) for _ in range(runs)]
    hits = [_run(at, "case_detail.py", case_id, clear_cache=False) for _ in range(runs)]
    figures["案例详情（直接打开链接）"] = [first, statistics.median(misses), statistics.median(hits)]
    return {label: tuple(values) for label, values in figures.items()}


def main() -> int:
    cache_log = logging.getLogger("streamlit.runtime.caching.cache_data_api")
    cache_log.addFilter(lambda record: "No runtime found" not in record.getMessage())  # our cache clears
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=2000)
    parser.add_argument("--past", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        os.environ["DATABASE_URL"] = url
        for key in [k for k in os.environ if k.startswith("WORKBENCH_")]:
            del os.environ[key]
        os.environ["WORKBENCH_CALL_YEAR"] = "2026"
        start = time.perf_counter()
        ids = build(url, args.submissions, args.past)
        print(
            f"数据库：{args.submissions} 件申报、{args.past} 件往年案例，生成用时 {time.perf_counter() - start:.1f} s"
        )
        print("角色\t页面\t首次 s\t数据变化后(中位) s\t缓存命中(中位) s\t目标 < 1.5 s（三列都算）")
        failed = 0
        for role, user_key in (("评审专家", "reviewer"), ("组织者", "org")):
            for label, (first, miss, hit) in time_pages(ids[user_key], ids["middle"], args.runs).items():
                slow = [
                    name
                    for name, value in (("首次", first), ("数据变化后", miss), ("缓存命中", hit))
                    if value >= 1.5
                ]
                failed += bool(slow)
                verdict = "达标" if not slow else f"未达标（{'、'.join(slow)}）"
                print(f"{role}\t{label}\t{first:.2f}\t{miss:.2f}\t{hit:.2f}\t{verdict}")
        print(f"负载 {os.getloadavg()[0]:.1f}（{os.cpu_count()} 核）")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
