"""Tests for pipelines.claims and pipelines.figures: the exact rules, the kind classifier, extract_claims."""

from __future__ import annotations

import json
import random
import re

import numpy as np
import pytest

from pipelines.claims import Claim, extract_claims, extract_claims_many
from pipelines.claims import kinds as kind_model
from pipelines.claims import training as claim_training
from pipelines.claims.rules import read_hedges, read_negation, rule_kind
from pipelines.figures import extract_figures, find_figures, read_figures


def only(text: str) -> Claim:
    claims = extract_claims(text)
    assert len(claims) == 1, [c.text for c in claims]
    return claims[0]


# ---------------------------------------------------------------------------------------------- figures


def test_one_figure_model_reads_value_unit_magnitude_and_context():
    figures = read_figures("据第三方监测，截至2024年6月累计服务1.2亿人次，较上年增长35%")
    by_text = {f.text: f for f in figures}
    users, growth = by_text["1.2亿人次"], by_text["35%"]
    assert (users.value, users.unit, users.magnitude, users.kind) == (1.2e8, "人次", "亿", "count")
    assert users.date == "2024-06" and users.sourced and users.baseline and not users.approx
    assert growth.kind == "percent" and growth.growth
    assert by_text["2024年6月"].kind == "date" and by_text["2024年6月"].weight == 0.0


def test_hedged_and_vague_figures_are_approximate():
    figures = {
        f.text: f for f in find_figures("约2000人，近3万人次，上万名用户，数十家媒体，5000人左右，200余条")
    }
    assert figures["2000人"].approx and figures["3万人次"].approx and figures["5000人"].approx
    assert figures["上万名"].approx and figures["上万名"].value == 1e4
    assert figures["数十家"].approx and figures["数十家"].unit == "家"
    assert not figures["200余条"].approx  # 余 is a lower bound, not an estimate


def test_bigger_figures_weigh_more_and_ordinals_names_are_not_figures():
    weights = {
        f.text: f.weight for f in find_figures("用户1.2亿，播放300万次，粉丝35万，增长2.2倍，收入1,200万元")
    }
    assert weights["1.2亿"] > weights["300万次"] > weights["35万"] > 1.0
    assert [f.value for f in find_figures("收入1,200万元")] == [1.2e7]
    assert [f.kind for f in find_figures("2023年3月25日第3个版本在百家号上线，7.0级地震，5G和4K")] == ["date"]
    # 十分 before an adjective is "very", not ten points; 十分钟 and 九十分 are figures
    assert [f.text for f in find_figures("反响十分热烈，用时十分钟，测评得了九十分")] == ["十分钟", "九十分"]


def test_extract_figures_keeps_the_keys_repeats_rely_on():
    assert {f.key for f in extract_figures("收入1.2亿元，另一处写作12000万元，上万人")} == {"1.2e+08"}


# ---------------------------------------------------------------------------------------------- rules


@pytest.mark.parametrize(
    ("text", "scope", "praise"),
    [
        ("客户端下载量未能达到预期目标", "未能达到预期目标", False),
        ("海外频道尚未上线", "尚未上线", False),
        ("合作机制没有形成，项目停滞", "没有形成", False),
        ("全年安全播出零差错", "零差错", True),
        ("连续三年无一起安全事故", "无一起安全事故", True),
        ("栏目开办以来从未中断", "从未中断", True),
        ("我们坚持不转载未经核实的网络信息", "不转载未经核实的网络信息", True),
        ("编辑部杜绝标题党", "杜绝标题党", True),
        ("平台填补了本地缺少多语种服务的空白", "缺少多语种服务的空白", True),
    ],
)
def test_negation_and_its_scope(text, scope, praise):
    negation = read_negation(text)
    assert negation is not None and negation.scope == scope and negation.praise is praise


