"""Balances as of a date from the postings' indexes alone (aging over large books).

The indexes on ``(company_id, document_id, account)`` and ``(company_id, source_id,
account)`` also hold ``entry_date`` and ``amount_minor`` now, so the sum of every document's
(and receipt's) postings as of a date is read from the index in document order: no sort and
no read of the table's rows. They still serve the look-ups of one document's balance.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_COLUMNS = ("entry_date", "amount_minor")


def upgrade() -> None:
    """Replace the document and source indexes of ``postings`` with covering ones."""
    op.drop_index("ix_postings_company_id_document_id_account", table_name="postings")
    op.drop_index("ix_postings_company_id_source_id_account", table_name="postings")
    op.create_index(
        "ix_postings_document_balance",
        "postings",
        ["company_id", "document_id", "account", *_COLUMNS],
    )
    op.create_index(
        "ix_postings_source_balance", "postings", ["company_id", "source_id", "account", *_COLUMNS]
    )


def downgrade() -> None:
    """Bring back the narrower indexes of 0001."""
    op.drop_index("ix_postings_source_balance", table_name="postings")
    op.drop_index("ix_postings_document_balance", table_name="postings")
    op.create_index(
        "ix_postings_company_id_document_id_account",
        "postings",
        ["company_id", "document_id", "account"],
    )
    op.create_index(
        "ix_postings_company_id_source_id_account",
        "postings",
        ["company_id", "source_id", "account"],
    )
