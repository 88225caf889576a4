"""Trend analysis on constructed data where the right answer is known, the store loader, the exports, the
command line, and the analyst notebook executed top to bottom."""

from __future__ import annotations

import io
import random
from dataclasses import asdict

import nbformat
import numpy as np
import openpyxl
import pytest
from nbclient import NotebookClient
from scipy import stats
from sklearn.metrics import adjusted_rand_score

from pipelines import auth, store, trends
from pipelines.__main__ import main
from pipelines.config import PROJ_ROOT
from pipelines.review import decisions as review
from pipelines.schema import CategorySuggestion, DuplicateMatch, PastCase, PreviousApplication, Submission
from pipelines.trends import TrendCase, TrendError

NEUTRAL = [
    "报社整合采编力量，优化内容生产流程。",
    "平台上线后用户规模稳步增长。",
    "团队坚持移动优先，提升传播效果。",
    "项目建立了完善的运营机制和考核办法。",
    "栏目定期策划专题，服务行业读者。",
    "客户端设置多个频道，满足不同用户需求。",
    "报社与高校合作开展人才培养。",
    "累计发布稿件数千篇，阅读量持续提升。",
    "编辑部每周召开选题会，统筹线上线下报道。",
    "读者来信数量明显增加，互动更加活跃。",
]
RISING = "数字人主播参与新闻播报。"
FLAT = "短视频账号同步发布精彩内容。"
FALLING = "中央厨房统一调度采编资源。"
AVATAR = [
    "数字人主播每天播报行业新闻。",
    "虚拟主播实现全天候直播。",
    "数字人形象由动作捕捉驱动。",
    "虚拟主播支持多语种播报。",
    "数字人播报节省了演播室成本。",
]
LEDGER = [
    "区块链存证保护原创版权。",
    "版权交易平台基于区块链搭建。",
    "每篇稿件上链生成唯一存证编号。",
    "区块链技术追溯稿件传播路径。",
    "存证数据同步至司法鉴定机构。",
]


def _case(case_id: str, year: int, text: str, **values) -> TrendCase:
    defaults = {"category": 2, "outcome": "not_selected", "unit": f"单位{case_id}", "title": f"案例{case_id}"}
    defaults.update(values)
    return TrendCase(case_id, year, text=text, **defaults)


def _planted(n: int = 40, seed: int = 7) -> list[TrendCase]:
    """``n`` cases in 2024 and 2025: RISING in half of 2025 only, FALLING in half of 2024 only, FLAT in half
    of both years, the rest neutral sentences."""
    rng = random.Random(seed)
    cases = []
    for year in (2024, 2025):
        for i in range(n):
            sentences = rng.sample(NEUTRAL, 4)
            if i % 2 == 0:
                sentences.append(FLAT)
            if i % 2 == 1 and year == 2025:
                sentences.append(RISING)
            if i % 2 == 1 and year == 2024:
                sentences.append(FALLING)
            rng.shuffle(sentences)
            cases.append(_case(f"{year}-{i}", year, "".join(sentences)))
    return cases


@pytest.fixture(scope="module")
def planted():
    return trends.cases_frame(_planted())


# ------------------------------------------------------------------------------------------- the frame


def test_cases_frame_derives_names_labels_and_unit_groups():
    frame = trends.cases_frame(
        [
            _case("a", 2024, "正文", unit="中国能源观察报社", category=4, outcome="awarded"),
            _case("b", 2025, "正文", unit="能源观察报", category=None, outcome="pending"),
            _case("c", 2025, "正文", unit="中国能源观察报社"),
        ]
    )
    assert frame["category_name"].tolist() == ["数智技术应用", "未定类别", "内容供给创新"]
    assert frame["outcome_label"].tolist() == ["入选", "本届申报", "未入选"]
    assert set(frame["unit_group"]) == {"中国能源观察报社"}
    assert str(frame["category"].dtype) == "Int64"


def test_an_empty_frame_keeps_its_columns():
    frame = trends.cases_frame([])
    assert frame.empty
    assert set(trends.CASE_COLUMNS) <= set(frame.columns)
    assert trends.unit_history(frame).empty
    assert trends.case_map(frame).empty


