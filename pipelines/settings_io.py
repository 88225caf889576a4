"""Reading and changing the workbench settings from the UI (organizers only).

Changes are validated, merged into ``config.toml`` (written atomically, in the format ``pipelines.config``
reads) and the process-wide settings cache is cleared so every session sees the new values on its next run.
Secrets are never shown: the LLM key is reported only as set / not set and is not editable here (use the
``OPENAI_API_KEY`` environment variable).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from pipelines import auth, config, store
from pipelines.auth import User
from pipelines.config import Settings

# Derived from the one settings table (pipelines/config.py): labels, and what the page may not change.
LABELS: dict[str, str] = {name: config.setting_meta(name)["label"] for name in config.setting_kinds()}
NOT_EDITABLE = frozenset(name for name in config.setting_kinds() if not config.setting_meta(name)["editable"])


class SettingsError(ValueError):
    """A setting value that cannot be saved; Chinese message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ModelVersion:
    version: str
    created_at: str = ""
    summary: str = ""  # a few metrics from the model card


@dataclass(frozen=True)
class SaveOutcome:
    settings: Settings  # what the process reads now
    changed: dict[str, Any]
    overridden_by_env: list[str]  # changed keys that an environment variable still overrides


def display_value(key: str, value: Any) -> str:
    """A value as organizers may see it: the API key and database passwords are never shown."""
    if key == "llm_api_key":
        return "已设置（不显示）" if value else "未设置"
    if key == "database_url":
        return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", str(value))
    if isinstance(value, bool):
        return "开启" if value else "关闭"
    if isinstance(value, tuple):
        return "、".join(value)
    return "" if value is None else str(value)


def settings_rows(settings: Settings, environ: dict[str, str] | None = None) -> list[dict[str, str]]:
    """Every setting with its Chinese label, shown value and where it comes from."""
    environ = dict(os.environ if environ is None else environ)
    rows = []
    for f in fields(Settings):
        from_env = f"WORKBENCH_{f.name.upper()}" in environ or (
            (f.name == "database_url" and "DATABASE_URL" in environ)
            or (f.name == "llm_api_key" and "OPENAI_API_KEY" in environ)
        )
        rows.append(
            {
                "设置项": LABELS.get(f.name, f.name),
                "键名": f.name,
                "当前值": display_value(f.name, getattr(settings, f.name)),
                "来源": "环境变量" if from_env else "配置文件/默认值",
            }
        )
    return rows


