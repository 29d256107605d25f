"""Payer accounts and names learnt from confirmed cash application.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``payer_memory``."""
    op.create_table(
        "payer_memory",
        sa.Column("company_id", sa.String(200), primary_key=True),
        sa.Column("kind", sa.String(10), primary_key=True),
        sa.Column("payer_key", sa.String(200), primary_key=True),
        sa.Column("customer_id", sa.String(200), nullable=False),
        sa.Column("payer", sa.Text, nullable=False),
        sa.Column("learnt_by", sa.String(200), nullable=False),
        sa.Column("learnt_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("company_id", "kind", "payer_key", name="pk_payer_memory"),
    )


def downgrade() -> None:
    """Drop ``payer_memory``."""
    op.drop_table("payer_memory")