@pytest.mark.parametrize(
    ("case", "message"),
    [
        (_case("x", 2024, "t", outcome="入选"), "结果「入选」无法识别"),
        (_case("x", 24, "t"), "年份「24」不是有效年份"),
        (_case("x", 2024, "t", category=9), "类别「9」不在 1–6 之间"),
    ],
)
def test_bad_cases_are_refused_with_a_chinese_message(case, message):
    with pytest.raises(TrendError, match=message):
        trends.cases_frame([case])


def test_repeated_ids_are_refused():
    with pytest.raises(TrendError, match="案例编号重复：a"):
        trends.cases_frame([_case("a", 2024, "t"), _case("a", 2025, "t")])


def test_filter_cases_by_year_category_and_outcome():
    frame = trends.cases_frame(
        [
            _case("a", 2024, "t", category=1, outcome="awarded"),
            _case("b", 2025, "t", category=1, outcome="not_selected"),
            _case("c", 2025, "t", category=None, outcome="pending"),
            _case("d", 2025, "t", category=3, outcome="awarded"),
        ]
    )
    assert trends.filter_cases(frame, years=[2025])["id"].tolist() == ["b", "c", "d"]
    assert trends.filter_cases(frame, categories=[1])["id"].tolist() == ["a", "b"]
    assert trends.filter_cases(frame, categories=[None, 3])["id"].tolist() == ["c", "d"]
    assert trends.filter_cases(frame, years=[2025], outcomes=["awarded"])["id"].tolist() == ["d"]
    assert trends.filter_cases(frame, outcomes=[]).empty


# ------------------------------------------------------------------------------------ counts and shares


def _outcome_frame():
    cases = []
    for year, layout in {
        2024: [(1, "awarded", 2), (1, "not_selected", 4), (2, "awarded", 4)],
        2025: [(3, "pending", 5)],
    }.items():
        for category, outcome, n in layout:
            cases += [
                _case(f"{year}-{category}-{outcome}-{i}", year, "t", category=category, outcome=outcome)
                for i in range(n)
            ]
    return trends.cases_frame(cases)


def test_shares_sum_to_one_per_year_and_award_rates_use_decided_cases():
    shares = trends.category_shares(_outcome_frame())
    assert shares.groupby("year")["share"].sum().to_dict() == pytest.approx({2024: 1.0, 2025: 1.0})
    first = shares[(shares["year"] == 2024) & (shares["category"] == 1)].iloc[0]
    assert (first["cases"], first["awarded"], first["decided"]) == (6, 2, 6)
    assert first["share"] == pytest.approx(0.6)
    assert first["award_rate"] == pytest.approx(1 / 3)
    pending = shares[shares["year"] == 2025].iloc[0]
    assert np.isnan(pending["award_rate"])


def test_counts_by_year_category_outcome():
    counts = trends.category_counts(_outcome_frame())
    assert counts["cases"].sum() == 15
    assert counts.groupby("year")["share_of_year"].sum().to_dict() == pytest.approx({2024: 1.0, 2025: 1.0})
    row = counts[(counts["year"] == 2024) & (counts["category"] == 1) & (counts["outcome"] == "awarded")]
    assert row["cases"].item() == 2
    assert row["share_in_category"].item() == pytest.approx(2 / 6)


# ----------------------------------------------------------------------------------- terms and phrases


def test_g2_matches_scipy_log_likelihood_ratio():
    rng = np.random.default_rng(0)
    tables = rng.integers(0, 40, size=(20, 4))
    ours = trends.g2_two_by_two(*tables.T)
    for table, value in zip(tables, ours, strict=True):
        if (table.reshape(2, 2).sum(axis=0) == 0).any() or (table.reshape(2, 2).sum(axis=1) == 0).any():
            continue
        expected = stats.chi2_contingency(table.reshape(2, 2), correction=False, lambda_="log-likelihood")[0]
        assert value == pytest.approx(expected)
    assert trends.g2_two_by_two(np.array([5]), np.array([5]), np.array([10]), np.array([10]))[
        0
    ] == pytest.approx(0)


