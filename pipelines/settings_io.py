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

LABELS: dict[str, str] = {
    "database_url": "数据库",
    "call_year": "申报年度",
    "online_deadline": "上线截止日期",
    "max_cases_per_category": "每单位每类最多案例数",
    "max_file_mb": "单个申报表文件上限（MB，正文与嵌入媒体合计）",
    "max_text_mb": "申报表正文大小上限（MB，不含嵌入媒体）",
    "max_media_mb": "申报表嵌入图片、音视频上限（MB）",
    "convert_timeout_s": ".doc/.wps 转换超时（秒）",
    "max_archive_mb": "压缩包解压后上限（MB）",
    "allowed_attachment_types": "允许的附件格式",
    "max_pdf_mb": "PDF 附件大小上限（MB）",
    "max_image_mb": "图片附件大小上限（MB）",
    "max_video_mb": "视频附件大小上限（MB）",
    "attachments_dir": "附件存放目录（空 = data/runtime/attachments）",
    "ocr_threads": "文字识别线程数（0 = 全部核心）",
    "ocr_max_pages": "每个扫描版 PDF 最多识别页数",
    "embedder": "文本表示（embedder）",
    "st_model_dir": "sentence-transformers 本地模型目录",
    "embedding_model": "向量服务模型名",
    "classifier_version": "分类模型版本",
    "misfile_threshold": "错报类别阈值（0 = 用模型卡中的阈值）",
    "llm_base_url": "大模型服务地址（OpenAI 兼容）",
    "llm_model": "大模型名称",
    "llm_api_key": "大模型密钥",
    "llm_timeout_s": "大模型超时（秒）",
    "llm_max_retries": "大模型重试次数",
    "llm_concurrency": "大模型并发数",
    "llm_samples": "大模型评分采样次数",
    "blind_review": "盲评（对评审专家隐藏申报单位）",
    "hide_ai_scores_until_reviewed": "评审专家打分前隐藏 AI 评分",
    "oidc_enabled": "统一身份认证登录（OIDC）",
    "login_max_failures": "连续输错密码几次锁定账号",
    "login_lockout_minutes": "账号锁定时长（分钟）",
    "login_client_max_failures": "同一客户端失败几次暂停登录",
    "login_client_window_minutes": "客户端失败计数时段（分钟）",
    "login_trust_forwarded_for": "按反向代理转发的客户端地址（X-Forwarded-For）限流",
    "session_hours": "登录保持时长（小时）",
}
NOT_EDITABLE = frozenset({"database_url", "llm_api_key", "attachments_dir"})  # server paths and secrets
EMBEDDERS = ("lexical", "sentence-transformers", "openai")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


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


def _kinds() -> dict[str, type]:
    defaults = Settings()
    return {f.name: type(getattr(defaults, f.name)) for f in fields(Settings)}


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


def _validate(values: dict[str, Any], models_dir: Path | None) -> None:
    checks = [
        ("embedder", lambda v: v in EMBEDDERS, f"只能是 {' / '.join(EMBEDDERS)}"),
        ("misfile_threshold", lambda v: 0 <= v <= 1, "须在 0 到 1 之间"),
        (
            "llm_base_url",
            lambda v: not v or v.startswith(("http://", "https://")),
            "须以 http:// 或 https:// 开头",
        ),
        ("online_deadline", lambda v: bool(_DATE.match(v)), "须为 YYYY-MM-DD 格式，例如 2025-12-31"),
        ("call_year", lambda v: 2000 <= v <= 2100, "须为四位年份"),
        ("max_cases_per_category", lambda v: v >= 1, "至少为 1"),
        ("max_file_mb", lambda v: v > 0, "须大于 0"),
        ("max_text_mb", lambda v: v > 0, "须大于 0"),
        ("max_media_mb", lambda v: v >= 0, "不能为负数"),
        ("convert_timeout_s", lambda v: v > 0, "须大于 0"),
        ("max_archive_mb", lambda v: v > 0, "须大于 0"),
        ("max_pdf_mb", lambda v: v > 0, "须大于 0"),
        ("max_image_mb", lambda v: v > 0, "须大于 0"),
        ("max_video_mb", lambda v: v > 0, "须大于 0"),
        ("ocr_threads", lambda v: v >= 0, "不能为负数"),
        ("ocr_max_pages", lambda v: v >= 1, "至少为 1"),
        ("llm_timeout_s", lambda v: v > 0, "须大于 0"),
        ("llm_max_retries", lambda v: v >= 0, "不能为负数"),
        ("llm_concurrency", lambda v: v >= 1, "至少为 1"),
        ("llm_samples", lambda v: v >= 1, "至少为 1"),
        ("login_max_failures", lambda v: 3 <= v <= 100, "须在 3 到 100 之间"),
        ("login_lockout_minutes", lambda v: 1 <= v <= 24 * 60, "须在 1 到 1440 分钟之间"),
        ("login_client_max_failures", lambda v: v >= 10, "至少为 10"),
        ("login_client_window_minutes", lambda v: v >= 1, "至少为 1 分钟"),
        ("session_hours", lambda v: 0.25 <= v <= 24 * 30, "须在 0.25 到 720 小时之间"),
    ]
    for key, ok, rule in checks:
        if key in values and not ok(values[key]):
            raise SettingsError(f"“{LABELS[key]}”的值「{values[key]}」不可用：{rule}。")
    version = values.get("classifier_version")
    if version:
        known = [v.version for v in list_model_versions(models_dir)]
        if version not in known:
            choices = "、".join(known) or "（models/classifier/ 下还没有模型）"
            raise SettingsError(f"分类模型版本「{version}」不存在，可选：{choices}。")


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
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
    kinds = _kinds()
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
    lines += [f"{key} = {_toml_value(values[key])}" for key in order if key in values]
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".config-", suffix=".toml")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n")
        config.load_settings(Path(temp_name), environ={})  # never replace a good file with one we cannot read
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
