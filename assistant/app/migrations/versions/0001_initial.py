"""Initial schema: consultations, segments, audio files, suggestions, drafts, events.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consultations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("ended_at", sa.DateTime, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("staff", sa.String(100), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("counter", sa.String(100), nullable=False),
        sa.Column("consent", sa.Boolean, nullable=False),
        sa.Column("consent_at", sa.DateTime, nullable=True),
        sa.Column("off_record", sa.Boolean, nullable=False),
        sa.Column("meta", sa.JSON, nullable=False),
    )
    op.create_index("ix_consultations_status", "consultations", ["status"])
    op.create_table(
        "segments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("consultation_id", sa.Integer, sa.ForeignKey("consultations.id"), nullable=False),
        sa.Column("seg_id", sa.Integer, nullable=False),
        sa.Column("start", sa.Float, nullable=False),
        sa.Column("end", sa.Float, nullable=False),
        sa.Column("speaker", sa.String(16), nullable=False),
        sa.Column("speaker_id", sa.String(16), nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("flags", sa.JSON, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("consultation_id", "seg_id", name="uq_segment_id"),
    )
    op.create_index("ix_segments_consultation_id", "segments", ["consultation_id"])
    op.create_table(
        "audio_files",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("consultation_id", sa.Integer, sa.ForeignKey("consultations.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("offset", sa.Float, nullable=False),
        sa.Column("duration", sa.Float, nullable=False),
        sa.Column("original_name", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_audio_files_consultation_id", "audio_files", ["consultation_id"])
    op.create_table(
        "suggestions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("consultation_id", sa.Integer, sa.ForeignKey("consultations.id"), nullable=False),
        sa.Column("scheme_id", sa.String(100), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("first_shown_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.UniqueConstraint("consultation_id", "scheme_id", name="uq_suggestion_scheme"),
    )
    op.create_index("ix_suggestions_consultation_id", "suggestions", ["consultation_id"])
    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("consultation_id", sa.Integer, sa.ForeignKey("consultations.id"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("author", sa.String(16), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("consultation_id", "version", name="uq_draft_version"),
    )
    op.create_index("ix_drafts_consultation_id", "drafts", ["consultation_id"])
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("consultation_id", sa.Integer, sa.ForeignKey("consultations.id"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_events_consultation_id", "events", ["consultation_id"])


def downgrade() -> None:
    for table in ("events", "drafts", "suggestions", "audio_files", "segments", "consultations"):
        op.drop_table(table)
