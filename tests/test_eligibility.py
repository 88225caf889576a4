from __future__ import annotations

import pytest

from pipelines.config import Settings
from pipelines.eligibility import (
    check_submission,
    check_unit_limits,
    finding_from_category,
    findings_from_matches,
)
from pipelines.schema import CategorySuggestion, DuplicateMatch, Submission
from pipelines.vocabulary import rule_text

SETTINGS = Settings()


def _sub(**values) -> Submission:
    base = dict(
        file_name="a.docx", unit="中国建材时报社", implementer="中国建材时报社", declared_categories=[2]
    )
    base.update(values)
    base.setdefault(
        "declared_category", base["declared_categories"][0] if len(base["declared_categories"]) == 1 else None
    )
    return Submission(**base)


def _codes(submission: Submission) -> dict[str, str]:
    return {f.code: f.severity for f in check_submission(submission, SETTINGS)}


@pytest.mark.parametrize(
    ("launch_date", "launch_raw", "status", "expected"),
    [
        ("2024-05", "2024年5月", "正常运营", {}),
        ("2026-06", "在建，预计2026年6月上线", "在建", {"not_online": "blocker"}),
        ("2026-03", "2026年3月", "正常运营", {"not_online": "blocker"}),
        ("2025-12-31", "2025-12-31", "正常运营", {}),
        ("2025", "2025年", "正常运营", {"launch_unknown": "check"}),
        ("2024", "2024年", "正常运营", {}),
        (None, "", "", {"launch_unknown": "check"}),
        ("2025-11", "2025年11月上线试运行", "试运行", {"not_online": "check"}),
        (None, "计划中", "计划中", {"not_online": "blocker"}),
    ],
)
def test_online_rule(launch_date, launch_raw, status, expected):
    codes = _codes(_sub(launch_date=launch_date, launch_raw=launch_raw, status=status))
    assert {k: v for k, v in codes.items() if k in {"not_online", "launch_unknown"}} == expected


def test_applicant_must_be_the_implementer():
    mismatch = _codes(_sub(launch_date="2024-01", implementer="北京智媒云图科技有限公司"))
    assert mismatch["applicant_implementer_mismatch"] == "blocker"
    same = _codes(
        _sub(
            launch_date="2024-01", unit="华夏交通传媒集团有限公司", implementer="华夏交通传媒集团（有限公司）"
        )
    )
    assert "applicant_implementer_mismatch" not in same
    department = _codes(_sub(launch_date="2024-01", implementer="中国建材时报社新媒体中心"))
    assert department["applicant_implementer_mismatch"] == "check"


def test_categories_and_attachments():
    assert _codes(_sub(launch_date="2024-01", declared_categories=[]))["no_category"] == "check"
    assert _codes(_sub(launch_date="2024-01", declared_categories=[1, 4]))["multiple_categories"] == "check"
    finding = [
        f
        for f in check_submission(
            _sub(launch_date="2024-01", attachments=["证书.pdf", "素材.rar", "片.MOV"]), SETTINGS
        )
        if f.code == "bad_attachment_format"
    ]
    assert finding and finding[0].evidence == "素材.rar"


def test_unit_limit_across_the_batch():
    names = ["中国医药卫生传媒有限公司", "医卫传媒", "中国医卫传媒", "中国医药卫生传媒有限公司 "]
    cases = [(f"S{i}", _sub(unit=names[i], declared_categories=[4])) for i in range(4)]
    cases.append(("S9", _sub(unit="医卫传媒", declared_categories=[2])))
    cases.append(("S8", _sub(unit="中国建材时报社", declared_categories=[4])))
    found = check_unit_limits(cases, SETTINGS)
    assert sorted(found) == ["S0", "S1", "S2", "S3"]
    assert sorted(found["S0"].related_ids) == ["S1", "S2", "S3"]


def test_repeat_and_category_findings():
    matches = [
        DuplicateMatch("H1", "past_awardee", "past_awardee_repeat", 0.93, reasons=["产品名相同"]),
        DuplicateMatch(
            "H2", "past_not_selected", "resubmission_needs_iteration", 0.8, obvious_iteration=False
        ),
        DuplicateMatch("H3", "past_not_selected", "unrelated", 0.1),
    ]
    findings = findings_from_matches(matches)
    assert [(f.code, f.severity, f.related_ids) for f in findings] == [
        ("past_awardee_repeat", "blocker", ["H1"]),
        ("resubmission_needs_iteration", "check", ["H2"]),
    ]
    assert "未见明显迭代更新" in findings[1].message
    suggestion = CategorySuggestion(
        4, {4: 0.8, 2: 0.1}, [4, 2], True, misfiled=True, suggested_category=4, llm_category=2
    )
    codes = [f.code for f in finding_from_category(suggestion, declared=2)]
    assert codes == ["misfiled", "category_disagreement"]


def test_rule_texts_take_the_deadline_and_limit_from_settings():
    settings = Settings(online_deadline="2026-06-30", max_cases_per_category=5)
    assert "2026年6月30日前完成上线" in rule_text("not_online", settings)
    assert "每个类型最多申报5个案例" in rule_text("over_limit", settings)
    assert (
        rule_text("not_online", Settings())
        == "（一）申报案例须在2025年12月31日前完成上线并正常运营，在建或计划中案例不得申报"
    )
    assert rule_text("no_such_flag", settings) == ""
