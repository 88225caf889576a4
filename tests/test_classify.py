"""Tests for pipelines.classify: prior and definition matcher, classifier, calibration and prediction sets,
metrics, explanations."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from pipelines.classify import explain
from pipelines.classify.calibration import (
    TemperatureCalibrator,
    apply_temperature,
    conformal_threshold,
    expected_calibration_error,
    prediction_sets,
    reliability_table,
    set_metrics,
)
from pipelines.classify.docs import prepare
from pipelines.classify.estimator import CategoryClassifier, second_rows
from pipelines.classify.metrics import (
    choose_misfile_threshold,
    classification_metrics,
    declared_misfile_metrics,
    is_misfiled,
)
from pipelines.classify.prior import DefinitionMatcher, definition_clauses

# Four short cases per category, written for the tests.
TRAIN = {
    1: [
        "报社推出新闻客户端，整合微信公众号、微博、抖音号，打造新媒体矩阵，客户端下载量突破百万。",
        "融媒体中心建设自主传播平台，网站和客户端改版上线，账号矩阵粉丝超过三百万。",
        "行业报社开设视频号和小程序，建成报网端微一体的全媒体传播体系，用户数大幅增长。",
        "电视台推出移动客户端，大屏小屏融合，各频道接入客户端直播，日活用户十万。",
    ],
    2: [
        "日报推出主题宣传系列报道和深度报道，专栏每周刊发，阅读量过亿，获中国新闻奖。",
        "理论版推出理论周刊和评论专栏，阐释党的创新理论，文章被广泛转载。",
        "电视台拍摄大型纪录片和微纪录片，讲述普通人的故事，播放量超过两亿。",
        "报社开设数据新闻栏目和副刊专版，策划融媒体产品，原创作品多次获奖。",
    ],
    3: [
        "广播电视台开办问政平台和民生热线，群众诉求交部门办理，办结率超过九成。",
        "报社与文旅集团合作运营文旅活动和会展，经营收入增长三成，助农直播带货。",
        "融媒体中心客户端接入政务服务和便民缴费，开展新闻+政务+服务，服务群众。",
        "报业集团开展舆情监测服务、培训和智慧社区运营，年营收超过千万元。",
    ],
    4: [
        "报社研发人工智能大模型和AIGC写稿机器人，自动生成稿件，提高采编效率。",
        "电视台推出AI数字人主播和虚拟主播，利用语音合成技术自动播报新闻。",
        "省级技术平台采用云计算和大数据，为县级融媒体中心提供技术支撑。",
        "报业集团建设区块链版权保护平台和4K超高清演播室，研发智能审核系统。",
    ],
    5: [
        "市里将报社和电视台整合组建新闻传媒中心，机构改革后部门精简一半。",
        "报社推行全员竞聘上岗和薪酬考核改革，建立以质量为导向的评价体系。",
        "广电集团出台融媒体工作室管理办法，实行项目制，激发人才队伍活力。",
        "杂志社实行事业部制改革和中心制，重构组织架构，统一管理体制。",
    ],
    6: [
        "国际传播中心在海外社交媒体开设账号，用多语种讲好中国故事。",
        "报社推出英文客户端和外文网站，面向外国人和海外读者对外传播。",
        "电视台与海外华文媒体合作，节目在多个国家落地播出，开展国际传播。",
        "中外媒体联合采访活动邀请外国记者，外媒刊发报道，构建中国叙事体系。",
    ],
}


def _train_data():
    texts = [text for category in TRAIN for text in TRAIN[category]]
    labels = [category for category in TRAIN for _ in TRAIN[category]]
    return texts, labels


@pytest.fixture(scope="module")
def fitted() -> CategoryClassifier:
    texts, labels = _train_data()
    return CategoryClassifier().fit(texts, labels)


def test_prior_only_model_needs_no_training_data():
    model = CategoryClassifier().fit([], [])
    texts = [
        "国际传播中心运营海外社交媒体账号，多语种对外传播，讲好中国故事",
        "研发人工智能大模型和数字人主播，应用区块链技术",
        "报台整合组建传媒中心，推行考核与薪酬改革，设立工作室",
    ]
    probabilities = model.predict_proba(texts)
    assert probabilities.shape == (3, 6)
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    assert model.predict(texts).tolist() == [6, 4, 5]


def test_supervised_model_classifies_unseen_cases(fitted):
    texts = [
        "省报推出新闻客户端并整合账号矩阵，下载量突破五十万。",
        "电视台开设系列深度报道专栏，推出纪录片，播放量过亿。",
        "日报与人社部门合作开办招聘服务和职业培训活动，服务群众。",
        "报社上线AI写稿机器人和数字人主播。",
        "传媒集团推行中层干部竞聘和绩效考核分配改革。",
        "对外传播中心开设海外社交媒体账号，多语种讲述中国故事。",
    ]
    assert fitted.predict(texts).tolist() == [1, 2, 3, 4, 5, 6]


def test_categories_missing_from_training_keep_prior_probability():
    texts, labels = _train_data()
    keep = [i for i, label in enumerate(labels) if label != 6]
    model = CategoryClassifier().fit([texts[i] for i in keep], [labels[i] for i in keep])
    probabilities = model.predict_proba(["国际传播中心运营海外社交媒体账号，多语种讲好中国故事"])
    assert probabilities[0, 5] > 0.01


def test_second_category_adds_soft_rows():
    origin, targets, weights = second_rows(np.array([1, 2, 3]), [4, None, 3], np.array([1.0, 1.0, 0.5]), 0.2)
    assert origin.tolist() == [0, 1, 2, 0]
    assert targets.tolist() == [1, 2, 3, 4]
    assert weights.tolist() == [1.0, 1.0, 0.5, 0.2]


def test_sample_weight_changes_the_fit():
    texts, labels = _train_data()
    light = CategoryClassifier().fit(texts, labels, sample_weight=[0.05 if y == 5 else 1.0 for y in labels])
    full = CategoryClassifier().fit(texts, labels)
    probe = ["传媒集团推行中层干部竞聘和绩效考核分配改革。"]
    assert light.predict_proba(probe)[0, 4] < full.predict_proba(probe)[0, 4]


def test_fit_rejects_bad_labels():
    with pytest.raises(ValueError, match="1–6"):
        CategoryClassifier().fit(["文本"], [7])
    with pytest.raises(ValueError, match="不一致"):
        CategoryClassifier().fit(["文本", "文本"], [1])


def test_model_pickles_without_training_text(fitted):
    blob = pickle.dumps(fitted)
    assert "融媒体中心建设自主传播平台".encode() not in blob
    assert np.allclose(pickle.loads(blob).predict_proba(["客户端"]), fitted.predict_proba(["客户端"]))


# ---------------------------------------------------------------- the call's definitions


def test_definition_clauses_come_from_the_call():
    clauses = definition_clauses()
    assert {category for category, _ in clauses} == {1, 2, 3, 4, 5, 6}
    assert (5, "组织结构变革") in clauses and (1, "建强自主传播平台") in clauses
    assert (2, "智库型产品") in clauses
    assert not any(clause.startswith(("本类案例", "具体案例包括")) for _, clause in clauses)


def test_definition_matcher_finds_the_clause_a_sentence_is_about():
    docs = [prepare("", text) for text in _train_data()[0]]
    matcher = DefinitionMatcher().fit(docs)
    coverage = matcher.category_coverage(["报社推进组织结构变革，重组采编部门。", "报社建强自主传播平台。"])
    assert coverage.shape == (2, 6)
    assert coverage[0].argmax() == 4 and coverage[1].argmax() == 0
    sentences = ["报社建强自主传播平台。", "报社推进组织结构变革，重组采编部门。"]
    (sentence, clause, value), platform = matcher.best_matches(sentences, [5, 1])
    assert (sentence, clause) == (sentences[1], "组织结构变革") and value == pytest.approx(1.0)
    assert platform[:2] == (sentences[0], "建强自主传播平台")
    assert matcher.best_matches([], [5]) == [("", "", 0.0)]
    assert matcher.transform(docs[:2]).shape == (2, 12)


# ---------------------------------------------------------------- explanations


def test_support_gives_sentences_and_terms_of_the_category(fitted):
    doc = prepare("", "报社推出新闻客户端。推行全员竞聘上岗和薪酬考核改革。")
    sentences, terms = explain.support(fitted, doc, 5)
    assert sentences[0] == "推行全员竞聘上岗和薪酬考核改革。"
    assert terms and all(term in doc.body for term in terms)
    prior_only = CategoryClassifier().fit([], [])
    sentences, terms = explain.support(prior_only, doc, 1)
    assert sentences == ["报社推出新闻客户端。"] and "客户端" in terms


def test_deciding_phrases_separate_reform_from_platform(fitted):
    doc = prepare("", "融媒体中心推行全员竞聘和考核改革，同时上线新闻客户端。")
    for_reform, for_platform = explain.deciding_phrases(fitted, doc, 5, 1)
    assert for_reform and for_platform
    assert any("考核" in p or "竞聘" in p or "改革" in p for p in for_reform)
    assert any("客户端" in p for p in for_platform)
    assert not set(for_reform) & set(for_platform)


def test_definition_match_quotes_sentence_and_clause(fitted):
    doc = prepare("组织结构变革", "报社推出新闻客户端。")
    ((sentence, clause, value),) = explain.definition_matches(fitted, doc, [5])
    assert (sentence, clause) == ("组织结构变革", "组织结构变革") and value > 0.9


# ---------------------------------------------------------------- calibration and prediction sets


def _noisy(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Over-confident probabilities: the top category is right 70 % of the time but gets 0.97."""
    rng = np.random.default_rng(seed)
    y = rng.integers(1, 7, size=n)
    top = np.where(rng.random(n) < 0.7, y, rng.integers(1, 7, size=n))
    probabilities = np.full((n, 6), 0.006)
    probabilities[np.arange(n), top - 1] = 0.97
    return probabilities, y


