"""Flags: a machine finding on a case plus the organizer's newest action on it, per case and for the board."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from pipelines import auth
from pipelines.auth import User
from pipelines.eligibility import finding_from_category
from pipelines.review import flag_actions
from pipelines.review.flag_actions import FlagKey, FlagState
from pipelines.review.payloads import current_rows, latest_payloads
from pipelines.schema import CategorySuggestion, Finding
from pipelines.vocabulary import (
    FLAGS,
    SEVERITY_ICONS,
    SEVERITY_LABELS,
    SEVERITY_ORDER,
    VERDICTS,
    flag_label,
)


@dataclass
class Flag:
    """A machine finding on a case together with the organizer's newest action on it."""

    submission_id: int
    code: str
    severity: str
    message: str
    evidence: str = ""
    related_ids: list[str] = field(default_factory=list)
    state: FlagState | None = None
    title: str = ""  # the case's title, for lists of flags across cases

    @property
    def related_id(self) -> str:
        """The part of the flag's identity beyond its code (the other case for repeat/duplicate flags)."""
        return self.related_ids[0] if self.code in VERDICTS and self.related_ids else ""

    @property
    def label(self) -> str:
        return flag_label(self.code)

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS.get(self.severity, self.severity)

    @property
    def open(self) -> bool:
        """Still counts: not dismissed by an organizer."""
        return self.state is None or self.state.action != "dismissed"


def flags_for(
    submission_id: int,
    findings: list[Finding],
    category: CategorySuggestion | None,
    declared: int | None,
    states: dict[FlagKey, FlagState],
) -> list[Flag]:
    """A case's flags: its eligibility findings (plus a misfiled category the findings lack), each with the
    organizer's newest action from ``states``."""
    if category is not None and not any(f.code == "misfiled" for f in findings):
        findings = [
            *findings,
            *(f for f in finding_from_category(category, declared) if f.code == "misfiled"),
        ]
    flags = [
        Flag(submission_id, f.code, f.severity, f.message, f.evidence, [str(r) for r in f.related_ids])
        for f in findings
    ]
    for flag in flags:
        flag.state = states.get((submission_id, flag.code, flag.related_id))
    return flags


def groups_of(flag: Flag) -> set[str]:
    """Keys of FLAG_GROUP_LABELS a flag belongs to (any blocker also counts as ineligible)."""
    kind = FLAGS.get(flag.code)
    groups = {kind.group} if kind and kind.group else set()
    if flag.severity == "blocker":
        groups.add("ineligible")
    return groups


def flag_group_keys(flags: Iterable[Flag]) -> set[str]:
    """Keys of FLAG_GROUP_LABELS that the open (not dismissed) flags fall into."""
    return set().union(*(groups_of(f) for f in flags if f.open))


def flag_text(flags: list[Flag]) -> str:
    """The queue's short flag column: icon + label of each open, non-informational flag (✓ once handled)."""
    shown = [f for f in flags if f.open and f.severity != "info"]
    marks = {k: v for k, v in SEVERITY_ICONS.items() if k != "info"}
    return " ".join(f"{marks.get(f.severity, '')}{f.label}{'✓' if f.state else ''}" for f in shown)


def load_flags(engine: Engine, year: int) -> dict[int, list[Flag]]:
    """Flags per current case of the year, from the newest eligibility and category suggestions."""
    rows = current_rows(engine, year)
    payloads = latest_payloads(engine, year, ("category", "eligibility"))
    states = flag_actions.flag_states(engine, [r[0] for r in rows])
    result = {}
    for sid, title, _file, _unit, _implementer, declared in rows:
        findings = Finding.list_from_payload(payloads["eligibility"].get(sid))
        category = payloads["category"].get(sid)
        result[sid] = flags_for(
            sid, findings, CategorySuggestion.from_payload(category) if category else None, declared, states
        )
        for flag in result[sid]:
            flag.title = title
    return result


def flag_table(engine: Engine, user: User, year: int, groups: Sequence[str] = ()) -> list[Flag]:
    """Open and handled flags of the year for the organizer board, blockers first."""
    auth.require(user, auth.DASHBOARD)
    flags = [
        f for case_flags in load_flags(engine, year).values() for f in case_flags if f.severity != "info"
    ]
    if groups:
        wanted = set(groups)
        flags = [f for f in flags if groups_of(f) & wanted]
    order = SEVERITY_ORDER
    return sorted(flags, key=lambda f: (f.state is not None, order.get(f.severity, 3), f.submission_id))
