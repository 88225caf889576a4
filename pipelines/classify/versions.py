"""Model versions on disk: ``models/classifier/<version>/model.joblib`` + ``card.json`` (no training data).

A version is *promoted* unless its card says ``"promotion": {"promoted": false}``: ``load_model()`` without a
version (what ``classify`` and ``analyze`` use unless settings name one) takes the newest promoted version.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import joblib

from pipelines.classify.estimator import CategoryClassifier
from pipelines.classify.suggest import CategoryModel
from pipelines.config import MODELS_DIR

MODEL_ROOT = MODELS_DIR / "classifier"


def model_root(root: Path | None = None) -> Path:
    """``root``, or ``MODEL_ROOT`` (read when called, so tests can point it elsewhere)."""
    return root or MODEL_ROOT


def save_model(
    classifier: CategoryClassifier, card: dict[str, Any], root: Path | None = None
) -> CategoryModel:
    """Write ``<root>/<version>/model.joblib`` and ``card.json``; returns the model."""
    root = model_root(root)
    directory = root / card["version"]
    directory.mkdir(parents=True, exist_ok=True)
    joblib.dump(classifier, directory / "model.joblib", compress=3)
    write_card(card, root)
    return CategoryModel(classifier, card)


def write_card(card: dict[str, Any], root: Path | None = None) -> None:
    """(Re)write the card of version ``card["version"]``."""
    root = model_root(root)
    path = root / card["version"] / "card.json"
    path.write_text(json.dumps(card, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    _load_cached.cache_clear()


def list_versions(root: Path | None = None) -> list[str]:
    """Saved model versions, oldest first."""
    root = model_root(root)
    if not root.is_dir():
        return []
    return sorted(
        p.name for p in root.iterdir() if (p / "model.joblib").exists() and (p / "card.json").exists()
    )


def read_card(version: str, root: Path | None = None) -> dict[str, Any]:
    """The card of a saved version."""
    root = model_root(root)
    return json.loads((root / version / "card.json").read_text(encoding="utf-8"))


def is_promoted(card: dict[str, Any]) -> bool:
    """Whether a card's version may be used by default."""
    return bool(card.get("promotion", {}).get("promoted", True))


def active_version(root: Path | None = None) -> str | None:
    """The newest promoted version (None when there is none)."""
    promoted = [v for v in list_versions(root) if is_promoted(read_card(v, root))]
    return promoted[-1] if promoted else None


def load_model(version: str | None = None, root: Path | None = None) -> CategoryModel:
    """Load a model version (the newest promoted one when ``version`` is empty).

    Raises:
        FileNotFoundError: with a Chinese message when no such version exists.
    """
    root = model_root(root)
    versions = list_versions(root)
    if not versions:
        raise FileNotFoundError(f"{root} 下没有分类模型：请先运行 python -m pipelines train")
    version = version or active_version(root)
    if version is None:
        raise FileNotFoundError(f"{root} 下没有已启用的分类模型版本：请运行 python -m pipelines train")
    if version not in versions:
        raise FileNotFoundError(f"找不到分类模型版本“{version}”，现有版本：{'、'.join(versions)}")
    return _load_cached(root / version)


@lru_cache(maxsize=4)
def _load_cached(directory: Path) -> CategoryModel:
    card = json.loads((directory / "card.json").read_text(encoding="utf-8"))
    classifier = joblib.load(directory / "model.joblib")
    if not isinstance(classifier, CategoryClassifier):
        raise FileNotFoundError(f"{directory / 'model.joblib'} 不是分类模型，请删除该版本后重新训练")
    return CategoryModel(classifier, card)
