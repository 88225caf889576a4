"""Field accuracy and refusal correctness of the extractor on a folder of forms with a manifest.

Two manifest formats are read:

* the sample's (``data/sample/forms_2026/manifest.json``, written by ``tools/formgen.py``):
  ``{"forms": {name: {"expected": {field: value}}}, "bad_files": {name: {"expected_error": code}}}``;
* the fresh set's (``data/eval/fresh_forms/manifest.json``, written by someone who has not seen the
  extractor): ``{name: {"ok": true, field: value, …}}`` or ``{name: {"ok": false, "code"?: code}}``.

Usage::

    python tools/eval/eval_extract.py data/eval/fresh_forms
    python tools/eval/eval_extract.py data/sample/forms_2026 --details

Prints per-field accuracy over the forms that should be read, and for the files that should be refused how
many were refused (and with the expected code, where the manifest names one). OCR time is reported apart.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipelines.config import get_settings  # noqa: E402
from pipelines.intake.extract import extract_bytes  # noqa: E402
from pipelines.schema import IntakeError, Submission  # noqa: E402

FIELDS = ("title", "unit", "implementer", "declared_category", "launch_date")


@dataclass
class Expected:
    """What one file should give: its fields, or a refusal (with a code when the manifest names one)."""

    ok: bool
    fields: dict[str, object] = field(default_factory=dict)
    code: str = ""
    layout: str = ""  # the layout a generated set names (tools/eval/layout_forms.py), for a breakdown


def read_manifest(path: Path) -> dict[str, Expected]:
    """File name → expectation, from either manifest format."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if "forms" in data and isinstance(data["forms"], dict):
        expected = {name: Expected(True, dict(info["expected"])) for name, info in data["forms"].items()}
        for name, info in data.get("bad_files", {}).items():
            if not name.endswith(".zip"):
                expected[name] = Expected(False, code=info.get("expected_error", ""))
        return expected
    expected = {}
    for name, info in data.items():
        if info.get("ok", True):
            fields = {k: v for k, v in info.items() if k in FIELDS}
            expected[name] = Expected(True, fields, layout=info.get("layout", ""))
        else:
            code = (
                info.get("code") or (info.get("error") or {}).get("code", "")
                if isinstance(info, dict)
                else ""
            )
            expected[name] = Expected(False, code=code or "")
    return expected


@dataclass
class Report:
    """Counts over one evaluation run."""

    right: Counter = field(default_factory=Counter)
    total: Counter = field(default_factory=Counter)
    forms_all_right: int = 0
    forms: int = 0
    wrongly_refused: list[tuple[str, str]] = field(default_factory=list)
    refusals_expected: int = 0
    refused: int = 0
    refused_with_code: int = 0
    codes_named: int = 0
    scan_seconds: float = 0.0
    scans: int = 0
    other_seconds: float = 0.0
    mismatches: list[str] = field(default_factory=list)
    layouts: dict[str, list[int]] = field(default_factory=dict)  # layout → [forms all right, forms]

    def add_form(self, name: str, expected: Expected, submission: Submission | None, error: str) -> None:
        self.forms += 1
        if submission is None:
            self.wrongly_refused.append((name, error))
            for key in expected.fields:
                self.total[key] += 1
            return
        all_right = True
        for key, value in expected.fields.items():
            got = getattr(submission, key)
            self.total[key] += 1
            if got == value or (got == "" and value is None):  # a field the form lacks: "" in a Submission
                self.right[key] += 1
            else:
                all_right = False
                self.mismatches.append(f"{name}\t{key}\t期望 {value!r}\t得到 {got!r}")
        self.forms_all_right += all_right
        if expected.layout:
            counts = self.layouts.setdefault(expected.layout, [0, 0])
            counts[0] += all_right
            counts[1] += 1

    def add_refusal(self, name: str, expected: Expected, code: str) -> None:
        self.refusals_expected += 1
        self.refused += bool(code)
        if expected.code:
            self.codes_named += 1
            self.refused_with_code += code == expected.code
        if not code:
            self.mismatches.append(
                f"{name}\t应拒收{f'（{expected.code}）' if expected.code else ''}\t却被读取"
            )
        elif expected.code and code != expected.code:
            self.mismatches.append(f"{name}\t拒收代码\t期望 {expected.code}\t得到 {code}")

    def lines(self) -> list[str]:
        out = [f"应读取的申报表 {self.forms} 份，全部字段正确 {self.forms_all_right} 份"]
        for key in FIELDS:
            if self.total[key]:
                share = self.right[key] / self.total[key]
                out.append(f"  {key:<18} {self.right[key]:>4}/{self.total[key]:<4} {share:.1%}")
        if self.wrongly_refused:
            codes = Counter(code for _, code in self.wrongly_refused)
            out.append(f"  被误拒 {len(self.wrongly_refused)} 份：{dict(codes)}")
        if self.refusals_expected:
            out.append(f"应拒收的文件 {self.refusals_expected} 个，拒收 {self.refused} 个")
            if self.codes_named:
                out.append(f"  拒收代码与清单一致 {self.refused_with_code}/{self.codes_named}")
        if self.layouts:
            out.append("按版式（全部字段正确/份数）：")
            out.extend(
                f"  {name:<28} {right}/{total}" for name, (right, total) in sorted(self.layouts.items())
            )
        out.append(
            f"耗时：非图片表单 {self.other_seconds:.1f} s；图片表单（OCR）{self.scans} 份 {self.scan_seconds:.1f} s"
        )
        return out


def evaluate(folder: Path, manifest: Path | None = None) -> Report:
    """Extract every file the manifest lists and compare."""
    settings = get_settings()
    report = Report()
    for name, expected in sorted(read_manifest(manifest or folder / "manifest.json").items()):
        data = (folder / name).read_bytes()
        started = time.perf_counter()
        submission, code = None, ""
        try:
            submission = extract_bytes(data, name, settings)
        except IntakeError as error:
            code = error.code
        elapsed = time.perf_counter() - started
        if submission is not None and submission.from_scan:
            report.scans += 1
            report.scan_seconds += elapsed
        else:
            report.other_seconds += elapsed
        if expected.ok:
            report.add_form(name, expected, submission, code)
        else:
            report.add_refusal(name, expected, code)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="申报表字段抽取与拒收评估")
    parser.add_argument("folder", type=Path, help="表单所在目录（含 manifest.json）")
    parser.add_argument("--manifest", type=Path, help="清单文件（默认 目录/manifest.json）")
    parser.add_argument("--details", action="store_true", help="列出每一处不一致")
    args = parser.parse_args(argv)
    report = evaluate(args.folder, args.manifest)
    print(f"评估：{args.folder}")
    print("\n".join(report.lines()))
    if args.details:
        print("\n".join(report.mismatches))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
