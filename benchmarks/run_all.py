"""Run every benchmark script in this folder, one after another, and print their figures.

Usage: ``make bench`` (or ``python benchmarks/run_all.py [name ...]`` to run only some, e.g. ``intake``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(names: list[str]) -> int:
    scripts = sorted(p for p in HERE.glob("*.py") if p.name != Path(__file__).name)
    if names:
        scripts = [p for p in scripts if any(name in p.stem for name in names)]
    failed = []
    for script in scripts:
        print(f"\n===== {script.name} =====", flush=True)
        started = time.perf_counter()
        env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
        result = subprocess.run([sys.executable, str(script)], cwd=HERE.parent, env=env, check=False)
        print(f"({script.name}: {time.perf_counter() - started:.1f} s, exit {result.returncode})", flush=True)
        if result.returncode:
            failed.append(script.name)
    if failed:
        print(f"\n未通过的基准脚本：{', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
