"""Categories confirmed by reviewers, read from the store (the only database query of the classifier).

The review package owns the review tables; this is one small read that turns submitted reviews into plain
labelled cases, so ``train --include-reviews`` can learn from them.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.engine import Engine

from pipelines import store
from pipelines.classify.data import LabelledCase
from pipelines.vocabulary import CATEGORY_IDS


def load_reviewed(engine: Engine) -> list[LabelledCase]:
    """Cases whose category reviewers confirmed.

    The label is the majority ``final_category`` of each submission's submitted reviews (the newest version
    per reviewer; drafts do not count); the text is the submission's narrative (or its sections), the group its
    unit. Submissions without text are skipped.

    Args:
        engine: the store.

    Returns:
        One ``LabelledCase`` (source ``review``) per confirmed submission, by submission id.
    """
    newest: dict[tuple[int, int], store.ReviewRow] = {}
    with store.session_scope(engine) as session:
        for review in session.scalars(select(store.ReviewRow).order_by(store.ReviewRow.version)):
            newest[(review.submission_id, review.reviewer_id)] = review
        votes: dict[int, Counter[int]] = {}
        for review in newest.values():
            if review.status == "submitted" and review.final_category in CATEGORY_IDS:
                votes.setdefault(review.submission_id, Counter())[review.final_category] += 1
        cases = []
        for submission_id, counter in sorted(votes.items()):
            row = session.get(store.SubmissionRow, submission_id)
            if row is None:
                continue
            submission = row.submission()
            text = submission.text or "\n".join(submission.sections.values())
            if text.strip():
                category = counter.most_common(1)[0][0]
                unit = row.unit or str(submission_id)
                cases.append(
                    LabelledCase(
                        f"review-{submission_id}", submission.title, text, category, None, unit, "review"
                    )
                )
    return cases
