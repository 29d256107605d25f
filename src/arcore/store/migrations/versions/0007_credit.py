"""Credit: settings, approvers, applications, open orders, the hold log, write-off reviews.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_ID = 200


def _company() -> sa.Column[str]:
    return sa.Column("company_id", sa.String(_ID), primary_key=True)


def _at(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    """Create the credit tables."""
    op.create_table(
        "credit_settings",
        _company(),
        sa.Column("hold_after_days", sa.Integer, nullable=False),
        sa.Column("updated_by", sa.String(_ID), nullable=False),
        _at("updated_at"),
        sa.PrimaryKeyConstraint("company_id", name="pk_credit_settings"),
    )
    op.create_table(
        "credit_approvers",
        _company(),
        sa.Column("name", sa.String(_ID), primary_key=True),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("max_limit_minor", sa.BigInteger, nullable=True),
        sa.Column("added_by", sa.String(_ID), nullable=False),
        _at("added_at"),
        sa.PrimaryKeyConstraint("company_id", "name", name="pk_credit_approvers"),
    )
    op.create_table(
        "credit_applications",
        _company(),
        sa.Column("id", sa.String(_ID), primary_key=True),
        sa.Column("customer_id", sa.String(_ID), nullable=False),
        sa.Column("received", sa.Date, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("recommendation", sa.Text, nullable=True),
        sa.Column("decision", sa.Text, nullable=True),
        sa.Column("approved_by", sa.String(_ID), nullable=True),
        _at("approved_at", nullable=True),
        sa.Column("recorded_by", sa.String(_ID), nullable=False),
        _at("recorded_at"),
        sa.PrimaryKeyConstraint("company_id", "id", name="pk_credit_applications"),
    )
    op.create_index(
        "ix_credit_applications_company_id_customer_id",
        "credit_applications",
        ["company_id", "customer_id"],
    )
    op.create_table(
        "credit_orders",
        _company(),
        sa.Column("id", sa.String(_ID), primary_key=True),
        sa.Column("customer_id", sa.String(_ID), nullable=False),
        sa.Column("order_date", sa.Date, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("recorded_by", sa.String(_ID), nullable=False),
        _at("recorded_at"),
        sa.Column("closed_by", sa.String(_ID), nullable=True),
        _at("closed_at", nullable=True),
        sa.PrimaryKeyConstraint("company_id", "id", name="pk_credit_orders"),
    )
    op.create_index(
        "ix_credit_orders_company_id_customer_id_status",
        "credit_orders",
        ["company_id", "customer_id", "status"],
    )
    op.create_table(
        "credit_holds",
        _company(),
        sa.Column("id", sa.String(_ID), primary_key=True),
        sa.Column("customer_id", sa.String(_ID), nullable=False),
        sa.Column("order_id", sa.String(_ID), nullable=True),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("by", sa.String(_ID), nullable=False),
        _at("at"),
        sa.PrimaryKeyConstraint("company_id", "id", name="pk_credit_holds"),
    )
    op.create_index(
        "ix_credit_holds_company_id_customer_id", "credit_holds", ["company_id", "customer_id"]
    )
    op.create_table(
        "credit_write_off_reviews",
        _company(),
        sa.Column("id", sa.String(_ID), primary_key=True),
        sa.Column("document_id", sa.String(_ID), nullable=False),
        sa.Column("customer_id", sa.String(_ID), nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("queued_by", sa.String(_ID), nullable=False),
        _at("queued_at"),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("decided_by", sa.String(_ID), nullable=True),
        _at("decided_at", nullable=True),
        sa.Column("note", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("company_id", "id", name="pk_credit_write_off_reviews"),
    )
    op.create_index(
        "ix_credit_write_off_reviews_company_id_status",
        "credit_write_off_reviews",
        ["company_id", "status"],
    )
    op.create_index(
        "ix_credit_write_off_reviews_company_id_document_id",
        "credit_write_off_reviews",
        ["company_id", "document_id"],
    )


def downgrade() -> None:
    """Drop the credit tables (their data with them)."""
    for table in (
        "credit_write_off_reviews",
        "credit_holds",
        "credit_orders",
        "credit_applications",
        "credit_approvers",
        "credit_settings",
    ):
        op.drop_table(table)
