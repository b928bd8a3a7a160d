"""Automatic transcript corrections keep the recognised text in the store.

``segments.original_text``: the text as the recogniser gave it, when a later stage (the scheme-name
correction) changed it; encrypted like ``segments.text`` because it is the citizen's words.
``segments.corrections``: what changed, where and by which rule (no personal data beyond scheme names).
Without these the original survived only in memory, so after a restart, or in the supervisor's view,
a corrected segment could no longer show what was actually recognised.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("segments") as batch:
        batch.add_column(sa.Column("original_text", sa.Text, nullable=True))
        batch.add_column(sa.Column("corrections", sa.JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("segments") as batch:
        batch.drop_column("corrections")
        batch.drop_column("original_text")