def test_a_planted_term_rises_a_dropped_term_falls_and_a_flat_term_stays_flat(planted):
    changes = trends.term_changes(planted, 2024, 2025).set_index("term")
    rising, falling, flat = changes.loc["数字人"], changes.loc["中央厨房"], changes.loc["短视频"]
    assert (rising["df_from"], rising["df_to"]) == (0, 20)
    assert rising["direction"] == "rising" and rising["q"] < 0.001 and rising["log2_ratio"] > 3
    assert falling["direction"] == "falling" and falling["q"] < 0.001 and falling["log2_ratio"] < -3
    assert flat["direction"] == "flat" and flat["q"] > 0.5 and abs(flat["log2_ratio"]) < 0.1
    # Only the words of the planted sentences move; their phrases (数字人主播…) occur in exactly the same
    # cases as their words and are dropped as redundant.
    assert set(changes.index[changes["direction"] == "rising"]) == {"数字人", "主播", "参与", "新闻", "播报"}
    assert set(changes.index[changes["direction"] == "falling"]) == {"中央厨房", "统一", "调度", "资源"}
    top = trends.top_changes(changes.reset_index(), "rising", 3)
    assert len(top) == 3 and top["g2"].is_monotonic_decreasing


def test_phrases_that_add_nothing_to_their_parts_are_dropped(planted):
    changes = trends.term_changes(planted, 2024, 2025, max_n=3)
    texts = trends.case_text(planted[planted["year"].isin([2024, 2025])])
    grams_of = [
        {
            clause[i : i + n]
            for clause in trends.clause_tokens(text)
            for n in (1, 2, 3)
            for i in range(len(clause) - n + 1)
        }
        for text in texts
    ]

    def found_in(gram):
        return {i for i, grams in enumerate(grams_of) if gram in grams}

    tokens = {trends.join_tokens(g): g for grams in grams_of for g in grams}
    phrases = changes[changes["tokens"] > 1]
    assert len(phrases) > 0 and len(changes[changes["tokens"] == 1]) > 0
    for term in phrases["term"]:
        gram = tokens[term]
        assert len(gram) == changes.set_index("term").loc[term, "tokens"]
        assert found_in(gram) != found_in(gram[:-1]) and found_in(gram) != found_in(gram[1:])


def test_numbers_and_single_characters_are_not_terms():
    terms = trends.doc_terms("2025年平台用户增长30%，5G和H5页面上线。", max_n=1)
    assert "5g" in terms and "h5" in terms
    assert not any(term.isdigit() or len(term) < 2 for term in terms)


def test_min_df_limits_the_terms_tested(planted):
    everything = trends.term_changes(planted, 2024, 2025, min_df=1)
    frequent = trends.term_changes(planted, 2024, 2025, min_df=35)
    assert 0 < len(frequent) < len(everything)
    assert ((frequent["df_from"] + frequent["df_to"]) >= 35).all()
    assert "数字人" in set(everything["term"]) and "数字人" not in set(frequent["term"])


def test_comparing_a_year_without_cases_is_refused(planted):
    with pytest.raises(TrendError, match="2023 年没有案例"):
        trends.term_changes(planted, 2023, 2025)


def test_term_trends_stacks_consecutive_years(planted):
    third = [_case(f"2026-{i}", 2026, NEUTRAL[i % len(NEUTRAL)] + RISING) for i in range(10)]
    frame = trends.cases_frame(_planted() + third)
    pairs = trends.term_trends(frame)[["year_from", "year_to"]].drop_duplicates()
    assert sorted(map(tuple, pairs.to_numpy().tolist())) == [(2024, 2025), (2025, 2026)]
    assert trends.term_trends(frame[frame["year"] == 2024]).empty


# ----------------------------------------------------------------------------- technology and themes


def test_the_shipped_term_list_loads_and_has_the_key_entries():
    names = {term.name for term in trends.load_terms()}
    assert {
        "大模型",
        "AIGC",
        "数字人",
        "智能体",
        "国际传播中心",
        "新闻+政务服务",
        "中央厨房",
        "数据资产",
    } <= names


def test_mentions_use_synonyms_word_boundaries_and_exclusions():
    themes = [
        trends.ThemeTerm("大模型", "技术", ("大模型", "LLM", "生成式人工智能")),
        trends.ThemeTerm("人工智能", "技术", ("人工智能", "AI")),
        trends.ThemeTerm("数字人", "技术", ("数字人", "虚拟主播"), exclude=("数字人民币",)),
        trends.ThemeTerm("智能体", "技术", ("智能体", "Agent")),
    ]
    texts = [
        "基于ＬＬＭ的写作助手",  # full width, upper case
        "AIGC 内容与 MAIL 推送",  # neither AI nor LLM
        "推广数字人民币支付",  # excluded
        "虚拟主播与AI主播",
        "部署agent自动答复",
    ]
    found = trends.mention_matrix(texts, themes)
    assert found.tolist() == [
        [True, False, False, False],
        [False, False, False, False],
        [False, False, False, False],
        [False, True, True, False],
        [False, False, False, True],
    ]


