"""Supervisor review: review actions, transcript corrections, a search index of records.

- ``review_actions``: every review step (submit, edit, correct, return, approve, unmask, export,
  help) with who did it, their role and the comment, so the history of a record can be read back.
- ``segment_corrections``: a transcript correction keeps the original text or speaker here; the
  segment row holds the corrected value.
- ``review_index``: one row per consultation with the non-personal fields the review list filters
  on (date, staff, counter, category, schemes, urgent kinds) and the masked text it searches, so
  listing 10,000 records never opens their drafts.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_actions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("consultation_id", sa.Integer, sa.ForeignKey("consultations.id"), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
    )
    op.create_index("ix_review_actions_consultation_id", "review_actions", ["consultation_id"])
    op.create_index("ix_review_actions_action", "review_actions", ["action"])
    op.create_table(
        "segment_corrections",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("consultation_id", sa.Integer, sa.ForeignKey("consultations.id"), nullable=False),
        sa.Column("seg_id", sa.Integer, nullable=False),
        sa.Column("field", sa.String(16), nullable=False),
        sa.Column("old", sa.Text, nullable=False),
        sa.Column("new", sa.Text, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_segment_corrections_consultation_id", "segment_corrections", ["consultation_id"])
    op.create_table(
        "review_index",
        sa.Column("consultation_id", sa.Integer, sa.ForeignKey("consultations.id"), primary_key=True),
        sa.Column("date", sa.Date, nullable=True),
        sa.Column("staff", sa.String(100), nullable=False),
        sa.Column("counter", sa.String(100), nullable=False),
        sa.Column("category", sa.String(100), nullable=False),
        sa.Column("schemes", sa.Text, nullable=False),
        sa.Column("pinned", sa.Text, nullable=False),
        sa.Column("urgent", sa.String(200), nullable=False),
        sa.Column("search_text", sa.Text, nullable=False),
        sa.Column("submitted_at", sa.DateTime, nullable=True),
        sa.Column("approved_at", sa.DateTime, nullable=True),
        sa.Column("returned_count", sa.Integer, nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
    )
    for col in ("date", "staff", "counter", "category"):
        op.create_index(f"ix_review_index_{col}", "review_index", [col])


def downgrade() -> None:
    for table in ("review_index", "segment_corrections", "review_actions"):
        op.drop_table(table)
