from __future__ import annotations

import pytest

from pipelines.config import PROJ_ROOT, Settings, load_settings


def test_example_config_is_complete_and_valid():
    settings = load_settings(PROJ_ROOT / "config.example.toml", environ={})
    assert settings == Settings()


def test_environment_overrides_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('llm_model = "qwen"\nblind_review = false\n', encoding="utf-8")
    environ = {"WORKBENCH_BLIND_REVIEW": "true", "DATABASE_URL": "sqlite:///x.db", "OPENAI_API_KEY": "k"}
    settings = load_settings(path, environ)
    assert (settings.llm_model, settings.blind_review, settings.database_url, settings.llm_api_key) == (
        "qwen",
        True,
        "sqlite:///x.db",
        "k",
    )


def test_unknown_key_is_reported_in_chinese(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("llm_modle = 'x'\n", encoding="utf-8")
    with pytest.raises(ValueError, match="未知设置项：llm_modle"):
        load_settings(path, {})
