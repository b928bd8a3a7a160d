"""Review status and source hash on consultations.

``review_status``: draft (下書き) → pending (確認待ち) → approved (承認済み) | returned (差戻し).
``source_sha256``: the content hash of a batch-processed recording, so a re-run adds no duplicate.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("consultations") as batch:
        batch.add_column(sa.Column("review_status", sa.String(16), nullable=False, server_default="draft"))
        batch.add_column(sa.Column("source_sha256", sa.String(64), nullable=True))
        batch.create_index("ix_consultations_review_status", ["review_status"])
        batch.create_index("ix_consultations_source_sha256", ["source_sha256"])


def downgrade() -> None:
    with op.batch_alter_table("consultations") as batch:
        batch.drop_index("ix_consultations_source_sha256")
        batch.drop_index("ix_consultations_review_status")
        batch.drop_column("source_sha256")
        batch.drop_column("review_status")
