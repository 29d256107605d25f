"""Dunning outbox: messages decided, waiting for working hours, sent once; interest dates.

``collection_outbox`` holds every dunning message from the moment a run decides it until it
is sent (or superseded by a later step). ``collection_dunning`` gains ``charged_through``
(the date a step's interest was charged up to, so the next step charges only from there) and
``message_id`` (the outbox row the step went out in).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_ID = 200


def _at(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    """Create the outbox and add the interest date and message to the dunning history."""
    op.create_table(
        "collection_outbox",
        sa.Column("company_id", sa.String(_ID), primary_key=True),
        sa.Column("id", sa.String(_ID), primary_key=True),
        sa.Column("customer_id", sa.String(_ID), nullable=False),
        sa.Column("policy", sa.String(_ID), nullable=False),
        sa.Column("step", sa.String(_ID), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),
        _at("scheduled_at"),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
        _at("claimed_until", nullable=True),
        _at("sent_at", nullable=True),
        sa.Column("reference", sa.Text, nullable=True),
        sa.Column("fee_document_ids", sa.Text, nullable=True),
        _at("created_at"),
        sa.PrimaryKeyConstraint("company_id", "id", name="pk_collection_outbox"),
    )
    op.create_index(
        "ix_collection_outbox_company_id_status_scheduled_at",
        "collection_outbox",
        ["company_id", "status", "scheduled_at"],
    )
    op.add_column("collection_dunning", sa.Column("charged_through", sa.Date, nullable=True))
    op.add_column("collection_dunning", sa.Column("message_id", sa.String(_ID), nullable=True))


def downgrade() -> None:
    """Drop the outbox and the added columns."""
    with op.batch_alter_table("collection_dunning") as batch:
        batch.drop_column("message_id")
        batch.drop_column("charged_through")
    op.drop_index(
        "ix_collection_outbox_company_id_status_scheduled_at", table_name="collection_outbox"
    )
    op.drop_table("collection_outbox")