def test_mention_shares_per_year_and_category():
    themes = [trends.ThemeTerm("数字人", "技术", ("数字人",))]
    frame = trends.cases_frame(
        [
            _case("a", 2024, "数字人", category=4),
            _case("b", 2024, "平台", category=4),
            _case("c", 2025, "数字人", category=4),
            _case("d", 2025, "数字人", category=2),
        ]
    )
    by_year = trends.mention_shares(frame, themes).set_index("year")
    assert by_year["share"].to_dict() == {2024: 0.5, 2025: 1.0}
    assert by_year["cases"].to_dict() == {2024: 2, 2025: 2}
    by_category = trends.mention_shares(frame, themes, by=("year", "category_name"))
    assert len(by_category) == 3 and by_category["share"].tolist() == [0.5, 1.0, 1.0]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("terms: [", "格式有误"),
        ("other: 1", "没有 terms 列表"),
        ("terms:\n  - group: 技术\n    synonyms: [x]", "第 1 项缺少 name"),
        (
            "terms:\n  - name: 甲\n    synonyms: [a]\n  - name: 乙\n    synonyms: []",
            "第 2 项（乙）没有 synonyms",
        ),
        ("terms:\n  - name: 甲\n    synonyms: [a]\n  - name: 甲\n    synonyms: [b]", "名称重复：甲"),
    ],
)
def test_a_broken_term_list_is_refused_with_the_entry_named(tmp_path, content, message):
    path = tmp_path / "terms.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TrendError, match=message):
        trends.load_terms(path)


def test_a_missing_term_list_says_which_file(tmp_path):
    with pytest.raises(TrendError, match="找不到技术与主题词表"):
        trends.load_terms(tmp_path / "none.yaml")


# ------------------------------------------------------------------------------------------------ units

PLATFORM = "报社建设行业云展厅平台，汇聚建材企业产品与直播资源，服务采购商在线看样和洽谈。" * 3


def _unit_cases() -> list[TrendCase]:
    return [
        _case(
            "A1", 2024, PLATFORM, unit="中国建材时报社", title="建材行业云展厅", outcome="awarded", category=3
        ),
        _case("A2", 2025, PLATFORM + "新增直播带货频道。", unit="建材时报", title="云展厅升级版", category=3),
        _case(
            "A3",
            2026,
            "全新的数字人主播栏目，播报行业快讯。",
            unit="中国建材时报社",
            title="数字人主播",
            outcome="pending",
            category=4,
        ),
        _case(
            "B1",
            2024,
            "能源数据新闻专栏，可视化解读转型。",
            unit="中国能源观察报社",
            title="碳路观察",
            outcome="not_selected",
        ),
        _case(
            "B2",
            2025,
            "围绕能源转型开展系列报道和访谈。",
            unit="能源观察报",
            title="能源转型观察",
            outcome="awarded",
            declared_previous=("碳路观察",),
        ),
        _case(
            "C1", 2024, "海洋生态纪录片拍摄。", unit="中国海洋资源报社", title="蓝色家园", outcome="awarded"
        ),
        _case(
            "C2",
            2026,
            "讲好海洋故事的国际传播平台。",
            unit="海洋资源报",
            title="海洋国际传播",
            outcome="pending",
            flagged_repeat_of="C1",
        ),
        _case("D1", 2025, PLATFORM, unit="中国金融时讯报社", title="金融云展厅", outcome="not_selected"),
    ]


def test_unit_groups_merge_full_names_and_abbreviations():
    groups = trends.unit_groups(
        ["中国建材时报社", "建材时报", "中国建材时报社", "中国金融时讯报社", "金融时讯"]
    )
    assert groups["建材时报"] == groups["中国建材时报社"] == "中国建材时报社"
    assert groups["金融时讯"] == groups["中国金融时讯报社"] == "中国金融时讯报社"
    assert groups["中国金融时讯报社"] != groups["中国建材时报社"]


