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

PROJ_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = PROJ_ROOT / "data"
SAMPLE_DIR = DATA_DIR / "sample"
RUNTIME_DIR = DATA_DIR / "runtime"
MODELS_DIR = PROJ_ROOT / "models"
CONFIG_FILE = PROJ_ROOT / "config.toml"


@dataclass(frozen=True)
class Settings:
    """All tunable values of the workbench. Thresholds are documented where they are chosen."""

    database_url: str = f"sqlite:///{RUNTIME_DIR / 'workbench.db'}"
    call_year: int = 2026
    online_deadline: str = "2025-12-31"
    max_cases_per_category: int = 3
    max_file_mb: float = (
        120.0  # the most one form file may weigh, text and embedded media together (read cap)
    )
    max_text_mb: float = 20.0  # a form's text and layout: the file without its embedded media
    max_media_mb: float = 100.0  # pictures, audio and video embedded in one form, counted apart from the text
    convert_timeout_s: float = 60.0  # LibreOffice converting one .doc/.wps to .docx (when installed)
    max_archive_mb: float = 500.0
    allowed_attachment_types: tuple[str, ...] = ("pdf", "jpg", "jpeg", "mp4", "mov")
    # Attachments (proof materials): size limit per type, where they are stored, how OCR runs
    max_pdf_mb: float = 50.0
    max_image_mb: float = 20.0
    max_video_mb: float = 300.0
    attachments_dir: str = ""  # content-addressed store; empty = data/runtime/attachments
    ocr_threads: int = 2  # onnxruntime threads for OCR (0 = all cores); the machines have 2 cores
    ocr_max_pages: int = 30  # scanned PDF pages read by OCR per file (the rest are named as not read)
    # Text features and models
    embedder: str = "lexical"  # lexical | sentence-transformers | openai
    st_model_dir: str = ""  # local directory of a sentence-transformers model; never downloaded
    embedding_model: str = ""  # model name for the OpenAI-compatible /v1/embeddings endpoint
    classifier_version: str = ""  # empty = newest under models/classifier/
    misfile_threshold: float = 0.0  # 0 = use the threshold stored in the model card
    # LLM (any OpenAI-compatible endpoint); empty base URL = LLM features off
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""
    llm_timeout_s: float = 60.0
    llm_max_retries: int = 3
    llm_concurrency: int = 4
    llm_samples: int = 1
    # Review workflow
    blind_review: bool = False
    hide_ai_scores_until_reviewed: bool = True
    oidc_enabled: bool = False
    # Logins and sessions (pipelines/login.py, pipelines/sessions.py)
    login_max_failures: int = 10  # wrong passwords in a row that lock the account (only that account)
    login_lockout_minutes: float = 15.0  # how long a locked account (or a throttled client) waits
    login_client_max_failures: int = 30  # failed logins from one client address within the window → throttled
    login_client_window_minutes: float = 15.0
    # Behind one reverse proxy that appends the client to X-Forwarded-For: take the client from there (else
    # every user shares the proxy's address and its failure count)
    login_trust_forwarded_for: bool = False
    session_hours: float = 12.0  # a browser stays signed in this long, across reloads, until it signs out

    @property
    def attachments_path(self) -> Path:
        return Path(self.attachments_dir) if self.attachments_dir else RUNTIME_DIR / "attachments"

    # Repeats: re-rank repeat candidates with the sentence-transformers model at st_model_dir (slower; the
    # lexical retrieval and index stay the same). Measured in data/eval/README.md.
    repeat_rerank: bool = False
    # Caches (built indexes); empty = $XDG_CACHE_HOME/workbench or ~/.cache/workbench, never the source tree
    cache_dir: str = ""

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
    kinds = {f.name: type(getattr(Settings(), f.name)) for f in fields(Settings)}
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
