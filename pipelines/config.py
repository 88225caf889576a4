"""Paths and the one settings object.

Every path derives from ``PROJ_ROOT``. Settings come from ``config.toml`` at the project root (optional,
gitignored; ``config.example.toml`` documents every key) and then from environment variables
``WORKBENCH_<KEY>`` (upper case), plus the conventional ``DATABASE_URL`` and ``OPENAI_API_KEY``.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

PROJ_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = PROJ_ROOT / "data"
SAMPLE_DIR = DATA_DIR / "sample"
RUNTIME_DIR = DATA_DIR / "runtime"
MODELS_DIR = PROJ_ROOT / "models"
CONFIG_FILE = PROJ_ROOT / "config.toml"
# Call years a user may enter (settings, the year pickers of the board and the exports)
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


# Groups of settings, in the order the settings page and config.example.toml show them.
GROUPS: tuple[str, ...] = (
    "数据库",
    "申报规则",
    "申报表与附件",
    "文本表示与分类",
    "大模型",
    "评审",
    "登录与会话",
)


def setting(
    default: object,
    label: str,
    group: str,
    help: str = "",
    *,
    editable: bool = True,
    minimum: float | None = None,
    maximum: float | None = None,
    above: float | None = None,
    choices: tuple[str, ...] = (),
    pattern: str = "",
    unit: str = "",
    rule: str = "",
    example: str = "",
) -> Any:
    """One Settings field with the metadata every reader of settings shares.

    Args:
        default: the value when neither config.toml nor the environment sets it.
        label: short Chinese name (settings page, error messages, settings table).
        group: one of ``GROUPS``.
        help: longer Chinese explanation (widget help, comment in config.example.toml).
        editable: False for server paths and secrets: never changed from the settings page.
        minimum: smallest allowed value (inclusive).
        maximum: largest allowed value (inclusive).
        above: the value must be strictly greater than this.
        choices: the only allowed values of a text setting.
        pattern: a regular expression a text setting must match.
        unit: shown after numbers in messages, e.g. "分钟".
        rule: a Chinese rule replacing the one derived from the bounds; ``{default}`` is the default value.
        example: a TOML value shown commented out in config.example.toml instead of the default.

    Returns:
        A ``dataclasses.field`` carrying the metadata.
    """
    metadata = {
        "label": label,
        "group": group,
        "help": help,
        "editable": editable,
        "minimum": minimum,
        "maximum": maximum,
        "above": above,
        "choices": choices,
        "pattern": pattern,
        "unit": unit,
        "rule": rule,
        "example": example,
    }
    return dataclasses.field(default=default, metadata=metadata)


# Text-feature backends (pipelines/backends/embed.py); lexical needs nothing outside the repo.
EMBEDDERS: tuple[str, ...] = ("lexical", "sentence-transformers", "openai")


@dataclass(frozen=True)
class Settings:
    """All tunable values of the workbench: each field carries its label, help, group and bounds."""

    database_url: str = setting(
        f"sqlite:///{RUNTIME_DIR / 'workbench.db'}",
        "数据库",
        "数据库",
        "默认内置 SQLite 文件；共享服务器用 PostgreSQL（也可用环境变量 DATABASE_URL）",
        editable=False,
        example='"postgresql+psycopg://user:password@db-host:5432/workbench"',
    )
    # The call this workbench reviews (the call text: data/guide/call-<year>.txt)
    call_year: int = setting(
        2026, "申报年度", "申报规则", minimum=EARLIEST_YEAR, maximum=LATEST_YEAR, rule="须为四位年份"
    )
    online_deadline: str = setting(
        "2025-12-31",
        "上线截止日期",
        "申报规则",
        "案例须在此日期前上线运行",
        pattern=r"^\d{4}-\d{2}-\d{2}$",
        rule="须为 YYYY-MM-DD 格式，例如 {default}",
    )
    max_cases_per_category: int = setting(3, "每单位每类最多案例数", "申报规则", minimum=1, maximum=50)
    max_file_mb: float = setting(
        120.0,
        "单个申报表文件上限（MB，正文与嵌入媒体合计）",
        "申报表与附件",
        "正文与嵌入媒体合计；超过的文件不读取",
        above=0,
    )
    max_text_mb: float = setting(
        20.0, "申报表正文大小上限（MB，不含嵌入媒体）", "申报表与附件", "不含嵌入的图片、音视频", above=0
    )
    max_media_mb: float = setting(
        100.0,
        "申报表嵌入图片、音视频上限（MB）",
        "申报表与附件",
        "单独计算，不计入正文",
        minimum=0,
    )
    convert_timeout_s: float = setting(
        60.0,
        ".doc/.wps 转换超时（秒）",
        "申报表与附件",
        "用 LibreOffice 把 .doc/.wps 转为 .docx 的超时（未安装 LibreOffice 时不转换）",
        above=0,
    )
    max_archive_mb: float = setting(500.0, "压缩包解压后上限（MB）", "申报表与附件", above=0)
    allowed_attachment_types: tuple[str, ...] = setting(
        ("pdf", "jpg", "jpeg", "mp4", "mov"), "允许的附件格式", "申报表与附件"
    )
    max_pdf_mb: float = setting(50.0, "PDF 附件大小上限（MB）", "申报表与附件", above=0)
    max_image_mb: float = setting(20.0, "图片附件大小上限（MB）", "申报表与附件", above=0)
    max_video_mb: float = setting(300.0, "视频附件大小上限（MB）", "申报表与附件", above=0)
    attachments_dir: str = setting(
        "",
        "附件存放目录（空 = data/runtime/attachments）",
        "申报表与附件",
        "按内容哈希存放证明材料",
        editable=False,
    )
    ocr_threads: int = setting(
        2,
        "文字识别线程数（0 = 全部核心）",
        "申报表与附件",
        "onnxruntime 线程数；服务器只有 2 个核心",
        minimum=0,
    )
    ocr_max_pages: int = setting(
        30, "每个扫描版 PDF 最多识别页数", "申报表与附件", "其余页列为未识别", minimum=1
    )
    embedder: str = setting(
        "lexical",
        "文本表示（embedder）",
        "文本表示与分类",
        "lexical（默认，离线）| sentence-transformers（需本地模型目录）| openai（OpenAI 兼容 /v1/embeddings）",
        choices=EMBEDDERS,
    )
    st_model_dir: str = setting(
        "", "sentence-transformers 本地模型目录", "文本表示与分类", "例如 /models/bge-small-zh，从不联网下载"
    )
    embedding_model: str = setting(
        "", "向量服务模型名", "文本表示与分类", "OpenAI 兼容 /v1/embeddings 的模型名"
    )
    classifier_version: str = setting(
        "", "分类模型版本", "文本表示与分类", "空 = models/classifier/ 下最新版本"
    )
    misfile_threshold: float = setting(
        0.0,
        "错报类别阈值（0 = 用模型卡中的阈值）",
        "文本表示与分类",
        "0 = 使用模型卡中按数据选定的阈值",
        minimum=0,
        maximum=1,
    )
    llm_base_url: str = setting(
        "",
        "大模型服务地址（OpenAI 兼容）",
        "大模型",
        "任意 OpenAI 兼容服务（DeepSeek、通义千问、vLLM、Ollama），例如 https://api.deepseek.com/v1；空 = 不启用",
        pattern=r"^(https?://.*)?$",
        rule="须以 http:// 或 https:// 开头",
    )
    llm_model: str = setting("", "大模型名称", "大模型")
    llm_api_key: str = setting(
        "",
        "大模型密钥",
        "大模型",
        "请用环境变量 OPENAI_API_KEY 或 WORKBENCH_LLM_API_KEY 提供",
        editable=False,
        example='"sk-..."',
    )
    llm_timeout_s: float = setting(60.0, "大模型超时（秒）", "大模型", minimum=1, maximum=600, unit="秒")
    llm_max_retries: int = setting(3, "大模型重试次数", "大模型", minimum=0)
    llm_concurrency: int = setting(4, "大模型并发数", "大模型", minimum=1, maximum=64)
    llm_samples: int = setting(1, "大模型评分采样次数", "大模型", minimum=1, maximum=10)
    blind_review: bool = setting(False, "盲评（对评审专家隐藏申报单位）", "评审")
    hide_ai_scores_until_reviewed: bool = setting(True, "评审专家打分前隐藏 AI 评分", "评审")
    oidc_enabled: bool = setting(False, "统一身份认证登录（OIDC）", "评审")
    # Logins and sessions (pipelines/login.py, pipelines/sessions.py)
    login_max_failures: int = setting(
        10,
        "连续输错密码几次锁定账号",
        "登录与会话",
        "只锁被攻击的账号",
        minimum=3,
        maximum=100,
    )
    login_lockout_minutes: float = setting(
        15.0,
        "账号锁定时长（分钟）",
        "登录与会话",
        "锁定的账号（或被暂停的客户端）等待的时长",
        minimum=1,
        maximum=24 * 60,
        unit="分钟",
    )
    login_client_max_failures: int = setting(
        30, "同一客户端失败几次暂停登录", "登录与会话", "在计数时段内的失败次数", minimum=10
    )
    login_client_window_minutes: float = setting(
        15.0, "客户端失败计数时段（分钟）", "登录与会话", minimum=1, unit="分钟"
    )
    # Behind one reverse proxy that appends the client to X-Forwarded-For: take the client from there (else
    # every user shares the proxy's address and its failure count)
    login_trust_forwarded_for: bool = setting(
        False,
        "按反向代理转发的客户端地址（X-Forwarded-For）限流",
        "登录与会话",
        "仅当工作台在一层反向代理之后、且代理会追加 X-Forwarded-For 时开启",
    )
    session_hours: float = setting(
        12.0,
        "登录保持时长（小时）",
        "登录与会话",
        "登录后在此时长内刷新页面无需重新登录；“退出登录”立即失效",
        minimum=0.25,
        maximum=24 * 30,
        unit="小时",
    )

    @property
    def attachments_path(self) -> Path:
        return Path(self.attachments_dir) if self.attachments_dir else RUNTIME_DIR / "attachments"

    # Repeats: re-rank repeat candidates with the sentence-transformers model at st_model_dir (slower; the
    # lexical retrieval and index stay the same). Measured in data/eval/README.md.
    repeat_rerank: bool = setting(
        False,
        "查重句向量重排序",
        "文本表示与分类",
        "查重时用 st_model_dir 的句向量模型对候选重新计算语义相似度（更慢；效果见 data/eval/README.md）",
    )
    # Caches (built indexes); empty = $XDG_CACHE_HOME/workbench or ~/.cache/workbench, never the source tree
    cache_dir: str = setting(
        "",
        "缓存目录",
        "文本表示与分类",
        "查重索引等可重建的文件；空 = $XDG_CACHE_HOME/workbench 或 ~/.cache/workbench，不放在源码目录中",
        editable=False,
    )

    @property
    def cache_path(self) -> Path:
        """The cache directory: ``cache_dir``, else ``$XDG_CACHE_HOME/workbench``, else ``~/.cache/workbench``."""
        if self.cache_dir:
            return Path(self.cache_dir).expanduser()
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(base) / "workbench"

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)


def setting_kinds() -> dict[str, type]:
    """Each setting's name and the Python type of its value (bool, int, float, str or tuple), in table order."""
    return {f.name: type(f.default) for f in fields(Settings)}