def test_repeats_by_detector_declaration_and_similarity_within_the_unit_only():
    frame = trends.cases_frame(_unit_cases())
    repeats = trends.mark_repeats(frame).set_index("id")
    assert repeats.loc["A2", ["repeat_of", "repeat_basis"]].tolist() == ["A1", "similar"]
    assert repeats.loc["A2", "repeat_similarity"] > 0.8
    assert repeats.loc["B2", ["repeat_of", "repeat_basis"]].tolist() == ["B1", "declared"]
    assert repeats.loc["C2", ["repeat_of", "repeat_basis"]].tolist() == ["C1", "detector"]
    # A3 is a new case of the same unit; D1 copies A1's text but is another unit and no later year.
    assert repeats.loc[["A1", "A3", "B1", "C1", "D1"], "repeat_of"].tolist() == ["", "", "", "", ""]


def test_unit_history_counts_applications_awards_and_repeat_rate():
    history = trends.unit_history(trends.cases_frame(_unit_cases())).set_index("unit")
    building = history.loc["中国建材时报社"]
    assert building[["applications", "awarded", "not_selected", "pending", "repeats"]].tolist() == [
        3,
        1,
        1,
        1,
        1,
    ]
    assert building["award_rate"] == pytest.approx(0.5)
    assert building["repeat_rate"] == pytest.approx(1 / 3)
    assert building["years"] == "2024、2025、2026"
    assert building["categories"] == "数智技术应用×1、运营服务创新×2"
    assert building["names"] == "中国建材时报社、建材时报"
    assert history.loc["中国能源观察报社", "award_rate"] == pytest.approx(0.5)
    assert history.loc["中国金融时讯报社", ["award_rate", "repeat_rate"]].tolist() == [0.0, 0.0]
    assert history["applications"].sum() == 8
    assert history.index[0] == "中国建材时报社"


def test_unit_cases_by_group_or_written_name():
    frame = trends.cases_frame(_unit_cases())
    assert trends.unit_cases(frame, "建材时报")["id"].tolist() == ["A1", "A2", "A3"]
    assert trends.unit_cases(frame, "中国建材时报社")["year"].tolist() == [2024, 2025, 2026]
    assert trends.unit_cases(frame, "建材时报社")["id"].tolist() == ["A1", "A2", "A3"]
    assert trends.unit_cases(frame, "不存在的单位").empty


# ---------------------------------------------------------------------------------- clusters and the map


def _two_topics(seed: int = 3) -> list[TrendCase]:
    rng = random.Random(seed)
    cases = [_case(f"P{i}", 2025, "".join(rng.sample(NEUTRAL, 5)), category=4) for i in range(20)]
    for topic, pool in (("avatar", AVATAR), ("ledger", LEDGER)):
        for i in range(6):
            text = "".join(rng.sample(pool, 3) + rng.sample(NEUTRAL, 2))
            cases.append(_case(f"{topic}{i}", 2026, text, category=4, outcome="pending"))
    cases.append(_case("other", 2026, "".join(NEUTRAL[:3]), category=1, outcome="pending"))
    return cases


def test_planted_clusters_are_found_and_labelled():
    frame = trends.cases_frame(_two_topics())
    clusters = trends.cluster_cases(frame, 2026)
    mine = clusters.assignments[clusters.assignments["category_name"] == "数智技术应用"]
    truth = [0 if case_id.startswith("avatar") else 1 for case_id in mine["id"]]
    assert adjusted_rand_score(truth, mine["cluster"]) == 1.0
    labels = dict(zip(mine["id"], mine["cluster_label"], strict=True))
    assert any(word in labels["avatar0"] for word in ("数字人", "虚拟主播", "播报"))
    assert any(word in labels["ledger0"] for word in ("区块链", "存证", "版权"))
    summary = clusters.summary[clusters.summary["category_name"] == "数智技术应用"]
    assert sorted(summary["size"]) == [6, 6] and (summary["silhouette"] > 0.1).all()
    # A category with fewer than min_cases cases stays one cluster; earlier years are not clustered.
    assert clusters.assignments.set_index("id").loc["other", "cluster"] == 0
    assert not clusters.assignments["id"].str.startswith("P").any()


