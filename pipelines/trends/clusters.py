"""This year's cases grouped by what they are about (TF-IDF + LSA, agglomerative clustering, c-TF-IDF
labels), and a two-dimensional map of all cases (t-SNE).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.cluster import AgglomerativeClustering
from sklearn.decomposition import PCA, TruncatedSVD
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.manifold import TSNE
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize as l2_normalize

if TYPE_CHECKING:
    pass

from pipelines.trends.frame import TrendError, case_text
from pipelines.trends.terms import doc_terms

# --------------------------------------------------------------------------------- clusters and the map


def tfidf_vectors(
    fit_texts: Sequence[str], texts: Sequence[str] | None = None, max_n: int = 2
) -> sp.csr_matrix:
    """TF-IDF vectors of tokens and phrases, the vocabulary and IDF learnt from ``fit_texts``.

    From 20 fitting texts on, terms found in only one of them are left out: they cannot bring two cases
    together and only blur the distances.

    Args:
        fit_texts: texts the IDF is learnt from (e.g. every year's cases).
        texts: texts to vectorise (default: ``fit_texts``).
        max_n: longest phrase in tokens.

    Returns:
        Sparse matrix ``(len(texts), v)`` with L2-normalised rows (zero rows for texts without terms;
        ``v`` = 0 when no text has a term).
    """
    texts = fit_texts if texts is None else texts
    vectorizer = TfidfVectorizer(
        analyzer=lambda text: doc_terms(text, max_n),
        sublinear_tf=True,
        min_df=2 if len(fit_texts) >= 20 else 1,
    )
    try:
        vectorizer.fit(fit_texts)
    except ValueError:  # no text has a single term
        return sp.csr_matrix((len(texts), 0))
    return vectorizer.transform(texts)


def case_vectors(texts: Sequence[str], dims: int = 30, seed: int = 0) -> np.ndarray:
    """Dense case vectors for clusters and the map: ``tfidf_vectors`` reduced by TruncatedSVD (LSA).

    LSA merges co-occurring terms, so two cases about 数字人 with different wording still come close;
    on raw TF-IDF every pair of short Chinese narratives is almost orthogonal.

    Args:
        texts: ``n`` case texts.
        dims: LSA dimensions (at most ``n - 1`` and the vocabulary size - 1 are used).
        seed: random seed of the SVD.

    Returns:
        float array ``(n, d)`` with L2-normalised rows (zero rows for texts without terms); without SVD
        (fewer than 3 texts or terms) ``d`` is the vocabulary size.
    """
    tfidf = tfidf_vectors(texts)
    components = min(dims, len(texts) - 1, tfidf.shape[1] - 1)
    if components < 2:
        return tfidf.toarray()
    reduced = TruncatedSVD(n_components=components, random_state=seed).fit_transform(tfidf)
    reduced[np.asarray(tfidf.sum(axis=1)).ravel() == 0] = 0.0
    return l2_normalize(reduced)


def choose_clusters(
    vectors: np.ndarray, max_k: int = 6, min_silhouette: float = 0.1
) -> tuple[np.ndarray, float]:
    """Agglomerative clustering (Ward) with the number of clusters chosen by the cosine silhouette.

    Every k from 2 to ``min(max_k, n - 1)`` is tried; the k with the highest silhouette wins. When even
    that is below ``min_silhouette`` the split is no better than noise and all rows stay one cluster.

    Args:
        vectors: dense array ``(n, d)`` with L2-normalised, non-zero rows (Ward on unit vectors follows
            cosine distance).
        max_k: most clusters tried.
        min_silhouette: smallest silhouette accepted for a split.

    Returns:
        Labels ``(n,)`` numbered 0.. by first appearance, and the silhouette of the chosen split (NaN when
        fewer than 3 rows or no split was accepted).
    """
    n = len(vectors)
    best_labels, best_score = np.zeros(n, dtype=int), float("nan")
    for k in range(2, min(max_k, n - 1) + 1):
        labels = AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(vectors)
        score = float(silhouette_score(vectors, labels, metric="cosine"))
        if np.isnan(best_score) or score > best_score:
            best_labels, best_score = labels, score
    if np.isnan(best_score) or best_score < min_silhouette:
        return np.zeros(n, dtype=int), float("nan")
    _, first = np.unique(best_labels, return_index=True)
    renumber = {old: new for new, old in enumerate(best_labels[np.sort(first)])}
    return np.array([renumber[label] for label in best_labels]), best_score


def ctfidf_labels(class_texts: Sequence[Sequence[str]], top: int = 3, max_n: int = 2) -> list[str]:
    """A short label per class made of its most distinctive terms (class-based TF-IDF, as in BERTopic).

    Weight of term t in class c: ``tf(t, c) / |c| · log(1 + A / f(t))`` with ``A`` the mean number of term
    occurrences per class and ``f(t)`` the occurrences of t in all classes. A term containing or contained
    in an already chosen one is skipped.

    Args:
        class_texts: for each of ``k`` classes, the texts of its members.
        top: terms per label.
        max_n: longest phrase in tokens.

    Returns:
        ``k`` labels like ``数字人、导览、文旅`` (``""`` for a class without terms).
    """
    docs = [[term for text in texts for term in doc_terms(text, max_n)] for texts in class_texts]
    if not any(docs):
        return ["" for _ in docs]
    vectorizer = CountVectorizer(analyzer=lambda terms: terms)
    counts = vectorizer.fit_transform(docs).toarray().astype(float)
    vocabulary = vectorizer.get_feature_names_out()
    sizes = counts.sum(axis=1, keepdims=True)
    tf = np.divide(counts, sizes, out=np.zeros_like(counts), where=sizes > 0)
    weights = tf * np.log1p(counts.sum(axis=1).mean() / counts.sum(axis=0))
    return [_label(vocabulary, row, top) for row in weights]


def _label(vocabulary: np.ndarray, weights: np.ndarray, top: int) -> str:
    chosen: list[str] = []
    for i in np.argsort(-weights, kind="stable"):
        if weights[i] <= 0 or len(chosen) == top:
            break
        term = str(vocabulary[i])
        if not any(term in other or other in term for other in chosen):
            chosen.append(term)
    return "、".join(chosen)


@dataclass
class Clusters:
    """Clusters of one year's cases within each category.

    Attributes:
        assignments: id, category_name, cluster (0.. within the category; -1 = no text), cluster_label.
        summary: year, category_name, cluster, size, label, silhouette (of the category's split), titles.
    """

    assignments: pd.DataFrame
    summary: pd.DataFrame


def cluster_cases(
    frame: pd.DataFrame,
    year: int,
    vectors: np.ndarray | None = None,
    max_k: int = 6,
    min_cases: int = 4,
    min_silhouette: float = 0.1,
) -> Clusters:
    """Cluster the cases of ``year`` within each category and label each cluster.

    Categories with fewer than ``min_cases`` cases stay one cluster; a case without any term gets cluster
    -1. Labels come from class-based TF-IDF over all clusters of the year.

    Args:
        frame: cases frame (every year: the vectors' IDF and LSA learn from all of them).
        year: the year whose cases are clustered.
        vectors: ``(len(frame), d)`` case vectors in ``frame``'s order; default ``case_vectors`` of the
            frame's texts.
        max_k, min_silhouette: see ``choose_clusters``.
        min_cases: fewest cases of a category for it to be split.

    Returns:
        ``Clusters`` (empty tables when the year has no cases).
    """
    in_year = (frame["year"] == year).to_numpy()
    chosen = frame[in_year]
    if chosen.empty:
        empty = pd.DataFrame(columns=["id", "category_name", "cluster", "cluster_label"])
        return Clusters(empty, pd.DataFrame(columns=_SUMMARY_COLUMNS))
    year_vectors = (case_vectors(case_text(frame)) if vectors is None else np.asarray(vectors))[in_year]
    labels = np.zeros(len(chosen), dtype=int)
    silhouettes: dict[str, float] = {}
    for name in chosen["category_name"].unique():
        rows = np.flatnonzero(chosen["category_name"].to_numpy() == name)
        labels[rows], silhouettes[name] = _cluster_rows(year_vectors[rows], max_k, min_cases, min_silhouette)
    assignments = pd.DataFrame(
        {
            "id": chosen["id"].to_numpy(),
            "category_name": chosen["category_name"].to_numpy(),
            "cluster": labels,
        }
    )
    return _labelled(assignments, chosen, year, silhouettes)


def _cluster_rows(
    vectors: np.ndarray, max_k: int, min_cases: int, min_silhouette: float
) -> tuple[np.ndarray, float]:
    has_text = np.linalg.norm(vectors, axis=1) > 0
    labels = np.full(len(vectors), -1)
    if has_text.sum() < min_cases:
        labels[has_text] = 0
        return labels, float("nan")
    labels[has_text], score = choose_clusters(vectors[has_text], max_k, min_silhouette)
    return labels, score


_SUMMARY_COLUMNS = ["year", "category_name", "cluster", "size", "label", "silhouette", "titles"]


def _labelled(assignments: pd.DataFrame, chosen: pd.DataFrame, year: int, silhouettes: dict) -> Clusters:
    texts = dict(zip(chosen["id"], case_text(chosen), strict=True))
    titles = dict(zip(chosen["id"], chosen["title"], strict=True))
    keys = assignments.groupby(["category_name", "cluster"], sort=True)["id"].apply(list)
    labels = ctfidf_labels([[texts[i] for i in ids] for ids in keys])
    rows = []
    for ((name, cluster), ids), label in zip(keys.items(), labels, strict=True):
        label = "（无正文）" if cluster < 0 else label
        rows.append(
            [year, name, cluster, len(ids), label, silhouettes.get(name), "；".join(titles[i] for i in ids)]
        )
    summary = pd.DataFrame(rows, columns=_SUMMARY_COLUMNS)
    label_of = {(r.category_name, r.cluster): r.label for r in summary.itertuples()}
    assignments["cluster_label"] = [
        label_of[k] for k in zip(assignments["category_name"], assignments["cluster"], strict=True)
    ]
    return Clusters(assignments, summary)


def case_map(
    frame: pd.DataFrame, vectors: np.ndarray | None = None, seed: int = 0, method: str = "auto"
) -> pd.DataFrame:
    """2-D coordinates for every case, similar cases close together.

    Case vectors (LSA, ``case_vectors``) → t-SNE (fixed seed, PCA initialisation) or PCA; ``auto`` uses
    t-SNE from 10 cases on.

    Args:
        frame: cases frame.
        vectors: ``(len(frame), d)`` case vectors in ``frame``'s order; default ``case_vectors``.
        seed: random seed (same data + seed = same map).
        method: ``auto`` | ``tsne`` | ``pca``.

    Returns:
        Columns id, x, y in ``frame``'s order.

    Raises:
        TrendError: for an unknown method.
    """
    if method not in {"auto", "tsne", "pca"}:
        raise TrendError(f"未知的降维方法「{method}」，可选 auto、tsne、pca。")
    n = len(frame)
    coords = np.zeros((n, 2))
    if n <= 2:
        coords[:, 0] = np.arange(n, dtype=float)
    else:
        dense = case_vectors(case_text(frame), seed=seed) if vectors is None else np.asarray(vectors)
        if dense.shape[1] >= 2:
            use_tsne = method == "tsne" or (method == "auto" and n >= 10)
            coords = (
                _tsne(dense, seed)
                if use_tsne
                else PCA(n_components=2, random_state=seed).fit_transform(dense)
            )
    return pd.DataFrame({"id": frame["id"].to_numpy(), "x": coords[:, 0], "y": coords[:, 1]})


def _tsne(dense: np.ndarray, seed: int) -> np.ndarray:
    # Exact t-SNE below a thousand points: Barnes-Hut's approximation keeps small groups apart less
    # reliably (the planted-groups test fails with it). Exact costs more (quiet 2-core machine, from
    # benchmarks/bench_trends.py: 0.93 s vs 0.40 s at 186 cases, 6.4 s vs 1.5 s at 744); above that n² wins.
    perplexity = float(min(30.0, max(2.0, (len(dense) - 1) / 3)))
    method = "exact" if len(dense) <= 1000 else "barnes_hut"
    tsne = TSNE(perplexity=perplexity, init="pca", max_iter=500, method=method, random_state=seed)
    return tsne.fit_transform(dense)