@pytest.mark.parametrize(
    "text",
    [
        "不仅覆盖城区，而且延伸到乡村",
        "栏目不断创新形式",
        "推出《我见证·不能忘却的记忆》系列报道",
        "它并非实体机器人，而是一套稿件生成程序",
        "让不会打字的老人可以用方言留言",
        "无人机航拍和无障碍阅读",
        "年维护费用不到20万元",
        "从无到有建起新媒体矩阵",
        "节目在南非和肯尼亚的电视台播出",  # a cue character inside a place name
        "纪录片在东非三国累计播放40万次",
        "无锡站记者现场连线",
        "面对网上的是非争论，栏目请专家逐条解读",
    ],
)
def test_words_that_look_negative_but_deny_nothing(text):
    assert read_negation(text) is None


def test_hedges_are_words_of_estimate_not_look_alikes():
    assert read_hedges("用户约2万，影响力有所提升，初步形成品牌") == ["约", "有所", "初步"]
    assert read_hedges("邻近的县、节约成本、接近群众") == []


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("计划到2027年用户达到500万", "plan"),
        ("力争三年内收入翻番", "plan"),
        ("下一步将推广到全省", "plan"),
        ("改版前，早间节目市场占有率就已达到9.8%", "background"),
        ("母公司全年实现营业收入58亿元", "other_party"),
        ("集团推出融媒产品，两度获中国新闻奖一等奖", None),
        ("2023年，全省网信系统共处置网络谣言上万条", "other_party"),
        ("全省已有38家县级融媒体中心接入这一平台", None),
        ("客户端下载量未能达到预期目标", None),
        ("已完成计划的80%", None),
        ("到2031年平台覆盖全部乡镇", "plan"),
        # a date before the call year reports where things stood, it sets no target
        ("到2023年10月，平台入驻商户超过900家", None),
        ("据统计，到2021年底栏目播出217期", None),
    ],
)
def test_explicit_markers_decide_the_kind(text, kind):
    assert rule_kind(text) == kind


# ---------------------------------------------------------------------------------------------- classifier


@pytest.mark.parametrize("task", [kind_model.KIND_TASK, kind_model.ORIENTATION_TASK])
def test_shipped_models_match_their_cards_and_data(task):
    card = json.loads((task.directory / "card.json").read_text(encoding="utf-8"))
    texts, labels = claim_training.read_sentences(task=task)
    assert card["training_size"] == len(texts) >= 400 and card["task"] == task.field
    assert set(labels) == set(task.labels) and min(labels.count(k) for k in task.labels) >= 40
    assert card["cv_accuracy"] >= 0.65  # 5-fold CV on the written sentences


def test_classifier_reads_kinds_it_was_not_trained_on():
    predicted = kind_model.predict_kinds(
        [
            "本台客户端去年新增注册用户27万人",
            "我们把采编流程拆分为选题、采访、审核、分发四个环节",
            "项目购置了转播车3台并新招聘工程师20名",
        ]
    )
    assert [max(p, key=p.__getitem__) for p in predicted] == ["result", "practice", "input"]


def test_orientation_model_tells_problems_from_proper_practice():
    predicted = kind_model.predict(
        ["为了博眼球，标题写得耸人听闻", "记者发稿前向三方核实了情况", "客户端用户增长到10万"],
        kind_model.ORIENTATION_TASK,
    )
    assert [max(p, key=p.__getitem__) for p in predicted] == ["problem", "proper", "neutral"]


def test_vocabulary_tokenizer_takes_the_longest_word_at_each_position():
    words = ["数据", "数据新闻", "新闻", "客户端", "上线", "截至"]
    tokenizer = kind_model.VocabularyTokenizer(words)
    assert tokenizer("截至2024年数据新闻客户端上线3.5万人") == [
        "截至",
        "<年份>",
        "数据新闻",
        "客户端",
        "上线",
        "<数>",
    ]
    # the same as a regular expression of the words, longest first, on random strings of their characters
    pattern = re.compile("Y(?=年)|0|" + "|".join(sorted(map(re.escape, words), key=len, reverse=True)))
    alphabet = "".join(words) + "年0Y的，"
    generator = random.Random(7)
    for _ in range(500):
        text = "".join(generator.choice(alphabet) for _ in range(generator.randint(0, 30)))
        expected = [{"Y": "<年份>", "0": "<数>"}.get(m.group(0), m.group(0)) for m in pattern.finditer(text)]
        assert tokenizer._scan(text) == expected, text


