"""Sparse embedding rows of a large, slowly growing list of texts (the history), kept on disk.

Novelty compares every new case with every past case; embedding the whole history again on every run cost
more than the rest of the scoring. ``SparseRows`` keeps the rows of the texts it was last asked for, keyed by
a digest of each text, in the cache directory (``Settings.cache_path / "embedding-rows"``, one file per
embedder id): texts already known reuse their row, only new texts are embedded (an imported year adds its
cases without re-embedding the rest), and the file then holds exactly the rows of the latest request.

The file helpers here (``write_checked`` / ``read_checked``) are the one way cache files are written: to a
temporary name, renamed, with a SHA-256 side file; a file that does not match its checksum or cannot be read
is reported with a warning, deleted and rebuilt, never trusted.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np
import scipy.sparse as sp

T = TypeVar("T")
CHUNK = 1 << 20
DIGEST_BYTES = 16


class CacheFileWarning(RuntimeWarning):
    """A cache file could not be used and is rebuilt."""


def file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_checked(path: Path, write: Callable[[Path], None]) -> None:
    """Write a cache file with ``write(temporary_path)``, record its checksum, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".tmp{os.getpid()}")
    try:
        write(temporary)
        checksum = file_hash(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    path.with_suffix(".sha256").write_text(checksum, encoding="ascii")


def read_checked(path: Path, read: Callable[[Path], T], what: str, category: type[Warning]) -> T | None:
    """``read(path)`` when the file exists and matches its checksum; None when it does not exist; a damaged
    file (checksum, unreadable, ``ValueError`` from ``read``) is deleted with a ``category`` warning naming
    ``what`` (Chinese), and None returned."""
    if not path.exists():
        return None
    checksum_file = path.with_suffix(".sha256")
    try:
        expected = checksum_file.read_text(encoding="ascii").strip()
        if file_hash(path) != expected:
            raise ValueError("校验值不符")
        return read(path)
    except (OSError, ValueError, EOFError, KeyError, AttributeError, ImportError) as exc:
        warnings.warn(
            f"{what}文件 {path} 已损坏或不完整（{exc}），已删除并重新建立。", category, stacklevel=3
        )
        path.unlink(missing_ok=True)
        checksum_file.unlink(missing_ok=True)
        return None


def digests(texts: Sequence[str]) -> np.ndarray:
    """A 16-byte BLAKE2b digest of each text, ``(n,)`` of dtype ``S16``."""
    return np.asarray(
        [hashlib.blake2b(text.encode("utf-8"), digest_size=DIGEST_BYTES).digest() for text in texts],
        dtype=f"S{DIGEST_BYTES}",
    )


def _save(path: Path, keys: np.ndarray, matrix: sp.csr_matrix) -> None:
    with path.open("wb") as handle:
        np.savez(
            handle,
            keys=keys,
            data=matrix.data,
            indices=matrix.indices,
            indptr=matrix.indptr,
            shape=np.asarray(matrix.shape),
        )


def _load(path: Path) -> tuple[np.ndarray, sp.csr_matrix]:
    with np.load(path, allow_pickle=False) as stored:
        shape = tuple(int(x) for x in stored["shape"])
        matrix = sp.csr_matrix((stored["data"], stored["indices"], stored["indptr"]), shape=shape)
        keys = stored["keys"]
    if keys.shape[0] != matrix.shape[0]:
        raise ValueError("行数与键数不符")
    return keys, matrix


class SparseRows:
    """The sparse rows of texts, embedded once and kept on disk.

    Args:
        embed: texts → float32 CSR ``(n, V)`` (e.g. ``LexicalEmbedder.embed_sparse``).
        embedder_id: names the file; another embedder (or a refitted one) never reads these rows.
        directory: where the file lives (None: memory only).
    """

    def __init__(
        self, embed: Callable[[Sequence[str]], sp.csr_matrix], embedder_id: str, directory: Path | None
    ) -> None:
        self.embed = embed
        self.path = directory / f"{embedder_id}.npz" if directory is not None else None
        self.keys_: np.ndarray | None = None
        self.matrix_: sp.csr_matrix | None = None
        self.embedded_ = 0  # texts embedded by the last ``rows`` call (the rest were reused)

    def _stored(self) -> tuple[np.ndarray, sp.csr_matrix] | None:
        if self.keys_ is not None and self.matrix_ is not None:
            return self.keys_, self.matrix_
        if self.path is None:
            return None
        return read_checked(self.path, _load, "嵌入向量缓存", CacheFileWarning)

    def rows(self, texts: Sequence[str]) -> sp.csr_matrix:
        """The rows of ``texts`` in order, float32 CSR ``(n, V)``; new texts are embedded and the file updated
        to hold exactly these texts' rows."""
        keys = digests(texts)
        stored = self._stored()
        if stored is not None and np.array_equal(stored[0], keys):
            self.embedded_ = 0
            return stored[1]
        old_keys, old_matrix = stored if stored is not None else (np.zeros(0, keys.dtype), None)
        position = {key: i for i, key in enumerate(old_keys.tolist())}
        found = np.asarray([position.get(key, -1) for key in keys.tolist()], dtype=np.int64)
        new = np.flatnonzero(found < 0)
        unique_new = list(dict.fromkeys(keys[new].tolist()))
        first_text = {}
        for i in new.tolist():
            first_text.setdefault(keys[i].tolist(), texts[i])
        parts, offset = [], 0
        if old_matrix is not None and old_matrix.shape[0]:
            parts.append(old_matrix)
            offset = old_matrix.shape[0]
        if unique_new:
            fresh = sp.csr_matrix(self.embed([first_text[key] for key in unique_new]), dtype=np.float32)
            if parts and fresh.shape[1] != parts[0].shape[1]:
                raise ValueError("嵌入向量维数与缓存不符")
            parts.append(fresh)
            slot = {key: offset + i for i, key in enumerate(unique_new)}
            found[new] = [slot[key] for key in keys[new].tolist()]
        self.embedded_ = len(unique_new)
        if not parts:
            matrix = sp.csr_matrix((0, 0), dtype=np.float32)
        else:
            matrix = sp.csr_matrix(sp.vstack(parts, format="csr")[found], dtype=np.float32)
        self.keys_, self.matrix_ = keys, matrix
        if self.path is not None:
            try:
                write_checked(self.path, lambda path: _save(path, keys, matrix))
            except OSError as exc:
                warnings.warn(f"无法保存嵌入向量缓存 {self.path}（{exc}）", CacheFileWarning, stacklevel=2)
        return matrix


_LATEST: dict[str, SparseRows] = {}  # the last row store used, kept for the next run in this process


def rows_for(embedder: object, directory: Path | None, method: str = "embed_sparse") -> SparseRows | None:
    """The row store of ``embedder`` (or of the embedder behind its cache) for its sparse rows ``method``
    (``embed_sparse``: word and character blocks; ``embed_chars``: the character block), or None when it has
    no such method; the last one used is reused within the process."""
    inner = getattr(embedder, "inner", embedder)
    embed = getattr(inner, method, None)
    if embed is None:
        return None
    name = f"{getattr(inner, 'id', 'embedder')}-{method.removeprefix('embed_')}"
    key = f"{name}|{directory}"
    rows = _LATEST.get(key)
    if rows is None or rows.embed != embed:
        _LATEST.clear()
        rows = _LATEST[key] = SparseRows(embed, name, directory)
    return rows
