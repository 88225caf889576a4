"""Training and honest measurement of the learned scorer (``python -m pipelines score --train``).

The training data are all strong/weak pair sets under ``data/eval`` (``PAIR_SETS``). Every text goes through
the product path (claims → rubric evidence → ``features.claim_features``); a text's feature vector is the
sum of its claims' rows, so a pair's difference is the difference of the two sums and the fitted weights
apply claim by claim.

The figure that predicts a new writer is leave-one-set-out: for each set, train on all the others and
count how often the strong text of the left-out set scores higher on its criterion. ``train_scorer``
reports it per set and per criterion beside the in-sample figure and stores both in the model card.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from pipelines.claims import extract_claims_many
from pipelines.config import DATA_DIR, MODELS_DIR
from pipelines.criteria.cases import read_jsonl
from pipelines.criteria.evidence import measure
from pipelines.criteria.features import BIGRAM, RUBRIC, claim_features
from pipelines.criteria.learned import MODEL_DIR, ScorerModel, fit_pairwise
from pipelines.criteria.rubric import Rubric, default_rubric
from pipelines.vocabulary import CRITERIA

EVAL_DIR = DATA_DIR / "eval"
# Every pair set is training data (each was read or measured while the scorer was built; see
# data/eval/README.md). Order is the order of the report.
PAIR_SETS: dict[str, Path] = {
    "score_pairs": EVAL_DIR / "score_pairs.jsonl",
    "trap_pairs": EVAL_DIR / "trap_pairs.jsonl",
    "trap_pairs_holdout": EVAL_DIR / "trap_pairs_holdout.jsonl",
    "fresh": EVAL_DIR / "fresh" / "score_pairs_fresh.jsonl",
    "fresh2": EVAL_DIR / "fresh2" / "score_pairs_fresh2.jsonl",
    "train3_t1": EVAL_DIR / "train3" / "pairs_t1.jsonl",
    "train3_t2": EVAL_DIR / "train3" / "pairs_t2.jsonl",
}


SLOGANS_FILE = DATA_DIR / "claims" / "slogans.jsonl"
PADDING = 3  # slogans appended to a training text to make its padded twin


@dataclass(frozen=True)
class Settings:
    """Hyper-parameters of the fit (chosen by the leave-one-set-out mean; see the card)."""

    c: float = 0.3  # inverse L2 strength
    beta: float = 1.0  # weight of the rubric's own evidence (fixed offset)
    bigram_value: float = 2.0  # value of a present bigram (dense features are standardised)
    min_df: int = 2  # a bigram must occur in this many training texts
    padding_weight: float = 1.0  # weight of a "text beats the text padded with slogans" pair
    padding_sharpness: float = 10.0  # >1: padding need only not raise the score (see ``fit_pairwise``)


@dataclass
class PairData:
    """Featurised pairs: ``texts[2i]`` is pair i's strong text, ``texts[2i + 1]`` its weak one; ``padded[j]``
    is ``texts[j]`` with ``PADDING`` slogans of ``data/claims/slogans.jsonl`` appended. Every training text
    must score at least as high as its padded twin on every criterion: stuffing is not evidence."""

    pairs: list[dict[str, Any]]
    texts: list[dict[str, float]]  # per text: the sum of its claims' feature rows
    padded: list[dict[str, float]]
    rows: list[list[dict[str, float]]]  # per text: its claims' rows (to score it claim by claim)


def featurise(texts: Sequence[str], rubric: Rubric) -> list[list[dict[str, float]]]:
    """Per text, its claims' feature rows (the product path, in one batch)."""
    return [
        claim_features(claims, measure(rubric, claims), rubric) for claims in extract_claims_many(list(texts))
    ]


def total(rows: Sequence[dict[str, float]]) -> dict[str, float]:
    """The sum of feature rows."""
    summed: dict[str, float] = {}
    for row in rows:
        for name, value in row.items():
            summed[name] = summed.get(name, 0.0) + value
    return summed


def read_pair_sets(sets: dict[str, Path] | None = None) -> list[dict[str, Any]]:
    """All pairs of the given sets, each with its ``set`` name."""
    pairs = []
    for name, path in (sets or PAIR_SETS).items():
        for record in read_jsonl(path, required=("id", "criterion", "strong", "weak"), cases=False):
            if record["criterion"] in CRITERIA:
                pairs.append({**record, "set": name})
    return pairs


