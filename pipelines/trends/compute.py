"""Trends across years: what each year's cases are about, and how that moves.

Every analysis is a pure function on a *cases frame*, a ``pandas.DataFrame`` with one row per case:

========================  ==========================================================================
column                    meaning
========================  ==========================================================================
``id``                    case id (past case id, ``S<submission id>`` for this year's submissions)
``year``                  year of the call (int)
``category``              category 1–6 (nullable ``Int64``; ``<NA>`` = not known)
``outcome``               ``awarded`` | ``not_selected`` | ``pending`` (this year's cases, not yet decided)
``unit``                  applicant as written
``title``, ``text``       case title and narrative
``category_source``       where the category comes from: history | reviewers | classifier | declared | none
``declared_previous``     tuple of titles the form declares under 往年申报情况 (may be empty)
``flagged_repeat_of``     id of the earlier case the duplicate detector matched (``""`` if none)
``category_name``         short category name (``未定类别`` when unknown)
``outcome_label``         入选 | 未入选 | 本届申报
``unit_group``            one display name per organisation (full name and abbreviations merged)
========================  ==========================================================================

``cases_frame`` builds it from ``TrendCase`` records; ``load_cases`` (store) and ``load_sample`` (the sample
data) are thin loaders. ``build_report`` runs every analysis at once for the page and the command line.

Text features: jieba tokens (domain dictionary, stop words removed, at least two characters, no bare
numbers) and phrases of 2–3 consecutive tokens within one clause (clauses end at punctuation).
"""

from __future__ import annotations

import argparse
import io
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import altair as alt
import numpy as np
import pandas as pd
import scipy.sparse as sp
import yaml
from scipy import stats
from sklearn.cluster import AgglomerativeClustering
from sklearn.decomposition import PCA, TruncatedSVD
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.manifold import TSNE
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize as l2_normalize

from pipelines.config import DATA_DIR, RUNTIME_DIR, SAMPLE_DIR, get_settings
from pipelines.jsonl import JsonlError, read_jsonl
from pipelines.text import normalize, tokenize_zh
from pipelines.units import match_units, normalize_unit
from pipelines.vocabulary import OUTCOME_LABELS, PAST_REPEAT_VERDICTS, SHORT_NAMES

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from pipelines.auth import User

TERMS_FILE = DATA_DIR / "trend_terms.yaml"
DEFAULT_OUT = RUNTIME_DIR / "trends"
OUTCOMES: dict[str, str] = {**OUTCOME_LABELS, "pending": "本届申报"}
UNKNOWN_CATEGORY = "未定类别"
CASE_COLUMNS = (
    "id",
    "year",
    "category",
    "outcome",
    "unit",
    "title",
    "text",
    "category_source",
    "declared_previous",
    "flagged_repeat_of",
)
DIRECTION_LABELS = {"rising": "上升", "falling": "下降", "flat": "无显著变化"}
CATEGORY_SOURCE_LABELS = {
    "history": "往年结果",
    "reviewers": "评审专家改定",
    "classifier": "分类模型建议",
    "declared": "申报表勾选",
    "none": "未定",
    "": "",
}

# Clauses end at punctuation, so phrases never run across two clauses.
_CLAUSE_END = re.compile(r"[，。；：！？、,;:!?\n（）()“”\"《》〈〉【】「」『』\[\]|/…—～·]+")
_DIGIT = re.compile(r"\d")
_LATIN = re.compile(r"[a-z]")
_ASCII_ALNUM = re.compile(r"[a-z0-9]")


class TrendError(ValueError):
    """Data the trend analysis cannot use; the message is Chinese and says what to fix."""


@dataclass
class TrendCase:
    """One case as the trend analysis sees it (see the module docstring for the fields)."""

    id: str
    year: int
    category: int | None
    outcome: str
    unit: str
    title: str
    text: str
    category_source: str = ""
    declared_previous: tuple[str, ...] = ()  # titles declared under 往年申报情况
    flagged_repeat_of: str = ""  # id of the earlier case the duplicate detector matched


# ------------------------------------------------------------------------------------------ the frame


def category_name(category: object) -> str:
    """Short name of a category id (``未定类别`` for a missing or unknown id)."""
    if category is None or pd.isna(category):
        return UNKNOWN_CATEGORY
    return SHORT_NAMES.get(int(category), UNKNOWN_CATEGORY)


def _check_case(case: TrendCase) -> None:
    where = f"案例「{case.title or case.id}」（{case.id}）"
    if case.outcome not in OUTCOMES:
        raise TrendError(f"{where}的结果「{case.outcome}」无法识别，应为 awarded、not_selected 或 pending。")
    if not isinstance(case.year, int | np.integer) or not 1990 <= int(case.year) <= 2100:
        raise TrendError(f"{where}的年份「{case.year}」不是有效年份，请填写四位数年份。")
    if case.category is not None and int(case.category) not in SHORT_NAMES:
        raise TrendError(f"{where}的类别「{case.category}」不在 1–6 之间，请核对类别。")


def cases_frame(cases: Iterable[TrendCase]) -> pd.DataFrame:
    """The cases frame of the module docstring, with derived columns added.

    Args:
        cases: trend cases; ids must be unique.

    Returns:
        One row per case, columns as documented in the module docstring (an empty frame keeps them).

    Raises:
        TrendError: an unknown outcome or category, an invalid year, or a repeated id.
    """
    cases = list(cases)
    for case in cases:
        _check_case(case)
    repeated = [case_id for case_id, n in Counter(c.id for c in cases).items() if n > 1]
    if repeated:
        raise TrendError(f"案例编号重复：{'、'.join(repeated[:5])}。每个案例需要唯一编号，请检查导入的数据。")
    frame = pd.DataFrame([[getattr(c, name) for name in CASE_COLUMNS] for c in cases], columns=CASE_COLUMNS)
    frame["year"] = frame["year"].astype(int)
    frame["category"] = frame["category"].astype("Int64")
    frame["category_name"] = frame["category"].map(category_name).astype(str)
    frame["outcome_label"] = frame["outcome"].map(OUTCOMES).astype(str)
    groups = unit_groups(frame["unit"].tolist())
    frame["unit_group"] = frame["unit"].map(groups).astype(str)
    return frame


