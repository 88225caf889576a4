"""Plain dataclasses passed between pipeline stages.

Inputs (``Submission``, ``PastCase``), machine suggestions (``CategorySuggestion``, ``DuplicateMatch``,
``ScoreResult``, ``Finding``) and human responses (``Review`` in ``pipelines.review.decisions``) stay separate, so
agreement and acceptance rates can be measured.

Machine suggestions are stored as JSON payloads (``SuggestionRow.payload``); the dataclasses own the codecs:
``to_payload()`` writes one, ``from_payload()`` reads one back (older or partial payloads take the defaults;
fields no longer known are ignored). Nothing else decodes stored suggestions.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from statistics import fmean
from typing import Any, Literal

from pipelines.vocabulary import CRITERIA

_ATOMS = (str, int, float, bool, type(None))


def plain(value: Any) -> Any:
    """``dataclasses.asdict`` without its deep copy of every string and number (a payload of a thousand
    matches or claims took seconds): dataclasses become dicts, lists, tuples and dicts are rebuilt, strings,
    numbers and None are kept as they are (immutable), anything else is deep-copied as ``asdict`` does."""
    if isinstance(value, _ATOMS):
        return value
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    if type(value) is list:
        return [plain(item) for item in value]
    if type(value) is dict:
        return {plain(key): plain(item) for key, item in value.items()}
    if type(value) is tuple:
        return tuple(plain(item) for item in value)
    return copy.deepcopy(value)


def _known(cls: type, payload: Mapping[str, Any] | None) -> dict[str, Any]:
    """The entries of a stored payload that are fields of dataclass ``cls``."""
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in (payload or {}).items() if k in names}


def _int_keys(mapping: Mapping[Any, Any] | None) -> dict[int, Any]:
    """JSON turns int keys (category ids) into strings; this turns them back."""
    return {int(k): v for k, v in (mapping or {}).items()}


Severity = Literal["blocker", "check", "info"]
Outcome = Literal["awarded", "not_selected"]
MatchKind = Literal["past_awardee", "past_not_selected", "same_batch"]


@dataclass
class Contact:
    name: str = ""
    phone: str = ""
    email: str = ""


@dataclass
class PreviousApplication:
    """What the applicant declares under 往年申报情况."""

    year: int | None = None
    title: str = ""
    result: str = ""  # as written, e.g. 入选 / 未入选
    outcome: Outcome | None = None


@dataclass
class WordCount:
    label: str
    count: int
    limit: int | None = None

    @property
    def over_limit(self) -> bool:
        return self.limit is not None and self.count > self.limit


@dataclass
class Submission:
    """One application form as read from a .docx file."""

    file_name: str
    content_hash: str = ""
    title: str = ""
    unit: str = ""  # 申报单位
    implementer: str = ""  # 实施单位
    recommender: str = ""  # 推荐单位 (never the applicant)
    declared_category: int | None = None  # the single ticked category, None if none or several
    declared_categories: list[int] = field(default_factory=list)
    launch_date: str | None = None  # YYYY, YYYY-MM or YYYY-MM-DD
    launch_raw: str = ""
    status: str = ""  # 运行状态 as written
    launch_status: str = ""  # 在建 | 计划中 | 试运行 | 已上线 | "" (pipelines.intake.dates.read_launch)
    launch_evidence: str = ""  # the sentence that says the launch status
    contact: Contact = field(default_factory=Contact)
    previous_applications: list[PreviousApplication] = field(default_factory=list)
    sections: dict[str, str] = field(default_factory=dict)
    text: str = ""  # the whole narrative
    word_counts: list[WordCount] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    media_count: int = 0  # pictures, audio and video embedded in the form
    media_bytes: int = 0  # their size, counted against Settings.max_media_mb (not the text limit)
    from_scan: bool = False  # read by OCR from a picture of the form
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return plain(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Submission:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["contact"] = Contact(**(data.get("contact") or {}))
        values["previous_applications"] = [
            PreviousApplication(**item) for item in data.get("previous_applications") or []
        ]
        values["word_counts"] = [WordCount(**item) for item in data.get("word_counts") or []]
        return cls(**values)


class IntakeError(Exception):
    """A file that cannot be read as an application form.

    ``code`` is stable (tests and the UI rely on it); ``message`` is Chinese and tells the user which file,
    what is wrong and what to do.
    """

    def __init__(self, code: str, message: str, file_name: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.file_name = file_name

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass
class PastCase:
    """A case from an earlier year's call, with its outcome."""

    id: str
    year: int
    title: str
    unit: str
    text: str
    outcome: Outcome
    category: int | None = None
    second_category: int | None = None
    implementer: str = ""
    sections: dict[str, str] = field(default_factory=dict)


