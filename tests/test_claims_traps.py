"""The kinds of failure of the second claims pass, each on sentences and pairs written for it (not the
fresh or held-out evaluation sets): restraint phrased as negation, low barriers, adoption phrased in many
ways, intent sold as adoption, conditions others lack, borrowed credit, keyword stuffing, orientation."""

from __future__ import annotations

import json

import pytest

from pipelines.claims import extract_claims
from pipelines.claims.kinds import ORIENTATION_TASK, predict
from pipelines.claims.rules import read_hedges, read_negation
from pipelines.config import DATA_DIR
from pipelines.criteria.evidence import _Index
from pipelines.criteria.offline import OfflineScorer
from pipelines.criteria.rubric import default_rubric
from tests.test_score import HandMadeEmbedder


@pytest.fixture(scope="module")
def scorer() -> OfflineScorer:
    return OfflineScorer(embedder=HandMadeEmbedder({}))


@pytest.mark.parametrize(
    "text",
    [
        "报道不公开消费者和从业人员个人信息",
        "全年未发生一起更正或诉讼",
        "报社对涉事学生的姓名一律不予公开",
        "事故报道未使用现场血腥画面",
        "主播不夸大产品功效",
    ],
)
def test_restraint_phrased_as_negation_is_praise(text):
    negation = read_negation(text)
    assert negation is not None and negation.praise


@pytest.mark.parametrize("text", ["转发的视频未作打码处理", "没有对举报人姓名进行保护", "软文不标注广告"])
def test_failing_to_protect_is_a_failure_even_when_it_names_a_bad_thing(text):
    negation = read_negation(text)
    assert negation is not None and not negation.praise


@pytest.mark.parametrize(
    "text", ["各单位均未新增专职人员", "推广单位也未购置新的拍摄设备", "各县无需增设机构"]
)
def test_a_low_barrier_is_not_a_denial(text):
    assert read_negation(text) is None


def test_hedge_with_a_verb_between_is_read():
    assert read_hedges("注册用户约有300万人") == ["约有"]
    (claim,) = extract_claims("上线一年注册用户约为300万人。")
    assert claim.figures[0].approx


def test_orientation_model_reads_exposure_and_paid_removal_it_was_not_trained_on():
    problem, proper = predict(
        ["公众号把涉事店主的电话号码和门店地址贴在了文中", "报道发出前先请被批评的单位说明情况"],
        ORIENTATION_TASK,
    )
    assert problem["problem"] > problem["proper"]
    assert proper["proper"] > proper["problem"]


def test_a_case_of_slogans_counts_its_fact_free_claims_less():
    rubric = default_rubric()
    slogan = "平台坚持守正创新，传播正能量。"
    thin = extract_claims(slogan + "平台不断深化改革，取得显著成效。")
    full = extract_claims(slogan + "2023年平台刊发稿件3200篇。2024年用户增加到12万人。")
    assert _Index(thin, rubric).concreteness[0] < _Index(full, rubric).concreteness[0]


def _pairs() -> list[dict]:
    lines = (DATA_DIR / "eval" / "trap_pairs.jsonl").read_text(encoding="utf-8").splitlines()
    return [pair for pair in map(json.loads, lines) if pair["id"].startswith("T2")]


@pytest.mark.parametrize("pair", _pairs(), ids=lambda pair: f"{pair['id']}-{pair['kind']}")
def test_second_pass_trap_pairs_rank_the_stronger_text_higher(scorer, pair):
    strong = scorer.scores_of(pair["strong"])[pair["criterion"]]
    weak = scorer.scores_of(pair["weak"])[pair["criterion"]]
    assert strong > weak
