"""The history index on disk: built once, reused while the history and the settings that shaped it are
unchanged, extended in place when past cases are only added.

An index file is named by a key over the history's content hash, the semantic model's id (embedder id and
vector kind) and ``INDEX_FORMAT``; a changed history file, another embedder or a new format gives another key.
Beside each index a small file lists a digest of every past case it holds. When no index has the key, the
stored index of the same embedder and format whose cases are all still in the history, unchanged, is loaded
and the new cases are appended (``CaseIndex.extend``): importing a year's cases or closing a year costs the
new cases, not the whole history. A changed or removed case, or a history grown past twice the cases its
boilerplate was learned from, rebuilds it.

Files live in ``Settings.cache_path / "repeat-index"`` (outside the source tree), are written to a temporary
name and renamed, and carry a SHA-256 side file (``pipelines.backends.embed_rows.write_checked``): a file that
does not match its checksum or cannot be unpickled is reported with a warning, deleted and rebuilt, never
trusted. Only files this cache wrote are ever loaded (the cache directory is the user's own).
"""

from __future__ import annotations

import hashlib
import json
import pickle
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from pipelines.backends.embed_rows import file_hash, read_checked, write_checked
from pipelines.repeats.detect import HistoryIndex, call_year_setting
from pipelines.repeats.index import CaseIndex, extend_index
from pipelines.repeats.semantic import SemanticModel
from pipelines.schema import PastCase

if TYPE_CHECKING:
    from pipelines.backends.embed import Embedder
    from pipelines.config import Settings

__all__ = ["IndexCacheWarning", "cached_history_index", "file_hash", "history_hash"]

INDEX_FORMAT = 5  # bump whenever case preparation or the index layout changes
KEEP_INDEXES = 4  # stored indexes kept per cache directory (the most recently written)
MAX_GROWTH = 2.0  # extend while the history is at most this many times the cases the boilerplate came from


class IndexCacheWarning(RuntimeWarning):
    """A stored repeat index could not be used and is rebuilt."""


def cache_dir(settings: Settings | None = None) -> Path:
    """The repeat-index directory under the settings' cache path (default: the process settings)."""
    from pipelines.config import get_settings

    return (settings or get_settings()).cache_path / "repeat-index"


def case_digests(history: Sequence[PastCase]) -> np.ndarray:
    """A 16-byte digest of each past case over the fields matching reads, ``(n,)`` of dtype ``S16``."""
    digests = []
    for case in history:
        record = [case.id, case.year, case.title, case.unit, case.outcome, case.text, case.sections]
        encoded = json.dumps(record, ensure_ascii=False, sort_keys=True).encode("utf-8")
        digests.append(hashlib.blake2b(encoded, digest_size=16).digest())
    return np.asarray(digests, dtype="S16")


def history_hash(history: Sequence[PastCase], digests: np.ndarray | None = None) -> str:
    """SHA-256 over the past cases' digests (order matters)."""
    digests = case_digests(history) if digests is None else digests
    return hashlib.sha256(digests.tobytes()).hexdigest()


def index_key(content_hash: str, embedder: Embedder | None) -> str:
    """The file key of an index: history content, semantic model and index format."""
    raw = f"{content_hash}|{semantic_id(embedder)}|format{INDEX_FORMAT}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def semantic_id(embedder: Embedder | None) -> str:
    """The semantic model's id (``none`` without an embedder)."""
    return SemanticModel(embedder).id if embedder is not None else "none"


def _read_index(path: Path) -> CaseIndex:
    try:
        with path.open("rb") as handle:
            index = pickle.load(handle)  # noqa: S301 (a file this cache wrote, checksum verified)
    except pickle.UnpicklingError as exc:
        raise ValueError(str(exc)) from exc
    if not isinstance(index, CaseIndex):
        raise ValueError("内容不是查重索引")
    return index


def _write_index(index: CaseIndex, path: Path) -> None:
    with path.open("wb") as handle:
        pickle.dump(index, handle, protocol=pickle.HIGHEST_PROTOCOL)


def save_index(index: CaseIndex, path: Path, digests: np.ndarray, semantic: str, fitted: int) -> None:
    """Write the index, then its case list (digests, semantic model, format, cases the boilerplate came
    from); keep the ``KEEP_INDEXES`` newest indexes of the directory."""
    write_checked(path, lambda temporary: _write_index(index, temporary))
    meta = {"semantic": semantic, "format": INDEX_FORMAT, "fitted": fitted}

    def write_cases(temporary: Path) -> None:
        with temporary.open("wb") as handle:
            np.savez(handle, digests=digests, meta=np.asarray(json.dumps(meta)))

    write_checked(_cases_path(path), write_cases)
    stored = sorted(path.parent.glob("*.pkl"), key=lambda file: file.stat().st_mtime, reverse=True)
    for old in stored[KEEP_INDEXES:]:
        for file in (
            old,
            old.with_suffix(".sha256"),
            _cases_path(old),
            _cases_path(old).with_suffix(".sha256"),
        ):
            file.unlink(missing_ok=True)


