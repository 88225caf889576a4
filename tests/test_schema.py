"""The suggestion payload codecs: what analysis stores is what review, trends and agreement read back."""

from __future__ import annotations

import json
import math

from pipelines.schema import AlignedPair, CategorySuggestion, DuplicateMatch, Finding, ScoreResult


def _stored(payload: object) -> object:
    return json.loads(json.dumps(payload, ensure_ascii=False))  # as the store's JSON column returns it


def test_round_trips_through_json():
    category = CategorySuggestion(
        category=4,
        probabilities={4: 0.7, 2: 0.3},
        top2=[4, 2],
        confident=True,
        evidence={4: ["平台日活 30 万"]},
        terms={4: ["平台"]},
        model_version="v1",
    )
    match = DuplicateMatch(
        "H-2024-01",
        "past_awardee",
        "past_awardee_repeat",
        0.91,
        aligned=[AlignedPair("甲", "乙", 0.8, "概述")],
    )
    finding = Finding("not_online", "blocker", "未上线", "在建", ["x"])
    scores = ScoreResult({"political": 80, "innovation": 70}, {"political": ["证据"]}, "offline", novelty=0.4)
    assert CategorySuggestion.from_payload(_stored(category.to_payload())) == category
    assert DuplicateMatch.list_from_payload(_stored([match.to_payload()])) == [match]
    assert Finding.list_from_payload(_stored([finding.to_payload()])) == [finding]
    assert ScoreResult.from_payload(_stored(scores.to_payload())) == scores


def test_partial_old_and_missing_payloads_take_defaults():
    assert CategorySuggestion.from_payload({"category": 3, "retired_field": 1}).category == 3
    assert CategorySuggestion.from_payload(None).category is None
    assert Finding.list_from_payload(None) == [] and DuplicateMatch.list_from_payload([]) == []
    partial = ScoreResult.from_payload({"scores": {"political": 80}})
    assert partial.scores == {"political": 80} and math.isnan(partial.mean_score)
    full = ScoreResult.from_payload(
        {"scores": dict.fromkeys(("political", "innovation", "effectiveness", "typicality"), 60)}
    )
    assert full.mean_score == 60
