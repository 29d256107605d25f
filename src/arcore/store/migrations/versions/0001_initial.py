"""The first schema: companies, customers, documents, applications, the journal, commands.

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_ID = 200
_APPEND_ONLY = ("journal_entries", "postings")


def _company_and_id() -> list[sa.Column[str]]:
    return [
        sa.Column("company_id", sa.String(_ID), primary_key=True),
        sa.Column("id", sa.String(_ID), primary_key=True),
    ]


def upgrade() -> None:
    """Create the tables, their indexes and the append-only triggers."""
    op.create_table(
        "companies",
        sa.Column("company_id", sa.String(_ID), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("chart", sa.Text, nullable=False),
        sa.Column("closed_through", sa.Date, nullable=True),
        sa.PrimaryKeyConstraint("company_id", name="pk_companies"),
    )
    op.create_table(
        "customers",
        *_company_and_id(),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("parent_id", sa.String(_ID), nullable=True),
        sa.Column("data", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("company_id", "id", name="pk_customers"),
    )
    op.create_table(
        "documents",
        *_company_and_id(),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("customer_id", sa.String(_ID), nullable=True),
        sa.Column("number", sa.String(_ID), nullable=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("document_date", sa.Date, nullable=False),
        sa.Column("due_date", sa.Date, nullable=True),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("disputed", sa.Boolean, nullable=False),
        sa.Column("entry_id", sa.String(_ID), nullable=True),
        sa.Column("data", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("company_id", "id", name="pk_documents"),
        sa.UniqueConstraint(
            "company_id", "kind", "number", name="uq_documents_company_id_kind_number"
        ),
    )
    op.create_index(
        "ix_documents_company_id_customer_id", "documents", ["company_id", "customer_id"]
    )
    op.create_table(
        "applications",
        *_company_and_id(),
        sa.Column("source_id", sa.String(_ID), nullable=False),
        sa.Column("target_id", sa.String(_ID), nullable=False),
        sa.Column("applied_date", sa.Date, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("discount_minor", sa.BigInteger, nullable=False),
        sa.Column("write_off_minor", sa.BigInteger, nullable=False),
        sa.Column("entry_id", sa.String(_ID), nullable=False),
        sa.Column("reversal_entry_id", sa.String(_ID), nullable=True),
        sa.Column("data", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("company_id", "id", name="pk_applications"),
    )
    op.create_index(
        "ix_applications_company_id_target_id", "applications", ["company_id", "target_id"]
    )
    op.create_index(
        "ix_applications_company_id_source_id", "applications", ["company_id", "source_id"]
    )
    op.create_table(
        "journal_entries",
        *_company_and_id(),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("entry_date", sa.Date, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("idempotency_key", sa.String(_ID), nullable=False),
        sa.Column("reverses", sa.String(_ID), nullable=True),
        sa.PrimaryKeyConstraint("company_id", "id", name="pk_journal_entries"),
        sa.UniqueConstraint("company_id", "seq", name="uq_journal_entries_company_id_seq"),
    )
    op.create_index(
        "ix_journal_entries_company_id_idempotency_key",
        "journal_entries",
        ["company_id", "idempotency_key"],
    )
    op.create_index(
        "ix_journal_entries_company_id_entry_date", "journal_entries", ["company_id", "entry_date"]
    )
    op.create_table(
        "postings",
        sa.Column("company_id", sa.String(_ID), primary_key=True),
        sa.Column("entry_id", sa.String(_ID), primary_key=True),
        sa.Column("line", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("entry_date", sa.Date, nullable=False),
        sa.Column("account", sa.String(_ID), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("customer_id", sa.String(_ID), nullable=True),
        sa.Column("document_id", sa.String(_ID), nullable=True),
        sa.Column("source_id", sa.String(_ID), nullable=True),
        sa.PrimaryKeyConstraint("company_id", "entry_id", "line", name="pk_postings"),
    )
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
    op.create_index("ix_postings_company_id_customer_id", "postings", ["company_id", "customer_id"])
    op.create_index(
        "ix_postings_company_id_account_entry_date",
        "postings",
        ["company_id", "account", "entry_date"],
    )
    op.create_table(
        "commands",
        sa.Column("company_id", sa.String(_ID), primary_key=True),
        sa.Column("idempotency_key", sa.String(_ID), primary_key=True),
        sa.Column("command", sa.String(40), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("result", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("company_id", "idempotency_key", name="pk_commands"),
    )
    _append_only_triggers()


def _append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION arcore_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only: post a reversal entry instead', "
            "TG_TABLE_NAME USING ERRCODE = 'restrict_violation'; END $$"
        )
        for table in _APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION arcore_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION arcore_append_only()"
            )
        return
    for table in _APPEND_ONLY:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: post a reversal entry "
                "instead'); END"
            )


def downgrade() -> None:
    """Drop everything (the data with it)."""
    for table in ("commands", "postings", "journal_entries", "applications", "documents"):
        op.drop_table(table)
    op.drop_table("customers")
    op.drop_table("companies")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION arcore_append_only()")
