"""``make run``'s data step: the fictional sample data into the database, analysed, with demo accounts.

Idempotent: past cases are upserted, re-ingesting the same forms is a no-op (content hash), accounts that
exist are left alone, and analysis runs only for submissions without suggestions.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from pipelines import store
from pipelines.auth import DEMO_ACCOUNTS
from pipelines.config import SAMPLE_DIR, Settings, get_settings
from pipelines.intake.history import read_table


@dataclass
class SeedReport:
    past_cases: int = 0
    ingest_summary: str = ""
    accounts: list[str] = field(default_factory=list)
    analysis: str = ""

    def lines(self) -> list[str]:
        lines = [f"往年案例：{self.past_cases} 条", f"本年度申报表：{self.ingest_summary}"]
        if self.accounts:
            lines.append("新建演示账号：" + "、".join(self.accounts))
        if self.analysis:
            lines.append(self.analysis)
        return lines


def seed_accounts(engine: Engine) -> list[str]:
    from pipelines.auth import SYSTEM, AccountError, create_user

    created = []
    for username, role, password, unit, name in DEMO_ACCOUNTS:
        try:
            create_user(engine, SYSTEM, username, role, password, unit, name, temporary=False, demo=True)
        except AccountError:
            continue  # exists already
        created.append(username)
    return created


def seed(engine: Engine, settings: Settings | None = None, analyze: bool = True) -> SeedReport:
    """Load the sample history and forms, create demo accounts and analyse what is new."""
    from pipelines.analyze import analyze_submissions
    from pipelines.intake.ingest import ingest_paths

    settings = settings or get_settings()
    report = SeedReport()
    for path in sorted((SAMPLE_DIR / "history").glob("*.jsonl")):
        report.past_cases += store.save_past_cases(engine, read_table(path))
    forms = sorted(
        p for p in (SAMPLE_DIR / "forms_2026").iterdir() if p.name != "manifest.json"
    )  # not material
    ingest = ingest_paths(engine, forms, settings.call_year, "seed", settings=settings)
    report.ingest_summary = ingest.summary()
    report.accounts = seed_accounts(engine)
    if analyze:
        current = {row.id for row in store.list_submissions(engine, settings.call_year)}
        pending = current - set(store.latest_suggestions(engine, "eligibility", current))
        if pending:
            report.analysis = analyze_submissions(engine, sorted(pending), settings).summary()
    return report


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("seed", help="载入虚构样例数据（往年案例、本年度申报表、演示账号）并分析")
    parser.add_argument("--no-analyze", action="store_true", help="只载入，不分析")
    parser.set_defaults(func=_cli)


def _cli(args: argparse.Namespace) -> int:
    report = seed(store.get_engine(), analyze=not args.no_analyze)
    for line in report.lines():
        print(line)
    return 0