def filter_cases(
    frame: pd.DataFrame,
    years: Sequence[int] | None = None,
    categories: Sequence[int | None] | None = None,
    outcomes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The rows of ``frame`` matching every given filter (``None`` = no filter; ``None`` in categories = 未定).

    Returns:
        A copy with the matching rows, index reset.
    """
    mask = pd.Series(True, index=frame.index)
    if years is not None:
        mask &= frame["year"].isin(list(years))
    if categories is not None:
        known = [c for c in categories if c is not None]
        mask &= frame["category"].isin(known).fillna(False).astype(bool) | (
            frame["category"].isna() & (None in categories)
        )
    if outcomes is not None:
        mask &= frame["outcome"].isin(list(outcomes))
    return frame[mask].reset_index(drop=True)


def _case_text(frame: pd.DataFrame) -> list[str]:
    return (frame["title"].fillna("") + "\n" + frame["text"].fillna("")).tolist()


# -------------------------------------------------------------------------------------- counts, shares


def category_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Cases per year × category × outcome.

    Returns:
        Columns year, category, category_name, outcome, outcome_label, cases, share_of_year (of all cases
        of the year) and share_in_category (of the cases of that year and category).
    """
    keys = ["year", "category", "category_name", "outcome", "outcome_label"]
    counts = frame.groupby(keys, dropna=False).size().rename("cases").reset_index()
    counts["share_of_year"] = counts["cases"] / counts.groupby("year")["cases"].transform("sum")
    in_category = counts.groupby(["year", "category_name"])["cases"].transform("sum")
    counts["share_in_category"] = counts["cases"] / in_category
    return counts.sort_values(keys, ignore_index=True)


def category_shares(frame: pd.DataFrame) -> pd.DataFrame:
    """Each category's share of the year's cases, and its award rate.

    Returns:
        Columns year, category, category_name, cases, share (sums to 1 within a year), awarded, decided
        (awarded + not selected) and award_rate (awarded / decided; NaN when nothing is decided yet).
    """
    keys = ["year", "category", "category_name"]
    grouped = frame.assign(
        awarded=frame["outcome"].eq("awarded"), decided=frame["outcome"].isin(["awarded", "not_selected"])
    ).groupby(keys, dropna=False)
    shares = grouped.agg(cases=("id", "size"), awarded=("awarded", "sum"), decided=("decided", "sum"))
    shares = shares.reset_index()
    shares["share"] = shares["cases"] / shares.groupby("year")["cases"].transform("sum")
    shares["award_rate"] = shares["awarded"] / shares["decided"].where(shares["decided"] > 0)
    columns = ["year", "category", "category_name", "cases", "share", "awarded", "decided", "award_rate"]
    return shares[columns].sort_values(keys, ignore_index=True)


# ------------------------------------------------------------------------------------ terms and phrases


_normalized = lru_cache(maxsize=16384)(normalize)  # the same narratives are read several times per report


@lru_cache(maxsize=16384)
def _clean(text: str) -> str:
    """Normalised, lower-case text (cached)."""
    return _normalized(text).lower()


def _is_term_token(token: str) -> bool:
    # Numbers and years would always "rise"; digits count only inside technical names (5g, h5, 4k).
    if len(token) < 2:
        return False
    return not _DIGIT.search(token) or bool(_LATIN.search(token))


@lru_cache(maxsize=16384)
def clause_tokens(text: str) -> tuple[tuple[str, ...], ...]:
    """Term tokens of each clause of ``text`` (cached per text).

    Returns:
        One tuple of tokens per non-empty clause, in order.
    """
    clauses = (clause for clause in _CLAUSE_END.split(_normalized(text)) if clause.strip())
    tokens = (tuple(t for t in tokenize_zh(clause) if _is_term_token(t)) for clause in clauses)
    return tuple(clause for clause in tokens if clause)


def join_tokens(tokens: Sequence[str]) -> str:
    """Tokens as one phrase: Chinese runs together, a space only between two latin/number tokens."""
    phrase = tokens[0]
    for token in tokens[1:]:
        ascii_pair = _ASCII_ALNUM.match(phrase[-1]) and _ASCII_ALNUM.match(token[0])
        phrase += (" " if ascii_pair else "") + token
    return phrase


_Gram = tuple[str, tuple[str, ...]]  # (term as written, its tokens)


@lru_cache(maxsize=16384)
def _doc_grams(text: str, max_n: int) -> tuple[_Gram, ...]:
    """Each token and phrase occurrence of ``text`` with its tokens (cached)."""
    found = []
    for clause in clause_tokens(text):
        for n in range(1, max_n + 1):
            for start in range(len(clause) - n + 1):
                gram = clause[start : start + n]
                if len(set(gram)) == n:
                    found.append((join_tokens(gram), gram))
    return tuple(found)


def doc_terms(text: str, max_n: int = 3) -> list[str]:
    """Tokens and phrases of 2..``max_n`` tokens occurring in ``text``, with repeats (term frequency)."""
    return [term for term, _ in _doc_grams(text, max_n)]


def _term_tokens(texts: Sequence[str], max_n: int) -> dict[str, tuple[str, ...]]:
    return {term: tokens for text in texts for term, tokens in _doc_grams(text, max_n)}


def _presence(texts: Sequence[str], max_n: int) -> tuple[np.ndarray, sp.csc_matrix]:
    vectorizer = CountVectorizer(analyzer=lambda text: doc_terms(text, max_n), binary=True)
    matrix = vectorizer.fit_transform(texts).tocsc()
    return np.asarray(vectorizer.get_feature_names_out(), dtype=object), matrix


def _drop_redundant(
    terms: np.ndarray, matrix: sp.csc_matrix, keep: np.ndarray, tokens: dict[str, tuple[str, ...]]
) -> None:
    """Unmark a phrase that occurs in exactly the documents of one of its shorter parts (it adds nothing).

    Args:
        terms: ``(v,)`` terms; matrix: ``(n, v)`` binary presence; keep: ``(v,)`` mask, changed in place;
        tokens: the tokens of each term.
    """
    index = {term: i for i, term in enumerate(terms)}

    def docs(i: int) -> frozenset[int]:
        return frozenset(matrix.indices[matrix.indptr[i] : matrix.indptr[i + 1]])

    for i in np.flatnonzero(keep):
        gram = tokens[terms[i]]
        if len(gram) > 1:
            own = docs(i)
            parts = (join_tokens(gram[:-1]), join_tokens(gram[1:]))
            if any(docs(index[part]) == own for part in parts if part in index):
                keep[i] = False


def g2_two_by_two(a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Log-likelihood ratio G² of 2×2 tables ``[[a, b], [c, d]]``, vectorised.

    Args:
        a, b, c, d: arrays of shape ``(m,)`` of non-negative counts (row 1 = later year: with, without the
            term; row 2 = earlier year).

    Returns:
        Float array ``(m,)``; 0 where the two rows have the same proportion.
    """
    observed = np.stack([a, b, c, d]).astype(float)
    total = observed.sum(axis=0)
    rows = np.stack([a + b, a + b, c + d, c + d]).astype(float)
    cols = np.stack([a + c, b + d, a + c, b + d]).astype(float)
    expected = rows * cols / np.where(total > 0, total, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        cells = np.where(observed > 0, observed * np.log(observed / expected), 0.0)
    return np.maximum(2 * cells.sum(axis=0), 0.0)


def term_changes(
    frame: pd.DataFrame,
    year_from: int,
    year_to: int,
    max_n: int = 3,
    min_df: int = 3,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Terms whose share of cases rises or falls from ``year_from`` to ``year_to``.

    The unit is the document: a term counts once per case. Each term gets the log-likelihood ratio G² of
    the 2×2 table (cases with / without it in each year), its p value (χ², 1 df), the Benjamini–Hochberg q
    value over all terms tested, and the effect size log2 of the ratio of shares (0.5 added to each count).
    Terms in fewer than ``min_df`` cases of the two years are not tested; a phrase found in exactly the
    cases of one of its shorter parts is dropped as redundant.

    Args:
        frame: cases frame.
        year_from, year_to: the two years compared.
        max_n: longest phrase in tokens (1 = single words only).
        min_df: fewest cases (both years together) a term must occur in.
        alpha: q value below which a change counts as significant.

    Returns:
        Columns term, tokens, year_from, year_to, df_from, df_to, share_from, share_to, log2_ratio, g2, p, q,
        direction (rising | falling | flat), sorted by G² (largest first). Empty when no term qualifies.

    Raises:
        TrendError: when either year has no cases.
    """
    older = frame[frame["year"] == year_from]
    newer = frame[frame["year"] == year_to]
    for year, part in ((year_from, older), (year_to, newer)):
        if part.empty:
            raise TrendError(
                f"{year} 年没有案例，无法比较 {year_from}→{year_to} 年的词语变化；请选择有案例的年份。"
            )
    texts = _case_text(older) + _case_text(newer)
    terms, matrix = _presence(texts, max_n)
    in_newer = np.zeros(len(texts), dtype=bool)
    in_newer[len(older) :] = True
    df_to = np.asarray(matrix[in_newer].sum(axis=0)).ravel()
    df_from = np.asarray(matrix[~in_newer].sum(axis=0)).ravel()
    keep = (df_to + df_from) >= min_df
    tokens = _term_tokens(texts, max_n)
    _drop_redundant(terms, matrix, keep, tokens)
    table = _change_table(terms[keep], df_from[keep], df_to[keep], len(older), len(newer), alpha)
    table["tokens"] = [len(tokens[term]) for term in table["term"]]
    spellings = _spellings(table["term"], texts)
    table["term"] = table["term"].map(lambda term: spellings.get(term, term))
    return table.assign(year_from=year_from, year_to=year_to)[_CHANGE_COLUMNS]


def _spellings(terms: Iterable[str], texts: Sequence[str]) -> dict[str, str]:
    """The most frequent spelling in the texts of each term with latin letters (tokens are lower case)."""
    corpus = "\n".join(_normalized(text) for text in texts)
    spellings = {}
    for term in terms:
        if _LATIN.search(term):
            found = Counter(re.findall(re.escape(term), corpus, flags=re.IGNORECASE))
            if found:
                spellings[term] = found.most_common(1)[0][0]
    return spellings


_CHANGE_COLUMNS = [
    "term",
    "tokens",
    "year_from",
    "year_to",
    "df_from",
    "df_to",
    "share_from",
    "share_to",
    "log2_ratio",
    "g2",
    "p",
    "q",
    "direction",
]


def _change_table(
    terms: np.ndarray, df_from: np.ndarray, df_to: np.ndarray, n_from: int, n_to: int, alpha: float
) -> pd.DataFrame:
    g2 = g2_two_by_two(df_to, n_to - df_to, df_from, n_from - df_from)
    p = stats.chi2.sf(g2, df=1)
    q = stats.false_discovery_control(p, method="bh") if len(p) else p
    ratio = np.log2(((df_to + 0.5) / (n_to + 1)) / ((df_from + 0.5) / (n_from + 1)))
    direction = np.where(q < alpha, np.where(ratio > 0, "rising", "falling"), "flat")
    table = pd.DataFrame(
        {
            "term": terms.astype(str),
            "df_from": df_from.astype(int),
            "df_to": df_to.astype(int),
            "share_from": df_from / n_from,
            "share_to": df_to / n_to,
            "log2_ratio": ratio,
            "g2": g2,
            "p": p,
            "q": q,
            "direction": direction,
        }
    )
    return table.sort_values(["g2", "term"], ascending=[False, True], ignore_index=True)


def term_trends(frame: pd.DataFrame, max_n: int = 3, min_df: int = 3, alpha: float = 0.05) -> pd.DataFrame:
    """``term_changes`` for every pair of consecutive years present in ``frame``, stacked.

    Returns:
        The columns of ``term_changes``; empty (same columns) when fewer than two years are present.
    """
    years = sorted(frame["year"].unique())
    tables = [term_changes(frame, a, b, max_n, min_df, alpha) for a, b in zip(years, years[1:], strict=False)]
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=_CHANGE_COLUMNS)


def top_changes(changes: pd.DataFrame, direction: str = "rising", top: int = 10) -> pd.DataFrame:
    """The ``top`` significant terms of one direction, strongest (largest G²) first."""
    chosen = changes[changes["direction"] == direction]
    return chosen.sort_values("g2", ascending=False).head(top).reset_index(drop=True)


# ----------------------------------------------------------------------------- technology and theme terms


@dataclass(frozen=True)
class ThemeTerm:
    """A technology or theme of ``data/trend_terms.yaml`` with its spellings."""

    name: str
    group: str
    synonyms: tuple[str, ...]
    exclude: tuple[str, ...] = ()


def load_terms(path: Path = TERMS_FILE) -> list[ThemeTerm]:
    """Read the curated list of technologies and themes.

    Raises:
        TrendError: the file is missing, is not valid YAML, or an entry lacks a name or synonyms or
            repeats a name (the message names the entry).
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise TrendError(f"找不到技术与主题词表「{path}」，请恢复该文件或指定其他词表。") from exc
    except yaml.YAMLError as exc:
        raise TrendError(f"技术与主题词表「{path.name}」格式有误：{exc}。请按文件开头的说明修改。") from exc
    entries = data.get("terms") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise TrendError(f"技术与主题词表「{path.name}」中没有 terms 列表，请按文件开头的说明填写。")
    terms = [_theme_term(entry, number, path) for number, entry in enumerate(entries, start=1)]
    repeated = [name for name, n in Counter(t.name for t in terms).items() if n > 1]
    if repeated:
        raise TrendError(f"技术与主题词表「{path.name}」中名称重复：{'、'.join(repeated)}。请合并或改名。")
    return terms


def _theme_term(entry: object, number: int, path: Path) -> ThemeTerm:
    where = f"技术与主题词表「{path.name}」第 {number} 项"
    if not isinstance(entry, dict) or not str(entry.get("name") or "").strip():
        raise TrendError(f"{where}缺少 name（显示名称）。")
    synonyms = tuple(str(s).strip() for s in entry.get("synonyms") or [] if str(s).strip())
    if not synonyms:
        raise TrendError(f"{where}（{entry['name']}）没有 synonyms（同义写法），至少填写一个。")
    exclude = tuple(str(s).strip() for s in entry.get("exclude") or [] if str(s).strip())
    return ThemeTerm(str(entry["name"]).strip(), str(entry.get("group") or "主题").strip(), synonyms, exclude)


@lru_cache(maxsize=1024)
def _theme_pattern(term: ThemeTerm) -> re.Pattern[str]:
    pieces = []
    for synonym in sorted({normalize(s).lower() for s in term.synonyms}, key=len, reverse=True):
        before = r"(?<![a-z0-9])" if _ASCII_ALNUM.match(synonym[0]) else ""
        after = r"(?![a-z0-9])" if _ASCII_ALNUM.match(synonym[-1]) else ""
        pieces.append(before + re.escape(synonym) + after)
    return re.compile("|".join(pieces))


def mention_matrix(texts: Sequence[str], terms: Sequence[ThemeTerm]) -> np.ndarray:
    """Which texts mention which technology or theme.

    Args:
        texts: ``n`` texts.
        terms: ``m`` themes.

    Returns:
        Boolean array of shape ``(n, m)``.
    """
    found = np.zeros((len(texts), len(terms)), dtype=bool)
    for i, text in enumerate(texts):
        clean = _clean(text)
        for j, term in enumerate(terms):
            body = clean
            for excluded in term.exclude:
                body = body.replace(normalize(excluded).lower(), " ")
            found[i, j] = bool(_theme_pattern(term).search(body))
    return found


def mention_shares(
    frame: pd.DataFrame, terms: Sequence[ThemeTerm], by: Sequence[str] = ("year",)
) -> pd.DataFrame:
    """Share of cases mentioning each technology/theme per group (document frequency share).

    Args:
        frame: cases frame.
        terms: themes (``load_terms()``).
        by: grouping columns, e.g. ``("year",)`` or ``("year", "category_name")``.

    Returns:
        Long table: the ``by`` columns, term, group, cases (in the group), mentions, share.
    """
    by = list(by)
    columns = [*by, "term", "group", "cases", "mentions", "share"]
    if frame.empty or not terms:
        return pd.DataFrame(columns=columns)
    names = [t.name for t in terms]
    found = pd.DataFrame(mention_matrix(_case_text(frame), terms), columns=names, index=frame.index)
    grouped = found.join(frame[by]).groupby(by, dropna=False)
    mentions = grouped[names].sum().melt(ignore_index=False, var_name="term", value_name="mentions")
    mentions = mentions.reset_index().merge(grouped.size().rename("cases").reset_index(), on=by)
    mentions["group"] = mentions["term"].map({t.name: t.group for t in terms})
    mentions["share"] = mentions["mentions"] / mentions["cases"]
    mentions["order"] = mentions["term"].map({name: i for i, name in enumerate(names)})
    return mentions.sort_values([*by, "order"])[columns].reset_index(drop=True)


# ----------------------------------------------------------------------------------------------- units


def unit_groups(names: Sequence[str]) -> dict[str, str]:
    """One display name per organisation for the written unit names.

    Two names belong to one organisation when ``pipelines.units.match_units`` says so (same name, full name
    vs. 简称, contained name, abbreviation), transitively. The display name is the most frequent written
    name of the group, the longest on a tie (usually the full name).

    Args:
        names: unit names as written, repeats allowed (frequency picks the display name).

    Returns:
        Mapping from every distinct name to its group's display name.
    """
    counts = Counter(name for name in names)
    distinct = sorted(counts)
    parent = list(range(len(distinct)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    keys = [normalize_unit(name) for name in distinct]
    for i in range(len(distinct)):
        for j in range(i + 1, len(distinct)):
            if keys[i] and keys[j] and root(i) != root(j) and match_units(distinct[i], distinct[j]).same:
                parent[root(j)] = root(i)
    members: dict[int, list[str]] = {}
    for i, name in enumerate(distinct):
        members.setdefault(root(i), []).append(name)
    display = {r: max(group, key=lambda n: (counts[n], len(n), n)) for r, group in members.items()}
    return {name: display[root(i)] for i, name in enumerate(distinct)}


def _title_grams(title: str) -> set[str]:
    clean = re.sub(r"[^\w]", "", normalize(title).lower())
    return {clean[i : i + 2] for i in range(len(clean) - 1)} or ({clean} if clean else set())


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


REPEAT_BASIS_LABELS = {"detector": "查重结果", "declared": "申报表自述", "similar": "标题或正文相似", "": ""}


@dataclass(frozen=True)
class RepeatRule:
    """When a case counts as re-submitting an earlier case of the same organisation.

    Checked against every earlier-year case of the same ``unit_group``, in this order:

    1. ``detector``: the duplicate detector matched it (``flagged_repeat_of`` names that case's id);
    2. ``declared``: a title under 往年申报情况 (``declared_previous``) matches its title (Jaccard of
       character bigrams ≥ ``declared_title``);
    3. ``similar``: the narratives (cosine of character-bigram TF-IDF ≥ ``text``) or the titles (Jaccard ≥
       ``title``) are similar.

    On the sample data the seven planted re-submissions score ≥ 0.41 on text or title or are declared,
    while the closest other pair of one unit reaches 0.27 (text) and 0.35 (title); hence 0.4.
    """

    text: float = 0.4
    title: float = 0.4
    declared_title: float = 0.5


def mark_repeats(frame: pd.DataFrame, rule: RepeatRule = RepeatRule()) -> pd.DataFrame:
    """Which cases re-submit an earlier case of the same organisation (see ``RepeatRule``).

    Kept simple on purpose: the duplicate detector of the review workflow is the authority on a single
    case; this gives the rate for an overview across years.

    Returns:
        In ``frame``'s order: id, repeat_of (earlier case id or ``""``), repeat_similarity (the larger of
        text and title similarity to it; 0 when no repeat), repeat_basis (detector | declared | similar | "").
    """
    result = pd.DataFrame(
        {"id": frame["id"].to_numpy(), "repeat_of": "", "repeat_similarity": 0.0, "repeat_basis": ""}
    )
    if frame.empty:
        return result
    texts = [_clean(t) for t in frame["text"].fillna("")]
    vectors = TfidfVectorizer(analyzer="char", ngram_range=(2, 2), sublinear_tf=True).fit_transform(texts)
    titles = [_title_grams(t) for t in frame["title"].fillna("")]
    years, groups = frame["year"].to_numpy(), frame["unit_group"].to_numpy()
    for i in range(len(frame)):
        earlier = np.flatnonzero((groups == groups[i]) & (years < years[i]))
        if len(earlier):
            text_sim = (vectors[earlier] @ vectors[i].T).toarray().ravel()
            title_sim = np.array([_jaccard(titles[i], titles[j]) for j in earlier])
            found = _repeat_match(frame, i, earlier, text_sim, title_sim, titles, rule)
            if found:
                result.loc[i, ["repeat_of", "repeat_similarity", "repeat_basis"]] = found
    return result


def _repeat_match(
    frame: pd.DataFrame,
    i: int,
    earlier: np.ndarray,
    text_sim: np.ndarray,
    title_sim: np.ndarray,
    titles: list[set[str]],
    rule: RepeatRule,
) -> list[object] | None:
    declared = [_title_grams(t) for t in frame["declared_previous"].iloc[i]]
    declared_sim = np.array([max((_jaccard(d, titles[j]) for d in declared), default=0.0) for j in earlier])
    ids = frame["id"].to_numpy()[earlier]
    similarity = np.maximum(text_sim, title_sim)
    tests = (
        ("detector", ids == frame["flagged_repeat_of"].iloc[i]),
        ("declared", declared_sim >= rule.declared_title),
        ("similar", (text_sim >= rule.text) | (title_sim >= rule.title)),
    )
    for basis, hit in tests:
        if hit.any():
            best = int(np.argmax(np.where(hit, similarity, -1.0)))
            return [ids[best], float(similarity[best]), basis]
    return None


def unit_history(frame: pd.DataFrame) -> pd.DataFrame:
    """Each organisation's record over the years.

    Uses ``frame``'s repeat_of column when present, otherwise ``mark_repeats(frame)``.

    Returns:
        One row per unit_group, most applications first: unit, names (as written), applications, awarded,
        not_selected, pending, award_rate (awarded / decided; NaN when none decided), years, categories
        (name×count), repeats, repeat_rate (repeats / applications).
    """
    columns = [
        "unit",
        "names",
        "applications",
        "awarded",
        "not_selected",
        "pending",
        "award_rate",
        "years",
        "categories",
        "repeats",
        "repeat_rate",
    ]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    if "repeat_of" not in frame:
        frame = frame.assign(repeat_of=mark_repeats(frame)["repeat_of"].to_numpy())
    rows = [_unit_row(unit, group) for unit, group in frame.groupby("unit_group", sort=False)]
    history = pd.DataFrame(rows, columns=columns)
    return history.sort_values(
        ["applications", "awarded", "unit"], ascending=[False, False, True], ignore_index=True
    )


def _unit_row(unit: str, group: pd.DataFrame) -> dict[str, object]:
    outcomes = group["outcome"].value_counts()
    decided = outcomes.get("awarded", 0) + outcomes.get("not_selected", 0)
    repeats = int((group["repeat_of"] != "").sum())
    categories = Counter(group["category_name"])
    return {
        "unit": unit,
        "names": "、".join(sorted(group["unit"].unique())),
        "applications": len(group),
        "awarded": int(outcomes.get("awarded", 0)),
        "not_selected": int(outcomes.get("not_selected", 0)),
        "pending": int(outcomes.get("pending", 0)),
        "award_rate": outcomes.get("awarded", 0) / decided if decided else float("nan"),
        "years": "、".join(str(y) for y in sorted(group["year"].unique())),
        "categories": "、".join(f"{name}×{n}" for name, n in sorted(categories.items())),
        "repeats": repeats,
        "repeat_rate": repeats / len(group),
    }


def unit_cases(frame: pd.DataFrame, unit: str) -> pd.DataFrame:
    """The cases of one organisation, oldest first.

    Args:
        frame: cases frame.
        unit: a ``unit_group``, a name as written, or any other name ``match_units`` ties to a group.

    Returns:
        Columns id, year, title, unit, category_name, outcome_label (and repeat_of when ``frame`` has it);
        empty when no organisation matches.
    """
    groups = set(frame.loc[frame["unit"] == unit, "unit_group"]) | ({unit} & set(frame["unit_group"]))
    if not groups:
        groups = {g for g in frame["unit_group"].unique() if match_units(unit, g).same}
    columns = ["id", "year", "title", "unit", "category_name", "outcome_label"]
    columns += ["repeat_of"] if "repeat_of" in frame else []
    chosen = frame[frame["unit_group"].isin(groups)]
    return chosen.sort_values(["year", "id"])[columns].reset_index(drop=True)


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
    year_vectors = (case_vectors(_case_text(frame)) if vectors is None else np.asarray(vectors))[in_year]
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
    texts = dict(zip(chosen["id"], _case_text(chosen), strict=True))
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
        dense = case_vectors(_case_text(frame), seed=seed) if vectors is None else np.asarray(vectors)
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


# ---------------------------------------------------------------------------------------------- report


@dataclass
class TrendReport:
    """Every table of the trend analysis of one cases frame.

    ``cases`` is the input frame plus repeat_of, repeat_similarity, repeat_basis (``mark_repeats``),
    cluster, cluster_label (current year only; NaN/"" otherwise), x and y.
    """

    cases: pd.DataFrame
    counts: pd.DataFrame
    shares: pd.DataFrame
    terms: pd.DataFrame
    mentions: pd.DataFrame
    mentions_by_category: pd.DataFrame
    units: pd.DataFrame
    clusters: pd.DataFrame
    current_year: int | None = None
    notes: list[str] = field(default_factory=list)


def build_report(
    frame: pd.DataFrame,
    themes: Sequence[ThemeTerm] | None = None,
    current_year: int | None = None,
    seed: int = 0,
) -> TrendReport:
    """Run every analysis on ``frame``.

    Args:
        frame: cases frame (possibly filtered).
        themes: technologies and themes; default ``load_terms()``.
        current_year: the year whose cases are clustered; default the latest year in ``frame``.
        seed: seed of the map.

    Returns:
        A ``TrendReport``; ``notes`` says in Chinese what could not be computed (e.g. only one year).
    """
    themes = load_terms() if themes is None else list(themes)
    notes: list[str] = []
    if frame.empty:
        notes.append("所选范围内没有案例，请放宽年份、类别或结果筛选。")
    current_year = current_year or (int(frame["year"].max()) if not frame.empty else None)
    years = sorted(frame["year"].unique())
    if len(years) < 2 and not frame.empty:
        notes.append("所选范围只有一个年份，无法计算词语的升降；请至少选择两个年份。")
    cases = frame.reset_index(drop=True)
    repeats = mark_repeats(cases)
    cases = cases.assign(
        **{c: repeats[c].to_numpy() for c in ("repeat_of", "repeat_similarity", "repeat_basis")}
    )
    vectors = case_vectors(_case_text(cases), seed=seed)
    clusters = cluster_cases(cases, current_year or 0, vectors=vectors)
    cases = cases.merge(clusters.assignments.drop(columns="category_name"), on="id", how="left")
    cases = cases.merge(case_map(cases, vectors=vectors, seed=seed), on="id", how="left")
    cases["cluster_label"] = cases["cluster_label"].fillna("")
    return TrendReport(
        cases=cases,
        counts=category_counts(cases),
        shares=category_shares(cases),
        terms=term_trends(cases),
        mentions=mention_shares(cases, themes, by=("year",)),
        mentions_by_category=mention_shares(cases, themes, by=("year", "category_name")),
        units=unit_history(cases),
        clusters=clusters.summary,
        current_year=current_year,
        notes=notes,
    )


# ------------------------------------------------------------------------------------------------ export

COLUMN_LABELS: dict[str, str] = {
    "id": "编号",
    "year": "年份",
    "category": "类别编号",
    "category_name": "类别",
    "outcome": "结果代码",
    "outcome_label": "结果",
    "unit": "申报单位",
    "unit_group": "单位（归并）",
    "title": "案例名称",
    "category_source": "类别来源",
    "cases": "案例数",
    "share": "占比",
    "share_of_year": "占当年比例",
    "share_in_category": "占当年该类别比例",
    "awarded": "入选数",
    "not_selected": "未入选数",
    "pending": "本届申报数",
    "decided": "已评出数",
    "award_rate": "入选率",
    "term": "词语",
    "tokens": "词数",
    "year_from": "起始年份",
    "year_to": "比较年份",
    "df_from": "起始年案例数",
    "df_to": "比较年案例数",
    "share_from": "起始年占比",
    "share_to": "比较年占比",
    "log2_ratio": "log2 比值",
    "g2": "G²",
    "p": "p 值",
    "q": "q 值（BH）",
    "direction": "方向",
    "group": "类型",
    "mentions": "提及案例数",
    "names": "出现过的写法",
    "applications": "申报数",
    "years": "申报年份",
    "categories": "类别分布",
    "repeats": "重复申报数",
    "repeat_rate": "重复申报率",
    "repeat_of": "重复自",
    "repeat_similarity": "重复相似度",
    "repeat_basis": "重复依据",
    "declared_previous": "自述往年申报",
    "flagged_repeat_of": "查重认定重复自",
    "cluster": "聚类",
    "cluster_label": "聚类标签",
    "label": "标签",
    "size": "案例数",
    "silhouette": "轮廓系数",
    "titles": "案例",
    "x": "x",
    "y": "y",
}


def report_tables(report: TrendReport) -> dict[str, pd.DataFrame]:
    """The report's tables with Chinese sheet and column names, ready for Excel."""
    cases = report.cases.drop(columns=["text", "category", "outcome"]).assign(
        category_source=report.cases["category_source"].map(CATEGORY_SOURCE_LABELS),
        declared_previous=report.cases["declared_previous"].map("；".join),
        repeat_basis=report.cases["repeat_basis"].map(REPEAT_BASIS_LABELS),
    )
    terms = report.terms.assign(direction=report.terms["direction"].map(DIRECTION_LABELS))
    tables = {
        "类别占比": report.shares,
        "年份类别结果": report.counts.drop(columns=["category", "outcome"]),
        "词语升降": terms,
        "技术主题提及": report.mentions,
        "技术主题分类别": report.mentions_by_category,
        "单位历史": report.units,
        "本届聚类": report.clusters,
        "案例": cases,
    }
    return {name: table.rename(columns=COLUMN_LABELS) for name, table in tables.items()}


def excel_bytes(tables: dict[str, pd.DataFrame]) -> bytes:
    """An .xlsx workbook with one sheet per table (sheet names cut to Excel's 31 characters)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, table in tables.items():
            table.to_excel(writer, sheet_name=name[:31], index=False)
    return buffer.getvalue()


# ------------------------------------------------------------------------------------------------ charts

_FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"


def _styled(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    return chart.configure(font=_FONT).configure_legend(labelLimit=240)


def share_chart(shares: pd.DataFrame) -> alt.Chart:
    """Stacked bars: each category's share of the year's cases."""
    data = shares.assign(year=shares["year"].astype(str))
    chart = (
        alt.Chart(data, title="各类别案例占比（按年份）")
        .mark_bar()
        .encode(
            x=alt.X("year:O", title="年份", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("share:Q", title="占当年案例比例", axis=alt.Axis(format="%"), stack="normalize"),
            color=alt.Color("category_name:N", title="类别"),
            tooltip=[
                alt.Tooltip("year:O", title="年份"),
                alt.Tooltip("category_name:N", title="类别"),
                alt.Tooltip("cases:Q", title="案例数"),
                alt.Tooltip("share:Q", title="占比", format=".1%"),
                alt.Tooltip("award_rate:Q", title="入选率", format=".0%"),
            ],
        )
        .properties(width=420, height=300)
    )
    return _styled(chart)


def term_chart(changes: pd.DataFrame, top: int = 12) -> alt.Chart:
    """Horizontal bars of the strongest significant rising and falling terms (log2 ratio)."""
    data = pd.concat([top_changes(changes, "rising", top), top_changes(changes, "falling", top)])
    data = data.assign(direction_label=data["direction"].map(DIRECTION_LABELS))
    pair = f"{int(changes['year_from'].iloc[0])}→{int(changes['year_to'].iloc[0])}" if len(changes) else ""
    chart = (
        alt.Chart(data, title=f"显著上升与下降的词语 {pair}")
        .mark_bar()
        .encode(
            x=alt.X("log2_ratio:Q", title="log2（比较年占比 / 起始年占比）"),
            y=alt.Y("term:N", title=None, sort=alt.EncodingSortField("log2_ratio", order="descending")),
            color=alt.Color(
                "direction_label:N",
                title="方向",
                scale=alt.Scale(domain=["上升", "下降"], range=["#d62728", "#1f77b4"]),
            ),
            tooltip=[
                alt.Tooltip("term:N", title="词语"),
                alt.Tooltip("df_from:Q", title="起始年案例数"),
                alt.Tooltip("df_to:Q", title="比较年案例数"),
                alt.Tooltip("g2:Q", title="G²", format=".1f"),
                alt.Tooltip("q:Q", title="q 值", format=".2g"),
            ],
        )
        .properties(width=420, height=alt.Step(20))
    )
    return _styled(chart)


_MENTION_TOOLTIP = [
    alt.Tooltip("year:O", title="年份"),
    alt.Tooltip("term:N", title="技术/主题"),
    alt.Tooltip("mentions:Q", title="提及案例数"),
    alt.Tooltip("cases:Q", title="案例数"),
    alt.Tooltip("share:Q", title="占比", format=".0%"),
]


def mention_heatmap(mentions: pd.DataFrame) -> alt.LayerChart:
    """Heatmap technology/theme × year, cell = share of cases mentioning it (with the percentage)."""
    data = mentions.assign(
        year=mentions["year"].astype(str), label=(mentions["share"] * 100).round().astype(int)
    )
    order = list(dict.fromkeys(data["term"]))
    base = alt.Chart(data, title="技术与主题提及率（提及案例占当年案例的比例）").encode(
        x=alt.X("year:O", title="年份", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("term:N", title=None, sort=order, axis=alt.Axis(labelOverlap=False, labelLimit=200)),
    )
    cells = base.mark_rect().encode(
        color=alt.Color(
            "share:Q", title="占比", scale=alt.Scale(scheme="blues"), legend=alt.Legend(format="%")
        ),
        tooltip=_MENTION_TOOLTIP,
    )
    text = base.mark_text(fontSize=10).encode(
        text=alt.Text("label:Q", format="d"),
        color=alt.condition("datum.share > 0.5", alt.value("white"), alt.value("black")),
    )
    return _styled((cells + text).properties(width=alt.Step(80), height=alt.Step(20)))


def mention_chart(mentions: pd.DataFrame, terms: Sequence[str] | None = None) -> alt.Chart:
    """Lines: share of cases mentioning each chosen technology/theme per year (all when ``terms`` is None)."""
    data = mentions if terms is None else mentions[mentions["term"].isin(list(terms))]
    chart = (
        alt.Chart(data.assign(year=data["year"].astype(str)), title="技术与主题提及率（按年份）")
        .mark_line(point=True)
        .encode(
            x=alt.X("year:O", title="年份", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("share:Q", title="提及案例占比", axis=alt.Axis(format="%")),
            color=alt.Color("term:N", title="技术/主题"),
            tooltip=_MENTION_TOOLTIP,
        )
        .properties(width=420, height=300)
    )
    return _styled(chart)


def moving_terms(mentions: pd.DataFrame, top: int = 8) -> list[str]:
    """The ``top`` technologies/themes whose share moved most between their lowest and highest year."""
    spread = mentions.groupby("term", sort=False)["share"].agg(lambda s: s.max() - s.min())
    return spread.sort_values(ascending=False, kind="stable").head(top).index.tolist()


MAP_SELECTION = "pick"


def map_chart(cases: pd.DataFrame) -> alt.Chart:
    """Scatter of the case map: colour = category, shape = outcome, hover = title, unit, year.

    Clicking a point selects its ``unit_group`` (selection parameter ``pick``).
    """
    pick = alt.selection_point(name=MAP_SELECTION, fields=["unit_group"], on="click")
    columns = ["id", "x", "y", "title", "unit", "unit_group", "year", "category_name", "outcome_label"]
    data = cases[columns + ["cluster_label"]].assign(year=cases["year"].astype(str))
    chart = (
        alt.Chart(data, title="案例地图（相近的案例靠得更近）")
        .mark_point(filled=True, size=70)
        .encode(
            x=alt.X("x:Q", title=None, axis=alt.Axis(labels=False, ticks=False)),
            y=alt.Y("y:Q", title=None, axis=alt.Axis(labels=False, ticks=False)),
            color=alt.Color("category_name:N", title="类别"),
            shape=alt.Shape("outcome_label:N", title="结果"),
            opacity=alt.condition(pick, alt.value(0.9), alt.value(0.25)),
            tooltip=[
                alt.Tooltip("title:N", title="案例"),
                alt.Tooltip("unit:N", title="单位"),
                alt.Tooltip("year:O", title="年份"),
                alt.Tooltip("category_name:N", title="类别"),
                alt.Tooltip("outcome_label:N", title="结果"),
                alt.Tooltip("cluster_label:N", title="聚类标签"),
            ],
        )
        .add_params(pick)
        .properties(width=560, height=420)
    )
    return _styled(chart)


def chart_bytes(chart: alt.TopLevelMixin, fmt: str) -> bytes:
    """The chart rendered offline as ``png`` (2× scale) or ``svg``.

    Raises:
        TrendError: for another format.
    """
    import vl_convert as vlc

    spec = chart.to_json()
    if fmt == "png":
        return vlc.vegalite_to_png(spec, scale=2)
    if fmt == "svg":
        return vlc.vegalite_to_svg(spec).encode("utf-8")
    raise TrendError(f"不支持的图表格式「{fmt}」，可选 png 或 svg。")


def report_charts(report: TrendReport) -> dict[str, alt.TopLevelMixin]:
    """The report's charts by file stem (term charts: one per pair of consecutive years)."""
    charts: dict[str, alt.TopLevelMixin] = {
        "category_shares": share_chart(report.shares),
        "theme_heatmap": mention_heatmap(report.mentions),
        "theme_mentions": mention_chart(report.mentions, moving_terms(report.mentions)),
        "case_map": map_chart(report.cases),
    }
    for (year_from, year_to), changes in report.terms.groupby(["year_from", "year_to"]):
        charts[f"terms_{year_from}_{year_to}"] = term_chart(changes)
    return charts


# ----------------------------------------------------------------------------------------------- loaders


def _reviewer_categories(engine: Engine, user: User, year: int) -> dict[int, int]:
    """The category most reviewers chose per submission (ties and no choice: absent)."""
    from pipelines.review.decisions import visible_latest_reviews

    votes: dict[int, Counter] = {}
    for review in visible_latest_reviews(engine, user, year):
        if review.final_category is not None:
            votes.setdefault(review.submission_id, Counter())[review.final_category] += 1
    finals = {}
    for submission_id, counter in votes.items():
        (top, n), *rest = counter.most_common()
        if not rest or rest[0][1] < n:
            finals[submission_id] = top
    return finals


def _flagged_repeat(duplicates) -> str:
    """The earlier case the duplicate detector's stored matches call a repeat of this one (best score)."""
    matches = (
        [m for m in (duplicates.payload or []) if m.get("verdict") in PAST_REPEAT_VERDICTS]
        if duplicates
        else []
    )
    return str(max(matches, key=lambda m: m.get("score") or 0.0)["other_id"]) if matches else ""


def _submission_case(row, category_row, duplicates_row, final: int | None) -> TrendCase:
    payload = row.payload or {}
    text = payload.get("text") or "\n".join((payload.get("sections") or {}).values())
    suggested = (category_row.payload or {}).get("category") if category_row is not None else None
    candidates = ((final, "reviewers"), (suggested, "classifier"), (row.declared_category, "declared"))
    category, source = next(((c, s) for c, s in candidates if c is not None), (None, "none"))
    previous = tuple(p.get("title", "") for p in payload.get("previous_applications") or [] if p.get("title"))
    return TrendCase(
        f"S{row.id}",
        row.year,
        category,
        "pending",
        row.unit,
        row.title,
        text,
        source,
        declared_previous=previous,
        flagged_repeat_of=_flagged_repeat(duplicates_row),
    )


def load_cases(engine: Engine, year: int | None = None, user: User | None = None) -> pd.DataFrame:
    """Past cases and this year's submissions from the store as a cases frame.

    A submission's category is, in order: what most reviewers chose (only when ``user`` is given and may
    see the reviews), the classifier's suggestion, the declared category. Submissions of a year whose
    results are already in the past cases are left out (the past cases replace them).

    Args:
        engine: store engine.
        year: the current call year; default ``Settings.call_year``.
        user: the analyst or organizer asking (for reviewers' final categories).

    Returns:
        Cases frame.
    """
    from pipelines import store

    year = year or get_settings().call_year
    past = [
        TrendCase(c.id, c.year, c.category, c.outcome, c.unit, c.title, c.text, "history")
        for c in store.list_past_cases(engine)
    ]
    rows = [] if any(c.year == year for c in past) else store.list_submissions(engine, year)
    ids = [r.id for r in rows]
    categories = store.latest_suggestions(engine, "category", ids) if rows else {}
    duplicates = store.latest_suggestions(engine, "duplicates", ids) if rows else {}
    finals = _reviewer_categories(engine, user, year) if user is not None and rows else {}
    current = [
        _submission_case(r, categories.get(r.id), duplicates.get(r.id), finals.get(r.id)) for r in rows
    ]
    return cases_frame(past + current)


def _sample_submissions(path: Path, year: int) -> list[TrendCase]:
    cases = []
    try:
        lines = read_jsonl(path)
    except JsonlError as error:
        raise TrendError(error.message) from error
    for number, _, record in lines:
        declared = record.get("declared_categories") or []
        category = declared[0] if len(declared) == 1 else None
        text = "\n".join((record.get("sections") or {}).values())
        case_id = str(record.get("id") or f"{year}-{number}")
        source = "declared" if category else "none"
        previous = tuple(p.get("title", "") for p in record.get("previous") or [] if p.get("title"))
        cases.append(
            TrendCase(
                case_id,
                year,
                category,
                "pending",
                record.get("unit", ""),
                record.get("title", ""),
                text,
                source,
                declared_previous=previous,
            )
        )
    return cases


def load_sample(sample_dir: Path = SAMPLE_DIR) -> pd.DataFrame:
    """The sample data as a cases frame: ``history/*.jsonl`` (past cases) and ``submissions_<year>.jsonl``.

    Sample submissions carry the declared category (none when zero or several boxes are ticked).

    Raises:
        TrendError: when the folder holds no sample data or a file cannot be read.
    """
    from pipelines.intake.history import HistoryError, read_table

    cases: list[TrendCase] = []
    try:
        for path in sorted((sample_dir / "history").glob("*.jsonl")):
            cases += [
                TrendCase(c.id, c.year, c.category, c.outcome, c.unit, c.title, c.text, "history")
                for c in read_table(path)
            ]
    except HistoryError as exc:
        raise TrendError(str(exc)) from exc
    for path in sorted(sample_dir.glob("submissions_*.jsonl")):
        year = re.search(r"(\d{4})", path.stem)
        if year:
            cases += _sample_submissions(path, int(year.group(1)))
    if not cases:
        raise TrendError(f"「{sample_dir}」中没有样例数据（history/*.jsonl 或 submissions_<年份>.jsonl）。")
    return cases_frame(cases)


# -------------------------------------------------------------------------------------------- command line


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("trends", help="趋势分析：导出表格（xlsx）与图表（svg/png）")
    parser.add_argument("--from-sample", action="store_true", help="分析 data/sample 中的样例数据而非数据库")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"输出目录（默认 {DEFAULT_OUT}）")
    parser.add_argument("--year", type=int, default=None, help="本届年份（默认取设置中的 call_year）")
    parser.add_argument("--top", type=int, default=10, help="每组年份打印的上升词语个数")
    parser.set_defaults(func=_cli)


