"""Reviewers marking claims as misread: stored as responses with an audit entry (real SQLite file), shown
on the case page's claims panel (Streamlit AppTest), and the claims panel escapes applicant text."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from pipelines import auth, store
from pipelines.claims.marks import ClaimMarkRow, MarkError, claim_key, claim_marks, mark_claim
from pipelines.claims.panel import claims_panel
from pipelines.review.audit import audit_trail
from pipelines.store import AuditRow
from tests import test_pages, workbench_data
from tests.test_pages import _ok, _on_page, _signed_in, _texts

app_env = test_pages.app_env  # the pages' fixture: the app reads this test's database


@pytest.fixture
def seeded(app_env):
    return workbench_data.seed(app_env)


def test_a_mark_is_stored_audited_and_the_newest_counts(seeded, app_env):
    text = "建材时报社打造行业云展厅"
    first = mark_claim(app_env, seeded.wang, seeded.building, text, "wrong", "这是背景，不是成果")
    assert first.verdict == "wrong" and first.label == "识别有误"
    assert claim_marks(app_env, seeded.building)[claim_key(text)].note == "这是背景，不是成果"
    mark_claim(app_env, seeded.org, seeded.building, text, "withdrawn")
    newest = claim_marks(app_env, seeded.building)[claim_key(text)]
    assert (newest.verdict, newest.username) == ("withdrawn", "org")
    with store.session_scope(app_env) as session:
        rows = session.scalars(select(ClaimMarkRow)).all()
        audit = session.scalars(select(AuditRow).where(AuditRow.action.like("claim_%"))).all()
    assert len(rows) == 2  # responses are never overwritten
    assert [(a.action, a.username, a.detail["claim"]) for a in audit] == [
        ("claim_wrong", "wang", text),
        ("claim_withdrawn", "org", text),
    ]
    trail = audit_trail(app_env, seeded.org, seeded.building)
    assert {"标记主张识别有误", "撤销主张标记"} <= set(trail["操作"])


def test_bad_marks_are_refused_and_store_nothing(seeded, app_env):
    with pytest.raises(auth.PermissionDenied):
        mark_claim(app_env, seeded.analyst, seeded.building, "某条主张")
    with pytest.raises(MarkError, match="未知的标记"):
        mark_claim(app_env, seeded.wang, seeded.building, "某条主张", "maybe")
    with pytest.raises(MarkError, match="找不到编号为 9999"):
        mark_claim(app_env, seeded.wang, 9999, "某条主张")
    with pytest.raises(MarkError, match="请先选择"):
        mark_claim(app_env, seeded.wang, seeded.building, "  ")
    with store.session_scope(app_env) as session:
        assert session.scalars(select(ClaimMarkRow)).all() == []
        assert session.scalars(select(AuditRow).where(AuditRow.action.like("claim_%"))).all() == []


def test_panel_marks_kinds_highlights_figures_and_cites_findings(seeded, app_env):
    from pipelines.criteria.offline import OfflineScorer

    text = "截至2024年6月平台用户达到12万人。计划到2027年用户达到100万。海外频道尚未开播。"
    result = OfflineScorer().score("1", "", text)
    panel = claims_panel(app_env, seeded.building, text, [result])
    marks = [line.mark for line in panel.lines]
    assert marks == ["✅", "🗓️", "⛔"]
    assert [s.text for s in panel.lines[0].segments if s.tag == "same"] == ["2024年6月", "12万人"]
    effectiveness = next(f for f in panel.findings if f.criterion == "effectiveness")
    assert 1 in effectiveness.cited["for"] and 3 in effectiveness.cited["against"]


def test_case_page_lists_claims_escaped_and_a_reviewer_marks_one(seeded, app_env):
    hostile = "平台用户达到12万人<script>alert(1)</script>**粗体**。"
    form = workbench_data.submission(9, "敌意文本", "某报社", 1, {"取得成效": hostile})
    case = store.save_submission(app_env, form, 2026).submission_id
    at = _ok(_on_page(_ok(_signed_in(seeded.wang)), "case_detail.py", case=case))
    html_parts = [m.value for m in at.markdown if 'id="claim-' in m.value]
    joined = "".join(html_parts)
    assert html_parts and "<script>" not in joined and "&#60;script&#62;" in joined  # shown, not run
    assert "&#42;&#42;粗体&#42;&#42;" in joined  # the asterisks are shown as typed, not rendered as bold
    at.selectbox(key=f"claim_pick_{case}").set_value(1)
    at.text_input(key=f"claim_note_{case}").input("数字属于合作方")
    _ok(at.button(key=f"claim_wrong_{case}").click().run())
    assert "已将第1条主张识别有误" in _texts(at)
    marked = claim_marks(app_env, case)
    assert [m.note for m in marked.values()] == ["数字属于合作方"]
    assert any("wang 标记为识别有误" in m.value for m in at.markdown)


def test_attachment_text_adds_marked_claims_and_corroborates_form_figures(seeded, app_env):
    from pipelines.intake.attachment_store import AttachmentRow

    with store.session_scope(app_env) as session:
        session.add(
            AttachmentRow(
                submission_id=seeded.building,
                name="第三方监测报告.pdf",
                kind="pdf",
                text="据第三方监测，截至2024年6月平台用户达到12万人。另有合作单位8家完成接入。",
            )
        )
    text = "截至2024年6月平台用户达到12万人。栏目推出稿件300篇。"
    panel = claims_panel(app_env, seeded.building, text)
    form = [line for line in panel.lines if line.claim.source == "form"]
    extra = [line for line in panel.lines if line.claim.source == "attachment"]
    assert [line.claim.corroborated for line in form] == [True, False]
    assert "附件佐证" in form[0].label
    assert [line.number for line in extra] == [3, 4]
    assert all(line.claim.attachment == "第三方监测报告.pdf" for line in extra)
    assert "来自附件：第三方监测报告.pdf" in extra[0].label
