"""CPU time of field extraction per form, this working tree against another commit, measured in one run.

The two versions are run in turn in fresh subprocesses (``--rounds`` times each, alternating, so machine load
hits both alike) on the same forms read into memory: every .docx of the evaluation folders, pictures-only forms
(OCR) and refusals excluded. Each subprocess extracts every form ``--repeat`` times and reports process CPU time
per form; the medians and their ratio are printed.

Usage::

    python tools/eval/extract_speed.py --against main
    python tools/eval/extract_speed.py --against 1bff2d4 --rounds 5
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("data/eval/fresh_forms", "data/eval/fresh2_forms", "data/sample/forms_2026")


def forms(root: Path) -> list[Path]:
    """The .docx forms of ``FOLDERS`` (legacy .doc/.wps would time LibreOffice, not the extractor)."""
    return sorted(path for folder in FOLDERS for path in (root / folder).glob("*.docx"))


def measure(code: Path, paths: list[Path], repeat: int) -> dict:
    """In this process: import the extractor of ``code`` and time it on ``paths`` (CPU seconds per form)."""
    sys.path.insert(0, str(code))
    from pipelines.config import get_settings
    from pipelines.intake.extract import extract_bytes
    from pipelines.schema import IntakeError

    settings = get_settings()
    data = [(path.name, path.read_bytes()) for path in paths]
    kept = []
    for name, content in data:  # warm-up; keep the forms both versions read as text forms
        try:
            submission = extract_bytes(content, name, settings, image_reader=lambda _image: [])
        except IntakeError:
            continue
        if not submission.from_scan:
            kept.append((name, content))
    started = time.process_time()
    for _ in range(repeat):
        for name, content in kept:
            extract_bytes(content, name, settings, image_reader=lambda _image: [])
    seconds = time.process_time() - started
    return {"forms": len(kept), "ms_per_form": 1000 * seconds / (repeat * max(len(kept), 1))}


def _run(code: Path, paths: list[Path], repeat: int) -> dict:
    command = [sys.executable, __file__, "--measure", str(code), "--repeat", str(repeat), *map(str, paths)]
    output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=code).stdout
    return json.loads(output.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="抽取速度：当前代码与另一提交对比（同一次运行中交替测量）")
    parser.add_argument("--against", default="main", help="对比的提交或分支（默认 main）")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=5, help="每轮每份表单抽取次数")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure is not None:
        print(json.dumps(measure(args.measure, args.paths, args.repeat)))
        return 0
    paths = forms(ROOT)
    with tempfile.TemporaryDirectory() as folder:
        baseline = Path(folder)
        archive = subprocess.run(["git", "archive", args.against], check=True, capture_output=True, cwd=ROOT)
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(baseline, filter="data")
        times: dict[str, list[float]] = {"before": [], "after": []}
        counts: dict[str, int] = {}
        for _ in range(args.rounds):
            for label, code in (("before", baseline), ("after", ROOT)):
                result = _run(code, paths, args.repeat)
                times[label].append(result["ms_per_form"])
                counts[label] = result["forms"]
    before, after = statistics.median(times["before"]), statistics.median(times["after"])
    print(
        f"表单 {len(paths)} 份（文字表单：之前 {counts['before']} 份，之后 {counts['after']} 份），每轮每份 {args.repeat} 次"
    )
    print(
        f"{args.against}：每份 {before:.2f} ms CPU（各轮 {', '.join(f'{t:.2f}' for t in times['before'])}）"
    )
    print(f"当前：每份 {after:.2f} ms CPU（各轮 {', '.join(f'{t:.2f}' for t in times['after'])}）")
    print(f"比值（当前/{args.against}）：{after / before:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
