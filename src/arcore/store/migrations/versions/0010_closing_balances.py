"""Closing balances: what was open at each period close, so aging reads forward from it.

``period_closes`` records each date the books are closed through, and ``closing_balances``
every item open at the end of that date with its balance then. Nothing can be posted on or
before a closed date, so both are append-only (the same triggers as the journal's): an aging
as of a date after a close starts from that close's balances and reads only the postings
since, instead of the whole history.

The index of ``postings`` on ``(company_id, account, entry_date)`` now also holds the
document, the source and the amount, so the postings since a close are read from the index
alone.

Books closed before this revision have no closing balances; their agings read the history
as before until the next close.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_ID = 200
_TABLES = ("period_closes", "closing_balances")
_NARROW = ("company_id", "account", "entry_date")
_COVERING = (*_NARROW, "document_id", "source_id", "amount_minor")


def upgrade() -> None:
    """Create the two tables, the aging index and their triggers; widen the date index."""
    op.drop_index("ix_postings_company_id_account_entry_date", table_name="postings")
    op.create_index("ix_postings_account_date", "postings", list(_COVERING))
    op.create_table(
        "period_closes",
        sa.Column("company_id", sa.String(_ID), nullable=False),
        sa.Column("through", sa.Date, nullable=False),
        sa.PrimaryKeyConstraint("company_id", "through", name="pk_period_closes"),
    )
    op.create_table(
        "closing_balances",
        sa.Column("company_id", sa.String(_ID), nullable=False),
        sa.Column("through", sa.Date, nullable=False),
        sa.Column("item_id", sa.String(_ID), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("customer_id", sa.String(_ID), nullable=True),
        sa.Column("document_date", sa.Date, nullable=False),
        sa.Column("due_date", sa.Date, nullable=True),
        sa.Column("balance_minor", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("company_id", "through", "item_id", name="pk_closing_balances"),
    )
    op.create_index(
        "ix_closing_balances_aging",
        "closing_balances",
        ["company_id", "through", "currency", "customer_id", "document_date", "due_date",
         "balance_minor"],
    )  # fmt: skip
    for table in _TABLES:
        if op.get_bind().dialect.name == "postgresql":  # the function of revision 0001
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION arcore_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION arcore_append_only()"
            )
            continue
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: what was open at a "
                "close never changes'); END"
            )


def downgrade() -> None:
    """Drop the two tables (their triggers go with them); narrow the date index again."""
    op.drop_index("ix_postings_account_date", table_name="postings")
    op.create_index("ix_postings_company_id_account_entry_date", "postings", list(_NARROW))
    op.drop_index("ix_closing_balances_aging", table_name="closing_balances")
    op.drop_table("closing_balances")
    op.drop_table("period_closes")
