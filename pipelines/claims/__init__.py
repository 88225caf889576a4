"""Claims: what a case asserts, clause by clause, read for what it actually shows.

Public API (used by the criteria scorer, the case page, and repeat detection for facts):

- ``Claim`` — one clause with its kind (result / practice / plan / input / background / other_party),
  negation and its scope, hedges, figures (``pipelines.figures.Figure``: value, unit, 万/亿, date, baseline,
  growth, sourced) and owner.
- ``extract_claims(text) -> list[Claim]`` and ``extract_claims_many(texts)`` for batches.

Exact things are read by rules (``pipelines.claims.rules``: clause splitting, figures, negation cues with
scope, hedges, sources, explicit plan and background markers); the kind of the remaining clauses comes from a
small classifier on jieba features (``pipelines.claims.kinds``) trained on ``data/claims/sentences.jsonl``.
"""

from pipelines.claims.claim import Claim
from pipelines.claims.extract import extract_claims, extract_claims_many

__all__ = ["Claim", "extract_claims", "extract_claims_many"]
