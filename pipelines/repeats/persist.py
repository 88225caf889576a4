"""The history index on disk: built once, reused while the history and the settings that shaped it are
unchanged.

An index file is named by a key over the history's content hash, the semantic model's id (embedder id and
vector kind) and ``INDEX_FORMAT``; a changed history file, another embedder or a new format gives another key
and so a rebuild. Files live in ``Settings.cache_path / "repeat-index"`` (outside the source tree), are
written to a temporary name and renamed, and carry a SHA-256 side file: a file that does not match its
checksum or cannot be unpickled is reported with a warning, deleted and rebuilt, never trusted. Only files
this cache wrote are ever loaded (the cache directory is the user's own).
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.repeats.detect import HistoryIndex, call_year_setting
from pipelines.repeats.index import CaseIndex
from pipelines.repeats.semantic import SemanticModel
from pipelines.schema import PastCase

if TYPE_CHECKING:
    from pipelines.backends.embed import Embedder

INDEX_FORMAT = 3  # bump whenever case preparation or the index layout changes
KEEP_INDEXES = 4  # stored indexes kept per cache directory (the most recently written)
CHUNK = 1 << 20


class IndexCacheWarning(RuntimeWarning):
    """A stored repeat index could not be used and is rebuilt."""


def cache_dir() -> Path:
    """The repeat-index directory under the settings' cache path."""
    from pipelines.config import get_settings

    return get_settings().cache_path / "repeat-index"


def history_hash(history: Sequence[PastCase]) -> str:
    """SHA-256 over the fields of the past cases that matching reads (order matters)."""
    digest = hashlib.sha256()
    for case in history:
        record = [case.id, case.year, case.title, case.unit, case.outcome, case.text, case.sections]
        digest.update(json.dumps(record, ensure_ascii=False, sort_keys=True).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def index_key(content_hash: str, embedder: Embedder | None) -> str:
    """The file key of an index: history content, semantic model and index format."""
    semantic = SemanticModel(embedder).id if embedder is not None else "none"
    raw = f"{content_hash}|{semantic}|format{INDEX_FORMAT}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def save_index(index: CaseIndex, path: Path) -> None:
    """Write the index and its checksum (temporary file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".tmp{os.getpid()}")
    with temporary.open("wb") as handle:
        pickle.dump(index, handle, protocol=pickle.HIGHEST_PROTOCOL)
    checksum = file_hash(temporary)
    os.replace(temporary, path)
    path.with_suffix(".sha256").write_text(checksum, encoding="ascii")
    stored = sorted(path.parent.glob("*.pkl"), key=lambda file: file.stat().st_mtime, reverse=True)
    for old in stored[KEEP_INDEXES:]:
        old.unlink(missing_ok=True)
        old.with_suffix(".sha256").unlink(missing_ok=True)


def load_index(path: Path) -> CaseIndex | None:
    """The stored index at ``path``, or None when there is none; a damaged one is deleted with a warning."""
    if not path.exists():
        return None
    checksum_file = path.with_suffix(".sha256")
    try:
        expected = checksum_file.read_text(encoding="ascii").strip()
        if file_hash(path) != expected:
            raise ValueError("校验值不符")
        with path.open("rb") as handle:
            index = pickle.load(handle)  # noqa: S301 (a file this cache wrote, checksum verified)
        if not isinstance(index, CaseIndex):
            raise ValueError("内容不是查重索引")
    except (OSError, ValueError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as exc:
        warnings.warn(
            f"查重索引文件 {path} 已损坏或不完整（{exc}），已删除并重新建立。",
            IndexCacheWarning,
            stacklevel=2,
        )
        path.unlink(missing_ok=True)
        checksum_file.unlink(missing_ok=True)
        return None
    return index


def cached_history_index(
    history: Sequence[PastCase] | None,
    embedder: Embedder | None,
    call_year: int | None = None,
    content_hash: str | None = None,
    directory: Path | None = None,
    load_history: object = None,
) -> HistoryIndex:
    """The history index from the cache, or built (and stored) when missing, stale or damaged.

    Args:
        history: the past cases; may be None when ``content_hash`` and ``load_history`` are given (a
            cache hit then never reads the history).
        embedder: the semantic embedder (its id is part of the key).
        call_year: defaults to the settings' ``call_year`` (not part of the key: it only changes verdicts).
        content_hash: the history's hash (e.g. ``file_hash`` of the history file); computed when None.
        directory: the cache directory (default ``cache_dir()``).
        load_history: called without arguments to read the history on a cache miss when ``history`` is None.

    Returns:
        The index, with ``loaded_from_cache`` telling whether it was reused.
    """
    if content_hash is None:
        assert history is not None
        content_hash = history_hash(history)
    path = (directory or cache_dir()) / f"{index_key(content_hash, embedder)}.pkl"
    semantic = SemanticModel(embedder) if embedder is not None else None
    year = call_year or call_year_setting()
    index = load_index(path)
    if index is not None:
        result = HistoryIndex(index, semantic, year)
        result.loaded_from_cache = True
        return result
    if history is None:
        history = load_history()  # type: ignore[operator]
    result = HistoryIndex.build(history, embedder, year)  # type: ignore[arg-type]
    try:
        save_index(result.index_, path)
    except OSError as exc:
        warnings.warn(
            f"无法保存查重索引到 {path}（{exc}），下次将重新建立。", IndexCacheWarning, stacklevel=2
        )
    result.loaded_from_cache = False
    return result