def list_model_versions(models_dir: Path | None = None) -> list[ModelVersion]:
    """Classifier versions under ``models/classifier/`` (newest name last), with their card's date and metrics."""
    root = (models_dir or config.MODELS_DIR) / "classifier"
    if not root.is_dir():
        return []
    versions = []
    for path in sorted(p for p in root.iterdir() if p.is_dir()):
        card: dict[str, Any] = {}
        card_file = path / "card.json"
        if card_file.is_file():
            try:
                card = json.loads(card_file.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                card = {}
        metrics = card.get("metrics") if isinstance(card.get("metrics"), dict) else {}
        summary = "，".join(f"{k}={v:.3f}" for k, v in metrics.items() if isinstance(v, int | float))
        versions.append(ModelVersion(path.name, str(card.get("created_at", "")), summary))
    return versions


def _coerce(key: str, value: Any, kind: type) -> Any:
    label = LABELS.get(key, key)
    try:
        if kind is bool:
            return (
                value if isinstance(value, bool) else str(value).strip().lower() in {"1", "true", "yes", "on"}
            )
        if kind is tuple:
            items = value.split(",") if isinstance(value, str) else value
            return tuple(str(item).strip().lower() for item in items if str(item).strip())
        if kind is int and isinstance(value, float) and not value.is_integer():
            raise ValueError
        return kind(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError) as error:
        raise SettingsError(f"“{label}”的值「{value}」格式不对，请填写正确的{_KIND_NAMES[kind]}。") from error


_KIND_NAMES = {bool: "开关值", int: "整数", float: "数字", str: "文字", tuple: "列表（用逗号分隔）"}


def _number(value: float) -> str:
    return f"{value:g}"


def rule_text(name: str) -> str:
    """The Chinese rule a setting's value must follow, from its bounds, choices or stated rule ("" = none)."""
    meta = config.setting_meta(name)
    low, high, above = meta["minimum"], meta["maximum"], meta["above"]
    unit = f" {meta['unit']}" if meta["unit"] else ""
    if meta["rule"]:
        return meta["rule"].format(default=meta["default"])
    if meta["choices"]:
        return f"只能是 {' / '.join(meta['choices'])}"
    if low is not None and high is not None:
        return f"须在 {_number(low)} 到 {_number(high)}{unit or ' '}之间"
    if above is not None:
        return f"须大于 {_number(above)}{unit}"
    if low == 0:
        return "不能为负数"
    if low is not None:
        return f"至少为 {_number(low)}{unit}"
    return ""


def _allowed(name: str, value: Any) -> bool:
    meta = config.setting_meta(name)
    if meta["choices"] and value not in meta["choices"]:
        return False
    if meta["pattern"] and not re.match(meta["pattern"], value):
        return False
    if meta["minimum"] is not None and value < meta["minimum"]:
        return False
    if meta["maximum"] is not None and value > meta["maximum"]:
        return False
    return meta["above"] is None or value > meta["above"]


def _validate(values: dict[str, Any], models_dir: Path | None) -> None:
    for key, value in values.items():
        if not _allowed(key, value):
            raise SettingsError(f"“{LABELS[key]}”的值「{value}」不可用：{rule_text(key)}。")
    version = values.get("classifier_version")
    if version:
        known = [v.version for v in list_model_versions(models_dir)]
        if version not in known:
            choices = "、".join(known) or "（models/classifier/ 下还没有模型）"
            raise SettingsError(f"分类模型版本「{version}」不存在，可选：{choices}。")


def toml_value(value: Any) -> str:
    """A value written as TOML (the format config.toml and config.example.toml use)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, tuple | list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a valid TOML basic string


def save_settings(
    engine: Engine,
    user: User,
    changes: dict[str, Any],
    config_file: Path | None = None,
    models_dir: Path | None = None,
    environ: dict[str, str] | None = None,
) -> SaveOutcome:
    """Validate ``changes`` and merge them into the config file.

    Args:
        engine: the store (the change is written to the audit trail).
        user: must hold ``SETTINGS`` (organizers).
        changes: setting name → new value (values may come as text from a form).
        config_file: defaults to ``pipelines.config.CONFIG_FILE``.
        models_dir: where classifier versions live; defaults to ``pipelines.config.MODELS_DIR``.
        environ: for reporting environment overrides; defaults to ``os.environ``.

    Returns:
        The settings now in force, the values that actually changed, and the keys an environment variable
        still overrides (the file changed, but the environment wins until it is unset).
    """
    auth.require(user, auth.SETTINGS)
    path = config_file or config.CONFIG_FILE
    kinds = config.setting_kinds()
    unknown = sorted(set(changes) - set(kinds))
    if unknown:
        raise SettingsError(f"未知设置项：{', '.join(unknown)}。")
    locked = sorted(set(changes) & NOT_EDITABLE)
    if locked:
        names = "、".join(LABELS[k] for k in locked)
        raise SettingsError(f"{names}不能在页面上修改，请由管理员通过环境变量设置。")
    values = {key: _coerce(key, value, kinds[key]) for key, value in changes.items()}
    _validate(values, models_dir)
    current = config.load_settings(path, environ={})
    changed = {k: v for k, v in values.items() if getattr(current, k) != v}
    if changed:
        _write(path, {**_file_values(path), **changed})
        config.get_settings.cache_clear()
        store.audit(
            engine, user.username, "save_settings", **{k: display_value(k, v) for k, v in changed.items()}
        )
    environ = dict(os.environ if environ is None else environ)
    overridden = [k for k in changed if f"WORKBENCH_{k.upper()}" in environ]
    return SaveOutcome(config.load_settings(path), changed, overridden)


def _file_values(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        return tomllib.load(handle)


def _write(path: Path, values: dict[str, Any]) -> None:
    order = [f.name for f in fields(Settings)]
    lines = ["# 由工作台“设置”页面写入；可手工编辑，键名见 config.example.toml。"]
    lines += [f"{key} = {toml_value(values[key])}" for key in order if key in values]
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".config-", suffix=".toml")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n")
        config.load_settings(Path(temp_name), environ={})  # never replace a good file with one we cannot read
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
