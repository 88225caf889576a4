"""The house rules of the layout hold on the tree (tools/check_layout.py), and the checker finds breaches."""

from pathlib import Path

from tools import check_layout


def test_the_tree_keeps_the_layout_rules():
    assert check_layout.check() == []


def test_the_checker_finds_a_long_module_a_cycle_and_streamlit_in_pipelines(tmp_path: Path):
    (tmp_path / "pipelines").mkdir()
    (tmp_path / "app_pages").mkdir()
    (tmp_path / "app.py").write_text("import streamlit\n", encoding="utf-8")
    (tmp_path / "pipelines" / "a.py").write_text(
        "from pipelines import b\nimport streamlit as st\n", encoding="utf-8"
    )
    (tmp_path / "pipelines" / "b.py").write_text(
        "from pipelines.a import x\n" + "y = 1\n" * 401, encoding="utf-8"
    )
    (tmp_path / "app_pages" / "p.py").write_text("from tools import formgen\n", encoding="utf-8")
    problems = "\n".join(check_layout.check(tmp_path))
    assert "pipelines/b.py: 402 行" in problems
    assert "互相导入：pipelines.a、pipelines.b" in problems
    assert "pipelines/a.py: pipelines/ 中不应使用 Streamlit" in problems
    assert "app_pages/p.py: 产品代码导入了工具或测试代码（tools）" in problems
