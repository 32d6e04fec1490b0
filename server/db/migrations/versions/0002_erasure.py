"""Erasure and retention: audit entries hash their payload separately (so a payload can be
redacted without breaking the chain), erased candidates leave a tombstone, and candidates carry
their retention quarantine and legal hold.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_events") as batch:
        # NULL on entries written before: their hash covers the payload itself.
        batch.add_column(sa.Column("payload_sha256", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("redacted_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("candidates") as batch:
        batch.add_column(sa.Column("quarantined_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("legal_hold_until", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("legal_hold_reason", sa.String(length=1000), nullable=True))
    op.create_table(
        "erased_candidates",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("owner_id", sa.String(length=64), nullable=False),
        sa.Column("candidate_key", sa.String(length=64), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erased_candidates")),
        sa.UniqueConstraint(
            "owner_id", "candidate_key", name=op.f("uq_erased_candidates_owner_id")
        ),
    )
    op.create_index(op.f("ix_erased_candidates_owner_id"), "erased_candidates", ["owner_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_erased_candidates_owner_id"), table_name="erased_candidates")
    op.drop_table("erased_candidates")
    with op.batch_alter_table("candidates") as batch:
        batch.drop_column("legal_hold_reason")
        batch.drop_column("legal_hold_until")
        batch.drop_column("quarantined_at")
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("redacted_at")
        batch.drop_column("payload_sha256")
