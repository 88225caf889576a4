"""Project facts, the unit's self-description, boilerplate from the history, and verdicts that rest on them."""

from __future__ import annotations

import numpy as np

from pipelines.repeats import facts, keys
from pipelines.repeats.boilerplate import Boilerplate
from pipelines.repeats.detect import BatchCase, detect_duplicates, fit_boilerplate
from pipelines.repeats.fingerprint import make_doc
from pipelines.repeats.signals import shingle_hashes
from pipelines.schema import PastCase
from pipelines.text import match_text

UNIT = "江河日报社"
ABOUT_UNIT = (
    "江河日报社创刊于1956年，是江河省委主管主办的省级党报。报社旗下拥有“江河新闻”客户端、“江河发布”微信公众号和"
    "“江河视频”抖音号，全媒体粉丝总数达860万。报社现有采编人员1260人，在全省设有15个记者站，日均发稿1500条。"
)
POLICY = "深入学习贯彻习近平总书记关于推动媒体融合发展的重要论述，坚持移动优先，推动主力军全面挺进主战场。"
CLASSROOM = PastCase(
    id="H1",
    year=2025,
    title="“江河云课堂”职业技能培训平台",
    unit=UNIT,
    outcome="awarded",
    text=ABOUT_UNIT
    + POLICY
    + "2023年5月，报社上线“江河云课堂”，面向全省水利、交通和电力系统一线职工开设技能课程，与江河职业技术学院合作"
    "开发课程412门，邀请187名高级技师担任讲师。平台累计注册学员23.6万人，完成培训场次1.8万场，学员考证通过率"
    "提高到91.4%。",
)
DATA_MAP = BatchCase(
    id="N1",
    title="“乡村振兴数据地图”可视化报道",
    unit=UNIT,
    text=ABOUT_UNIT
    + POLICY
    + "2024年8月，报社数据新闻部推出“乡村振兴数据地图”，采集全省1368个行政村的产业、人口和收入数据，以交互地图呈现"
    "各村发展路径，配套推出《百村调查》系列报道52篇，总阅读量6400万次。",
)
PARAPHRASE = BatchCase(
    id="N2",
    title="让一线职工在手机上学技能：江河云课堂",
    unit="江河日报",
    text="我们在2023年春天推出了江河云课堂，专门给全省水利、交通、电力的一线工人上技能课。课程是和江河职业技术学院"
    "一起做的，一共412门，讲课的是187位高级技师。到现在有23.6万人注册学习，开了1.8万场培训，考证通过率到了91.4%。",
)
OTHER_UNITS = [
    PastCase(
        id=f"O{i}",
        year=2024,
        title=f"{name}融媒体传播平台",
        unit=f"{name}传媒集团",
        outcome="not_selected",
        text=POLICY + f"{name}传媒集团建设{name}融媒体平台，开设{i + 3}个频道，用户{i + 12}万。",
    )
    for i, name in enumerate(["东海", "北岭", "西川", "南湖"])
]


def test_unit_self_description_is_recognised_and_gives_no_project_facts():
    terms = facts.unit_terms(UNIT)
    assert facts.describes_unit(ABOUT_UNIT, terms)
    assert facts.describes_unit("本报创刊于1956年，现有员工860人。", terms)
    assert not facts.describes_unit("报社上线“江河云课堂”，开设课程412门。", terms)
    assert not facts.describes_unit("江河日报社创办的“江河云课堂”拥有学员23.6万人。", terms, ("江河云课堂",))
    doc = make_doc(CLASSROOM)
    assert "江河新闻" not in doc.names and "江河云课堂" in doc.names
    assert "8.6e+06" not in doc.figures and "23.6万" not in doc.figures and "236000" in doc.figures
    assert "创刊于1956年" not in doc.project and "412门" in doc.project


def test_places_and_partners_are_facts():
    assert facts.extract_places("浙江省丽水市庆元县的全市各县城市市场") == ["浙江", "丽水市", "庆元县"]
    assert make_doc(CLASSROOM).partners == ("江河职业技术学院",)


def test_a_name_mentioned_as_the_base_of_a_new_project_is_not_shared():
    text = match_text("2024年，我们在“江河云课堂”的基础上推出了技能大模型。")
    assert facts.mentions_as_base("江河云课堂", text)
    assert facts.mentions_as_base("江河云课堂", match_text("依托“江河云课堂”建设题库"))
    assert not facts.mentions_as_base("江河云课堂", match_text("“江河云课堂”注册学员23.6万人"))


