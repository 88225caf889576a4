"""An LRU cache in front of any embedder, with an optional persistent cache passed in through the small
``pipelines.cache.Cache`` protocol: the embedder knows nothing of the store."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from pipelines.backends.embed_base import Embedder
from pipelines.text import text_hash

if TYPE_CHECKING:
    from pipelines.cache import Cache


class CachedEmbedder:
    """Wraps an embedder with an LRU cache keyed by ``(text_hash, embedder id)``.

    Args:
        inner: the embedder doing the work.
        max_bytes: memory budget of the in-process cache.
        cache: optional persistent cache (``pipelines.cache.Cache``); vectors are then also kept there.
    """

    def __init__(self, inner: Embedder, max_bytes: int = 128 * 2**20, cache: Cache | None = None) -> None:
        self.inner = inner
        self.id = inner.id
        self.max_bytes = max_bytes
        self.cache = cache
        self._memory: OrderedDict[str, np.ndarray] = OrderedDict()
        self._bytes = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts, computing only those not cached; see ``Embedder.embed``. Returns float32 ``(n, d)``."""
        keys = [f"emb:{self.id}:{text_hash(text)}" for text in texts]
        found = {key: vector for key in set(keys) if (vector := self._lookup(key)) is not None}
        missing = list(dict.fromkeys(key for key in keys if key not in found))
        if missing:
            first_text = {key: text for key, text in zip(keys, texts, strict=True)}
            vectors = self.inner.embed([first_text[key] for key in missing])
            for key, vector in zip(missing, vectors, strict=True):
                found[key] = vector
                self._remember(key, vector, persist=True)
        if not keys:
            return self.inner.embed([])
        return np.stack([found[key] for key in keys]).astype(np.float32, copy=False)

    def _lookup(self, key: str) -> np.ndarray | None:
        if key in self._memory:
            self._memory.move_to_end(key)
            return self._memory[key]
        if self.cache is None:
            return None
        value = self.cache.get(key)
        if value is None:
            return None
        vector = np.asarray(value, dtype=np.float32)
        self._remember(key, vector, persist=False)
        return vector

    def _remember(self, key: str, vector: np.ndarray, persist: bool) -> None:
        vector = np.asarray(vector, dtype=np.float32)
        self._memory[key] = vector
        self._bytes += vector.nbytes
        while self._bytes > self.max_bytes and len(self._memory) > 1:
            _, dropped = self._memory.popitem(last=False)
            self._bytes -= dropped.nbytes
        if persist and self.cache is not None:
            self.cache.put(key, "embedding", [round(float(x), 6) for x in vector])