def test_choose_clusters_on_hand_made_vectors():
    rng = np.random.default_rng(0)
    centres = np.eye(3)[:2]
    points = np.vstack(
        [centres[0] + 0.05 * rng.standard_normal((5, 3)), centres[1] + 0.05 * rng.standard_normal((4, 3))]
    )
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    labels, score = trends.choose_clusters(points)
    assert labels.tolist() == [0] * 5 + [1] * 4 and score > 0.8
    same = np.tile([[0.6, 0.8, 0.0]], (6, 1))
    labels, score = trends.choose_clusters(same)
    assert labels.tolist() == [0] * 6 and np.isnan(score)


def test_a_case_without_text_gets_cluster_minus_one():
    cases = _two_topics() + [_case("empty", 2026, "。。", title="——", category=4, outcome="pending")]
    clusters = trends.cluster_cases(trends.cases_frame(cases), 2026).assignments.set_index("id")
    assert clusters.loc["empty", "cluster"] == -1
    assert clusters.loc["empty", "cluster_label"] == "（无正文）"


def test_ctfidf_labels_pick_distinctive_terms():
    labels = trends.ctfidf_labels([AVATAR, LEDGER, [""]], top=2)
    assert "数字人" in labels[0] or "虚拟主播" in labels[0]
    assert "区块链" in labels[1] or "存证" in labels[1]
    assert labels[2] == ""


def test_the_case_map_puts_planted_groups_apart_and_is_reproducible():
    frame = trends.cases_frame(_two_topics())
    first = trends.case_map(frame, seed=1)
    assert first["id"].tolist() == frame["id"].tolist()
    assert np.isfinite(first[["x", "y"]].to_numpy()).all()
    assert first.equals(trends.case_map(frame, seed=1))
    planted = first[first["id"].str.match(r"avatar|ledger")]
    points, topic = planted[["x", "y"]].to_numpy(), planted["id"].str[:6].to_numpy()
    distances = np.linalg.norm(points[:, None] - points[None], axis=2)
    np.fill_diagonal(distances, np.inf)
    assert (topic[distances.argmin(axis=1)] == topic).all()
    same = topic[:, None] == topic[None]
    assert distances[same & np.isfinite(distances)].mean() < distances[~same].mean()


def test_the_case_map_handles_tiny_inputs_and_refuses_unknown_methods():
    frame = trends.cases_frame(_two_topics()[:2])
    assert trends.case_map(frame)[["x", "y"]].to_numpy().tolist() == [[0.0, 0.0], [1.0, 0.0]]
    three = trends.cases_frame(_two_topics()[:3])
    assert trends.case_map(three, method="pca").shape == (3, 3)
    with pytest.raises(TrendError, match="未知的降维方法"):
        trends.case_map(frame, method="umap")


# ------------------------------------------------------------------------------------- report, exports


@pytest.fixture(scope="module")
def report():
    cases = _planted(20) + _two_topics() + _unit_cases()
    return trends.build_report(trends.cases_frame(cases), current_year=2026)


def test_build_report_joins_every_analysis(report):
    assert report.current_year == 2026
    cases = report.cases.set_index("id")
    assert cases.loc["A2", "repeat_of"] == "A1"
    assert cases.loc["avatar0", "cluster_label"] and cases.loc["P0", "cluster_label"] == ""
    assert cases[["x", "y"]].notna().all().all()
    assert set(report.terms["year_from"]) == {2024, 2025}
    assert report.shares.groupby("year")["share"].sum().to_numpy() == pytest.approx(1.0)
    assert {"数字人", "区块链"} <= set(report.mentions["term"])
    assert report.units["applications"].sum() == len(report.cases)
    assert report.notes == []


def test_build_report_notes_what_cannot_be_computed():
    one_year = trends.build_report(trends.cases_frame(_planted(6)[:6]))
    assert any("只有一个年份" in note for note in one_year.notes)
    empty = trends.build_report(trends.cases_frame([]))
    assert any("没有案例" in note for note in empty.notes) and empty.current_year is None


