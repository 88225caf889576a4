"""``python -m pipelines claims``: print the claims of cases, or retrain the claims stage's two classifiers."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipelines.claims.extract import extract_claims_many
from pipelines.claims.kinds import KIND_TASK, ORIENTATION_TASK, ClaimsError
from pipelines.claims.training import train


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "claims",
        help="把案例切分为主张（成果/做法/计划/投入/背景/他人成果，否定、含糊、数字、来源）",
        description="逐句读出案例的主张；--train 用 data/claims/ 中的标注句子重新训练主张类型和导向两个分类器。",
    )
    parser.add_argument("--input", type=Path, help='案例 JSONL，每行 {"id","title","text"}（或 "sections"）')
    parser.add_argument(
        "--train", action="store_true", help="重新训练主张类型与导向分类器（写入 models/claims/）"
    )
    parser.set_defaults(func=_cli)


def _cli(args: argparse.Namespace) -> int:
    from pipelines.criteria.cases import read_jsonl, to_inputs
    from pipelines.criteria.rubric import ScoreError

    try:
        if args.train:
            for task in (KIND_TASK, ORIENTATION_TASK):
                card = train(task=task)
                writers = "、".join(f"{k} {v:.3f}" for k, v in card["held_out_writer_accuracy"].items())
                print(
                    f"{task.name}：{card['training_size']} 句，5 折交叉验证准确率 {card['cv_accuracy']:.3f}；"
                    f"留出一位编写者（用其余编写者的句子训练）：{writers}"
                )
            return 0
        if not args.input:
            print("请用 --input 指定案例文件，或用 --train 重新训练", file=sys.stderr)
            return 2
        cases = to_inputs(read_jsonl(args.input))
    except (ClaimsError, ScoreError) as error:
        print(f"主张抽取失败：{error.message}", file=sys.stderr)
        return 2
    for case, claims in zip(cases, extract_claims_many([c.text for c in cases]), strict=True):
        line = {"id": case.id, "claims": [claim.to_dict() for claim in claims]}
        sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
    return 0
