"""Terms and phrases that rise or fall between years (G² with Benjamini–Hochberg), and mentions of the
technology and theme terms of ``data/trend_terms.yaml``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp
import yaml
from scipy import stats
from sklearn.feature_extraction.text import CountVectorizer

from pipelines.text import normalize, tokenize_zh

if TYPE_CHECKING:
    pass

from pipelines.config import DATA_DIR
from pipelines.trends.frame import TrendError, cached_normalize, case_text, clean_text

# Benjamini–Hochberg q value below which a term's change counts as significant (the usual 5 % false discoveries)
SIGNIFICANCE_Q = 0.05
_CLAUSE_END = re.compile(r"[，。；：！？、,;:!?\n（）()“”\"《》〈〉【】「」『』\[\]|/…—～·]+")
_DIGIT = re.compile(r"\d")
_LATIN = re.compile(r"[a-z]")
_ASCII_ALNUM = re.compile(r"[a-z0-9]")
TERMS_FILE = DATA_DIR / "trend_terms.yaml"

# ------------------------------------------------------------------------------------ terms and phrases


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
    clauses = (clause for clause in _CLAUSE_END.split(cached_normalize(text)) if clause.strip())
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
    alpha: float = SIGNIFICANCE_Q,
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
    texts = case_text(older) + case_text(newer)
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
    corpus = "\n".join(cached_normalize(text) for text in texts)
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


def term_trends(
    frame: pd.DataFrame, max_n: int = 3, min_df: int = 3, alpha: float = SIGNIFICANCE_Q
) -> pd.DataFrame:
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
        clean = clean_text(text)
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
    found = pd.DataFrame(mention_matrix(case_text(frame), terms), columns=names, index=frame.index)
    grouped = found.join(frame[by]).groupby(by, dropna=False)
    mentions = grouped[names].sum().melt(ignore_index=False, var_name="term", value_name="mentions")
    mentions = mentions.reset_index().merge(grouped.size().rename("cases").reset_index(), on=by)
    mentions["group"] = mentions["term"].map({t.name: t.group for t in terms})
    mentions["share"] = mentions["mentions"] / mentions["cases"]
    mentions["order"] = mentions["term"].map({name: i for i, name in enumerate(names)})
    return mentions.sort_values([*by, "order"])[columns].reset_index(drop=True)
