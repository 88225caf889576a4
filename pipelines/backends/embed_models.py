"""Neural embedders: a sentence-transformers model from a local directory (never downloads) and an
OpenAI-compatible ``/v1/embeddings`` endpoint."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from pipelines.backends.embed_base import EmbeddingError, unit_rows
from pipelines.config import Settings
from pipelines.text import normalize


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local directory only (``HF_HUB_OFFLINE=1``).

    Args:
        model_dir: directory holding the model (``modules.json``, ``config.json``, weights).
        batch_size: texts per forward pass.

    Raises:
        EmbeddingError: ``st_model_missing`` when the directory does not hold a model, ``st_model_invalid``
            when it cannot be loaded.
    """

    def __init__(self, model_dir: str | Path, batch_size: int = 32) -> None:
        path = Path(model_dir) if model_dir else None
        if path is None or not (path / "modules.json").exists() and not (path / "config.json").exists():
            raise EmbeddingError(
                "st_model_missing",
                f"句向量模型目录“{model_dir or '（未设置）'}”不存在或不含模型文件：请在 config.toml 中把 "
                'st_model_dir 设为本地已有的 sentence-transformers 模型目录，或设置 embedder = "lexical"',
            )
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        from sentence_transformers import SentenceTransformer

        try:
            self.model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        except Exception as exc:  # noqa: BLE001 (any loading failure becomes one clear message)
            raise EmbeddingError(
                "st_model_invalid", f"无法加载句向量模型目录 {path}：{exc}。请确认目录完整，或改用 lexical"
            ) from exc
        self.batch_size = batch_size
        digest = hashlib.sha256()
        for name in ("modules.json", "config.json", "config_sentence_transformers.json"):
            if (path / name).exists():
                digest.update((path / name).read_bytes())
        self.id = f"st-{path.name}-{digest.hexdigest()[:8]}"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts; see ``Embedder.embed``. Returns float32 ``(n, d)``."""
        dim = self.model.get_embedding_dimension()
        if not len(texts):
            return np.zeros((0, dim), dtype=np.float32)
        clean = [normalize(text) for text in texts]
        vectors = self.model.encode(
            clean, batch_size=self.batch_size, convert_to_numpy=True, show_progress_bar=False
        )
        vectors = unit_rows(vectors)
        vectors[[not text for text in clean]] = 0.0
        return vectors


class OpenAIEmbedder:
    """Embeddings from an OpenAI-compatible ``/v1/embeddings`` endpoint.

    Args:
        client: an ``openai.OpenAI`` client (base URL, key, timeout and retries set by the caller).
        model: embedding model name on that endpoint.
        batch_size: texts per request.
    """

    def __init__(self, client: Any, model: str, batch_size: int = 64) -> None:
        if not model:
            raise EmbeddingError(
                "openai_model_missing", "未设置向量模型名：请在 config.toml 中设置 embedding_model"
            )
        self.client = client
        self.model = model
        self.batch_size = batch_size
        self.id = f"openai-{model}"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts; see ``Embedder.embed``. Returns float32 ``(n, d)``.

        Raises:
            EmbeddingError: ``openai_failed`` when the endpoint fails or answers with the wrong shape.
        """
        clean = [normalize(text) for text in texts]
        wanted = [i for i, text in enumerate(clean) if text]
        rows: dict[int, np.ndarray] = {}
        for start in range(0, len(wanted), self.batch_size):
            batch = wanted[start : start + self.batch_size]
            for index, vector in zip(batch, self._request([clean[i] for i in batch]), strict=True):
                rows[index] = vector
        dims = {vector.shape[0] for vector in rows.values()}
        if len(dims) > 1:
            raise EmbeddingError("openai_failed", f"向量服务返回的维度不一致：{sorted(dims)}")
        dim = dims.pop() if dims else 0
        matrix = np.zeros((len(clean), dim), dtype=np.float32)
        for index, vector in rows.items():
            matrix[index] = vector
        return unit_rows(matrix)

    def _request(self, batch: list[str]) -> list[np.ndarray]:
        import openai

        try:
            response = self.client.embeddings.create(model=self.model, input=batch)
            data = sorted(response.data, key=lambda item: item.index)
            vectors = [np.asarray(item.embedding, dtype=np.float32) for item in data]
        except (openai.OpenAIError, ValueError, TypeError, AttributeError) as exc:
            raise EmbeddingError(
                "openai_failed", f"向量服务（模型 {self.model}）请求失败：{exc}。请检查 llm_base_url 与密钥"
            ) from exc
        if len(vectors) != len(batch) or any(vector.ndim != 1 for vector in vectors):
            raise EmbeddingError(
                "openai_failed",
                f"向量服务为 {len(batch)} 段文本只返回了 {len(vectors)} 个有效向量，请检查服务",
            )
        return vectors


def openai_client(settings: Settings) -> Any:
    import openai

    if not settings.llm_base_url:
        raise EmbeddingError(
            "openai_url_missing", 'embedder = "openai" 需要设置 llm_base_url（OpenAI 兼容服务地址）'
        )
    return openai.OpenAI(
        base_url=settings.llm_base_url,
        api_key=settings.llm_api_key or "not-needed",
        timeout=settings.llm_timeout_s,
        max_retries=settings.llm_max_retries,
    )