def test_excel_export_has_every_table_with_chinese_headers(report):
    data = trends.excel_bytes(trends.report_tables(report))
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == [
        "类别占比",
        "年份类别结果",
        "词语升降",
        "技术主题提及",
        "技术主题分类别",
        "单位历史",
        "本届聚类",
        "案例",
    ]
    headers = [cell.value for cell in book["词语升降"][1]]
    assert {"词语", "G²", "q 值（BH）", "方向"} <= set(headers)
    assert book["案例"].max_row == len(report.cases) + 1
    cases = [[cell.value for cell in row] for row in book["案例"].iter_rows()]
    header = cases[0]
    b2 = next(row for row in cases if row[0] == "B2")
    assert b2[header.index("自述往年申报")] == "碳路观察" and b2[header.index("重复依据")] == "申报表自述"


def test_excel_export_writes_applicant_formulas_as_text():
    frame = trends.cases_frame(
        [
            TrendCase("A1", 2025, 1, "awarded", "@SUM(1)", '=HYPERLINK("http://evil","点此")', "正文一"),
            TrendCase("A2", 2025, 2, "not_selected", "-报社", "+融媒体中心", "正文二"),
        ]
    )
    data = trends.excel_bytes({"案例": frame[["id", "unit", "title"]]})
    sheet = openpyxl.load_workbook(io.BytesIO(data))["案例"]
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    values = {cell.value for cell in cells}
    assert '\'=HYPERLINK("http://evil","点此")' in values and "'+融媒体中心" in values and "'-报社" in values


def test_charts_render_to_png_and_svg(report):
    charts = trends.report_charts(report)
    assert {"category_shares", "theme_heatmap", "theme_mentions", "case_map", "terms_2024_2025"} <= set(
        charts
    )
    png = trends.chart_bytes(charts["category_shares"], "png")
    svg = trends.chart_bytes(charts["terms_2024_2025"], "svg")
    assert png.startswith(b"\x89PNG") and len(png) > 1000
    assert svg.lstrip().startswith(b"<svg") and "数字人".encode() in svg
    with pytest.raises(TrendError, match="不支持的图表格式"):
        trends.chart_bytes(charts["case_map"], "pdf")


# ------------------------------------------------------------------------------------------ store loader


def _submission(
    n: int, unit: str, declared: int | None, text: str, previous: list | None = None
) -> Submission:
    return Submission(
        file_name=f"申报表{n}.docx",
        content_hash=f"hash-{n}",
        title=f"本届案例{n}",
        unit=unit,
        implementer=unit,
        declared_category=declared,
        sections={"案例简介": text},
        text=text,
        previous_applications=previous or [],
    )


def _seed_store(engine):
    store.save_past_cases(
        engine,
        [
            PastCase("H1", 2024, "建材行业云展厅", "中国建材时报社", PLATFORM, "awarded", category=3),
            PastCase(
                "H2", 2025, "碳路观察", "中国能源观察报社", "能源数据新闻。", "not_selected", category=2
            ),
        ],
    )
    ids = [
        store.save_submission(engine, _submission(1, "建材时报", 2, PLATFORM), 2026).submission_id,
        store.save_submission(
            engine,
            _submission(2, "能源观察报", 2, "能源故事。", [PreviousApplication(2025, "碳路观察")]),
            2026,
        ).submission_id,
        store.save_submission(engine, _submission(3, "中国海洋资源报社", None, "海洋。"), 2026).submission_id,
        store.save_submission(engine, _submission(4, "中国金融时讯报社", 1, "金融。"), 2026).submission_id,
    ]
    suggestion = asdict(CategorySuggestion(category=4, probabilities={4: 0.9}, top2=[4, 2], confident=True))
    for submission_id in ids[:3]:
        store.save_suggestion(engine, submission_id, "category", suggestion, "test")
    match = asdict(DuplicateMatch("H1", "past_awardee", "past_awardee_repeat", 0.9))
    store.save_suggestion(engine, ids[0], "duplicates", [match], "dedupe")
    return ids


