"""Collections: profiles, dunning history, interactions, promises, plans, disputes, escalations.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_ID = 200


def _recorded() -> sa.Column[object]:
    return sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    """Create the collection tables."""
    op.create_table(
        "collection_profiles",
        sa.Column("company_id", sa.String(_ID), primary_key=True),
        sa.Column("customer_id", sa.String(_ID), primary_key=True),
        sa.Column("dunning_group", sa.String(_ID), nullable=True),
        sa.Column("language", sa.String(10), nullable=False),
        sa.Column("collector", sa.String(_ID), nullable=True),
        sa.Column("blocked_channels", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("company_id", "customer_id", name="pk_collection_profiles"),
    )
    op.create_table(
        "collection_dunning",
        sa.Column("company_id", sa.String(_ID), primary_key=True),
        sa.Column("document_id", sa.String(_ID), primary_key=True),
        sa.Column("policy", sa.String(_ID), primary_key=True),
        sa.Column("step", sa.String(_ID), primary_key=True),
        sa.Column("customer_id", sa.String(_ID), nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("fee_document_id", sa.String(_ID), nullable=True),
        _recorded(),
        sa.PrimaryKeyConstraint(
            "company_id", "document_id", "policy", "step", name="pk_collection_dunning"
        ),
    )
    op.create_index(
        "ix_collection_dunning_company_id_customer_id",
        "collection_dunning",
        ["company_id", "customer_id"],
    )
    op.create_table(
        "collection_interactions",
        sa.Column("company_id", sa.String(_ID), primary_key=True),
        sa.Column("id", sa.String(_ID), primary_key=True),
        sa.Column("customer_id", sa.String(_ID), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("collector", sa.String(_ID), nullable=False),
        sa.Column("contact", sa.Text, nullable=False),
        sa.Column("outcome", sa.Text, nullable=False),
        sa.Column("follow_up", sa.Date, nullable=True),
        sa.Column("document_id", sa.String(_ID), nullable=True),
        sa.Column("note", sa.Text, nullable=False),
        _recorded(),
        sa.PrimaryKeyConstraint("company_id", "id", name="pk_collection_interactions"),
    )
    op.create_index(
        "ix_collection_interactions_company_id_customer_id_occurred_at",
        "collection_interactions",
        ["company_id", "customer_id", "occurred_at"],
    )
    op.create_index(
        "ix_collection_interactions_company_id_collector_occurred_at",
        "collection_interactions",
        ["company_id", "collector", "occurred_at"],
    )
    op.create_table(
        "collection_promises",
        sa.Column("company_id", sa.String(_ID), primary_key=True),
        sa.Column("id", sa.String(_ID), primary_key=True),
        sa.Column("customer_id", sa.String(_ID), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("made_on", sa.Date, nullable=False),
        sa.Column("promised_date", sa.Date, nullable=False),
        sa.Column("document_ids", sa.Text, nullable=False),
        sa.Column("collector", sa.String(_ID), nullable=False),
        sa.Column("cancelled", sa.Boolean, nullable=False),
        _recorded(),
        sa.PrimaryKeyConstraint("company_id", "id", name="pk_collection_promises"),
    )
    op.create_index(
        "ix_collection_promises_company_id_customer_id",
        "collection_promises",
        ["company_id", "customer_id"],
    )
    op.create_table(
        "collection_plans",
        sa.Column("company_id", sa.String(_ID), primary_key=True),
        sa.Column("id", sa.String(_ID), primary_key=True),
        sa.Column("customer_id", sa.String(_ID), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("agreed_on", sa.Date, nullable=False),
        sa.Column("document_ids", sa.Text, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("collector", sa.String(_ID), nullable=False),
        sa.Column("cancelled", sa.Boolean, nullable=False),
        _recorded(),
        sa.PrimaryKeyConstraint("company_id", "id", name="pk_collection_plans"),
    )
    op.create_index(
        "ix_collection_plans_company_id_customer_id",
        "collection_plans",
        ["company_id", "customer_id"],
    )
    op.create_table(
        "collection_disputes",
        sa.Column("company_id", sa.String(_ID), primary_key=True),
        sa.Column("id", sa.String(_ID), primary_key=True),
        sa.Column("document_id", sa.String(_ID), nullable=False),
        sa.Column("customer_id", sa.String(_ID), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("reason_code", sa.String(40), nullable=False),
        sa.Column("owner", sa.String(_ID), nullable=False),
        sa.Column("opened_on", sa.Date, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("resolution", sa.String(20), nullable=True),
        sa.Column("resolved_on", sa.Date, nullable=True),
        sa.Column("resolution_documents", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        _recorded(),
        sa.PrimaryKeyConstraint("company_id", "id", name="pk_collection_disputes"),
    )
    op.create_index(
        "ix_collection_disputes_company_id_document_id",
        "collection_disputes",
        ["company_id", "document_id"],
    )
    op.create_index(
        "ix_collection_disputes_company_id_customer_id",
        "collection_disputes",
        ["company_id", "customer_id"],
    )
    op.create_table(
        "collection_escalations",
        sa.Column("company_id", sa.String(_ID), primary_key=True),
        sa.Column("id", sa.String(_ID), primary_key=True),
        sa.Column("customer_id", sa.String(_ID), nullable=False),
        sa.Column("document_id", sa.String(_ID), nullable=True),
        sa.Column("agency", sa.String(_ID), nullable=False),
        sa.Column("escalated_on", sa.Date, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        _recorded(),
        sa.PrimaryKeyConstraint("company_id", "id", name="pk_collection_escalations"),
    )
    op.create_index(
        "ix_collection_escalations_company_id_customer_id",
        "collection_escalations",
        ["company_id", "customer_id"],
    )


def downgrade() -> None:
    """Drop the collection tables."""
    op.drop_index(
        "ix_collection_escalations_company_id_customer_id", table_name="collection_escalations"
    )
    op.drop_table("collection_escalations")
    op.drop_index("ix_collection_disputes_company_id_customer_id", table_name="collection_disputes")
    op.drop_index("ix_collection_disputes_company_id_document_id", table_name="collection_disputes")
    op.drop_table("collection_disputes")
    op.drop_index("ix_collection_plans_company_id_customer_id", table_name="collection_plans")
    op.drop_table("collection_plans")
    op.drop_index("ix_collection_promises_company_id_customer_id", table_name="collection_promises")
    op.drop_table("collection_promises")
    op.drop_index(
        "ix_collection_interactions_company_id_collector_occurred_at",
        table_name="collection_interactions",
    )
    op.drop_index(
        "ix_collection_interactions_company_id_customer_id_occurred_at",
        table_name="collection_interactions",
    )
    op.drop_table("collection_interactions")
    op.drop_index("ix_collection_dunning_company_id_customer_id", table_name="collection_dunning")
    op.drop_table("collection_dunning")
    op.drop_table("collection_profiles")
