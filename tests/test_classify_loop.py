"""Tests for training, versions and the command line of pipelines.classify, and the whole reviewer loop on a
real SQLite file: confirm categories → train --include-reviews → promoted only when at least as good on the
grouped validation → used by classify and shown in the model card."""

from __future__ import annotations

import json

import pytest

from pipelines import auth, store
from pipelines.classify import training, versions
from pipelines.classify.card_view import model_card_view
from pipelines.classify.data import LabelledCase, load_history, load_labelled
from pipelines.classify.llm_opinion import _validate_opinion, add_llm_opinions
from pipelines.config import Settings
from pipelines.review.confirmed import confirmed_categories
from pipelines.review.decisions import ReviewInput, save_review
from pipelines.schema import Submission
from pipelines.vocabulary import CRITERIA
from tests.llm_server import Reply, chat_reply
from tests.test_classify import TRAIN


def _cases() -> list[LabelledCase]:
    return [
        LabelledCase(f"T{c}{i}", "", text, c, None, f"单位{c}{i}")
        for c, texts in TRAIN.items()
        for i, text in enumerate(texts)
    ]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("models")
    model = training.train(_cases(), root=root, version="v1", n_splits=2)
    return root, model


def test_train_writes_model_and_card(trained):
    root, model = trained
    card = json.loads((root / "v1" / "card.json").read_text(encoding="utf-8"))
    assert card["training_size"] == 24 and card["labels"]["6"] == "国际传播能力建设类"
    assert len(card["data_hash"]) == 64
    for key in ("macro_f1", "lenient_accuracy", "top2_accuracy", "ece", "coverage", "confident_accuracy"):
        assert 0 <= card["metrics"][key] <= 1
    assert card["validation"]["n"] == 24 and card["validation"]["reliability"]
    assert card["calibration"]["temperature"] > 0
    assert card["prediction_set"]["coverage"] in training.COVERAGE_GRID
    assert 0 < card["prediction_set"]["min_probability"] <= 1
    assert card["misfile_threshold"] == card["misfile"]["threshold"]
    assert card["promotion"]["promoted"] is True
    assert versions.list_versions(root) == ["v1"] and versions.load_model(None, root).version == "v1"


def test_history_is_trained_on_but_never_validated(trained):
    cases = _cases()[:12] + [
        LabelledCase(f"H{i}", "", text, c, None, f"往年{i}", "history")
        for i, (c, text) in enumerate((c, t) for c, texts in TRAIN.items() for t in texts[:1])
    ]
    from pipelines.classify.validation import Recipe, cross_validate

    cv = cross_validate(cases, Recipe({}), n_splits=2)
    assert {c.source for c in cv.cases} == {"corpus"} and len(cv.cases) == 12
    units = {}
    for case, fold in zip(cv.cases, cv.folds, strict=True):
        units.setdefault(case.group, set()).add(int(fold))
    assert all(len(folds) == 1 for folds in units.values())


def test_folds_group_the_names_of_one_organisation():
    from pipelines.classify.validation import unit_keys

    names = ["人民日报社", "人民日报社（人民日报客户端）", "浙江日报报业集团", "浙报集团", "新京报社", ""]
    cases = [LabelledCase(f"K{i}", "", "正文", 1, None, name) for i, name in enumerate(names)]
    keys = unit_keys(cases)
    assert keys[0] == keys[1] and keys[2] == keys[3]
    assert len({keys[0], keys[2], keys[4]}) == 3 and keys[5] == "corpus:K5"


def test_load_model_errors(trained, tmp_path):
    root, _ = trained
    with pytest.raises(FileNotFoundError, match="v9"):
        versions.load_model("v9", root)
    with pytest.raises(FileNotFoundError, match="pipelines train"):
        versions.load_model(None, tmp_path)


def test_suggest_flags_an_unlikely_declared_category(trained):
    _, model = trained
    model.card["misfile_threshold"] = 0.2
    text = "国际传播中心在海外社交平台开设英文账号。邀请外国记者采访。多语种短视频讲好中国故事。"
    suggestion = model.suggest("海外传播矩阵", text, declared_category=2, settings=Settings())
    assert suggestion.category == 6 and suggestion.suggested_category == 6
    assert suggestion.misfiled and suggestion.needs_human_check
    assert any("可能申报错类别" in reason and "内容供给创新类" in reason for reason in suggestion.reasons)
    assert set(suggestion.probabilities) == {1, 2, 3, 4, 5, 6}
    assert abs(sum(suggestion.probabilities.values()) - 1) < 1e-3
    assert suggestion.top2[0] == 6 and len(suggestion.top2) == 2
    assert suggestion.prediction_set[0] == 6 and suggestion.confident == (len(suggestion.prediction_set) == 1)
    assert suggestion.evidence[6] and suggestion.evidence[6][0] in text
    fine = model.suggest("海外传播矩阵", text, declared_category=6, settings=Settings())
    assert not fine.misfiled and fine.suggested_category is None


