"""Tests for the learned claims scorer (pipelines.criteria.features / learned / training): what it must not
learn (length, repetition, slogans), that its reasons are its arithmetic, and that training is deterministic
and honest about held-out sets. Texts here are written for the tests, not taken from the pair sets."""

from __future__ import annotations

import json

import numpy as np
import pytest

from pipelines.claims import extract_claims
from pipelines.criteria import training
from pipelines.criteria.evaluate import PADDING_CHECK, evaluate_pairs
from pipelines.criteria.evidence import measure
from pipelines.criteria.features import BIGRAM, claim_features
from pipelines.criteria.learned import MODEL_DIR, ScorerModel, default_model, fit_pairwise
from pipelines.criteria.offline import OfflineScorer
from pipelines.criteria.rubric import ScoreError, default_rubric
from pipelines.vocabulary import CRITERIA
from tests.test_score import HandMadeEmbedder

# Weak texts of each criterion, in wordings the pair sets do not use.
WEAK = {
    "political": "《北江交通报》开设“出行提醒”栏目，每逢节假日推送高速路况和绕行建议，阅读量逐年上升。",
    "innovation": "编辑部采购了一套现成的短视频剪辑软件，按厂商模板批量生成节日海报和短视频。",
    "effectiveness": "客户端上线后用户有所增长，约有数万人下载，预计明年日活跃用户将突破5万。",
    "typicality": "活动结束后，我们与周边三个县签了合作意向书，准备明年择机推广。",
}
# Slogans written for these tests (not in data/claims/slogans.jsonl, which training pads with).
SLOGANS = [
    "我们坚守初心、锐意进取，全面展现了新时代行业媒体的担当与作为。",
    "项目创新亮点突出，推广价值巨大，示范意义深远，成效十分显著。",
    "持续深化融合改革，不断激发创新活力，奋力开创高质量发展新局面。",
    "坚持以人民为中心，牢牢把握正确导向，唱响时代主旋律。",
]


@pytest.fixture(scope="module")
def scorer() -> OfflineScorer:
    return OfflineScorer(embedder=HandMadeEmbedder({}))


def test_test_slogans_are_not_training_slogans():
    assert not (set(SLOGANS) | set(PADDING_CHECK)) & set(training.read_slogans())


def test_pair_evaluation_counts_weak_texts_that_padding_raises(scorer):
    pairs = [
        {"id": key, "criterion": key, "strong": WEAK[key] + "截至2024年底用户达到12万人。", "weak": WEAK[key]}
        for key in WEAK
    ]
    report = evaluate_pairs(scorer, pairs)
    assert report["padding"] == {"raised": 0, "n": 4, "ids": []}


@pytest.mark.parametrize("criterion", list(WEAK))
def test_padding_a_weak_text_with_slogans_does_not_raise_any_score(scorer, criterion):
    text = WEAK[criterion]
    before = scorer.evidence(text).raw
    for count in (1, 2, len(SLOGANS)):
        after = scorer.evidence(text + "".join(SLOGANS[:count])).raw
        assert all(after[key] <= before[key] + 1e-9 for key in CRITERIA), (count, before, after)


@pytest.mark.parametrize("criterion", list(WEAK))
def test_repeating_sentences_does_not_raise_any_score(scorer, criterion):
    text = WEAK[criterion]
    first = text.split("。")[0] + "。"
    before = scorer.evidence(text).raw
    for repeated in (text * 3, text + first * 5):
        assert scorer.evidence(repeated).raw == pytest.approx(before)


def test_a_fact_free_slogan_never_counts_for_a_criterion(scorer):
    found = scorer.evidence(WEAK["effectiveness"] + SLOGANS[1])
    slogan = len(extract_claims(WEAK["effectiveness"]))  # the slogan's claim follows the text's
    for key in CRITERIA:
        assert all(item["effect"] == "against" for item in found.findings[key] if item["claim"] >= slogan)


def test_findings_are_the_claims_signed_contributions(scorer):
    text = (
        "截至2024年底，本报客户端注册用户达到41万人，较上年增长35%。"
        "计划到2030年用户达到200万。海外频道尚未开通。"
    )
    found = scorer.evidence(text)
    assert found.contributions.shape == (3, len(CRITERIA))
    for k, key in enumerate(CRITERIA):
        assert found.raw[key] == pytest.approx(found.contributions[:, k].sum())
        for item in found.findings[key]:
            assert item["value"] == pytest.approx(found.contributions[item["claim"], k], abs=1e-4)
            assert (item["value"] < 0) == (item["effect"] == "against")
            assert item["names"] and item["why"]  # three claims: every one is cited in the reason
    effects = {item["claim"]: item["effect"] for item in found.findings["effectiveness"]}
    assert effects[0] == "for" and effects.get(2) == "against"
    assert found.contributions[0, 2] > found.contributions[1, 2]  # a result beats a plan