def test_load_cases_takes_reviewers_then_classifier_then_declared(engine):
    ids = _seed_store(engine)
    organizer = auth.create_user(engine, auth.SYSTEM, "org", "organizer", "org-password-1").user
    analyst = auth.create_user(engine, organizer, "ana", "analyst", "ana-password-1").user
    for name in ("r1", "r2"):
        reviewer = auth.create_user(engine, organizer, name, "reviewer", f"{name}-password-1").user
        scores = dict.fromkeys(("political", "innovation", "effectiveness", "typicality"), 70.0)
        review.save_review(engine, reviewer, ids[0], review.ReviewInput(5, scores, "推荐"))
    frame = trends.load_cases(engine, 2026, user=analyst).set_index("id")
    first, second, third, fourth = (frame.loc[f"S{i}"] for i in ids)
    assert (first["category"], first["category_source"]) == (5, "reviewers")
    assert (second["category"], second["category_source"]) == (4, "classifier")
    assert (fourth["category"], fourth["category_source"]) == (1, "declared")
    assert third["outcome"] == "pending" and first["unit_group"] == "中国建材时报社"
    assert first["flagged_repeat_of"] == "H1" and second["declared_previous"] == ("碳路观察",)
    assert frame.loc["H1", "category_source"] == "history"
    without_user = trends.load_cases(engine, 2026).set_index("id")
    assert without_user.loc[f"S{ids[0]}", "category_source"] == "classifier"
    repeats = trends.mark_repeats(frame.reset_index()).set_index("id")
    assert repeats.loc[f"S{ids[0]}", "repeat_basis"] == "detector"
    assert repeats.loc[f"S{ids[1]}", ["repeat_of", "repeat_basis"]].tolist() == ["H2", "declared"]


def test_a_year_already_in_the_past_cases_is_not_counted_twice(engine):
    _seed_store(engine)
    store.save_past_cases(engine, [PastCase("H3", 2026, "已评出", "中国建材时报社", "正文", "awarded")])
    frame = trends.load_cases(engine, 2026)
    assert not frame["id"].str.startswith("S").any()
    assert len(frame[frame["year"] == 2026]) == 1


def test_cli_writes_tables_and_charts_from_the_store(engine, sqlite_url, monkeypatch, tmp_path, capsys):
    from pipelines import config

    _seed_store(engine)
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setattr(config, "CONFIG_FILE", tmp_path / "config.toml")
    config.get_settings.cache_clear()
    try:
        assert main(["trends", "--out", str(tmp_path / "out"), "--year", "2026"]) == 0
    finally:
        config.get_settings.cache_clear()
    written = {path.name for path in (tmp_path / "out").iterdir()}
    assert {"trends.xlsx", "category_shares.svg", "category_shares.png", "case_map.png"} <= written
    assert all((tmp_path / "out" / name).stat().st_size > 0 for name in written)
    assert "已写出" in capsys.readouterr().out


def test_cli_on_an_empty_store_says_what_to_do(engine, sqlite_url, monkeypatch, tmp_path, capsys):
    from pipelines import config

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setattr(config, "CONFIG_FILE", tmp_path / "config.toml")
    config.get_settings.cache_clear()
    try:
        assert main(["trends", "--out", str(tmp_path / "out")]) == 1
    finally:
        config.get_settings.cache_clear()
    assert "没有案例" in capsys.readouterr().out
    assert not (tmp_path / "out").exists()


# ----------------------------------------------------------------------------------------- sample data


def test_sample_data_shows_the_planted_rise_of_large_models():
    frame = trends.load_sample()
    assert set(frame["year"]) == {2024, 2025, 2026}
    rising = trends.top_changes(trends.term_changes(frame, 2024, 2025), "rising", 15)["term"].tolist()
    assert {"大模型", "AIGC", "数字人", "智能体"} <= set(rising)


def test_load_sample_reports_a_broken_file(tmp_path):
    (tmp_path / "history").mkdir()
    (tmp_path / "history" / "part.jsonl").write_text('{"year": 2024, "title": "甲"\n', encoding="utf-8")
    with pytest.raises(TrendError, match="part.jsonl」第 1 行不是有效的 JSON"):
        trends.load_sample(tmp_path)
    with pytest.raises(TrendError, match="没有样例数据"):
        trends.load_sample(tmp_path / "history" / "nowhere")


def test_the_notebook_runs_top_to_bottom():
    notebook = nbformat.read(PROJ_ROOT / "notebooks" / "trends.ipynb", as_version=4)
    sources = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    assert "from pipelines import trends" in sources and "def " not in sources
    client = NotebookClient(
        notebook, kernel_name="python3", timeout=600, resources={"metadata": {"path": str(PROJ_ROOT)}}
    )
    client.execute()
    errors = [
        o for cell in notebook.cells for o in cell.get("outputs", []) if o.get("output_type") == "error"
    ]
    assert not errors
    assert any("大模型" in str(o) for cell in notebook.cells for o in cell.get("outputs", []))