def test_temperature_softens_over_confident_probabilities():
    probabilities, y = _noisy(600, 0)
    calibrator = TemperatureCalibrator().fit(probabilities, y)
    assert calibrator.temperature_ > 1.5
    calibrated = calibrator.transform(probabilities)
    assert np.allclose(calibrated.sum(axis=1), 1.0)
    assert expected_calibration_error(calibrated, y) < 0.05 < expected_calibration_error(probabilities, y)
    assert np.array_equal(calibrated.argmax(axis=1), probabilities.argmax(axis=1))
    assert np.allclose(
        apply_temperature(probabilities, 1.0), probabilities / probabilities.sum(1, keepdims=True)
    )


def test_conformal_sets_reach_the_coverage_on_new_cases():
    rng = np.random.default_rng(1)
    n = 4000
    logits = rng.normal(size=(n, 6)) * 2
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    y = np.array([rng.choice(6, p=row) + 1 for row in probabilities])  # labels drawn from the probabilities
    threshold = conformal_threshold(probabilities[:2000], y[:2000], 0.9)
    sets = prediction_sets(probabilities[2000:], threshold)
    found = set_metrics(sets, y[2000:], probabilities[2000:])
    assert 0.88 <= found["coverage"] <= 0.93
    assert all(
        s and s[0] == int(np.argmax(row)) + 1 for s, row in zip(sets, probabilities[2000:], strict=True)
    )
    assert (
        0 < found["confident_share"] < 1
    )  # singletons exist; their accuracy is *not* guaranteed by coverage
    with pytest.raises(ValueError, match="覆盖率"):
        conformal_threshold(probabilities, y, 1.0)


