"""Attachments benchmark: OCR seconds per page, and a 150-case batch with attachments through ingest + OCR.

Run: ``.venv/bin/python benchmarks/bench_attachments.py [--cases 150] [--pages 6] [--rounds 3]``

Product defaults (``Settings()``: ``ocr_threads = 2``), the code paths the CLI uses: ``ingest_paths`` (group,
extract, type, measure, store; OCR deferred) then ``run_pending_ocr`` (what the ``ocr`` verb and the background
worker run). Each case is a folder with its form (``tools.formgen``), a certificate photo with Chinese text
(unique per case, so the OCR cache never hits), a 2-page text PDF and a 2-second MP4; every tenth case also
sends a one-page scan. Medians of ``--rounds`` runs, each on a fresh database and attachment store; peak RSS of
this process. Targets: OCR ≤ 3 s per A4 page on the 2-core machine; the batch read and stored in < 60 s without
OCR, and the OCR backlog stated.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.config import Settings, with_overrides  # noqa: E402
from tests.attachment_files import image_bytes, scanned_pdf, text_image, text_pdf, video_bytes  # noqa: E402
from tools import formgen  # noqa: E402

PAGE_LINES = [
    "关于授予“碳路观察”数据新闻品牌年度优秀案例的决定",
    "经专家评审，该品牌在内容供给创新方面成效显著，",
    "全年发布数据新闻三百余篇，累计阅读量超过两千万次，",
    "被五家行业媒体复制推广，形成可借鉴的生产流程。",
    "特此表彰。",
    "中国行业报刊协会",
    "二〇二五年十二月",
]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_ocr_pages(pages: int, rounds: int, settings: Settings) -> None:
    """OCR of rendered A4 scan pages (150 dpi, seven lines of Chinese) and of a certificate photo."""
    from pipelines.backends.ocr import get_ocr
    from pipelines.intake.media import render_pdf_pages

    ocr = get_ocr(settings.ocr_threads)
    scan = scanned_pdf([PAGE_LINES] * pages)
    images = render_pdf_pages(scan, list(range(pages)))
    ocr.read(images[0])  # model load, not timed
    per_page, cpu_page, found = [], [], 0
    for _ in range(rounds):
        for image in images:
            start, cpu = time.perf_counter(), time.process_time()
            text = ocr.read(image)
            per_page.append(time.perf_counter() - start)
            cpu_page.append(time.process_time() - cpu)
            found += "数据新闻品牌" in text and "两千万次" in text
    photo = text_image(PAGE_LINES[:3], size=(1000, 400), font_size=40)
    photo_times, photo_cpu = [], []
    for _ in range(rounds * 3):
        start, cpu = time.perf_counter(), time.process_time()
        ocr.read(photo)
        photo_times.append(time.perf_counter() - start)
        photo_cpu.append(time.process_time() - cpu)
    print(
        f"OCR of an A4 scan page ({images[0].width}×{images[0].height} px, {settings.ocr_threads} threads): "
        f"median {statistics.median(per_page):.2f} s/page wall (min {min(per_page):.2f}, max {max(per_page):.2f}), "
        f"{statistics.median(cpu_page):.2f} s/page CPU, {len(per_page)} pages; text found on {found}/{len(per_page)} "
        f"pages; target ≤ 3 s/page; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
        flush=True,
    )
    print(
        f"OCR of a certificate photo (1000×400 px): median {statistics.median(photo_times):.2f} s wall, "
        f"{statistics.median(photo_cpu):.2f} s CPU",
        flush=True,
    )


def _write_batch(root: Path, cases: int, work: Path) -> None:
    base = formgen.load_cases(formgen.DEFAULT_CASES)
    clip = video_bytes(work)
    for number in range(cases):
        case = dict(
            base[number % len(base)],
            id=f"B{number:03d}",
            title=f"{base[number % len(base)]['title']}{number}",
        )
        folder = root / f"{number:03d}_{case['id']}"
        folder.mkdir(parents=True)
        formgen.write_form(case, folder / formgen.form_file_name(case), formgen.layout_for(case["id"]))
        (folder / "荣誉证书.jpg").write_bytes(
            image_bytes([f"荣誉证书 第{number}号", "授予年度优秀融媒体案例"])
        )
        (folder / "产品说明.pdf").write_bytes(
            text_pdf([f"产品说明 {number}：注册用户十二万", "服务说明：全国覆盖"])
        )
        (folder / "宣传视频.mp4").write_bytes(clip)
        if number % 10 == 0:
            (folder / "证明扫描件.pdf").write_bytes(scanned_pdf([PAGE_LINES]))


def bench_batch(cases: int, rounds: int) -> None:
    from pipelines import store
    from pipelines.intake.ingest import ingest_paths
    from pipelines.intake.ocr_queue import run_pending_ocr

    ingest_times, ocr_times, ocr_cpu, totals = [], [], [], []
    with tempfile.TemporaryDirectory(prefix="bench_attachments_") as tmp:
        work = Path(tmp)
        start = time.perf_counter()
        _write_batch(work / "batch", cases, work)
        files = [p for p in (work / "batch").rglob("*") if p.is_file()]
        size = sum(p.stat().st_size for p in files) / 2**20
        print(
            f"generated {cases} cases, {len(files)} files ({size:.0f} MB) in {time.perf_counter() - start:.1f} s"
        )
        for round_number in range(rounds):
            settings = with_overrides(Settings(), attachments_dir=str(work / f"store{round_number}"))
            engine = store.get_engine(f"sqlite:///{work / f'bench{round_number}.db'}")
            start = time.perf_counter()
            report = ingest_paths(engine, [work / "batch"], 2026, settings=settings)
            ingest_times.append(time.perf_counter() - start)
            start, cpu = time.perf_counter(), time.process_time()
            result = run_pending_ocr(engine, settings)
            ocr_times.append(time.perf_counter() - start)
            ocr_cpu.append(time.process_time() - cpu)
            print(
                f"run {round_number + 1}: ingest {ingest_times[-1]:.1f} s, OCR {ocr_times[-1]:.1f} s",
                flush=True,
            )
            totals.append(ingest_times[-1] + ocr_times[-1])
            store.dispose_engines()
            assert len(report.stored_ids) == cases, report.summary()
            assert result.pending == 0 and result.failed == 0, result
        counts = report.batch
    print(report.summary(), flush=True)
    print(
        f"batch of {cases} cases with {counts.files} attachments (medians of {rounds} runs): "
        f"ingest (read, type, measure, store; no OCR) {statistics.median(ingest_times):.1f} s "
        f"({statistics.median(ingest_times) / cases * 1000:.0f} ms/case; target < 60 s); "
        f"background OCR of {result.done} images and scans {statistics.median(ocr_times):.1f} s wall "
        f"({statistics.median(ocr_cpu):.1f} s CPU); "
        f"total {statistics.median(totals):.1f} s; runs {', '.join(f'{t:.1f}' for t in totals)} s; "
        f"load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=150, help="cases in the batch (0 = skip)")
    parser.add_argument("--pages", type=int, default=6, help="A4 scan pages for the per-page OCR timing")
    parser.add_argument("--rounds", type=int, default=3, help="runs; medians are reported")
    args = parser.parse_args(argv)
    settings = Settings()
    bench_ocr_pages(args.pages, args.rounds, settings)
    print(f"peak RSS after OCR timing: {_peak_rss_mb():.0f} MB")
    if args.cases:
        bench_batch(args.cases, args.rounds)
    print(f"peak RSS: {_peak_rss_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
