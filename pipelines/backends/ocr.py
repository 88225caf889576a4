"""Offline Chinese OCR: rapidocr-onnxruntime with the PP-OCR detection, direction and recognition models that
ship inside its wheel (nothing is downloaded, no model hub), plus a result cache by content hash.

OCR is slow on CPU (about a second or two per page on the 2-core machines), so callers cache by content hash
(``OcrCache``) and run it in the background (``pipelines.intake.attachment_store``).
"""

from __future__ import annotations

import json
import os
import tempfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Protocol

import numpy as np
from PIL import Image

MIN_SCORE = 0.5  # recognised lines below this confidence are dropped (rapidocr's own default text_score)


class OcrEngine(Protocol):
    """Anything that turns an RGB image into text, one recognised line per output line."""

    version: str

    def read(self, image: Image.Image) -> str: ...


def engine_version() -> str:
    """Package and model identity, part of every cache key (new models → new results)."""
    return f"rapidocr-onnxruntime-{metadata.version('rapidocr-onnxruntime')}-ppocrv4"


class RapidOcr:
    """rapidocr-onnxruntime with its bundled models; ``threads`` caps onnxruntime's intra-op threads."""

    def __init__(self, threads: int = 0) -> None:
        self.threads = threads
        self.version = engine_version()
        self._engine = None  # loaded on first use (about half a second)

    def read(self, image: Image.Image) -> str:
        """Text lines of ``image`` top to bottom (boxes as rapidocr orders them), low-confidence lines dropped."""
        if self._engine is None:
            from rapidocr_onnxruntime import RapidOCR

            options = (
                {"intra_op_num_threads": self.threads, "inter_op_num_threads": 1} if self.threads > 0 else {}
            )
            self._engine = RapidOCR(**options)
        result, _elapsed = self._engine(np.asarray(image.convert("RGB")))
        return "\n".join(text for _box, text, score in result or [] if float(score) >= MIN_SCORE)


def bundled_models() -> list[Path]:
    """The model files inside the installed wheel (what the engine loads; nothing else is fetched)."""
    import rapidocr_onnxruntime

    return sorted((Path(rapidocr_onnxruntime.__file__).parent / "models").glob("*.onnx"))


@lru_cache(maxsize=2)
def get_ocr(threads: int = 0) -> RapidOcr:
    """One engine per thread setting for the process (the models load on its first ``read``)."""
    return RapidOcr(threads)


class OcrCache:
    """OCR text by content hash and engine version, as small JSON files under ``directory``.

    A damaged cache file is ignored (recomputed), never trusted.
    """

    def __init__(self, directory: Path, version: str) -> None:
        self.directory = directory
        self.version = version

    def _path(self, sha256: str) -> Path:
        return self.directory / sha256[:2] / f"{sha256}.json"

    def get(self, sha256: str) -> str | None:
        try:
            record = json.loads(self._path(sha256).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(record, dict) or record.get("engine") != self.version:
            return None
        text = record.get("text")
        return text if isinstance(text, str) else None

    def put(self, sha256: str, text: str) -> None:
        path = self._path(sha256)
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False) as handle:
            json.dump({"engine": self.version, "text": text}, handle, ensure_ascii=False)
        os.replace(handle.name, path)
