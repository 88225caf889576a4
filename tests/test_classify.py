"""Tests for pipelines.classify.model: prior, calibrated head, thresholds, suggestions, training, CLI, LLM opinion."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from pipelines import store
from pipelines.classify import model as classify
from pipelines.classify.model import (
    CategoryClassifier,
    LabelledCase,
    TemperatureScaledLR,
    choose_confidence_threshold,
    choose_misfile_threshold,
    classification_metrics,
    expected_calibration_error,
    prepare,
)
from pipelines.config import Settings
from pipelines.schema import Submission
from tests.llm_server import Reply, chat_reply

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
    return CategoryClassifier(cv=2).fit(texts, labels)


@parametrize_with_checks(
    [TemperatureScaledLR(cv=2, max_iter=500)],
    expected_failed_checks=lambda estimator: {
        "check_sample_weight_equivalence_on_sparse_data": "as on dense data",
        "check_sample_weight_equivalence_on_dense_data": "the temperature is fitted by internal CV: repeated "
        "rows change the folds, so weights and repetitions differ slightly",
    },
)
def test_head_is_a_scikit_learn_classifier(estimator, check):
    check(estimator)


def test_head_temperature_makes_probabilities_less_extreme_on_noisy_labels():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 5))
    y = (X[:, 0] + rng.normal(scale=1.5, size=300) > 0).astype(int)
    head = TemperatureScaledLR(C=1e4, cv=5).fit(X, y)
    assert head.temperature_ > 1.0
    assert np.allclose(head.predict_proba(X).sum(axis=1), 1.0)


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
    assert model.classes_.tolist() == [1, 2, 3, 4, 5, 6]


def test_supervised_model_classifies_unseen_cases(fitted):
    unseen = [
        "县融媒体中心上线客户端并整合公众号矩阵，下载量五十万",
        "城市台开办电视问政栏目，帮办群众诉求，推动部门办理",
        "晚报实行采编人员竞聘和绩效考核，组建工作室",
    ]
    assert fitted.predict(unseen).tolist() == [1, 3, 5]


def test_categories_missing_from_training_keep_prior_probability():
    texts, labels = _train_data()
    keep = [i for i, label in enumerate(labels) if label in (1, 2)]
    model = CategoryClassifier(cv=2).fit([texts[i] for i in keep], [labels[i] for i in keep])
    probabilities = model.predict_proba(["国际传播中心海外账号多语种对外传播"])[0]
    assert probabilities[5] > 0.05
    assert np.isclose(probabilities.sum(), 1.0)


def test_second_category_adds_soft_rows():
    docs = [prepare("", "甲"), prepare("", "乙"), prepare("", "丙")]
    rows, targets, weights, origin = classify._with_second_rows(docs, np.array([1, 2, 3]), [4, None, 3], 0.2)
    assert targets.tolist() == [1, 2, 3, 4]
    assert weights.tolist() == [1.0, 1.0, 1.0, 0.2]
    assert origin.tolist() == [0, 1, 2, 0]


def test_fit_rejects_bad_labels():
    with pytest.raises(ValueError, match="1–6"):
        CategoryClassifier().fit(["甲", "乙"], [1, 7])
    with pytest.raises(ValueError, match="不一致"):
        CategoryClassifier().fit(["甲"], [1, 2])


def test_support_gives_sentences_and_terms_of_the_category(fitted):
    doc = prepare(
        "某台国际传播项目", "中心在海外社交媒体开设多语种账号。报社还举办了读书会。外国网友留言互动。"
    )
    sentences, terms = fitted.support(doc, 6)
    assert sentences and sentences[0] in doc.sentences
    assert "读书会" not in "".join(sentences)
    assert terms and any(term in {"海外", "多语种", "海外社交", "国际传播"} for term in terms)
    prior_sentences, prior_terms = CategoryClassifier().fit([], []).support(doc, 6)
    assert prior_sentences[0] in doc.sentences
    assert "海外" in prior_terms


def test_model_pickles_without_training_text(fitted):
    blob = pickle.dumps(fitted)
    assert TRAIN[1][0][:12].encode() not in blob
    clone = pickle.loads(blob)
    assert np.allclose(clone.predict_proba(TRAIN[6][:1]), fitted.predict_proba(TRAIN[6][:1]))


def test_metrics_on_hand_made_probabilities():
    probabilities = np.array(
        [
            [0.9, 0.1, 0, 0, 0, 0],
            [0.6, 0.4, 0, 0, 0, 0],
            [0, 0.3, 0.7, 0, 0, 0],
            [0, 0, 0, 0, 0.2, 0.8],
        ]
    )
    metrics = classification_metrics(probabilities, [1, 2, 3, 5], [None, 1, None, 6])
    assert metrics["accuracy"] == 0.5
    assert metrics["lenient_accuracy"] == 1.0
    assert metrics["top2_accuracy"] == 1.0
    assert metrics["confusion"][1][0] == 1
    assert metrics["per_category"][1] == {"precision": 0.5, "recall": 1.0, "support": 1}
    # bins: 0.9 correct, 0.6 wrong, 0.7 correct, 0.8 wrong → |1-.9|+|0-.6|+|1-.7|+|0-.8| over 4
    assert expected_calibration_error(probabilities, np.array([1, 2, 3, 5])) == pytest.approx(0.45)


def test_misfile_threshold_keeps_false_flags_under_two_percent():
    rng = np.random.default_rng(1)
    y = rng.integers(1, 7, size=200)
    probabilities = np.zeros((200, 6))
    for row, label in enumerate(y):
        others = [c for c in range(6) if c != label - 1]
        probabilities[row, others] = [0.05, 0.02, 0.015, 0.01, 0.005]
        probabilities[row, label - 1] = 0.9
    # 3 % of the cases: the true category at 0.1 with two others above it
    for row in range(6):
        others = [c for c in range(6) if c != y[row] - 1]
        probabilities[row, others] = [0.4, 0.35, 0.05, 0.05, 0.05]
        probabilities[row, y[row] - 1] = 0.1
    second = [None] * 200
    second[10] = int([c for c in range(6) if c != y[10] - 1][4] + 1)  # at 0.005, below the first choice
    chosen = choose_misfile_threshold(probabilities, y.tolist(), second)
    assert 0.02 < chosen["threshold"] <= 0.1
    assert chosen["false_flag_rate"] <= 0.02
    assert chosen["second_flag_rate"] == 1.0
    assert chosen["detection_rate"] >= 0.75


def test_misfile_rule_needs_a_lower_rank_and_low_probability():
    row = np.array([0.5, 0.3, 0.1, 0.05, 0.03, 0.02])
    assert not classify.is_misfiled(row, 0, 0.9)  # the first choice is never flagged
    assert classify.is_misfiled(row, 1, 0.31)  # a runner-up is flagged when its probability is low
    assert not classify.is_misfiled(row, 1, 0.3)
    assert classify.is_misfiled(row, 3, 0.06)
    assert not classify.is_misfiled(row, 3, 0.05)


def test_confidence_threshold_reaches_target_accuracy():
    y = np.array([1] * 10 + [2] * 10)
    probabilities = np.zeros((20, 6))
    probabilities[:10, 0] = 0.95
    probabilities[:10, 1] = 0.05
    probabilities[10:, 0] = 0.55  # wrong and unsure
    probabilities[10:, 1] = 0.45
    chosen = choose_confidence_threshold(probabilities, y)
    assert 0.55 < chosen["threshold"] <= 0.95
    assert chosen["confident_share"] == 0.5 and chosen["confident_accuracy"] == 1.0


def _labelled() -> tuple[list[LabelledCase], list[LabelledCase]]:
    cases = [
        LabelledCase(f"T{c}{i}", "", text, c, None, f"单位{c}{i}")
        for c, texts in TRAIN.items()
        for i, text in enumerate(texts)
    ]
    return cases, []


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("models")
    model = classify.train(root=root, version="v1", n_splits=2, params={"cv": 2}, data=_labelled())
    return root, model


def test_train_writes_model_and_card(trained):
    root, model = trained
    card = json.loads((root / "v1" / "card.json").read_text(encoding="utf-8"))
    assert card["training_size"] == 24 and card["labels"]["6"] == "国际传播能力建设类"
    assert len(card["data_hash"]) == 64
    assert {"accuracy", "macro_f1", "lenient_accuracy", "top2_accuracy", "ece"} <= set(card["metrics"])
    assert card["misfile_threshold"] == card["misfile"]["threshold"]
    assert classify.list_versions(root) == ["v1"]
    assert classify.load_model("v1", root).version == "v1"


def test_load_model_errors(trained, tmp_path):
    root, _ = trained
    with pytest.raises(FileNotFoundError, match="v9"):
        classify.load_model("v9", root)
    with pytest.raises(FileNotFoundError, match="pipelines train"):
        classify.load_model(None, tmp_path)


def test_suggest_flags_an_unlikely_declared_category(trained):
    _, model = trained
    model.card["misfile_threshold"] = 0.2
    text = "国际传播中心在海外社交平台开设英文账号。邀请外国记者采访。多语种短视频讲好中国故事。"
    suggestion = model.suggest("海外传播矩阵", text, declared_category=2, settings=Settings())
    assert suggestion.category == 6 and suggestion.suggested_category == 6
    assert suggestion.misfiled and suggestion.needs_human_check
    assert any("可能申报错类别" in reason and "内容供给创新类" in reason for reason in suggestion.reasons)
    assert set(suggestion.probabilities) == {1, 2, 3, 4, 5, 6}
    assert suggestion.top2[0] == 6 and len(suggestion.top2) == 2
    assert suggestion.evidence[6] and suggestion.evidence[6][0] in text
    fine = model.suggest("海外传播矩阵", text, declared_category=6, settings=Settings())
    assert not fine.misfiled and fine.suggested_category is None


def test_settings_override_the_misfile_threshold(trained):
    _, model = trained
    assert model.misfile_threshold(Settings(misfile_threshold=0.33)) == 0.33


def test_suggest_rejects_bad_declared_category(trained):
    _, model = trained
    with pytest.raises(ValueError, match="1–6"):
        model.suggest("标题", "正文", declared_category=9)
    assert model.suggest_many([]) == []


def test_load_labelled_explains_bad_lines(tmp_path):
    path = tmp_path / "cases.jsonl"
    path.write_text('{"text": "客户端", "category": 1}\n{"text": "x", "category": 9}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="第 2 行.*1–6"):
        classify.load_labelled(path)
    path.write_text('{"text": "客户端", "category": 1}\nnot json\n', encoding="utf-8")
    with pytest.raises(ValueError, match="第 2 行不是有效的 JSON"):
        classify.load_labelled(path)
    path.write_text('{"title": "无正文", "category": 1}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="缺少 text"):
        classify.load_labelled(path)


def test_history_records_with_sections_are_read(tmp_path):
    record = {"id": "H1", "title": "项目", "unit": "某报社", "category": 4, "second_category": None}
    record["sections"] = {"案例简介": "研发大模型。", "主要做法": "建设数字人。"}
    (tmp_path / "part_x.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    (case,) = classify.load_history(tmp_path)
    assert case.text == "研发大模型。\n建设数字人。" and case.category == 4 and case.source == "history"


def test_reviewed_categories_come_from_submitted_newest_reviews(engine):
    with store.session_scope(engine) as session:
        session.add_all([store.UserRow(id=i, username=f"r{i}", role="reviewer") for i in (1, 2, 3)])
    ids = []
    for n in range(3):
        submission = Submission(
            file_name=f"c{n}.docx", content_hash=f"h{n}", title=f"案例{n}", unit=f"单位{n}"
        )
        submission.text = "" if n == 2 else f"案例正文{n}"
        ids.append(store.save_submission(engine, submission, 2026).submission_id)
    rows = [
        (ids[0], 1, 1, "submitted", 2),
        (ids[0], 1, 2, "submitted", 4),  # newer version of reviewer 1 wins
        (ids[0], 2, 1, "submitted", 4),
        (ids[0], 3, 1, "draft", 2),  # drafts do not count
        (ids[1], 1, 1, "draft", 3),
        (ids[2], 1, 1, "submitted", 5),  # no text: skipped
    ]
    with store.session_scope(engine) as session:
        session.add_all(
            [
                store.ReviewRow(submission_id=s, reviewer_id=r, version=v, status=st, final_category=c)
                for s, r, v, st, c in rows
            ]
        )
    (case,) = classify.load_reviewed(engine)
    assert (case.category, case.title, case.text, case.group, case.source) == (
        4,
        "案例0",
        "案例正文0",
        "单位0",
        "review",
    )


def _opinion_server(server, category: int | str, reason: str = "以海外账号运营为主"):
    answer = json.dumps({"category": category, "second_category": None, "reason": reason}, ensure_ascii=False)
    server.handler = lambda path, body: chat_reply(answer)


def _llm(server):
    from pipelines.backends.llm import LLMClient

    settings = Settings(llm_base_url=server.base_url, llm_model="test-model", llm_max_retries=0)
    return LLMClient(settings)


def test_llm_agreement_and_disagreement(trained, openai_server):
    _, model = trained
    items = [("海外传播", "国际传播中心运营海外账号，多语种对外传播。", None)]
    agree = model.suggest_many(items)
    _opinion_server(openai_server, 6)
    classify.add_llm_opinions(agree, items, _llm(openai_server))
    assert agree[0].llm_category == 6 and not agree[0].needs_human_check
    request = openai_server.requests[0][1]
    assert "国际传播能力建设类" in request["messages"][1]["content"]

    disagree = model.suggest_many(items)
    _opinion_server(openai_server, "2", "以系列报道为主")
    classify.add_llm_opinions(disagree, items, _llm(openai_server))
    assert disagree[0].llm_category == 2 and disagree[0].needs_human_check
    assert any("与模型判断不一致" in reason for reason in disagree[0].reasons)


def test_llm_invalid_answers_leave_the_suggestion_alone(trained, openai_server):
    _, model = trained
    items = [("海外传播", "国际传播中心运营海外账号。", None)]
    suggestions = model.suggest_many(items)
    _opinion_server(openai_server, 9)
    classify.add_llm_opinions(suggestions, items, _llm(openai_server))
    assert suggestions[0].llm_category is None and not suggestions[0].needs_human_check
    assert any("大模型第二意见不可用" in reason for reason in suggestions[0].reasons)
    openai_server.handler = lambda path, body: Reply(500, {"error": {"message": "down"}})
    classify.add_llm_opinions(suggestions, items, _llm(openai_server))
    assert suggestions[0].llm_category is None


def test_validate_opinion_rejects_bad_shapes():
    assert classify._validate_opinion({"category": "3", "reason": " 理由 "}) == {
        "category": 3,
        "second_category": None,
        "reason": "理由",
    }
    for bad in ({"category": 0}, {"category": 2, "second_category": 8}, {"category": 2, "reason": 5}, {}):
        with pytest.raises((ValueError, TypeError, KeyError)):
            classify._validate_opinion(bad)


# ---------------------------------------------------------------- command line (shipped default model)


def _run(capsys, *argv):
    from pipelines.__main__ import main

    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_shipped_model_exists_with_a_card():
    model = classify.load_model()
    assert model.card["training_size"] >= 182
    assert 0 < model.card["misfile_threshold"] < 0.5
    assert model.card["metrics"]["macro_f1"] > 0.8


def test_cli_classify_jsonl(tmp_path, capsys):
    source = tmp_path / "cases.jsonl"
    lines = [
        {
            "id": "a",
            "title": "海外传播矩阵",
            "text": "国际传播中心运营海外社交媒体账号，多语种讲好中国故事。",
        },
        {"id": "b", "title": "", "text": "报社研发AIGC大模型和数字人主播。", "declared_category": 4},
    ]
    source.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n\n", encoding="utf-8")
    output = tmp_path / "out" / "result.jsonl"
    code, _, err = _run(capsys, "classify", "--input", str(source), "--output", str(output), "--no-llm")
    assert code == 0 and "已分类 2 个案例" in err
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == ["a", "b"]
    assert [r["category"] for r in records] == [6, 4]
    first = records[0]
    assert set(first["probabilities"]) == {"1", "2", "3", "4", "5", "6"}
    assert abs(sum(first["probabilities"].values()) - 1) < 1e-3
    assert len(first["top2"]) == 2 and first["misfiled"] is False and first["reasons"]


def test_cli_classify_docx_folder_and_unreadable_file(tmp_path, capsys):
    from pipelines.intake.template import write_template

    folder = tmp_path / "forms"
    sections = {
        "案例简介": "报社整合报纸与电视台，组建新闻传媒中心。",
        "主要做法": "推行全员竞聘上岗和薪酬考核改革。",
    }
    submission = Submission(file_name="", title="传媒中心组建改革", unit="某市日报社", declared_category=2)
    submission.sections = sections
    write_template(folder / "form.docx", submission)
    (folder / "broken.docx").write_bytes(b"not a zip")
    code, out, err = _run(capsys, "classify", "--input", str(folder), "--no-llm")
    records = {r["id"]: r for r in map(json.loads, out.splitlines())}
    assert code == 1 and "broken.docx" in err
    assert records["broken.docx"]["error"]["code"]
    assert records["form.docx"]["category"] == 5
    assert records["form.docx"]["misfiled"] is True and records["form.docx"]["suggested_category"] == 5


def test_cli_classify_bad_input(tmp_path, capsys):
    source = tmp_path / "cases.jsonl"
    source.write_text('{"id": "a", "title": "无正文"}\n', encoding="utf-8")
    code, _, err = _run(capsys, "classify", "--input", str(source))
    assert code == 2 and "第 1 行 缺少案例正文" in err
    source.write_text('{"id": "a", "text": "正文", "declared_category": 8}\n', encoding="utf-8")
    code, _, err = _run(capsys, "classify", "--input", str(source))
    assert code == 2 and "1–6" in err
    code, _, err = _run(capsys, "classify", "--input", str(tmp_path / "cases.txt"))
    assert code == 2 and "无法读取" in err


def test_cli_evaluate_on_a_labelled_file(tmp_path, capsys):
    source = tmp_path / "labelled.jsonl"
    rows = [{"text": text, "category": c} for c, texts in TRAIN.items() for text in texts[:2]]
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    code, out, _ = _run(capsys, "evaluate", "--input", str(source))
    assert code == 0
    for label in ("macro-F1", "lenient", "top-2", "ECE", "混淆矩阵", "6 国际传播能力建设类"):
        assert label in out
    code, _, err = _run(capsys, "evaluate", "--input", str(tmp_path / "missing.jsonl"))
    assert code == 2 and "评估失败" in err