def test_boilerplate_is_what_many_units_share_not_one_units_repeated_wording():
    history = [CLASSROOM, *OTHER_UNITS]
    boilerplate = fit_boilerplate(history)
    assert boilerplate.is_boilerplate(POLICY)
    assert not boilerplate.is_boilerplate("与江河职业技术学院合作开发课程412门")
    # the same wording in five cases of ONE unit (versions of one project) is not boilerplate
    same_unit = [("江河日报社", shingle_hashes(CLASSROOM.text)) for _ in range(5)]
    assert not Boilerplate().fit(same_unit).is_boilerplate("与江河职业技术学院合作开发课程412门")
    assert Boilerplate().fit([], [POLICY]).is_boilerplate(POLICY)  # the call's own words
    assert list(Boilerplate.sample(10)) == list(range(10)) and len(Boilerplate.sample(10**5)) <= 3000


def test_facts_one_unit_repeats_across_different_projects_are_discounted():
    common = keys.unit_common_keys(
        ["江河日报社", "江河日报社", "江河日报社", "东海传媒集团"],
        ["“江河云课堂”培训平台", "乡村振兴数据地图", "“江河云课堂”2.0", "东海融媒"],
        [["江河新闻", "江河云课堂"], ["江河新闻"], ["江河云课堂"], ["江河新闻"]],
    )
    assert common == {"江河日报社": frozenset({"江河新闻"})}
    table = keys.KeyTable([["江河新闻"], ["江河新闻"], ["东海"]])
    weights = keys.Weights((table,), (keys.KeyTable([[], [], []]),), common)
    assert weights.name("江河新闻", "江河日报社") == weights.name("江河新闻") * keys.UNIT_COMMON_FACTOR
    assert weights.name("@东海") == keys.idf([table], "@东海") * keys.PLACE_FACTOR


def test_another_project_of_the_same_unit_with_the_same_self_description_is_only_related():
    found = detect_duplicates([DATA_MAP], [CLASSROOM, *OTHER_UNITS], call_year=2026)
    verdicts = {m.other_id: m.verdict for m in found["N1"]}
    assert verdicts.get("H1") == "related_case"
    assert all(v != "past_awardee_repeat" for v in verdicts.values())


def test_a_paraphrase_under_a_short_unit_name_is_a_repeat_with_its_shared_facts():
    found = detect_duplicates([PARAPHRASE], [CLASSROOM, *OTHER_UNITS], call_year=2026)
    match = next(m for m in found["N2"] if m.other_id == "H1")
    assert match.verdict == "past_awardee_repeat"
    reasons = "\n".join(match.reasons)
    assert "江河云课堂" in reasons and "412门" in reasons
    assert match.aligned and match.aligned[0].similarity > 0


def test_project_shingles_exclude_the_unit_paragraph():
    doc_a, doc_b = make_doc(CLASSROOM), make_doc(DATA_MAP)
    shared = np.intersect1d(doc_a.shingles, doc_b.shingles).size
    full = np.intersect1d(shingle_hashes(CLASSROOM.text), shingle_hashes(DATA_MAP.text)).size
    assert shared < full / 2


BUILT_ON = BatchCase(
    id="N3",
    title="“江河技工”技能问答大模型",
    unit=UNIT,
    text="2024年9月，我们在“江河云课堂”的基础上训练了“江河技工”技能问答大模型，依托“江河云课堂”23.6万名学员的"
    "学习记录和412门课程，用报社积累的8.2万条维修案例和"
    "水利、电力行业标准进行微调，一线职工用语音提问即可得到操作步骤。模型上线三个月，问答量96万次，"
    "准确率经专家抽检为88.5%，与江河电力公司共建故障知识库。",
)


def test_a_new_project_built_on_the_old_one_is_related_not_a_repeat():
    found = detect_duplicates([BUILT_ON], [CLASSROOM, *OTHER_UNITS], call_year=2026)
    assert {m.other_id: m.verdict for m in found["N3"]}.get("H1") == "related_case"


def test_sentence_shingles_are_the_shingles_of_the_joined_text_with_their_sentence():
    from pipelines.repeats.signals import sentence_shingles, unique_sorted

    sentences = ["天目新闻客户端上线。", "用户２８００万", "", "县域联动频道发稿9.6万条"]
    hashes, owner = sentence_shingles(sentences)
    assert np.array_equal(unique_sorted(hashes), shingle_hashes("".join(sentences)))
    assert owner.tolist() == sorted(owner.tolist()) and set(owner.tolist()) == {0, 1, 3}
    first = hashes[owner == 0]
    assert np.isin(shingle_hashes("天目新闻客户端上线"), first).all()
    assert sentence_shingles([])[0].size == 0 and sentence_shingles(["", "。"])[0].size == 0
