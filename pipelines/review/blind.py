"""Blind review: who applied is hidden from reviewers (names, units and their distinctive cores redacted)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from pipelines import auth
from pipelines.auth import User
from pipelines.config import Settings
from pipelines.schema import Submission
from pipelines.units import unit_core

HIDDEN = "（盲评隐藏）"
REDACTED = "〔已隐去〕"


def is_blind_for(user: User, settings: Settings) -> bool:
    """Blind review applies to reviewers only; organizers must know who applied."""
    return settings.blind_review and not user.can(auth.VIEW_ALL_REVIEWS)


def identity(text: str) -> str:
    """No redaction (the case page's default when review is not blind)."""
    return text


def redactor(names: Iterable[str]) -> Callable[[str], str]:
    """A function that replaces the given names (and their distinctive cores) with ``REDACTED``."""
    variants = set()
    for name in names:
        name = (name or "").strip()
        if len(name) >= 2:
            variants.add(name)
            variants.update(name[len(p) :] for p in ("中华人民共和国", "中国", "中华") if name.startswith(p))
            core = unit_core(name)
            if len(core) >= 2:
                variants.add(core)
    if not variants:
        return identity
    pattern = re.compile("|".join(re.escape(v) for v in sorted(variants, key=len, reverse=True)))
    return lambda text: pattern.sub(REDACTED, text or "")


def blind_submission(submission: Submission) -> tuple[Submission, Callable[[str], str]]:
    """A copy of ``submission`` with who applied hidden, and the redaction used (for related texts)."""
    redact = redactor(
        [submission.unit, submission.implementer, submission.recommender, submission.contact.name]
    )
    hidden = Submission.from_dict(submission.to_dict())
    hidden.unit = hidden.implementer = hidden.recommender = hidden.file_name = HIDDEN
    hidden.contact.name = hidden.contact.phone = hidden.contact.email = HIDDEN
    hidden.title = redact(hidden.title)
    hidden.sections = {label: redact(text) for label, text in hidden.sections.items()}
    hidden.text = redact(hidden.text)
    hidden.warnings = [redact(w) for w in hidden.warnings]
    for application in hidden.previous_applications:
        application.title = redact(application.title)
    return hidden, redact
