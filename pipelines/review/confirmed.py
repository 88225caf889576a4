"""Categories that reviewers confirmed, as plain records: what ``train --include-reviews`` learns from."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from pipelines import store
from pipelines.review.decisions import latest_query
from pipelines.vocabulary import CATEGORY_IDS


@dataclass(frozen=True)
class ConfirmedCategory:
    """A current case with the category its reviewers settled on."""

    submission_id: int
    title: str
    text: str
    unit: str
    category: int


def confirmed_categories(engine: Engine) -> list[ConfirmedCategory]:
    """The majority ``final_category`` of each current case's submitted reviews.

    Only each reviewer's newest version counts, and only when it is submitted (not a draft) and not a
    conflict-of-interest declaration. The text is the case's narrative (or its sections joined); cases without
    text are left out.

    Args:
        engine: the store.

    Returns:
        One record per confirmed case, by submission id.
    """
    votes: dict[int, Counter[int]] = {}
    found = []
    with store.session_scope(engine) as session:
        for row, _ in session.execute(latest_query(None, None)):
            if (
                row.status == "submitted"
                and not row.conflict_of_interest
                and row.final_category in CATEGORY_IDS
            ):
                votes.setdefault(row.submission_id, Counter())[row.final_category] += 1
        for submission_id, counter in sorted(votes.items()):
            row = session.get(store.SubmissionRow, submission_id)
            submission = row.submission()
            text = submission.text or "\n".join(submission.sections.values())
            if text.strip():
                category = counter.most_common(1)[0][0]
                found.append(ConfirmedCategory(submission_id, submission.title, text, row.unit, category))
    return found
