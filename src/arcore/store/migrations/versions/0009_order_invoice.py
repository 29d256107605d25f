"""Credit: an invoiced order names its invoice, so exposure counts one or the other.

``credit_orders`` gains ``invoice_id``: the order counts in the customer's exposure until the
invoice's date, from which the invoice itself is open AR.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_ID = 200


def upgrade() -> None:
    """Add the invoice of an invoiced order."""
    op.add_column("credit_orders", sa.Column("invoice_id", sa.String(_ID), nullable=True))


def downgrade() -> None:
    """Drop the invoice of an invoiced order."""
    with op.batch_alter_table("credit_orders") as batch:
        batch.drop_column("invoice_id")
