"""The sync engine's state: mappings, cursors, outbox, conflicts and tokens.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_ID = 200


def _company_key(*columns: sa.Column[str]) -> list[sa.Column[str]]:
    return [sa.Column("company_id", sa.String(_ID), primary_key=True), *columns]


def upgrade() -> None:
    """Create the mapping, cursor, outbox, conflict and token tables."""
    op.create_table(
        "sync_mappings",
        *_company_key(
            sa.Column("system", sa.String(40), primary_key=True),
            sa.Column("entity", sa.String(20), primary_key=True),
            sa.Column("external_id", sa.String(_ID), primary_key=True),
        ),
        sa.Column("core_id", sa.String(_ID), nullable=False),
        sa.Column("version", sa.String(_ID), nullable=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("applied", sa.String(64), nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("data", sa.Text, nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "company_id", "system", "entity", "external_id", name="pk_sync_mappings"
        ),
        sa.UniqueConstraint(
            "company_id",
            "system",
            "entity",
            "core_id",
            name="uq_sync_mappings_company_id_system_entity_core_id",
        ),
    )
    op.create_table(
        "sync_cursors",
        *_company_key(
            sa.Column("system", sa.String(40), primary_key=True),
            sa.Column("entity", sa.String(20), primary_key=True),
        ),
        sa.Column("cursor", sa.Text, nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("company_id", "system", "entity", name="pk_sync_cursors"),
    )
    op.create_table(
        "sync_outbox",
        *_company_key(
            sa.Column("system", sa.String(40), primary_key=True),
            sa.Column("idempotency_key", sa.String(_ID), primary_key=True),
        ),
        sa.Column("entity", sa.String(20), nullable=False),
        sa.Column("core_id", sa.String(_ID), nullable=False),
        sa.Column("operation", sa.String(20), nullable=False),
        sa.Column("request", sa.Text, nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("company_id", "system", "idempotency_key", name="pk_sync_outbox"),
    )
    op.create_index(
        "ix_sync_outbox_company_id_system_state", "sync_outbox", ["company_id", "system", "state"]
    )
    op.create_table(
        "sync_conflicts",
        *_company_key(
            sa.Column("system", sa.String(40), primary_key=True),
            sa.Column("entity", sa.String(20), primary_key=True),
            sa.Column("core_id", sa.String(_ID), primary_key=True),
        ),
        sa.Column("external_id", sa.String(_ID), nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("core_data", sa.Text, nullable=True),
        sa.Column("vendor_data", sa.Text, nullable=True),
        sa.Column("vendor_version", sa.String(_ID), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("resolution", sa.String(20), nullable=True),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint(
            "company_id", "system", "entity", "core_id", name="pk_sync_conflicts"
        ),
    )
    op.create_table(
        "sync_tokens",
        *_company_key(
            sa.Column("system", sa.String(40), primary_key=True),
            sa.Column("tenant", sa.String(_ID), primary_key=True),
        ),
        sa.Column("token", sa.Text, nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("company_id", "system", "tenant", name="pk_sync_tokens"),
    )


def downgrade() -> None:
    """Drop the sync engine's tables."""
    op.drop_table("sync_tokens")
    op.drop_table("sync_conflicts")
    op.drop_index("ix_sync_outbox_company_id_system_state", table_name="sync_outbox")
    op.drop_table("sync_outbox")
    op.drop_table("sync_cursors")
    op.drop_table("sync_mappings")
