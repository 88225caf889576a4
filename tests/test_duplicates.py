"""Repeat and duplicate detection: pure signals on hand-made data, verdicts end to end, sample triggers, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from pipelines import store
from pipelines.__main__ import main as cli
from pipelines.config import SAMPLE_DIR
from pipelines.figures import extract_figures, figure_specificity
from pipelines.repeats import facts, keys
from pipelines.repeats import signals as sig
from pipelines.repeats.batch import detect_for_store
from pipelines.repeats.detect import BatchCase, HistoryIndex, detect_duplicates
from pipelines.repeats.evaluate import PairOutcome, judge_pairs, pair_metrics
from pipelines.repeats.iteration import is_obvious_iteration
from pipelines.repeats.thresholds import DEFAULT_THRESHOLDS, Thresholds
from pipelines.repeats.verdicts import decide_verdict, same_project
from pipelines.schema import PastCase, Submission
from pipelines.text import chinese_number

# --------------------------------------------------------------------------- hand-made cases

TIANMU = PastCase(
    id="P1",
    year=2025,
    title="“天目新闻”客户端与县域融媒联动平台",
    unit="浙江日报报业集团",
    outcome="awarded",
    text="",
    sections={
        "案例简介": "浙江日报报业集团坚持守正创新，推动媒体融合向纵深发展，于2023年6月上线“天目新闻”客户端，"
        "并与全省76个县级融媒体中心共建“县域联动”频道，构建省县一体的新闻+政务+服务传播格局。",
        "主要做法": "客户端设立“天目号”入驻平台，吸引1460家政务和媒体机构入驻；建立“省级指挥、县级采集、一键共享”的"
        "联动机制，县级稿件经审核后进入省级稿库；开发“天目蓝网”内容安全系统，实行三审三校。",
        "取得成效": "客户端下载用户达2800万，日活跃用户310万；“县域联动”频道累计发稿9.6万条，阅读量1.3亿次；"
        "《山海协作一线调查》等作品获省新闻奖一等奖。",
    },
)
SHUJU = PastCase(
    id="P2",
    year=2024,
    title="“浙里有数”数据新闻工作室",
    unit="浙江日报报业集团",
    outcome="not_selected",
    text="",
    sections={
        "案例简介": "浙江日报报业集团坚持守正创新，推动媒体融合向纵深发展，2022年9月组建“浙里有数”数据新闻工作室，"
        "以数据可视化讲述浙江经济社会发展。",
        "主要做法": "工作室由9名记者、设计师和程序员组成，每月推出数据新闻产品，重点开发“共富指数地图”交互产品。",
        "取得成效": "工作室累计推出数据新闻46期，全网阅读量3200万次，“共富指数地图”被11个市级部门引用。",
    },
)
ANJI = PastCase(
    id="P3",
    year=2025,
    title="“爱安吉”新闻+政务服务平台",
    unit="安吉县融媒体中心",
    outcome="awarded",
    text="安吉县融媒体中心坚持守正创新，推动媒体融合向纵深发展，以“爱安吉”客户端为主阵地构建新闻+政务+服务平台，"
    "打通服务群众“最后一公里”，不断提升传播力引导力影响力公信力。客户端整合公积金、社保、不动产登记等63项服务，"
    "开设“问政安吉”栏目，群众留言48小时内答复。“爱安吉”用户61万，日活9.3万，“问政安吉”受理留言2.6万条。",
)
HISTORY = [TIANMU, SHUJU, ANJI]

REWRITE = BatchCase(
    id="B1",
    title="省县一体打通新闻与服务：天目新闻的实践",
    unit="浙报集团",
    text="",
    sections={
        "案例简介": "2023年夏天，我们推出了天目新闻客户端。与其说它是一个新的App，不如说它是省里和76个县的融媒体中心"
        "拼在一起的一张网：县里采的稿子，审过之后省里直接可用。",
        "取得成效": "用户装机2800万，每天有310万人打开；县域联动频道发了9.6万条稿件，看过的人次累计1.3亿；"
        "1460家机构开了天目号。",
    },
)
SUMMARY = BatchCase(
    id="B2",
    title="“浙里有数”数据新闻",
    unit="浙报集团",
    text="浙报集团“浙里有数”工作室用数据可视化讲浙江故事，9人团队累计推出数据新闻46期，阅读量3200万次，"
    "“共富指数地图”被11个市级部门引用。",
)
ITERATION = BatchCase(
    id="B3",
    title="“浙里有数”2.0：从数据新闻工作室到数据服务平台",
    unit="浙江日报报业集团",
    text="",
    sections={
        "案例简介": "“浙里有数”数据新闻工作室2024年参评未入选。2025年我们把它升级为数据服务平台：上线“浙里有数”小程序，"
        "推出“县域经济体检”报告产品，并与浙江大学共建数据新闻实验室。",
        "主要做法": "工作室扩充到23人，接入浙江省统计局和省大数据发展管理局的开放数据接口，新增“县域经济体检”“产业链图谱”"
        "两条产品线；与之江实验室合作开发自动出图工具。",
        "取得成效": "截至2025年11月，平台推出数据产品138期，小程序用户41万，全网阅读量2.1亿次；“县域经济体检”报告被"
        "37个县采用，获得服务收入860万元。",
    },
)
OTHER_PROJECT = BatchCase(
    id="B4",
    title="“潮声”深度报道栏目",
    unit="浙江日报报业集团",
    text="浙江日报报业集团坚持守正创新，推动媒体融合向纵深发展，2025年3月推出“潮声”深度报道栏目，"
    "聚焦基层治理和民生议题，组建15人调查报道团队，累计推出深度报道88篇，阅读量4700万次。",
)
OTHER_COUNTY = BatchCase(
    id="B5",
    title="“长兴发布”新闻+政务服务一体化平台",
    unit="长兴县融媒体中心",
    text="长兴县融媒体中心坚持守正创新，推动媒体融合向纵深发展，以“长兴融媒”客户端为载体打造新闻+政务+服务平台，"
    "打通服务群众“最后一公里”，着力提升传播力引导力影响力公信力。客户端接入47项高频政务事项，开设“民生热线”栏目，"
    "与县12345热线联动。客户端下载量38万，“民生热线”受理诉求1.2万件。",
)
PARENT = BatchCase(
    id="B6",
    title="“钱塘观潮”短视频国际传播项目",
    unit="浙江日报报业集团",
    category=6,
    text="浙江日报报业集团2024年4月推出“钱塘观潮”短视频国际传播项目，以英语、西班牙语、阿拉伯语讲述浙江故事，"
    "在海外平台开设“Qiantang Tide”账号，粉丝86万，海外播放量1.7亿次，与12家海外媒体建立供稿合作。",
)
SUBSIDIARY = BatchCase(
    id="B7",
    title="用海外青年喜欢的方式讲浙江：“钱塘观潮”的探索",
    unit="浙江在线新闻网站有限公司",
    category=2,
    text="作为集团国际传播的执行团队，我们2024年4月起运营“钱塘观潮”，用英语、西语和阿语制作短视频，"
    "“Qiantang Tide”账号海外粉丝已达86万，累计播放1.7亿次，合作海外媒体12家。",
)


def _verdicts(matches) -> dict[str, str]:
    return {m.other_id: m.verdict for m in matches}


# --------------------------------------------------------------------------- pure signal functions


def test_shingles_ignore_punctuation_spacing_and_width():
    a = sig.shingle_hashes("天目新闻客户端，用户２８００万。")
    b = sig.shingle_hashes("天目新闻 客户端 用户2800万")
    assert np.array_equal(a, b)
    assert a.dtype == np.uint64 and np.all(np.diff(a.astype(np.float64)) > 0)
    assert sig.shingle_hashes("").size == 0
    assert sig.shingle_hashes("天目").size == 1


def test_jaccard_and_containment_on_hand_made_sets():
    a = np.array([1, 2, 3, 4], dtype=np.uint64)
    b = np.array([3, 4, 5, 6, 7, 8], dtype=np.uint64)
    assert sig.shared_count(a, b) == 2
    assert sig.jaccard(a, b) == pytest.approx(2 / 8)
    assert sig.containment(a, b) == pytest.approx(0.5)
    assert sig.containment(b, a) == pytest.approx(2 / 6)
    empty = np.zeros(0, dtype=np.uint64)
    assert sig.jaccard(empty, empty) == 0.0 and sig.containment(empty, a) == 0.0


def test_minhash_estimates_jaccard_and_bands_group_equal_signatures():
    rng = np.random.default_rng(1)
    base = np.unique(rng.integers(0, 2**62, 3000, dtype=np.int64).astype(np.uint64))
    half = np.unique(
        np.concatenate([base[:1500], rng.integers(0, 2**62, 1500, dtype=np.int64).astype(np.uint64)])
    )
    signatures = np.stack([sig.minhash_signature(s) for s in (base, base, half)])
    similarity = sig.signature_similarity(signatures[0], signatures)
    assert similarity[1] == 1.0
    assert abs(similarity[2] - sig.jaccard(base, half)) < 0.15
    keys = sig.band_keys(signatures, 4)
    assert keys.shape == (3, 16)
    assert np.array_equal(keys[0], keys[1]) and not np.array_equal(keys[0], keys[2])
    assert np.all(sig.minhash_signature(np.zeros(0, dtype=np.uint64)) == np.uint64(2**64 - 1))


def test_cosine_top_k_dense_and_sparse():
    matrix = np.array([[1, 0, 0], [0.6, 0.8, 0], [0, 0, 1]], dtype=np.float32)
    query = np.array([1, 0, 0], dtype=np.float32)
    for stored in (matrix, sp.csr_matrix(matrix)):
        indices, sims = sig.cosine_top_k(query, stored, 2)
        assert indices.tolist() == [0, 1]
        assert sims.tolist() == pytest.approx([1.0, 0.6])
    indices, sims = sig.cosine_top_k(query, np.zeros((0, 3), dtype=np.float32), 5)
    assert indices.size == 0


def test_cosine_top_k_many_agrees_with_one_query_at_a_time():
    rng = np.random.default_rng(3)
    matrix = rng.standard_normal((50, 8)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    queries = matrix[[4, 17, 30]]
    indices, sims = sig.cosine_top_k_many(queries, matrix, 5)
    assert indices.shape == (3, 5) and indices[:, 0].tolist() == [4, 17, 30]
    for row, query in enumerate(queries):
        one_indices, one_sims = sig.cosine_top_k(query, sp.csr_matrix(matrix), 5)
        assert indices[row].tolist() == one_indices.tolist()
        assert sims[row] == pytest.approx(one_sims, abs=1e-5)


def test_names_keep_products_and_drop_slogans_and_stock_words():
    names = facts.extract_names(
        "推出“天目新闻”客户端和《山海协作一线调查》，坚持“双碳”与“一次采集、多元生成、多端分发”，"
        "开设 Qiantang Tide 账号，使用AIGC和H5。"
    )
    assert names == ["天目新闻", "山海协作一线调查", "qiantang tide"]


def test_partners_come_after_a_cue_and_enumerations_are_split():
    assert facts.extract_partners("与工商银行、招商银行等5家银行合作，并与长安大学共建实验室") == [
        "工商银行",
        "招商银行",
        "长安大学",
    ]
    assert facts.extract_partners("接入浙江省统计局和省大数据发展管理局的开放数据接口") == [
        "浙江省统计局",
        "省大数据发展管理局",
    ]
    assert facts.extract_partners("不少子女反映父母通过课程学会了上网；组建跨部门团队") == []


def test_figures_are_normalised_across_ways_of_writing():
    keys = {f.key for f in extract_figures("收入1.2亿元，另一处写作12000万元")}
    assert keys == {"1.2e+08"}
    assert {f.key for f in extract_figures("用户310万，另写作310万人；12人与12家")} == {
        "3.1e+06",
        "12人",
        "12家",
    }
    figures = {
        f.key: f
        for f in extract_figures(
            "截至2024年5月，4.6万余项指标，三十余家媒体，12名骨干，一是二是，客户端3.0，2025年，96.5%"
        )
    }
    assert set(figures) == {"2024-05", "46000", "30家", "12人", "Y2025", "96.5%"}
    assert figures["Y2025"].unit == "year" and figure_specificity(figures["Y2025"]) < 0.5
    assert figures["46000"].unit == "项" and figure_specificity(figures["46000"]) == 1.0


@pytest.mark.parametrize(
    ("numeral", "value"), [("十二", 12), ("三十", 30), ("两千三百", 2300), ("一百零五", 105), ("十十", None)]
)
def test_chinese_numerals(numeral, value):
    assert chinese_number(numeral, strict=True) == value


def test_key_table_idf_and_postings():
    table = keys.KeyTable([["a", "b"], ["a"], ["c", "a", "a"]])
    assert table.df("a") == 3 and table.df("b") == 1 and table.df("zzz") == 0
    assert table.posting("a").tolist() == [0, 1, 2]
    assert table.posting("c").tolist() == [2]
    assert keys.idf([table], "b") > keys.idf([table], "a")
    assert keys.idf([table, keys.KeyTable([["b"]])], "b") < keys.idf([table], "b") + 1


def test_weighted_overlaps():
    weight = {"天目新闻": 4.0, "县域联动": 2.0}.get
    names = ["天目新闻", "县域联动"]
    found = sig.names_in_text(names, "天目新闻客户端")
    assert found == ["天目新闻"]
    assert sig.directed_overlap(found, names, weight, 2.0) == pytest.approx(4 / 8)
    assert sig.directed_overlap([], ["县域联动"], weight, 2.0) == 0.0
    assert sig.overlap_score(0.0, 1.0, 1.0, 1.0) == 0.0
    assert sig.overlap_score(3.0, 3.0, 9.0, 3.0) == pytest.approx(0.5)


def test_sentence_alignment_and_new_text_ratio():
    similarity = sig.sentence_similarity(
        ["天目新闻用户2800万", "全新的县域经济体检"], ["天目新闻用户达2800万", "别的内容"]
    )
    assert similarity.shape == (2, 2)
    columns, values = sig.best_alignment(similarity)
    assert columns[0] == 0 and values[0] > 0.6 and values[1] < 0.3
    assert sig.weighted_new_ratio([10, 30], values.tolist(), 0.45) == pytest.approx(0.75)
    assert sig.bigram_cosine("天目新闻", "天目新闻") == pytest.approx(1.0)


# --------------------------------------------------------------------------- decisions on hand-made signals


def _signals(**values: float) -> dict[str, float]:
    base = dict.fromkeys(
        (
            "title_sim",
            "shingle_jaccard",
            "containment_ab",
            "containment_ba",
            "semantic",
            "name_overlap",
            "figure_overlap",
            "title_names",
            "unit_same",
        ),
        0.0,
    )
    return {**base, **values}


def test_same_project_rules():
    strong = _signals(name_overlap=0.6, figure_overlap=0.7, semantic=0.5, title_names=1.0, unit_same=1.0)
    assert same_project(strong, same_unit=True)
    stock_only = _signals(semantic=0.6, containment_ab=0.3, containment_ba=0.3, title_sim=0.4, unit_same=1.0)
    assert not same_project(stock_only, same_unit=True)
    copied = _signals(shingle_jaccard=0.7)
    assert same_project(copied, same_unit=False)
    one_sided = _signals(name_overlap=0.6, figure_overlap=0.1, semantic=0.6, title_names=1.0)
    assert not same_project(one_sided, same_unit=False)
    assert same_project(_signals(name_overlap=0.6, figure_overlap=0.6, semantic=0.6, title_names=1.0), False)


def test_decide_verdict_for_each_standing():
    same = _signals(name_overlap=0.6, figure_overlap=0.7, semantic=0.5, title_names=1.0, unit_same=1.0)
    different = _signals(semantic=0.4, unit_same=1.0)
    assert decide_verdict(same, False, "awarded", True) == "past_awardee_repeat"
    assert decide_verdict(same, False, "awarded", False) == "related_case"
    assert decide_verdict(same, False, "not_selected", True) == "resubmission_needs_iteration"
    assert decide_verdict(same, True, None, True) == "same_batch_duplicate"
    assert decide_verdict(different, False, "awarded", True) == "related_case"
    assert decide_verdict(different, True, None, True) is None
    assert decide_verdict({**different, "unit_same": 0.0}, False, "awarded", True) is None


def test_obvious_iteration_needs_figures_items_and_new_text():
    assert is_obvious_iteration(5, 3, 0.4, False)
    assert is_obvious_iteration(5, 3, 0.05, True)
    assert not is_obvious_iteration(0, 0, 0.9, False)  # rewording alone
    assert not is_obvious_iteration(6, 0, 0.3, True)  # updated figures without anything new
    strict = Thresholds(iteration_new_figures=10)
    assert not is_obvious_iteration(5, 3, 0.4, False, strict)


# --------------------------------------------------------------------------- verdicts end to end


def test_heavy_rewrite_under_abbreviated_unit_is_a_past_awardee_repeat():
    matches = detect_duplicates([REWRITE], HISTORY)["B1"]
    assert _verdicts(matches) == {"P1": "past_awardee_repeat", "P2": "related_case"}
    repeat = matches[0]
    assert repeat.kind == "past_awardee" and repeat.score > 0
    assert repeat.signals["unit_same"] == 1.0 and repeat.signals["figure_overlap"] > 0.5
    assert any("浙报集团" in reason for reason in repeat.reasons)
    assert repeat.aligned and all(pair.similarity >= 0.35 for pair in repeat.aligned)


def test_short_summary_of_a_not_selected_case_needs_iteration_and_has_none():
    matches = detect_duplicates([SUMMARY], HISTORY)["B2"]
    match = next(m for m in matches if m.other_id == "P2")
    assert match.verdict == "resubmission_needs_iteration" and match.kind == "past_not_selected"
    assert match.obvious_iteration is False
    assert match.iteration_report["sections"] and "未见明显迭代更新" in match.iteration_report["reasons"][0]
    assert match.signals["containment_ab"] > match.signals["containment_ba"]


def test_real_iteration_is_recognised_with_its_evidence():
    match = next(m for m in detect_duplicates([ITERATION], HISTORY)["B3"] if m.other_id == "P2")
    assert match.verdict == "resubmission_needs_iteration" and match.obvious_iteration is True
    report = match.iteration_report
    assert "县域经济体检" in report["new_features"]
    assert any("浙江大学" in partner for partner in report["new_partners"])
    assert "2.1亿次" in report["new_figures"] and report["later_figures"]
    assert match.new_text_ratio is not None and match.new_text_ratio > 0.3


def test_different_project_of_the_same_unit_is_only_related():
    matches = detect_duplicates([OTHER_PROJECT], HISTORY)["B4"]
    assert _verdicts(matches) == {"P1": "related_case", "P2": "related_case"}
    assert all(not m.aligned and "不同项目" in m.reasons[0] for m in matches)


def test_same_kind_of_project_by_another_unit_is_not_matched():
    assert detect_duplicates([OTHER_COUNTY], HISTORY)["B5"] == []


def test_same_project_from_parent_and_subsidiary_is_a_same_batch_duplicate():
    results = detect_duplicates([PARENT, SUBSIDIARY, OTHER_PROJECT], HISTORY)
    assert _verdicts(results["B6"]).get("B7") == "same_batch_duplicate"
    assert _verdicts(results["B7"]).get("B6") == "same_batch_duplicate"
    assert "B4" not in _verdicts(results["B6"])  # same applicant, different project
    assert results["B6"][0].kind == "same_batch"


def test_awardee_older_than_two_calls_is_not_blocked():
    old = PastCase(**{**TIANMU.__dict__, "id": "P0", "year": 2021})
    matches = detect_duplicates([REWRITE], [old, SHUJU, ANJI], call_year=2026)["B1"]
    assert _verdicts(matches) == {"P0": "related_case", "P2": "related_case"}
    assert "早于前两届" in next(m for m in matches if m.other_id == "P0").reasons[0]


def test_history_index_query_matches_and_respects_top_k():
    index = HistoryIndex.build(HISTORY, call_year=2026)
    assert _verdicts(index.query(REWRITE)) == {"P1": "past_awardee_repeat", "P2": "related_case"}
    assert len(index.query(REWRITE, top_k=1)) == 1
    assert HistoryIndex.build([], call_year=2026).query(REWRITE) == []


class _HandEmbedder:
    """Maps texts to hand-made unit vectors by keyword (to test the semantic path without a model)."""

    id = "hand"

    def embed(self, texts):
        rows = [[1.0, 0.0] if ("天目" in t or "76个县" in t) else [0.0, 1.0] for t in texts]
        return np.asarray(rows, dtype=np.float32)


def test_query_many_equals_query_one_by_one():
    index = HistoryIndex.build(HISTORY, embedder=_HandEmbedder(), call_year=2026)
    cases = [REWRITE, SUMMARY, OTHER_PROJECT, OTHER_COUNTY]
    together = index.query_many(cases)
    for case, matches in zip(cases, together, strict=True):
        assert [(m.other_id, m.verdict, m.score) for m in matches] == [
            (m.other_id, m.verdict, m.score) for m in index.query(case)
        ]


def test_embedder_gives_the_semantic_signal():
    matches = detect_duplicates([REWRITE], HISTORY, embedder=_HandEmbedder(), call_year=2026)["B1"]
    by_id = {m.other_id: m for m in matches}
    assert by_id["P1"].signals["semantic"] == pytest.approx(1.0)
    assert by_id["P2"].signals["semantic"] == pytest.approx(0.0)


# --------------------------------------------------------------------------- sample data and store


def test_planted_triggers_of_the_sample_are_found_and_nothing_else_is_a_repeat():
    from pipelines.repeats.readers import read_cases, read_history

    history = [c for p in sorted((SAMPLE_DIR / "history").glob("*.jsonl")) for c in read_history(p)]
    records = [
        json.loads(x)
        for x in (SAMPLE_DIR / "submissions_2026.jsonl").read_text(encoding="utf-8").splitlines()
        if x.strip()
    ]
    results = detect_duplicates(
        [BatchCase(r["id"], r["title"], r["unit"], "", sections=r["sections"]) for r in records],
        history,
        call_year=2026,
    )
    for record in records:
        expected = {(t["other"], t["rule"]) for t in record["triggers"] if "other" in t}
        got = {(m.other_id, m.verdict) for m in results[record["id"]]}
        assert expected <= got, (record["id"], expected - got)
        repeats = {g for g in got if g[1] != "related_case"}
        assert repeats == {e for e in expected if e[1] != "related_case"}, record["id"]
        for match in results[record["id"]]:
            planted = next((t for t in record["triggers"] if t.get("other") == match.other_id), {})
            if "obvious_iteration" in planted:
                assert match.obvious_iteration is planted["obvious_iteration"], record["id"]
    assert read_cases  # the reader used by the CLI parses the same files


def test_detect_for_store_uses_current_submissions_and_past_cases(engine):
    store.save_past_cases(engine, HISTORY)
    ids = {}
    for case in (REWRITE, OTHER_COUNTY, PARENT, SUBSIDIARY):
        submission = Submission(
            file_name=f"{case.id}.docx",
            content_hash=case.id,
            title=case.title,
            unit=case.unit,
            sections=case.sections,
            text=case.text,
        )
        ids[case.id] = store.save_submission(engine, submission, 2026).submission_id
    results = detect_for_store(engine, year=2026)
    assert set(results) == set(ids.values())
    assert _verdicts(results[ids["B1"]])["P1"] == "past_awardee_repeat"
    assert results[ids["B5"]] == []
    assert _verdicts(results[ids["B6"]]) == {
        str(ids["B7"]): "same_batch_duplicate",
        "P1": "related_case",
        "P2": "related_case",
    }


# --------------------------------------------------------------------------- evaluation and command line


def test_pair_metrics_count_precision_recall_and_false_awardee_alarms():
    def outcome(label, predicted, expected=None, got=None):
        return PairOutcome(label, predicted, expected, got, 0.0, {})

    metrics = pair_metrics(
        [
            outcome("past_awardee_repeat", "past_awardee_repeat"),
            outcome("resubmission_needs_iteration", "resubmission_needs_iteration", True, False),
            outcome("resubmission_needs_iteration", "related_case", False, None),
            outcome("none", "past_awardee_repeat"),
            outcome("related_case", "related_case"),
        ]
    )
    assert metrics["precision"] == pytest.approx(2 / 3) and metrics["recall"] == pytest.approx(2 / 3)
    assert metrics["iteration_accuracy"] == 0.0 and metrics["iteration_pairs"] == 2
    assert metrics["awardee_false_alarms"] == 1
    assert metrics["confusion"]["resubmission_needs_iteration"] == {
        "resubmission_needs_iteration": 1,
        "related_case": 1,
    }


def _case_record(case: BatchCase) -> dict:
    return {
        "id": case.id,
        "title": case.title,
        "unit": case.unit,
        "text": case.text,
        "sections": case.sections,
    }


def _past_record(case: PastCase) -> dict:
    return {**_case_record(case), "year": case.year, "outcome": case.outcome}  # type: ignore[arg-type]


def _write_jsonl(path: Path, records: list) -> Path:
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records) + "\n",
        encoding="utf-8",
    )
    return path


def test_dedupe_command_on_small_files(tmp_path, capsys):
    history = _write_jsonl(tmp_path / "history.jsonl", [_past_record(c) for c in HISTORY])
    cases = _write_jsonl(
        tmp_path / "cases.jsonl", [_case_record(c) for c in (REWRITE, SUMMARY, OTHER_COUNTY)]
    )
    output = tmp_path / "out" / "matches.jsonl"
    code = cli(
        ["dedupe", "--history", str(history), "--input", str(cases), "--output", str(output), "--no-embedder"]
    )
    assert code == 0
    lines = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == ["B1", "B2", "B5"]
    first = lines[0]["matches"][0]
    assert (first["other_id"], first["kind"], first["verdict"]) == (
        "P1",
        "past_awardee",
        "past_awardee_repeat",
    )
    assert {
        "title_sim",
        "shingle_jaccard",
        "containment_ab",
        "containment_ba",
        "semantic",
        "name_overlap",
        "figure_overlap",
        "unit_same",
    } <= set(first["signals"])
    resubmission = next(m for m in lines[1]["matches"] if m["other_id"] == "P2")
    assert resubmission["obvious_iteration"] is False and "new_text_ratio" in resubmission
    assert lines[2]["matches"] == []
    assert "疑似重复申报" in capsys.readouterr().err


def test_dedupe_command_reports_a_bad_line_in_chinese(tmp_path, capsys):
    history = _write_jsonl(tmp_path / "history.jsonl", [_past_record(c) for c in HISTORY])
    cases = _write_jsonl(tmp_path / "cases.jsonl", [_case_record(REWRITE), "{这不是 JSON"])
    assert cli(["dedupe", "--history", str(history), "--input", str(cases), "--no-embedder"]) == 2
    assert "cases.jsonl」第 2 行不是有效的 JSON" in capsys.readouterr().err
    no_text = _write_jsonl(tmp_path / "empty.jsonl", [{"id": "X", "title": "空", "unit": "某单位"}])
    assert cli(["dedupe", "--history", str(history), "--input", str(no_text), "--no-embedder"]) == 2
    assert "第 1 行：案例 X 没有正文" in capsys.readouterr().err
    bad_outcome = _write_jsonl(tmp_path / "bad_history.jsonl", [{**_past_record(TIANMU), "outcome": "优秀"}])
    good = _write_jsonl(tmp_path / "good.jsonl", [_case_record(REWRITE)])
    assert cli(["dedupe", "--history", str(bad_outcome), "--input", str(good), "--no-embedder"]) == 2
    assert "无法识别评审结果「优秀」" in capsys.readouterr().err
    assert cli(["dedupe", "--history", str(history), "--no-embedder"]) == 2
    assert "需同时给出" in capsys.readouterr().err


def test_dedupe_command_without_files_runs_on_the_store(engine, monkeypatch, capsys):
    monkeypatch.setattr(store, "get_engine", lambda url=None: engine)
    store.save_past_cases(engine, HISTORY)
    submission = Submission(
        file_name="b1.docx",
        content_hash="b1",
        title=REWRITE.title,
        unit=REWRITE.unit,
        sections=REWRITE.sections,
    )
    saved = store.save_submission(engine, submission, 2026)
    assert cli(["dedupe", "--no-embedder"]) == 0
    line = json.loads(capsys.readouterr().out.strip().splitlines()[0])
    assert line["id"] == saved.submission_id and line["matches"][0]["verdict"] == "past_awardee_repeat"


def test_evaluate_dedupe_command(tmp_path, capsys):
    pairs = [
        {"a": _case_record(REWRITE), "b": _past_record(TIANMU), "label": "past_awardee_repeat"},
        {
            "a": _case_record(ITERATION),
            "b": _past_record(SHUJU),
            "label": "resubmission_needs_iteration",
            "obvious_iteration": True,
        },
        {"a": _case_record(OTHER_PROJECT), "b": _past_record(TIANMU), "label": "related_case"},
        {"a": _case_record(OTHER_COUNTY), "b": _past_record(ANJI), "label": "none"},
        {"a": _case_record(PARENT), "b": _case_record(SUBSIDIARY), "label": "same_batch_duplicate"},
    ]
    path = _write_jsonl(tmp_path / "pairs.jsonl", pairs)
    assert cli(["evaluate-dedupe", "--pairs", str(path), "--no-embedder"]) == 0
    out = capsys.readouterr().out
    assert "precision 1.000  recall 1.000" in out and "迭代判断正确率 1.000（1 组）" in out
    assert "不同项目被判为往年入选重复（past_awardee_repeat）：0 组" in out
    outcomes = judge_pairs(pairs, None, DEFAULT_THRESHOLDS, call_year=2026)
    assert [o.predicted for o in outcomes] == [p["label"] for p in pairs]
    _write_jsonl(path, [{**pairs[0], "label": "duplicate"}])
    assert cli(["evaluate-dedupe", "--pairs", str(path), "--no-embedder"]) == 2
    assert "label「duplicate」无效" in capsys.readouterr().err


def test_shipped_pair_set_is_well_formed():
    from pipelines.repeats.readers import read_pairs

    pairs = read_pairs(Path(__file__).resolve().parents[1] / "data" / "eval" / "dedupe_pairs.jsonl")
    assert len(pairs) >= 60
    labels = {p["label"] for p in pairs}
    assert {
        "past_awardee_repeat",
        "resubmission_needs_iteration",
        "same_batch_duplicate",
        "related_case",
        "none",
    } <= labels
    assert all(p["b"].get("outcome") or p["label"] in ("same_batch_duplicate", "none") for p in pairs)