def test_prediction_sets_and_their_figures_on_hand_made_rows():
    probabilities = np.array([[0.9, 0.05, 0.05, 0, 0, 0], [0.5, 0.4, 0.1, 0, 0, 0], [0.2, 0.2, 0.6, 0, 0, 0]])
    sets = prediction_sets(probabilities, 0.15)
    assert sets == [[1], [1, 2], [3, 1, 2]]
    assert prediction_sets(probabilities, 0.95) == [[1], [1], [3]]
    found = set_metrics(sets, np.array([1, 2, 1]), probabilities)
    assert found == {
        "coverage": 1.0,
        "mean_set_size": 2.0,
        "confident_share": 1 / 3,
        "confident_accuracy": 1.0,
    }


def test_reliability_table_bins_the_top_probability():
    probabilities = np.array([[0.95, 0.05, 0, 0, 0, 0], [0.91, 0.09, 0, 0, 0, 0], [0.55, 0.45, 0, 0, 0, 0]])
    rows = reliability_table(probabilities, np.array([1, 2, 1]))
    assert [(r["low"], r["n"], r["accuracy"]) for r in rows] == [(0.5, 1, 1.0), (0.9, 2, 0.5)]
    assert rows[1]["confidence"] == pytest.approx(0.93)
    assert expected_calibration_error(probabilities, np.array([1, 2, 1])) == pytest.approx(
        (0.45 + 2 * 0.43) / 3
    )


