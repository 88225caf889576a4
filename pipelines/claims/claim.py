"""The ``Claim`` dataclass: one thing a case asserts, read for what it shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pipelines.figures import Figure

ClaimKind = Literal["result", "practice", "plan", "input", "background", "other_party"]
Owner = Literal["applicant", "implementer", "other"]


@dataclass
class Claim:
    """One claim of a case: a clause with its kind, polarity, hedging, figures and owner.

    Attributes:
        index: position among the case's claims (0-based; reasons cite claims by ``index + 1``).
        text: the clause as written (normalised text).
        start: span start in ``pipelines.text.normalize(case text)``.
        end: span end (exclusive).
        sentence: index of the sentence the clause belongs to.
        kind: ``result`` (achieved), ``practice`` (what the unit does), ``plan`` (plan, target, hope),
            ``input`` (money, people, equipment, capacity, tests and one-off pilots), ``background``
            (context, earlier state) or ``other_party`` (someone else's outcome).
        kind_probs: probability of each kind (``{kind: 1.0}`` when an exact rule decided); scores weigh
            claims by these, so an uncertain kind counts partly as each.
        negated: the claim's predicate is negated (未能达到、尚未上线、没有形成).
        negation: the negation cue with its scope as written ("" when none).
        praise: a negation that praises (零差错、无一起事故、从未中断).
        hedges: hedging words in the claim (约、近、上万、有所、初步).
        figures: figures with their unit, magnitude, date, baseline, growth and sourcing.
        sourced: the claim names where its facts come from (据…统计、第三方监测、审计).
        owner: whose achievement it is: ``applicant``, ``implementer`` or ``other``.
        orientation: probabilities that the claim describes an orientation problem (标题党、暴露隐私、有偿新闻),
            proper practice (核实、保护隐私、服务群众) or neither.
    """

    index: int
    text: str
    start: int
    end: int
    sentence: int
    kind: ClaimKind
    kind_probs: dict[str, float] = field(default_factory=dict)
    negated: bool = False
    negation: str = ""
    praise: bool = False
    hedges: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    sourced: bool = False
    owner: Owner = "applicant"
    orientation: dict[str, float] = field(default_factory=dict)  # problem / proper / neutral probabilities

    @property
    def hedged(self) -> bool:
        """Hedged words or an approximate figure."""
        return bool(self.hedges) or any(figure.approx for figure in self.figures)

    @property
    def quantities(self) -> list[Figure]:
        """The figures that are quantities (not dates or years)."""
        return [figure for figure in self.figures if figure.kind not in ("date", "year")]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (figures as dicts, ``hedged`` included)."""
        data = dict(self.__dict__)  # flat copy; dataclasses.asdict recurses and costs 1 ms per claim
        data["figures"] = [dict(figure.__dict__) for figure in self.figures]
        data["hedges"] = list(self.hedges)
        data["kind_probs"] = dict(self.kind_probs)
        data["orientation"] = dict(self.orientation)
        data["hedged"] = self.hedged
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Claim:
        """Inverse of ``to_dict`` (unknown keys ignored)."""
        known = set(cls.__dataclass_fields__)
        values = {key: value for key, value in data.items() if key in known}
        values["figures"] = [Figure(**figure) for figure in data.get("figures") or []]
        return cls(**values)
