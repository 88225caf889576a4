from __future__ import annotations

import re
from dataclasses import fields

import pytest

from pipelines.config import GROUPS, PROJ_ROOT, Settings, load_settings, setting_kinds, setting_meta
from tools import settings_example


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


def test_example_config_is_generated_from_the_settings_table():
    text = (PROJ_ROOT / "config.example.toml").read_text(encoding="utf-8")
    assert text == settings_example.render(), (
        "config.example.toml 已过期：运行 python -m tools.settings_example"
    )
    documented = {m.group(1) for m in re.finditer(r"^(?:# )?([a-z_]+) = ", text, re.MULTILINE)}
    assert documented == {f.name for f in fields(Settings)}


def test_every_setting_carries_its_metadata():
    for item in fields(Settings):
        meta = setting_meta(item.name)
        assert meta["label"] and meta["group"] in GROUPS, item.name
        assert setting_kinds()[item.name] in {bool, int, float, str, tuple}, item.name
        for bound in ("minimum", "maximum", "above"):
            assert meta[bound] is None or isinstance(item.default, int | float), item.name
        assert not meta["choices"] or item.default in meta["choices"], item.name
