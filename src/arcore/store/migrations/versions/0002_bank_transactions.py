"""Bank statement lines, for deposit verification.

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
    """Create ``bank_transactions``."""
    op.create_table(
        "bank_transactions",
        sa.Column("company_id", sa.String(200), primary_key=True),
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("account", sa.String(200), nullable=False),
        sa.Column("booking_date", sa.Date, nullable=False),
        sa.Column("value_date", sa.Date, nullable=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("reference", sa.Text, nullable=False),
        sa.Column("counterparty_name", sa.Text, nullable=False),
        sa.Column("counterparty_account", sa.String(200), nullable=False),
        sa.Column("bank_reference", sa.String(200), nullable=False),
        sa.Column("type_code", sa.String(40), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("line", sa.Integer, nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.PrimaryKeyConstraint("company_id", "id", name="pk_bank_transactions"),
    )
    op.create_index(
        "ix_bank_transactions_company_id_status_booking_date",
        "bank_transactions",
        ["company_id", "status", "booking_date"],
    )


def downgrade() -> None:
    """Drop ``bank_transactions``."""
    op.drop_table("bank_transactions")
