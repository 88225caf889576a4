"""Cases prepared once for every feature: normalised title, sentences and their jieba tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.text import normalize, split_sentences, tokenize_zh

# The title names the project; it counts this many times in the word and character features.
TITLE_WEIGHT = 2


@dataclass(frozen=True)
class CaseDoc:
    """A prepared case: normalised title, sentences and the jieba tokens of both."""

    title: str
    sentences: tuple[str, ...]
    title_tokens: tuple[str, ...] = ()
    tokens: tuple[tuple[str, ...], ...] = ()

    @property
    def body(self) -> str:
        return "".join(self.sentences)


def prepare(title: str, text: str) -> CaseDoc:
    """Normalise, split and tokenise a case (title and narrative)."""
    title = normalize(title).replace("\n", " ")
    sentences = tuple(split_sentences(text))
    return CaseDoc(
        title, sentences, tuple(tokenize_zh(title)), tuple(tuple(tokenize_zh(s)) for s in sentences)
    )


def sentence_docs(doc: CaseDoc) -> list[CaseDoc]:
    """One document per sentence of ``doc`` (no title), reusing its tokens."""
    return [CaseDoc("", (s,), (), (t,)) for s, t in zip(doc.sentences, doc.tokens, strict=True)]


def as_doc(item: CaseDoc | str) -> CaseDoc:
    """``item`` itself, or a plain text prepared without a title."""
    return item if isinstance(item, CaseDoc) else prepare("", item)


def word_terms(doc: CaseDoc, title_weight: int = TITLE_WEIGHT) -> list[str]:
    """Word unigrams and bigrams (``"a b"``) of the title (repeated) and the sentences."""
    out: list[str] = []
    for tokens in (*([doc.title_tokens] * title_weight), *doc.tokens):
        out.extend(tokens)
        out.extend(f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False))
    return out


def char_terms(doc: CaseDoc, title_weight: int = TITLE_WEIGHT) -> list[str]:
    """Character 2- and 3-grams of the title (repeated) and the sentences, punctuation removed."""
    out: list[str] = []
    for piece in (*([doc.title] * title_weight), *doc.sentences):
        clean = re.sub(r"[\W_]+", "", piece.lower())
        for n in (2, 3):
            out.extend(clean[i : i + n] for i in range(len(clean) - n + 1))
    return out


def word_analyzer(doc: CaseDoc) -> list[str]:
    """Analyzer of the word TF-IDF block (module level so the vectorizer pickles)."""
    return word_terms(doc)


def char_analyzer(doc: CaseDoc) -> list[str]:
    """Analyzer of the character TF-IDF block (module level so the vectorizer pickles)."""
    return char_terms(doc)