def _cases_path(path: Path) -> Path:
    return path.with_name(path.stem + "-cases.npz")


def _read_cases(path: Path) -> tuple[np.ndarray, dict]:
    with np.load(path, allow_pickle=False) as stored:
        return stored["digests"], json.loads(str(stored["meta"]))


def load_index(path: Path) -> CaseIndex | None:
    """The stored index at ``path``, or None when there is none; a damaged one is deleted with a warning."""
    return read_checked(path, _read_index, "查重索引", IndexCacheWarning)


def _extendable(directory: Path, digests: np.ndarray, semantic: str) -> tuple[Path, np.ndarray, int] | None:
    """The stored index of this semantic model and format whose cases are all among ``digests`` (the one with
    the most cases), with its digests and the cases its boilerplate came from; None when there is none or the
    history has grown past ``MAX_GROWTH`` times that."""
    wanted = Counter(digests.tolist())
    best = None
    for path in directory.glob("*.pkl") if directory.exists() else ():
        cases = _cases_path(path)
        if not cases.exists():
            continue
        stored = read_checked(cases, _read_cases, "查重索引的案例清单", IndexCacheWarning)
        if stored is None:
            continue
        old, meta = stored
        if meta.get("semantic") != semantic or meta.get("format") != INDEX_FORMAT or not old.size:
            continue
        if len(old) >= len(digests) or len(digests) > MAX_GROWTH * int(meta.get("fitted", 0)):
            continue
        if not Counter(old.tolist()) - wanted and (best is None or len(old) > len(best[1])):
            best = (path, old, int(meta["fitted"]))
    return best


def cached_history_index(
    history: Sequence[PastCase] | None,
    embedder: Embedder | None,
    call_year: int | None = None,
    content_hash: str | None = None,
    directory: Path | None = None,
    load_history: Callable[[], Sequence[PastCase]] | None = None,
) -> HistoryIndex:
    """The history index from the cache; extended when past cases were only added; built (and stored) when
    missing, stale or damaged.

    Args:
        history: the past cases; may be None when ``content_hash`` and ``load_history`` are given (a
            cache hit then never reads the history).
        embedder: the semantic embedder (its id is part of the key).
        call_year: defaults to the settings' ``call_year`` (not part of the key: it only changes verdicts).
        content_hash: the history's hash (e.g. ``file_hash`` of the history file); computed when None.
        directory: the cache directory (default ``cache_dir()``).
        load_history: called without arguments to read the history on a cache miss when ``history`` is None.

    Returns:
        The index; ``loaded_from_cache`` tells whether it was reused as stored, ``extended_by`` how many past
        cases were appended to a stored index (0 when reused or built).
    """
    directory = directory or cache_dir()
    digests = case_digests(history) if history is not None else None
    if content_hash is None:
        assert history is not None
        content_hash = history_hash(history, digests)
    path = directory / f"{index_key(content_hash, embedder)}.pkl"
    semantic = SemanticModel(embedder) if embedder is not None else None
    year = call_year or call_year_setting()
    index = load_index(path)
    if index is not None:
        result = HistoryIndex(index, semantic, year)
        result.loaded_from_cache = True
        return result
    if history is None:
        assert load_history is not None
        history = load_history()
    if digests is None:
        digests = case_digests(history)
    result, fitted = _extend_or_build(history, digests, embedder, semantic, year, directory)
    try:
        save_index(result.index_, path, digests, semantic_id(embedder), fitted)
    except OSError as exc:
        warnings.warn(
            f"无法保存查重索引到 {path}（{exc}），下次将重新建立。", IndexCacheWarning, stacklevel=2
        )
    return result


def _extend_or_build(
    history: Sequence[PastCase],
    digests: np.ndarray,
    embedder: Embedder | None,
    semantic: SemanticModel | None,
    year: int,
    directory: Path,
) -> tuple[HistoryIndex, int]:
    """A stored index with the new past cases appended, else a new index; and the number of cases its
    boilerplate came from."""
    base = _extendable(directory, digests, semantic_id(embedder))
    index = load_index(base[0]) if base is not None else None
    if base is not None and index is not None:
        known = Counter(base[1].tolist())
        new = []
        for case, digest in zip(history, digests.tolist(), strict=True):
            if known[digest]:
                known[digest] -= 1
            else:
                new.append(case)
        result = HistoryIndex(extend_index(index, new, semantic), semantic, year)
        result.extended_by = len(new)
        return result, base[2]
    return HistoryIndex.build(history, embedder, year), len(history)