@dataclass
class Finding:
    """One eligibility finding: a rule of the call applied to one submission."""

    code: str
    severity: Severity
    message: str
    evidence: str = ""
    related_ids: list[str] = field(default_factory=list)

    def to_payload(self) -> dict[str, Any]:
        return plain(self)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Finding:
        return cls(**_known(cls, payload))

    @classmethod
    def list_from_payload(cls, payload: Sequence[Mapping[str, Any]] | None) -> list[Finding]:
        """A stored eligibility suggestion (a list of findings; None = none)."""
        return [cls.from_payload(item) for item in payload or []]


@dataclass
class CategorySuggestion:
    """The classifier's view of one case."""

    category: int
    probabilities: dict[int, float]
    top2: list[int]
    confident: bool
    misfiled: bool = False
    suggested_category: int | None = None  # set when misfiled
    reasons: list[str] = field(default_factory=list)
    evidence: dict[int, list[str]] = field(default_factory=dict)  # category -> supporting sentences
    terms: dict[int, list[str]] = field(default_factory=dict)  # category -> supporting terms
    model_version: str = ""
    llm_category: int | None = None
    llm_reason: str = ""
    needs_human_check: bool = False
    prediction_set: list[int] = field(
        default_factory=list
    )  # conformal set at the card's coverage, best first

    def to_payload(self) -> dict[str, Any]:
        return plain(self)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any] | None) -> CategorySuggestion:
        """A stored category suggestion, with category ids as int keys again (``category`` None if unstated)."""
        data: dict[str, Any] = {"category": None, "top2": [], "confident": False, **_known(cls, payload)}
        data["probabilities"] = {k: float(v) for k, v in _int_keys(data.get("probabilities")).items()}
        data["evidence"] = _int_keys(data.get("evidence"))
        data["terms"] = _int_keys(data.get("terms"))
        return cls(**data)


@dataclass
class AlignedPair:
    """A passage of this case and the most similar passage of the other case."""

    this_text: str
    other_text: str
    similarity: float
    this_section: str = ""
    other_section: str = ""


@dataclass
class DuplicateMatch:
    """A possible repeat or duplicate, with the signals behind the verdict."""

    other_id: str
    kind: MatchKind
    verdict: str  # past_awardee_repeat | resubmission_needs_iteration | same_batch_duplicate | related_case
    score: float
    signals: dict[str, float] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    new_text_ratio: float | None = None
    obvious_iteration: bool | None = None
    iteration_report: dict[str, Any] = field(default_factory=dict)
    aligned: list[AlignedPair] = field(default_factory=list)

    def to_payload(self) -> dict[str, Any]:
        return plain(self)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> DuplicateMatch:
        data = _known(cls, payload)
        data["aligned"] = [AlignedPair(**_known(AlignedPair, pair)) for pair in data.get("aligned") or []]
        return cls(**data)

    @classmethod
    def list_from_payload(cls, payload: Sequence[Mapping[str, Any]] | None) -> list[DuplicateMatch]:
        """A stored duplicates suggestion (a list of matches; None = none)."""
        return [cls.from_payload(item) for item in payload or []]


@dataclass
class ScoreResult:
    """Scores on the four criteria (0–100) with the evidence for each."""

    scores: dict[str, float]  # keys of vocabulary.CRITERIA
    evidence: dict[str, list[str]]
    scorer: str  # offline | llm
    novelty: float | None = None
    prompt_version: str | None = None
    model: str | None = None
    dropped_quotes: int = 0
    usage: dict[str, float] = field(default_factory=dict)  # tokens, latency
    reasons: dict[str, str] = field(default_factory=dict)
    claims: list[dict[str, Any]] = field(default_factory=list)  # pipelines.claims.Claim.to_dict()
    # criterion -> what each cited claim did: {"claims": [index, ...], "effect": for|discounted|against, ...}
    findings: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def mean_score(self) -> float:
        """Mean of the four criteria; NaN unless all four are scored."""
        given = [float(self.scores[k]) for k in CRITERIA if self.scores.get(k) is not None]
        return fmean(given) if len(given) == len(CRITERIA) else math.nan

    def to_payload(self) -> dict[str, Any]:
        return plain(self)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any] | None) -> ScoreResult:
        """A stored scores or llm_scores suggestion (missing parts empty; None = nothing scored)."""
        data: dict[str, Any] = {"evidence": {}, "scorer": "", **_known(cls, payload)}
        data["scores"] = dict(data.get("scores") or {})
        return cls(**data)
