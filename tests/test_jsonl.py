from __future__ import annotations

import pytest

from pipelines.jsonl import JsonlError, read_jsonl


def test_lines_with_their_place(tmp_path):
    path = tmp_path / "cases.jsonl"
    path.write_text('{"id": "A"}\n\n{"id": "B"}\n', encoding="utf-8")
    assert read_jsonl(path) == [
        (1, f"「{path}」第 1 行", {"id": "A"}),
        (3, f"「{path}」第 3 行", {"id": "B"}),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": "A"}\n{"id": \n', "x.jsonl」第 2 行不是有效的 JSON"),
        ("[1, 2]\n", "x.jsonl」第 1 行应为一个 JSON 对象"),
        (b"\xff\xfe", "不是 UTF-8|UTF-8 编码"),
    ],
)
def test_bad_files_name_the_line(tmp_path, content, message):
    path = tmp_path / "x.jsonl"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(JsonlError, match=message):
        read_jsonl(path)


def test_missing_file(tmp_path):
    with pytest.raises(JsonlError, match="找不到文件"):
        read_jsonl(tmp_path / "none.jsonl")