def test_each_case_counts_a_word_once():
    rubric = default_rubric()
    claims = extract_claims("平台首创方言播报，用户突破3万人。平台首创方言字幕，用户突破5万人。")
    rows = claim_features(claims, measure(rubric, claims), rubric)
    bigrams = [name for row in rows for name in row if name.startswith(BIGRAM)]
    assert len(bigrams) == len(set(bigrams)) and f"{BIGRAM}首创" in rows[0]


def test_a_claim_without_any_evidence_adds_nothing():
    rubric = default_rubric()
    claims = extract_claims("编辑部的会议室在三楼东侧。")
    assert claim_features(claims, measure(rubric, claims), rubric) == [{}]


def test_fit_pairwise_finds_the_separating_direction_and_is_deterministic():
    rng = np.random.default_rng(3)
    differences = rng.normal(size=(60, 4))
    differences[:, 0] = np.abs(differences[:, 0]) + 0.1  # the strong side is higher on feature 0
    from scipy import sparse

    matrix = sparse.csr_matrix(differences)
    first = fit_pairwise(matrix, np.zeros(60), c=1.0)
    again = fit_pairwise(matrix, np.zeros(60), c=1.0)
    assert np.array_equal(first, again) and first[0] > 0 and abs(first[0]) > np.abs(first[1:]).max()
    one_sided = fit_pairwise(matrix, np.zeros(60), c=1.0, sharpness=np.full(60, 10.0))
    assert one_sided[0] > 0


def test_training_is_deterministic_and_reports_held_out_sets(tmp_path):
    sets = {
        "trap_pairs": training.PAIR_SETS["trap_pairs"],
        "holdout": training.PAIR_SETS["trap_pairs_holdout"],
    }
    data = training.load_pairs(training.read_pair_sets(sets))
    everything = list(range(len(data.pairs)))
    first = training.fit(data, everything, training.Settings())
    again = training.fit(data, everything, training.Settings())
    assert first.names == again.names and np.array_equal(first.weights, again.weights)
    report = training.leave_one_set_out(data, training.Settings())
    assert set(report["per_set"]) == {"trap_pairs", "holdout"}
    assert all(0.0 <= item["rate"] <= 1.0 for item in report["per_set"].values())
    model = training.train_scorer(sets=sets, out=tmp_path, loso=False)
    loaded = ScorerModel.load(tmp_path)
    assert loaded.version == model.version and np.array_equal(loaded.weights, model.weights)
    card = json.loads((tmp_path / "card.json").read_text(encoding="utf-8"))
    assert set(card["training_sets"]) == set(sets) and card["in_sample"]["n"] == len(data.pairs)


def test_shipped_model_card_names_every_pair_set_with_leave_one_set_out_figures():
    card = default_model().card
    assert set(card["training_sets"]) == set(training.PAIR_SETS)
    held_out = card["leave_one_set_out"]["per_set"]
    assert set(held_out) == set(training.PAIR_SETS)
    for name, path in training.PAIR_SETS.items():
        assert card["training_sets"][name]["sha256"] == training._sha(path), f"{name} changed: retrain"
    assert card["leave_one_set_out"]["mean_over_sets"] >= 0.85


def test_a_missing_or_broken_model_is_refused_in_chinese(tmp_path):
    with pytest.raises(ScoreError, match="找不到评分模型") as caught:
        ScorerModel.load(tmp_path)
    assert caught.value.code == "no_model"
    (tmp_path / "model.npz").write_bytes(b"not a model")
    (tmp_path / "card.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ScoreError, match="无法读取"):
        ScorerModel.load(tmp_path)
    assert (MODEL_DIR / "model.npz").exists()


def test_novelty_reads_the_history_as_sparse_rows_and_matches_dense_rows(tmp_path, monkeypatch):
    from pipelines.backends.embed import get_embedder
    from pipelines.criteria import novelty
    from pipelines.criteria.offline import CharacterRows

    monkeypatch.setattr(novelty, "default_rows_dir", lambda: tmp_path / "rows")
    lexical = getattr(get_embedder(), "inner", get_embedder())
    history = [
        "水利报社开设防汛直播栏目，汛期发布预警信息120条。",
        "电力报推出用电安全短视频，累计播放300万次。",
    ]
    from pipelines.criteria.cases import ScoreInput

    cases = [
        ScoreInput("a", "防汛直播", "水利报社开设防汛直播栏目，汛期发布预警信息130条。"),
        ScoreInput("b", "新栏目", "铁路报推出列车员日记专栏。"),
    ]
    sparse_scorer = OfflineScorer(history=history, embedder=CharacterRows(lexical))
    values = sparse_scorer.novelty(cases)
    assert sparse_scorer._history_vectors.shape[0] == 2 and not isinstance(
        sparse_scorer._history_vectors, np.ndarray
    )
    assert any((tmp_path / "rows").rglob("*")), "history rows are kept on disk"
    dense = novelty.novelty_from_embeddings(
        CharacterRows(lexical).embed([f"{c.title}\n{c.text}" for c in cases]),
        CharacterRows(lexical).embed(history),
    )
    assert values == [round(float(v), 4) for v in dense]
    assert values[0] < values[1]
