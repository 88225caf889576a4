"""The stored repeat index (reuse, rebuild on change, damaged files) and retrieval without a full scan."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from pipelines.__main__ import main as cli
from pipelines.backends.embed import get_embedder
from pipelines.config import PROJ_ROOT, Settings
from pipelines.repeats.detect import BatchCase, HistoryIndex, detect_duplicates
from pipelines.repeats.index import CANDIDATES_PER_SOURCE
from pipelines.repeats.persist import IndexCacheWarning, cached_history_index
from pipelines.repeats.semantic import SemanticModel
from pipelines.schema import PastCase
from tests.test_duplicates import HISTORY, REWRITE, SUMMARY, _case_record, _past_record, _write_jsonl

CHARS = "华中海江山云智融数星光新远航信达通和安泰宏晨博越汇联创启明鑫锦峰宇恒正嘉祥瑞春秋天地人文科学媒体平台客户端报道"


def _random_text(rng: np.random.Generator, length: int) -> str:
    return "".join(CHARS[i] for i in rng.integers(0, len(CHARS), length))


def _synthetic_history(count: int, seed: int = 0) -> list[PastCase]:
    rng = np.random.default_rng(seed)
    return [
        PastCase(f"H{i}", 2024, f"项目{i}", f"单位{i % 300}", _random_text(rng, 300), "not_selected")
        for i in range(count)
    ]


def _verdicts(results: dict) -> dict:
    return {case: [(m.other_id, m.verdict, m.score) for m in matches] for case, matches in results.items()}


def test_second_build_reuses_the_stored_index_and_gives_the_same_matches(tmp_path):
    embedder = get_embedder(Settings())
    first = cached_history_index(HISTORY, embedder, 2026, directory=tmp_path)
    second = cached_history_index(HISTORY, embedder, 2026, directory=tmp_path)
    assert (first.loaded_from_cache, second.loaded_from_cache) == (False, True)
    assert len(list(tmp_path.glob("*.pkl"))) == 1
    batch = [REWRITE, SUMMARY]
    assert _verdicts(detect_duplicates(batch, first)) == _verdicts(detect_duplicates(batch, second))
    assert _verdicts(detect_duplicates(batch, second)) == _verdicts(
        detect_duplicates(batch, HISTORY, embedder)
    )


def test_changed_history_or_embedder_builds_a_new_index(tmp_path):
    embedder = get_embedder(Settings())
    cached_history_index(HISTORY, embedder, 2026, directory=tmp_path)
    changed = [*HISTORY[:-1], PastCase(**{**HISTORY[-1].__dict__, "text": HISTORY[-1].text + "新增一句。"})]
    assert not cached_history_index(changed, embedder, 2026, directory=tmp_path).loaded_from_cache
    assert not cached_history_index(HISTORY, None, 2026, directory=tmp_path).loaded_from_cache
    assert cached_history_index(HISTORY, embedder, 2026, directory=tmp_path).loaded_from_cache
    assert len(list(tmp_path.glob("*.pkl"))) == 3


@pytest.mark.parametrize("damage", ["garbage", "truncated", "checksum"])
def test_a_damaged_index_file_is_rebuilt_with_a_warning(tmp_path, damage):
    cached_history_index(HISTORY, None, 2026, directory=tmp_path)
    (path,) = tmp_path.glob("*.pkl")
    if damage == "garbage":
        path.write_bytes(b"not a pickle at all")
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:100])
    else:
        path.with_suffix(".sha256").write_text("0" * 64, encoding="ascii")
    with pytest.warns(IndexCacheWarning, match="已损坏"):
        rebuilt = cached_history_index(HISTORY, None, 2026, directory=tmp_path)
    assert not rebuilt.loaded_from_cache
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cached_history_index(HISTORY, None, 2026, directory=tmp_path).loaded_from_cache


def test_dedupe_command_reuses_the_index_from_the_cache_directory_in_settings(tmp_path, monkeypatch, capsys):
    cache = tmp_path / "cache"
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(cache))
    from pipelines.config import get_settings

    get_settings.cache_clear()
    try:
        history = _write_jsonl(tmp_path / "history.jsonl", [_past_record(c) for c in HISTORY])
        cases = _write_jsonl(tmp_path / "cases.jsonl", [_case_record(c) for c in (REWRITE, SUMMARY)])
        outputs = []
        for run in range(2):
            output = tmp_path / f"out{run}.jsonl"
            assert (
                cli(["dedupe", "--history", str(history), "--input", str(cases), "--output", str(output)])
                == 0
            )
            outputs.append(output.read_text(encoding="utf-8"))
            assert ("载入已保存的索引" if run else "新建索引并保存") in capsys.readouterr().err
    finally:
        get_settings.cache_clear()
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0].splitlines()[0])["matches"][0]["verdict"] == "past_awardee_repeat"
    stored = list((cache / "repeat-index").glob("*.pkl"))
    assert len(stored) == 1 and not stored[0].resolve().is_relative_to(PROJ_ROOT)


def test_default_cache_directory_is_outside_the_source_tree(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert Settings().cache_path == tmp_path / "workbench"
    assert Settings(cache_dir=str(tmp_path / "x")).cache_path == tmp_path / "x"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert Settings().cache_path == Path.home() / ".cache" / "workbench"


def test_semantic_retrieval_finds_what_the_exhaustive_search_finds():
    history = _synthetic_history(3000)
    rng = np.random.default_rng(1)
    queries = []
    for i in rng.choice(len(history), 60, replace=False):
        text = history[i].text
        cut = int(rng.integers(60, 120))  # a shortened, partly rewritten version of a past case
        queries.append(BatchCase(f"Q{i}", "", "别的单位", text[cut:] + _random_text(rng, 80)))
    index = HistoryIndex.build(history, get_embedder(Settings()), 2026)
    docs, vectors = index.prepare(queries)
    assert vectors is not None and index.index_.postings is not None
    everything = np.arange(len(history))
    found = wanted = 0
    for row in range(len(queries)):
        exact = index.index_.vectors.cosines(vectors, row, everything)
        best = set(np.argsort(-exact, kind="stable")[:5].tolist())
        retrieved = set(index.index_.nearest(vectors, row))
        assert len(retrieved) == CANDIDATES_PER_SOURCE
        found += len(best & retrieved)
        wanted += len(best)
    assert found / wanted >= 0.95
    assert SemanticModel(get_embedder(Settings())).id.endswith("chars160")


def test_only_the_most_recent_indexes_are_kept(tmp_path):
    from pipelines.repeats.persist import KEEP_INDEXES

    for extra in range(KEEP_INDEXES + 2):
        history = [*HISTORY, PastCase(f"X{extra}", 2024, f"项目{extra}", "某单位", f"正文{extra}", "awarded")]
        cached_history_index(history, None, 2026, directory=tmp_path)
    assert len(list(tmp_path.glob("*.pkl"))) == KEEP_INDEXES
    assert len(list(tmp_path.glob("*-cases.npz"))) == KEEP_INDEXES
    assert len(list(tmp_path.glob("*.sha256"))) == 2 * KEEP_INDEXES  # the index and its case list
    assert cached_history_index(history, None, 2026, directory=tmp_path).loaded_from_cache


def _sample_history() -> list[PastCase]:
    from pipelines.config import SAMPLE_DIR
    from pipelines.intake.history import read_table

    return [case for path in sorted((SAMPLE_DIR / "history").glob("*.jsonl")) for case in read_table(path)]


def _sample_batch() -> list[BatchCase]:
    from pipelines.config import SAMPLE_DIR
    from pipelines.jsonl import read_jsonl

    records = [record for _, _, record in read_jsonl(SAMPLE_DIR / "submissions_2026.jsonl")]
    return [
        BatchCase(r["id"], r["title"], r["unit"], r.get("text", ""), None, r.get("sections") or {})
        for r in records
    ]


def _index_state(index) -> dict:
    """Everything a query reads from a ``CaseIndex``, in comparable form."""
    weights = index.weights
    tables = [*weights.names, *weights.figures, index.figure_postings]
    return {
        "sources": [(s.id, s.text, s.sections) for s in index.sources],
        "tables": [(t.n_docs_, t.keys_.tolist(), t.df_.tolist(), t.docs_.tolist()) for t in tables],
        "unit_common": {unit: sorted(keys) for unit, keys in weights.unit_common.items()},
        "bands": [(keys.tolist(), order.tolist()) for keys, order in index.bands],
        "vectors": index.vectors.matrix.toarray().round(6).tolist(),
        "postings": index.postings.toarray().round(6).tolist(),
        "units": index.units,
        "initials": index.unit_initials,
    }


def test_added_past_cases_are_appended_to_the_stored_index(tmp_path):
    from pipelines.repeats.index import build_index

    embedder = get_embedder(Settings())
    history = sorted(_sample_history(), key=lambda case: (case.year, case.id))  # as the store lists them
    older = history[:80]  # the earlier imports; then the rest of the last year comes in
    first = cached_history_index(older, embedder, 2026, directory=tmp_path)
    grown = cached_history_index(history, embedder, 2026, directory=tmp_path)
    assert (grown.loaded_from_cache, grown.extended_by) == (False, len(history) - len(older))
    # the same index as one built over the whole history with the boilerplate the first one learned
    positions = {case.id: i for i, case in enumerate([*older, *(c for c in history if c not in older)])}
    in_index_order = sorted(history, key=lambda case: positions[case.id])
    whole = build_index(in_index_order, first.boilerplate, SemanticModel(embedder))
    assert _index_state(grown.index_) == _index_state(whole)
    # stored under the grown history's key: the next run loads it as it is
    again = cached_history_index(history, embedder, 2026, directory=tmp_path)
    assert (again.loaded_from_cache, again.extended_by) == (True, 0)
    # and it finds what a full rebuild finds (scores may differ in the third decimal: the rebuild learns
    # its boilerplate from all the cases)
    rebuilt = HistoryIndex.build(history, embedder, 2026)
    batch = _sample_batch()
    found, expected = detect_duplicates(batch, again), detect_duplicates(batch, rebuilt)
    assert _kinds(found) == _kinds(expected)
    assert any(verdict != "related_case" for matches in _kinds(found).values() for _, verdict in matches)


def _kinds(results: dict) -> dict:
    return {case: sorted((m.other_id, m.verdict) for m in matches) for case, matches in results.items()}


def test_a_changed_or_removed_past_case_rebuilds_instead_of_appending(tmp_path):
    history = _sample_history()
    cached_history_index(history[:100], None, 2026, directory=tmp_path)
    edited = PastCase(**{**history[5].__dict__, "title": history[5].title + "（修订）"})
    changed = [*history[:5], edited, *history[6:]]
    rebuilt = cached_history_index(changed, None, 2026, directory=tmp_path)
    assert (rebuilt.loaded_from_cache, rebuilt.extended_by) == (False, 0)
    removed = [*history[:3], *history[4:]]
    assert cached_history_index(removed, None, 2026, directory=tmp_path).extended_by == 0
    extended = cached_history_index([*history[:100], *history[120:]], None, 2026, directory=tmp_path)
    assert extended.extended_by == len(history) - 120


def test_a_history_grown_past_twice_its_first_size_is_rebuilt(tmp_path):
    history = _synthetic_history(90)
    cached_history_index(history[:30], None, 2026, directory=tmp_path)
    assert cached_history_index(history[:60], None, 2026, directory=tmp_path).extended_by == 30
    # 90 cases against a boilerplate learned from 30: learned again
    assert cached_history_index(history, None, 2026, directory=tmp_path).extended_by == 0


def test_a_damaged_case_list_is_rebuilt_with_a_warning(tmp_path):
    history = _sample_history()
    cached_history_index(history[:100], None, 2026, directory=tmp_path)
    (cases,) = tmp_path.glob("*-cases.npz")
    cases.write_bytes(cases.read_bytes()[:50])
    with pytest.warns(IndexCacheWarning, match="案例清单"):
        result = cached_history_index(history, None, 2026, directory=tmp_path)
    assert (result.loaded_from_cache, result.extended_by) == (False, 0)


def test_dedupe_command_extends_the_stored_index_for_a_history_file_with_added_cases(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path / "cache"))
    from pipelines.config import get_settings

    get_settings.cache_clear()
    history = sorted(_sample_history(), key=lambda case: (case.year, case.id))
    cases = _write_jsonl(tmp_path / "cases.jsonl", [_case_record(c) for c in (REWRITE, SUMMARY)])
    try:
        for count, expected in ((100, "新建索引并保存"), (len(history), f"追加 {len(history) - 100} 条")):
            path = _write_jsonl(
                tmp_path / f"history{count}.jsonl", [_past_record(c) for c in history[:count]]
            )
            output = tmp_path / f"out{count}.jsonl"
            command = ["dedupe", "--history", str(path), "--input", str(cases), "--output", str(output)]
            assert cli(command) == 0
            assert expected in capsys.readouterr().err
    finally:
        get_settings.cache_clear()
