"""Command line: ``python -m pipelines <verb> ...``.

Each verb lives in the module of its pipeline stage, which exposes ``add_cli(subparsers)``
registering its verbs with ``set_defaults(func=...)``; ``func(args)`` returns the exit code.
Only the module of the requested verb is imported, so a slow import (torch) never slows others.
"""

from __future__ import annotations

import argparse
import importlib
import sys

VERBS: dict[str, str] = {
    "template": "pipelines.intake.template",
    "extract": "pipelines.intake.extract",
    "ingest": "pipelines.analyze",  # ingest, then analyse: the one orchestration
    "ocr": "pipelines.intake.ocr_queue",
    "import-history": "pipelines.intake.history",
    "seed": "pipelines.seed",
    "analyze": "pipelines.analyze",
    "prepare-history": "pipelines.analyze",
    "build-sample": "tools.formgen",
    "train": "pipelines.classify.cli",
    "evaluate": "pipelines.classify.cli",
    "classify": "pipelines.classify.cli",
    "dedupe": "pipelines.repeats.cli",
    "evaluate-dedupe": "pipelines.repeats.cli",
    "score": "pipelines.criteria.score",
    "claims": "pipelines.claims.cli",
    "user": "pipelines.accounts",
    "trends": "pipelines.trends.cli",
    "export": "pipelines.review.export",
}


def build_parser(verb: str | None) -> argparse.ArgumentParser:
    """Build the parser; only the module owning ``verb`` registers its sub-commands."""
    parser = argparse.ArgumentParser(prog="python -m pipelines", description="案例评审工作台命令行")
    subparsers = parser.add_subparsers(dest="verb", metavar="|".join(VERBS))
    modules = [VERBS[verb]] if verb in VERBS else sorted(set(VERBS.values()))
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if verb in VERBS:
                raise
            print(f"（跳过尚不可用的模块 {name}: {exc}）", file=sys.stderr)
            continue
        module.add_cli(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    verb = argv[0] if argv else None
    parser = build_parser(verb)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
