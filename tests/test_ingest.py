from __future__ import annotations

import ast
import shutil

import pytest
from sqlalchemy import func, select

from pipelines import store
from pipelines.config import PROJ_ROOT, Settings
from pipelines.intake.ingest import ingest_paths, ingest_uploads
from tools import formgen

SETTINGS = Settings()


def _snapshot(engine) -> tuple[int, list[tuple]]:
    rows = store.list_submissions(engine, current_only=False)
    with store.session_scope(engine) as session:
        suggestions = session.scalar(select(func.count()).select_from(store.SuggestionRow))
    return suggestions, [(r.id, r.file_name, r.content_hash, r.version, r.is_current) for r in rows]


@pytest.fixture
def cases():
    return formgen.load_cases(formgen.DEFAULT_CASES)[:3]


def test_good_forms_bundles_and_every_bad_kind(tmp_path, engine, cases):
    good = []
    for case in cases:
        path = tmp_path / formgen.form_file_name(case)
        formgen.write_form(case, path, formgen.layout_for(case["id"]))
        good.append(path)
    expected_errors = {}
    for kind in formgen.BAD_KINDS:
        name = "~$锁文件.docx" if kind == "lock_file" else f"坏_{kind}.docx"
        formgen.write_bad_file(kind, tmp_path / name)
        expected_errors[name] = formgen.EXPECTED_ERRORS[kind]
    bundle = tmp_path / "bundle" / "批量.zip"
    bundle.parent.mkdir()
    formgen.write_zip_bundle(good, bundle, name_encoding="gbk")
    formgen.write_zip_traversal(tmp_path / "bundle" / "穿越.zip")
    formgen.write_zip_bomb(tmp_path / "bundle" / "炸弹.zip", uncompressed_mb=1200)
    expected_errors |= {"穿越.zip": "unsafe_archive", "炸弹.zip": "archive_bomb"}

    batch = [
        path for path in tmp_path.iterdir() if not path.name.startswith("workbench.db")
    ]  # not the test's DB
    report = ingest_paths(store.get_engine(str(engine.url)), batch, 2026, "tester", settings=SETTINGS)

    errors = {item.file_name: item.code for item in report.items if not item.ok}
    assert errors == expected_errors
    for item in report.items:
        if not item.ok:
            assert item.file_name.split("/")[0] in item.message or item.file_name in item.message
    stored = [i for i in report.items if i.ok]
    assert sorted(i.outcome for i in stored) == ["new"] * 3 + ["unchanged"] * 3  # bundle repeats the forms
    assert len(store.list_submissions(engine, 2026)) == 3
    logged = {row.file_name: row.code for row in store.intake_log(engine) if not row.ok}
    assert logged == expected_errors


def test_bad_files_leave_the_database_unchanged(tmp_path, engine, cases):
    path = tmp_path / "good.docx"
    formgen.write_form(cases[0], path, "classic_table")
    ingest_paths(engine, [path], 2026, settings=SETTINGS)
    before = _snapshot(engine)
    uploads = []
    for kind in formgen.BAD_KINDS:
        formgen.write_bad_file(kind, tmp_path / f"{kind}.docx")
        uploads.append((f"{kind}.docx", (tmp_path / f"{kind}.docx").read_bytes()))
    uploads.append(("truncated.zip", b"PK\x03\x04 not really"))
    report = ingest_uploads(engine, uploads, 2026, settings=SETTINGS)
    assert not any(item.ok for item in report.items)
    assert _snapshot(engine) == before


def test_reingest_is_a_no_op_and_a_changed_file_is_a_new_version(tmp_path, engine, cases):
    path = tmp_path / "form.docx"
    formgen.write_form(cases[0], path, "grid_span")
    first = ingest_paths(engine, [path], 2026, settings=SETTINGS)
    again = ingest_paths(engine, [path], 2026, settings=SETTINGS)
    changed_case = dict(cases[0], title=cases[0]["title"] + "（修订版）")
    formgen.write_form(changed_case, path, "grid_span")
    changed = ingest_paths(engine, [path], 2026, settings=SETTINGS)
    assert [r.items[0].outcome for r in (first, again, changed)] == ["new", "unchanged", "new_version"]
    current = store.list_submissions(engine, 2026)
    assert [row.title for row in current] == [changed_case["title"]]
    assert len(store.list_submissions(engine, 2026, current_only=False)) == 2


def test_missing_path_is_reported_not_raised(tmp_path, engine):
    report = ingest_paths(engine, [tmp_path / "不存在.docx"], 2026, settings=SETTINGS)
    assert report.items[0].code == "missing_file" and "不存在.docx" in report.items[0].message


def test_cli_ingest_without_analysis(tmp_path, cases, monkeypatch, capsys):
    from pipelines.__main__ import main
    from pipelines.config import get_settings

    folder = tmp_path / "forms"
    folder.mkdir()
    formgen.write_form(cases[0], folder / "a.docx", "cover_paragraphs")
    shutil.copy(folder / "a.docx", folder / "b.docx")
    formgen.write_bad_file("empty", folder / "c.docx")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    try:
        assert main(["ingest", str(folder), "--no-analyze"]) == 0
    finally:
        get_settings.cache_clear()
        store.dispose_engines()
    out = capsys.readouterr().out
    assert "c.docx" in out and "空文件" in out
    assert "已入库 1 个" in out and "内容未变，未重复入库 1 个" in out


def test_only_organizers_may_import(engine, cases, tmp_path):
    from pipelines.auth import SYSTEM, PermissionDenied, create_user

    path = tmp_path / "form.docx"
    formgen.write_form(cases[0], path, "classic_table")
    upload = [("form.docx", path.read_bytes())]
    reviewer = create_user(engine, SYSTEM, "rev1", "reviewer", "review-pass-1").user
    organizer = create_user(engine, SYSTEM, "org1", "organizer", "organizer-pass-1").user
    with pytest.raises(PermissionDenied, match="导入申报材料"):
        ingest_uploads(engine, upload, 2026, settings=SETTINGS, actor=reviewer)
    assert store.list_submissions(engine, 2026) == []
    report = ingest_uploads(engine, upload, 2026, settings=SETTINGS, actor=organizer)
    assert report.items[0].outcome == "new"
    assert store.intake_log(engine)[0].created_by == "org1"


def test_intake_never_imports_the_orchestration():
    """Intake is a stage: analysis after ingest is the orchestration's job (pipelines/analyze.py)."""
    imported = set()
    for path in (PROJ_ROOT / "pipelines" / "intake").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
            elif isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
    assert "pipelines.intake.extract" in imported  # the walk sees intake's own imports
    assert "pipelines.analyze" not in imported