def setting_meta(name: str) -> dict[str, Any]:
    """The metadata of one setting (label, group, help, editable, bounds, choices...), with its default."""
    found = {f.name: f for f in fields(Settings)}[name]
    return {**found.metadata, "default": found.default}


def _coerce(value: str, kind: type) -> object:
    if kind is bool:
        return value.strip().lower() in {"1", "true", "yes", "on"}
    if kind is tuple:
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return kind(value)


def load_settings(config_file: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Read settings from the TOML file, then let environment variables override them.

    Args:
        config_file: TOML file; defaults to ``PROJ_ROOT/config.toml`` (missing file = defaults).
        environ: environment mapping; defaults to ``os.environ``.

    Returns:
        A frozen ``Settings``.
    """
    environ = dict(os.environ if environ is None else environ)
    path = CONFIG_FILE if config_file is None else config_file
    values: dict[str, object] = {}
    if path.exists():
        with path.open("rb") as handle:
            values.update(tomllib.load(handle))
    kinds = setting_kinds()
    unknown = set(values) - set(kinds)
    if unknown:
        raise ValueError(f"配置文件 {path} 含有未知设置项：{', '.join(sorted(unknown))}")
    if "DATABASE_URL" in environ:
        values["database_url"] = environ["DATABASE_URL"]
    if "OPENAI_API_KEY" in environ and "llm_api_key" not in values:
        values["llm_api_key"] = environ["OPENAI_API_KEY"]
    for name, kind in kinds.items():
        env_value = environ.get(f"WORKBENCH_{name.upper()}")
        if env_value is not None:
            values[name] = _coerce(env_value, kind)
    if isinstance(values.get("allowed_attachment_types"), list):
        values["allowed_attachment_types"] = tuple(values["allowed_attachment_types"])
    return Settings(**values)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; call ``get_settings.cache_clear()`` after changing them)."""
    return load_settings()


def with_overrides(settings: Settings, **changes: object) -> Settings:
    """A copy of ``settings`` with some values changed."""
    return dataclasses.replace(settings, **changes)