# ---------------------------------------------------------------- metrics and the misfiling flag


def test_metrics_on_hand_made_probabilities():
    probabilities = np.zeros((4, 6))
    probabilities[0, 0], probabilities[0, 1] = 0.9, 0.1  # right
    probabilities[1, 1], probabilities[1, 2] = 0.6, 0.4  # wrong, second category and runner-up are 3
    probabilities[2, 3], probabilities[2, 4] = 0.7, 0.3  # right
    probabilities[3, 5], probabilities[3, 0] = 0.8, 0.2  # wrong, runner-up is not the category
    found = classification_metrics(probabilities, [1, 3, 4, 2], [None, 2, None, None])
    assert found["accuracy"] == 0.5 and found["lenient_accuracy"] == 0.75 and found["top2_accuracy"] == 0.75
    assert found["confusion"][2][1] == 1 and found["per_category"][1]["recall"] == 1.0
    assert found["ece"] == pytest.approx(expected_calibration_error(probabilities, np.array([1, 3, 4, 2])))
    assert sum(r["n"] for r in found["reliability"]) == 4 and found["log_loss"] > 0


def test_misfile_rule_needs_a_lower_rank_and_low_probability():
    row = np.array([0.6, 0.3, 0.0, 0.05, 0.05, 0.0])
    assert not is_misfiled(row, 0, 0.9)  # the first choice is never flagged
    assert is_misfiled(row, 1, 0.31)
    assert not is_misfiled(row, 1, 0.3)
    assert is_misfiled(row, 3, 0.06)
    assert not is_misfiled(row, 3, 0.05)


def test_misfile_threshold_keeps_false_flags_under_two_percent():
    rng = np.random.default_rng(0)
    y = rng.integers(1, 7, size=200)
    probabilities = rng.dirichlet(np.ones(6) * 0.3, size=200)
    probabilities[np.arange(200), y - 1] += 1.0
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    chosen = choose_misfile_threshold(probabilities, y, [None] * 200)
    flags = [is_misfiled(probabilities[i], y[i] - 1, chosen["threshold"]) for i in range(200)]
    assert np.mean(flags) <= 0.02 and chosen["false_flag_rate"] == np.mean(flags)
    assert chosen["threshold"] > 0 and chosen["detection_rate"] > 0.5


def test_declared_misfile_metrics_count_right_second_and_wrong_filings():
    probabilities = np.array([[0.9, 0.1, 0, 0, 0, 0]] * 4)
    found = declared_misfile_metrics(
        probabilities, [1, 2, 3, None], [1, 1, 1, 1], [None, 2, None, None], 0.05
    )
    assert found == {
        "n_declared": 3,
        "n_wrong": 1,
        "detection_rate": 1.0,
        "false_flag_rate": 0.0,
        "second_flag_rate": 0.0,
    }
