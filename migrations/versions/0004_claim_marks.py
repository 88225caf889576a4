"""claim marks: reviewers marking machine-read claims as wrong

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"  # chained after main's 0003 at merge
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "claim_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("claim_key", sa.String(length=64), nullable=False),
        sa.Column("claim_text", sa.Text(), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["submission_id"], ["submissions.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("claim_marks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_marks_claim_key"), ["claim_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_claim_marks_submission_id"), ["submission_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("claim_marks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_marks_submission_id"))
        batch_op.drop_index(batch_op.f("ix_claim_marks_claim_key"))
    op.drop_table("claim_marks")