def read_slogans(path: Path = SLOGANS_FILE) -> list[str]:
    """The slogan sentences used to pad training texts (``{"text"}`` per line)."""
    return [str(record["text"]) for record in read_jsonl(path, required=("text",), cases=False)]


def load_pairs(pairs: list[dict[str, Any]], rubric: Rubric | None = None) -> PairData:
    """Featurise the pairs and their padded twins (slogans chosen by a seeded generator: deterministic)."""
    rubric = rubric or default_rubric()
    texts = [t for p in pairs for t in (p["strong"], p["weak"])]
    slogans = read_slogans()
    choose = np.random.default_rng(0)
    padded = [t + "".join(choose.choice(slogans, PADDING, replace=False)) for t in texts]
    rows = featurise(texts + padded, rubric)
    sums = [total(text) for text in rows]
    return PairData(pairs, sums[: len(texts)], sums[len(texts) :], rows[: len(texts)])


def fit(data: PairData, train: Sequence[int], settings: Settings, version: str = "") -> ScorerModel:
    """Fit the scorer on the pairs ``train`` (indices into ``data.pairs``).

    Returns:
        The model (weights with scaling and the rubric offset folded in; no card yet).
    """
    texts = [data.texts[2 * i + side] for i in train for side in (0, 1)]
    twins = [data.padded[2 * i + side] for i in train for side in (0, 1)]
    df: dict[str, int] = {}
    for text in texts:
        for name in text:
            df[name] = df.get(name, 0) + 1
    padding = {name for twin in twins for name in twin}  # the slogans' own words are kept too
    names = sorted(
        {n for n, k in df.items() if not n.startswith(BIGRAM) or k >= settings.min_df} | (padding - df.keys())
    )
    model = ScorerModel(version, names, np.zeros((len(names), len(CRITERIA))))
    x = model.matrix(texts)
    dense = np.asarray([not name.startswith(BIGRAM) for name in names])
    mean = np.asarray(x.mean(axis=0)).ravel()
    spread = np.sqrt(np.maximum(np.asarray(x.multiply(x).mean(axis=0)).ravel() - mean**2, 0.0))
    scale = np.where(dense, 1.0 / np.maximum(spread, 1e-3), settings.bigram_value)
    criteria = list(CRITERIA)
    # the pairs, then every text against its padded twin on each criterion
    padding = x - model.matrix(twins)
    raw_diff = sparse.vstack([x[0::2] - x[1::2], *[padding] * len(criteria)]).tocsr()
    diff = raw_diff @ sparse.diags(scale)
    column = np.asarray(
        [criteria.index(data.pairs[i]["criterion"]) for i in train]
        + [k for k in range(len(criteria)) for _ in texts]
    )
    weight = np.r_[np.ones(len(train)), np.full(len(texts) * len(criteria), settings.padding_weight)]
    # a criterion reads only its own rubric evidence; the shared block reads none
    owner = [name[len(RUBRIC) :].split(":")[0] if name.startswith(RUBRIC) else "" for name in names]
    blocks = [diff @ sparse.diags([0.0 if o else 1.0 for o in owner])]
    for k, criterion in enumerate(criteria):
        mask = sparse.diags([0.0 if o and o != criterion else 1.0 for o in owner])
        blocks.append(sparse.diags((column == k).astype(float)) @ diff @ mask)
    design = sparse.hstack(blocks).tocsr()
    rubric_rows = {k: [j for j, o in enumerate(owner) if o == c] for k, c in enumerate(criteria)}
    indicator = np.zeros((len(names), len(criteria)))
    for k, rows in rubric_rows.items():
        indicator[rows, k] = 1.0
    offset = settings.beta * np.asarray(raw_diff @ indicator)[np.arange(len(column)), column]
    sharpness = np.r_[np.ones(len(train)), np.full(len(texts) * len(criteria), settings.padding_sharpness)]
    w = fit_pairwise(design, offset, settings.c, weight, sharpness)
    n = len(names)
    weights = np.stack([(w[:n] + w[n * (k + 1) : n * (k + 2)]) * scale for k in range(len(criteria))], axis=1)
    for k, rows in rubric_rows.items():
        weights[rows, k] += settings.beta
    model.weights = weights
    return model


