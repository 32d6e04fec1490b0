"""Voluntary self-identification (sex, race/ethnicity) for bias audits, kept apart from every
table a stage run reads.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "self_identifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("owner_id", sa.String(length=64), nullable=False),
        sa.Column("candidate_id", sa.String(length=64), nullable=False),
        sa.Column("sex", sa.String(length=16), nullable=True),
        sa.Column("race_ethnicity", sa.String(length=64), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_identifications")),
        sa.UniqueConstraint(
            "owner_id", "candidate_id", name=op.f("uq_self_identifications_owner_id")
        ),
    )
    op.create_index(op.f("ix_self_identifications_owner_id"), "self_identifications", ["owner_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_self_identifications_owner_id"), table_name="self_identifications")
    op.drop_table("self_identifications")
