"""Check the house rules of the code layout: module size, import cycles, Streamlit and tooling placement.

Run ``python tools/check_layout.py``; exits 1 and lists every breach. ``tests/test_layout.py`` runs it.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("pipelines", "app_pages")
MAX_LINES = 400
TOOLING = ("tools", "tests", "benchmarks")


def product_files(root: Path = ROOT) -> list[Path]:
    files = [p for folder in PRODUCT for p in sorted((root / folder).rglob("*.py"))]
    return [*files, root / "app.py"]


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imported_modules(path: Path) -> set[str]:
    """Every module named by an import in ``path``, at any depth (lazy imports included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def long_modules(files: list[Path], root: Path = ROOT) -> list[str]:
    found = []
    for path in files:
        count = len(path.read_text(encoding="utf-8").splitlines())
        if count > MAX_LINES:
            found.append(f"{path.relative_to(root)}: {count} 行（上限 {MAX_LINES}）")
    return found


def import_cycles(files: list[Path], root: Path = ROOT) -> list[str]:
    """Groups of product modules that import each other, found as strongly connected components."""
    names = [module_name(p, root) for p in files]
    index = {name: i for i, name in enumerate(names)}
    rows, cols = [], []
    for i, path in enumerate(files):
        for target in imported_modules(path):
            j = index.get(target)
            if j is not None and j != i and not names[j].endswith(("pipelines", "app_pages")):
                rows.append(i)
                cols.append(j)
    graph = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(names), len(names)))
    count, labels = connected_components(graph, directed=True, connection="strong")
    cycles = []
    for label in range(count):
        members = [names[i] for i in np.flatnonzero(labels == label)]
        if len(members) > 1:
            cycles.append("互相导入：" + "、".join(sorted(members)))
    return cycles


def misplaced_imports(files: list[Path], root: Path = ROOT) -> list[str]:
    found = []
    for path in files:
        relative = path.relative_to(root)
        imports = imported_modules(path)
        if relative.parts[0] == "pipelines" and any(n.split(".")[0] == "streamlit" for n in imports):
            found.append(f"{relative}: pipelines/ 中不应使用 Streamlit")
        tooling = sorted({n.split(".")[0] for n in imports} & set(TOOLING))
        if tooling:
            found.append(f"{relative}: 产品代码导入了工具或测试代码（{'、'.join(tooling)}）")
    return found


def check(root: Path = ROOT) -> list[str]:
    files = product_files(root)
    return long_modules(files, root) + import_cycles(files, root) + misplaced_imports(files, root)


def main() -> int:
    problems = check()
    for line in problems:
        print(line)
    print(f"{len(problems)} 处不符合结构约定" if problems else "结构检查通过")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