def win_rates(model: ScorerModel, data: PairData, indices: Sequence[int]) -> dict[str, Any]:
    """How often the strong text scores strictly higher on its criterion: overall, per criterion and per
    kind of pair (``failures`` lists the ids lost)."""
    if not indices:
        return {"rate": None, "n": 0, "by_criterion": {}, "by_kind": {}, "failures": []}
    raw = np.asarray(
        [model.contributions(data.rows[2 * i + side]).sum(axis=0) for i in indices for side in (0, 1)]
    )
    criteria = list(CRITERIA)
    wins: dict[str, list[bool]] = {}
    kinds: dict[str, list[bool]] = {}
    failures = []
    for row, i in enumerate(indices):
        pair = data.pairs[i]
        k = criteria.index(pair["criterion"])
        won = bool(raw[2 * row, k] > raw[2 * row + 1, k])
        wins.setdefault(criteria[k], []).append(won)
        if pair.get("kind"):
            kinds.setdefault(str(pair["kind"]), []).append(won)
        if not won:
            failures.append(str(pair["id"]))
    everything = [w for values in wins.values() for w in values]
    return {
        "rate": round(float(np.mean(everything)), 4),
        "n": len(everything),
        "by_criterion": {c: round(float(np.mean(wins[c])), 4) for c in criteria if c in wins},
        "by_kind": {k: [int(sum(v)), len(v)] for k, v in sorted(kinds.items())},
        "failures": failures,
    }


def leave_one_set_out(data: PairData, settings: Settings) -> dict[str, Any]:
    """Per set: train on all other sets, measure on it. Also the mean over sets and the pooled rate."""
    sets = list(dict.fromkeys(p["set"] for p in data.pairs))
    per_set, pooled = {}, {c: [] for c in CRITERIA}
    for name in sets:
        train = [i for i, p in enumerate(data.pairs) if p["set"] != name]
        test = [i for i, p in enumerate(data.pairs) if p["set"] == name]
        per_set[name] = win_rates(fit(data, train, settings), data, test)
        for c, rate in per_set[name]["by_criterion"].items():
            count = sum(1 for i in test if data.pairs[i]["criterion"] == c)
            pooled[c] += [rate] * count
    rates = [result["rate"] for result in per_set.values()]
    return {
        "per_set": per_set,
        "mean_over_sets": round(float(np.mean(rates)), 4),
        "pooled_by_criterion": {c: round(float(np.mean(v)), 4) for c, v in pooled.items() if v},
    }


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def _model_version(name: str) -> str:
    card = MODELS_DIR / "claims" / name / "card.json"
    return json.loads(card.read_text("utf-8")).get("version", "") if card.exists() else ""


def train_scorer(
    settings: Settings = Settings(),
    sets: dict[str, Path] | None = None,
    out: Path = MODEL_DIR,
    loso: bool = True,
    progress: Callable[[str], None] = lambda message: None,
) -> ScorerModel:
    """Train on every pair set, measure leave-one-set-out and in-sample, save the model with its card.

    Returns:
        The saved model.
    """
    sets = sets or PAIR_SETS
    rubric = default_rubric()
    progress("读取并抽取训练案例对的主张…")
    data = load_pairs(read_pair_sets(sets), rubric)
    version = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    everything = list(range(len(data.pairs)))
    model = fit(data, everything, settings, version)
    card: dict[str, Any] = {
        "version": version,
        "what": "逐条主张的线性评分：score(c) = Σ_主张 W[:, c]·φ(主张)，成对逻辑损失拟合",
        "training_sets": {
            name: {
                "path": str(path.relative_to(DATA_DIR.parent)),
                "pairs": sum(1 for p in data.pairs if p["set"] == name),
                "sha256": _sha(path),
            }
            for name, path in sets.items()
        },
        "settings": settings.__dict__,
        "features": len(model.names),
        "rubric": {"version": rubric.version, "fingerprint": rubric.fingerprint},
        "claim_models": {name: _model_version(name) for name in ("kinds", "orientation")},
        "in_sample": win_rates(model, data, everything),
    }
    if loso:
        progress("留一集评估（每次留出一个集合，用其余集合训练）…")
        card["leave_one_set_out"] = leave_one_set_out(data, settings)
    model.card = card
    model.save(out)
    return model