def _cli(args: argparse.Namespace) -> int:
    try:
        frame = load_sample() if args.from_sample else _store_frame(args.year)
        if frame.empty:
            raise TrendError(
                "数据库中没有案例。请先用 import-history 导入往年案例、用 ingest 导入本届申报表，或加 --from-sample 分析样例数据。"
            )
        report = build_report(frame, current_year=args.year)
    except TrendError as error:
        print(f"✗ {error}")
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "trends.xlsx").write_bytes(excel_bytes(report_tables(report)))
    for stem, chart in report_charts(report).items():
        for fmt in ("svg", "png"):
            (args.out / f"{stem}.{fmt}").write_bytes(chart_bytes(chart, fmt))
    for note in report.notes:
        print(f"提示：{note}")
    _print_rising(report, args.top)
    print(f"已写出 {args.out / 'trends.xlsx'} 与 {len(report_charts(report)) * 2} 个图表文件（{args.out}）。")
    return 0


def _store_frame(year: int | None) -> pd.DataFrame:
    from pipelines import auth, store

    return load_cases(store.get_engine(), year, user=auth.SYSTEM)


def _print_rising(report: TrendReport, top: int) -> None:
    print(f"案例数：{report.cases.groupby('year').size().to_dict()}")
    columns = {
        "term": "词语",
        "df_from": "起始年案例数",
        "df_to": "比较年案例数",
        "log2_ratio": "log2比",
        "g2": "G²",
        "q": "q值",
    }
    for (year_from, year_to), changes in report.terms.groupby(["year_from", "year_to"]):
        rising = top_changes(changes, "rising", top)[list(columns)].rename(columns=columns)
        print(f"\n{year_from}→{year_to} 显著上升的词语（q < 0.05，按 G² 排序，前 {top} 个）：")
        with pd.option_context("display.unicode.east_asian_width", True, "display.precision", 3):
            print(rising.to_string(index=False) if len(rising) else "（无）")