@pytest.mark.parametrize("task", [kind_model.KIND_TASK, kind_model.ORIENTATION_TASK])
def test_fast_head_equals_sklearn(task):
    texts, _ = claim_training.read_sentences(task=task)
    texts = texts[:300] + ["  空白  很多   的 文本 2024年 3.5万人", "ABC abc 123", "", "。"]
    model = kind_model.load_model(task.directory, task.name)
    fast = kind_model.FastHead(model).predict_proba(texts)
    assert np.abs(fast - model.predict_proba(texts)).max() < 1e-9


def test_the_two_classifiers_share_one_tokenisation():
    kind_model._TOKENS.clear()
    extract_claims("截至2024年6月客户端用户达到12万人。")
    assert len(kind_model._TOKENS) == 1


def test_bad_training_data_is_refused_naming_the_line(tmp_path):
    path = tmp_path / "sentences.jsonl"
    path.write_text('{"text": "甲", "kind": "result"}\n{"text": "乙", "kind": "guess"}\n', encoding="utf-8")
    with pytest.raises(kind_model.ClaimsError, match="第 2 行"):
        claim_training.read_sentences(path)


def test_training_writes_a_model_and_card(tmp_path):
    card = claim_training.train(out=tmp_path)
    try:
        assert (tmp_path / "model.joblib").exists() and card["labels"] == sorted(kind_model.KINDS)
        assert set(card["cv_recall_by_label"]) == set(kind_model.KINDS)
    finally:
        kind_model.load_model.cache_clear()


def test_claims_command_prints_claims_and_refuses_bad_input(tmp_path, capsys):
    from pipelines.__main__ import main

    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"id": "A", "text": TEXT}, ensure_ascii=False) + "\n", encoding="utf-8")
    assert main(["claims", "--input", str(cases)]) == 0
    line = json.loads(capsys.readouterr().out)
    assert line["id"] == "A" and line["claims"][1]["kind"] == "plan"
    cases.write_text('{"id": "A"}\n', encoding="utf-8")
    assert main(["claims", "--input", str(cases)]) == 2
    assert "第 1 行缺少字段 text" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------- claims


TEXT = (
    "截至2024年6月，客户端累计下载量达到312万次，较上年增长35%。"
    "计划到2027年，用户规模达到500万。"
    "海外频道尚未开播。"
    "集团全年实现营业收入58亿元。"
    "全年安全播出零差错。"
)


def test_extract_claims_reads_each_clause():
    claims = extract_claims(TEXT)
    assert [c.kind for c in claims][:2] == ["result", "plan"]
    first = claims[0]
    assert first.sourced is False and first.quantities[0].date == "2024-06" and first.quantities[0].baseline
    assert claims[2].negated and claims[2].negation == "尚未开播"
    assert claims[3].kind == "other_party" and claims[3].owner == "other"
    assert claims[4].praise and not claims[4].negated
    normalised = TEXT
    assert all(normalised[c.start : c.end] == c.text for c in claims)


def test_clauses_split_at_plans_and_contrasts_and_repeats_count_once():
    claims = extract_claims(
        "平台已服务用户80万人，计划明年覆盖全省。平台已服务用户80万人，计划明年覆盖全省。"
    )
    assert [c.kind for c in claims] == ["result", "plan"]


def test_claims_round_trip_through_json():
    claims = extract_claims(TEXT)
    again = [Claim.from_dict(json.loads(json.dumps(c.to_dict(), ensure_ascii=False))) for c in claims]
    assert again == claims


def test_owner_is_the_implementer_when_named():
    claim = only("星城科技公司完成了平台全部开发工作，累计交付功能模块36个。")
    assert only("平台累计交付功能模块36个。").owner == "applicant"
    assert extract_claims(claim.text, implementer="星城科技公司")[0].owner == "implementer"


def test_batch_extraction_equals_one_by_one():
    texts = [TEXT, "栏目开播以来已播出412期。", ""]
    assert extract_claims_many(texts) == [extract_claims(t) for t in texts]
