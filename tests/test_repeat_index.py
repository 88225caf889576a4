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
    assert len(list(tmp_path.glob("*.sha256"))) == KEEP_INDEXES
    assert cached_history_index(history, None, 2026, directory=tmp_path).loaded_from_cache