def test_confident_means_a_singleton_prediction_set(trained):
    _, model = trained
    text = "融媒体中心推行全员竞聘和考核改革，同时上线新闻客户端。"
    model.card["prediction_set"]["min_probability"] = 0.01  # a wide set: two or more categories
    unsure = model.suggest("", text)
    assert not unsure.confident and len(unsure.prediction_set) >= 2
    assert any("把握不足" in r for r in unsure.reasons)
    assert any(r.startswith("区分“") and "倾向前者" in r for r in unsure.reasons)
    model.card["prediction_set"]["min_probability"] = 1.0  # only the top category
    sure = model.suggest("", text)
    assert sure.confident and sure.prediction_set == [sure.category]


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
        load_labelled(path)
    path.write_text('{"text": "客户端", "category": 1}\nnot json\n', encoding="utf-8")
    with pytest.raises(ValueError, match="第 2 行不是有效的 JSON"):
        load_labelled(path)
    path.write_text('{"title": "无正文", "category": 1}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="缺少 text"):
        load_labelled(path)
    path.write_text('{"text": "客户端", "category": 1, "declared_category": 0}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="第 1 行.*1–6"):
        load_labelled(path)


def test_history_records_with_sections_are_read(tmp_path):
    record = {"id": "H1", "title": "项目", "unit": "某报社", "category": 4, "second_category": None}
    record["sections"] = {"案例简介": "研发大模型。", "主要做法": "建设数字人。"}
    (tmp_path / "part_x.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    (case,) = load_history(tmp_path)
    assert case.text == "研发大模型。\n建设数字人。" and case.category == 4 and case.source == "history"


def test_confirmed_categories_come_from_submitted_newest_reviews(engine):
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
    (case,) = confirmed_categories(engine)
    assert (case.submission_id, case.category, case.title, case.text, case.unit) == (
        ids[0],
        4,
        "案例0",
        "案例正文0",
        "单位0",
    )
    with store.session_scope(engine) as session:
        session.add(store.UserRow(id=4, username="r4", role="reviewer"))
    with store.session_scope(engine) as session:  # reviewer 2's newer draft withdraws their vote for 4
        session.add_all(
            [
                store.ReviewRow(submission_id=ids[0], reviewer_id=r, version=v, status=st, final_category=c)
                for r, v, st, c in [(2, 2, "draft", 4), (3, 2, "submitted", 2), (4, 1, "submitted", 2)]
            ]
        )
    (case,) = confirmed_categories(engine)
    assert case.category == 2  # 2 votes for 2, one for 4
    cases = training.training_cases([], include_reviews=True, engine=engine)
    assert [(c.id, c.source, c.group) for c in cases] == [(f"review-{ids[0]}", "review", "单位0")]


# ---------------------------------------------------------------- LLM second opinion


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
    add_llm_opinions(agree, items, _llm(openai_server))
    assert agree[0].llm_category == 6 and not agree[0].needs_human_check
    request = openai_server.requests[0][1]
    assert "国际传播能力建设类" in request["messages"][1]["content"]

    disagree = model.suggest_many(items)
    _opinion_server(openai_server, "2", "以系列报道为主")
    add_llm_opinions(disagree, items, _llm(openai_server))
    assert disagree[0].llm_category == 2 and disagree[0].needs_human_check
    assert any("与模型判断不一致" in reason for reason in disagree[0].reasons)


def test_llm_invalid_answers_leave_the_suggestion_alone(trained, openai_server):
    _, model = trained
    items = [("海外传播", "国际传播中心运营海外账号。", None)]
    suggestions = model.suggest_many(items)
    _opinion_server(openai_server, 9)
    add_llm_opinions(suggestions, items, _llm(openai_server))
    assert suggestions[0].llm_category is None and not suggestions[0].needs_human_check
    assert any("大模型第二意见不可用" in reason for reason in suggestions[0].reasons)
    openai_server.handler = lambda path, body: Reply(500, {"error": {"message": "down"}})
    add_llm_opinions(suggestions, items, _llm(openai_server))
    assert suggestions[0].llm_category is None


def test_validate_opinion_rejects_bad_shapes():
    assert _validate_opinion({"category": "3", "reason": " 理由 "}) == {
        "category": 3,
        "second_category": None,
        "reason": "理由",
    }
    for bad in ({"category": 0}, {"category": 2, "second_category": 8}, {"category": 2, "reason": 5}, {}):
        with pytest.raises((ValueError, TypeError, KeyError)):
            _validate_opinion(bad)


# ---------------------------------------------------------------- command line and the reviewer loop

# Cases reviewers confirm in the workbench: new wording for each category (not in TRAIN).
REVIEWED = {
    1: [
        "行业报社上线移动门户和小程序，打通报网端，用户数翻番。",
        "广电集团整合频道与新媒体账号，建成自主可控的传播平台。",
    ],
    2: ["报社推出人物专访栏目和系列评论，多篇作品获奖。", "杂志社出版行业年度研究报告和智库产品，策划专题。"],
    3: [
        "融媒体中心开办便民服务平台，提供办事预约和民生诉求受理。",
        "报社举办行业展会和研学活动，开展文旅运营。",
    ],
    4: ["报社建设智能审校系统和语料库，训练行业大模型。", "电视台应用算法推荐和虚拟现实技术制作新闻。"],
    5: [
        "报业集团实行采编经营分离和扁平化管理，设立项目工作室。",
        "传媒中心改革职称评聘和绩效分配制度，打破身份界限。",
    ],
    6: ["行业报社开设多语种海外专版，与外国媒体交换稿件。", "媒体在海外举办中国文化周，面向外国受众传播。"],
}


def _run(capsys, *argv):
    from pipelines.__main__ import main

    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _confirm(engine, labels: dict[str, int]) -> None:
    """Save the texts of REVIEWED as submissions and have a reviewer confirm ``labels[text]`` for each."""
    organizer = auth.create_user(engine, auth.SYSTEM, "org", "organizer", "password-org").user
    reviewer = auth.create_user(engine, organizer, "rev", "reviewer", "password-rev").user
    for n, (text, category) in enumerate(labels.items()):
        submission = Submission(file_name=f"r{n}.docx", content_hash=f"r{n}", title="", unit=f"评审单位{n}")
        submission.text = text
        submission_id = store.save_submission(engine, submission, 2026).submission_id
        entry = ReviewInput(category, {key: 80.0 for key in CRITERIA}, "推荐")
        save_review(engine, reviewer, submission_id, entry, Settings())


@pytest.fixture
def small_world(tmp_path, monkeypatch):
    """The CLI's model folder and base training data point at a temporary folder and TRAIN."""
    root = tmp_path / "models"
    monkeypatch.setattr(versions, "MODEL_ROOT", root)
    monkeypatch.setattr(training, "base_cases", _cases)
    return root


def test_reviewer_loop_confirm_retrain_promote_classify_card(small_world, sqlite_url, tmp_path, capsys):
    root = small_world
    code, out, _ = _run(capsys, "train", "--folds", "3")
    assert code == 0 and "直接启用" in out
    (first,) = versions.list_versions(root)

    engine = store.get_engine(sqlite_url)
    _confirm(engine, {text: c for c, texts in REVIEWED.items() for text in texts})
    code, out, _ = _run(capsys, "train", "--include-reviews", "--database-url", sqlite_url, "--folds", "3")
    assert code == 0 and "加入评审确认案例后" in out
    second = versions.list_versions(root)[-1]
    card = versions.read_card(second, root)
    assert card["training_sources"]["review"] == 12
    promotion = card["promotion"]
    assert promotion["promoted"] == (promotion["candidate"]["macro_f1"] >= promotion["baseline"]["macro_f1"])
    assert promotion["promoted"], promotion["reason"]  # correct labels for new wording help on unseen units
    assert versions.active_version(root) == second

    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        json.dumps({"id": "x", "text": REVIEWED[5][0]}, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    code, out, _ = _run(capsys, "classify", "--input", str(cases), "--no-llm")
    (record,) = map(json.loads, out.splitlines())
    assert code == 0 and record["model_version"] == second
    view = model_card_view(root=root)
    assert view.version == second and view.active and view.training_sources["review"] == 12
    assert "评审确认" in view.promotion_reason and first != second
    store.dispose_engines()


def test_reviews_that_make_the_model_worse_are_not_promoted(small_world, sqlite_url, capsys):
    root = small_world
    assert _run(capsys, "train", "--folds", "3")[0] == 0
    (first,) = versions.list_versions(root)
    engine = store.get_engine(sqlite_url)
    # Careless confirmations: every case confirmed as 内容供给创新类.
    _confirm(engine, {text: 2 for texts in REVIEWED.values() for text in texts})
    code, out, _ = _run(capsys, "train", "--include-reviews", "--database-url", sqlite_url, "--folds", "3")
    assert code == 0 and "不启用" in out
    second = versions.list_versions(root)[-1]
    assert versions.read_card(second, root)["promotion"]["promoted"] is False
    assert versions.active_version(root) == first and versions.load_model(None, root).version == first
    store.dispose_engines()


def test_shipped_model_exists_with_a_card():
    model = versions.load_model()
    card = model.card
    assert card["training_size"] >= 182 and card["promotion"]["promoted"]
    assert 0 < card["misfile_threshold"] < 0.5
    assert card["metrics"]["macro_f1"] > 0.8 and card["validation"]["reliability"]
    assert card["validation"]["by_source"]["corpus"]["n"] == 182
    assert "history" not in card["validation"]["by_source"]


@pytest.mark.parametrize(
    ("text", "best", "other", "for_best", "for_other"),
    [
        (
            "报社推行采编流程再造和全员竞聘上岗，建立以质量为导向的考核分配机制，同时改版新闻客户端。",
            "体制机制创新类",
            "全媒体传播建设类",
            "考核",
            "客户端",
        ),
        (
            "报社开设民生诉求服务平台，受理群众投诉并协调部门办理，同时推出系列报道。",
            "运营服务创新类",
            "内容供给创新类",
            "诉求",
            "系列报道",
        ),
    ],
)
def test_shipped_model_names_the_deciding_phrases_on_the_two_boundaries(
    text, best, other, for_best, for_other
):
    suggestion = versions.load_model().suggest("", text)
    (line,) = [r for r in suggestion.reasons if r.startswith(f"区分“{best}”与“{other}”")]
    leaning_best, leaning_other = line.split("倾向前者：")[1].split("；倾向后者：")
    assert for_best in leaning_best and for_other in leaning_other


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
    for record in records:
        assert {"id", "category", "probabilities", "top2", "confident", "misfiled", "reasons"} <= set(record)
        assert set(record["probabilities"]) == {"1", "2", "3", "4", "5", "6"}
        assert abs(sum(record["probabilities"].values()) - 1) < 1e-3
        assert record["prediction_set"][0] == record["category"]
        assert record["confident"] == (len(record["prediction_set"]) == 1)
        assert len(record["top2"]) == 2 and record["misfiled"] is False and record["reasons"]


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


def test_cli_evaluate_on_a_labelled_file_and_save_to_card(small_world, tmp_path, capsys):
    root = small_world
    assert _run(capsys, "train", "--folds", "3")[0] == 0
    source = tmp_path / "labelled.jsonl"
    rows = [
        {
            "text": text,
            "category": c,
            "declared_category": c if c != 3 else 6,
            "boundary": "2v3" if c in (2, 3) else None,
        }
        for c, texts in REVIEWED.items()
        for text in texts
    ]
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    code, out, _ = _run(capsys, "evaluate", "--input", str(source), "--save-to-card", "fresh")
    assert code == 0
    for label in (
        "macro-F1",
        "lenient",
        "top-2",
        "ECE",
        "有把握",
        "疑似错报",
        "边界 2v3    n=4",
        "混淆矩阵",
        "可靠性",
    ):
        assert label in out
    (version,) = versions.list_versions(root)
    saved = versions.read_card(version, root)["evaluations"]["fresh"]
    assert saved["n"] == 12 and saved["misfile"]["n_wrong"] == 2 and saved["reliability"]
    assert saved["by_boundary"]["2v3"]["n"] == 4
    view = model_card_view(root=root)
    assert "新案例检验：fresh" in view.figures.columns
    assert set(view.reliability["评估"]) == {"分组验证（未见过的单位）", "新案例检验：fresh"}
    code, _, err = _run(capsys, "evaluate", "--input", str(tmp_path / "missing.jsonl"))
    assert code == 2 and "评估失败" in err
    code, _, err = _run(capsys, "evaluate", "--save-to-card", "x")
    assert code == 2 and "--input" in err


def test_analyze_stores_the_suggestion_with_prediction_set_and_llm_second_opinion(engine, openai_server):
    from pipelines.analyze import analyze_submissions

    asked: list[str] = []

    def handler(path, body):
        prompt = body["messages"][-1]["content"]
        asked.append(prompt)
        return chat_reply(json.dumps({"category": 2, "second_category": None, "reason": "以系列报道为主"}))

    openai_server.handler = handler
    submissions = []
    for n, text in enumerate(
        ["传媒集团推行中层干部竞聘和绩效考核分配改革。", "国际传播中心开设海外社交媒体账号。"]
    ):
        submission = Submission(file_name=f"a{n}.docx", content_hash=f"a{n}", title="", unit=f"单位{n}")
        submission.text = text
        submissions.append(store.save_submission(engine, submission, 2026).submission_id)
    settings = Settings(call_year=2026, llm_base_url=openai_server.base_url, llm_model="m", llm_max_retries=0)
    analyze_submissions(engine, [submissions[0]], settings)
    stored = store.latest_suggestions(engine, "category", submissions)
    assert set(stored) == {submissions[0]}  # only the asked-for case is (re)analysed
    payload = stored[submissions[0]].payload
    assert payload["category"] == 5 and payload["prediction_set"][0] == 5
    assert payload["llm_category"] == 2 and payload["needs_human_check"]
    assert sum("竞聘" in prompt for prompt in asked) >= 1 and not any("海外社交" in p for p in asked)
