from __future__ import annotations

import json

import pytest

from pipelines import auth, settings_io
from pipelines.config import Settings, load_settings
from pipelines.review import audit

ORG = auth.User(1, "org", "organizer")


@pytest.fixture
def models_dir(tmp_path):
    root = tmp_path / "models"
    for version, f1 in (("2026-01-10", 0.81), ("2026-03-02", 0.86)):
        path = root / "classifier" / version
        path.mkdir(parents=True)
        card = {"created_at": f"{version}T10:00:00", "metrics": {"macro_f1": f1}, "labels": [1, 2]}
        (path / "card.json").write_text(json.dumps(card), encoding="utf-8")
    (root / "classifier" / "broken").mkdir()
    (root / "classifier" / "broken" / "card.json").write_text("{not json", encoding="utf-8")
    return root


def test_changes_are_merged_into_the_config_file_and_read_back(engine, tmp_path, models_dir):
    path = tmp_path / "config.toml"
    path.write_text('llm_model = "qwen-plus"\n', encoding="utf-8")
    changes = {
        "blind_review": True,
        "classifier_version": "2026-01-10",
        "misfile_threshold": "0.35",
        "llm_base_url": "http://127.0.0.1:11434/v1",
        "allowed_attachment_types": "pdf, JPG,mp4",
    }
    outcome = settings_io.save_settings(engine, ORG, changes, path, models_dir, environ={})
    saved = load_settings(path, environ={})
    assert saved.blind_review and saved.classifier_version == "2026-01-10" and saved.misfile_threshold == 0.35
    assert saved.llm_model == "qwen-plus"  # untouched values stay
    assert saved.allowed_attachment_types == ("pdf", "jpg", "mp4")
    assert set(outcome.changed) == set(changes)
    again = settings_io.save_settings(engine, ORG, {"blind_review": True}, path, models_dir, environ={})
    assert again.changed == {}
    trail = audit.audit_trail(engine, ORG)
    assert list(trail["操作"]) == ["修改设置"] and "blind_review=开启" in trail["详情"][0]


def test_bad_values_are_refused_and_the_file_is_unchanged(engine, tmp_path, models_dir):
    path = tmp_path / "config.toml"
    path.write_text("blind_review = false\n", encoding="utf-8")
    cases = [
        ({"embedder": "word2vec"}, "只能是 lexical"),
        ({"misfile_threshold": 2}, "0 到 1"),
        ({"llm_base_url": "ftp://x"}, "http://"),
        ({"online_deadline": "2025年12月31日"}, "YYYY-MM-DD"),
        ({"llm_concurrency": "four"}, "整数"),
        ({"classifier_version": "1999-01-01"}, "可选：2026-01-10、2026-03-02"),
        ({"llm_api_key": "sk-secret"}, "不能在页面上修改"),
        ({"colour": "blue"}, "未知设置项"),
    ]
    for changes, message in cases:
        with pytest.raises(settings_io.SettingsError, match=message):
            settings_io.save_settings(engine, ORG, changes, path, models_dir, environ={})
    assert path.read_text(encoding="utf-8") == "blind_review = false\n"
    with pytest.raises(auth.PermissionDenied, match="修改系统设置"):
        settings_io.save_settings(
            engine, auth.User(2, "r", "reviewer"), {"blind_review": True}, path, models_dir
        )


def test_environment_override_is_reported(engine, tmp_path, models_dir):
    path = tmp_path / "config.toml"
    environ = {"WORKBENCH_BLIND_REVIEW": "false"}
    outcome = settings_io.save_settings(engine, ORG, {"blind_review": True}, path, models_dir, environ)
    assert outcome.overridden_by_env == ["blind_review"]


def test_displayed_values_never_show_secrets(models_dir):
    settings = Settings(llm_api_key="sk-very-secret", database_url="postgresql+psycopg://ci:pw123@db:5432/wb")
    rows = {row["键名"]: row for row in settings_io.settings_rows(settings, environ={"OPENAI_API_KEY": "x"})}
    assert rows["llm_api_key"]["当前值"] == "已设置（不显示）" and rows["llm_api_key"]["来源"] == "环境变量"
    assert rows["database_url"]["当前值"] == "postgresql+psycopg://ci:***@db:5432/wb"
    assert "sk-very-secret" not in json.dumps(rows, ensure_ascii=False)
    assert rows["hide_ai_scores_until_reviewed"]["当前值"] == "开启"
    versions = settings_io.list_model_versions(models_dir)
    assert [v.version for v in versions] == ["2026-01-10", "2026-03-02", "broken"]
    assert versions[1].summary == "macro_f1=0.860" and versions[2].created_at == ""
    assert settings_io.list_model_versions(models_dir / "missing") == []


def test_bounds_and_rules_come_from_the_settings_table(engine, tmp_path, models_dir):
    path = tmp_path / "config.toml"
    cases = [
        ({"llm_concurrency": 65}, "“大模型并发数”的值「65」不可用：须在 1 到 64 之间"),
        ({"login_lockout_minutes": 0}, "须在 1 到 1440 分钟之间"),
        ({"max_file_mb": 0}, "须大于 0"),
        ({"ocr_threads": -1}, "不能为负数"),
        ({"login_client_window_minutes": 0.5}, "至少为 1 分钟"),
        ({"call_year": 1999}, "须为四位年份"),
        ({"online_deadline": "明年"}, "例如 2025-12-31"),
    ]
    for changes, message in cases:
        with pytest.raises(settings_io.SettingsError, match=message):
            settings_io.save_settings(engine, ORG, changes, path, models_dir, environ={})
    assert not path.exists()
    assert {"database_url", "llm_api_key", "attachments_dir", "cache_dir"} == settings_io.NOT_EDITABLE
