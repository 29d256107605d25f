"""The store's tables, in SQLAlchemy Core: one definition for SQLite and PostgreSQL.

Every table starts its primary key with ``company_id``: no row exists outside a company, and
every query the store runs filters on it. Amounts are integers of minor units
(``amount_minor`` with the row's ``currency``), exact on both backends. Documents keep their
full pydantic form in ``data`` (JSON text) next to the columns queries filter and sort on.

``journal_entries`` and ``postings`` are append-only: the migrations install triggers that
refuse ``UPDATE`` and ``DELETE`` on them, so a correction can only be a new entry. So are
``period_closes`` and ``closing_balances``: what was open at a close never changes.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

__all__ = [
    "APPEND_ONLY_TABLES",
    "applications",
    "bank_transactions",
    "closing_balances",
    "collection_disputes",
    "collection_dunning",
    "collection_escalations",
    "collection_interactions",
    "collection_outbox",
    "collection_plans",
    "collection_profiles",
    "collection_promises",
    "commands",
    "companies",
    "credit_applications",
    "credit_approvers",
    "credit_holds",
    "credit_orders",
    "credit_settings",
    "credit_write_off_reviews",
    "customers",
    "documents",
    "journal_entries",
    "metadata",
    "payer_memory",
    "period_closes",
    "postings",
]

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)
"""All of arcore's tables; the migrations create exactly these (a test compares them)."""

_ID: Final = 200  # identifiers: document numbers, external ids, idempotency keys

companies = Table(
    "companies",
    metadata,
    Column("company_id", String(_ID), primary_key=True),
    Column("name", Text, nullable=False),
    Column("chart", Text, nullable=False),  # ChartOfAccounts as JSON
    Column("closed_through", Date, nullable=True),
)
"""One row per set of books: its chart of accounts and the last closed date."""

customers = Table(
    "customers",
    metadata,
    Column("company_id", String(_ID), primary_key=True),
    Column("id", String(_ID), primary_key=True),
    Column("name", Text, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("parent_id", String(_ID), nullable=True),
    Column("data", Text, nullable=False),  # the Customer model as JSON
)
"""Customers (master data; the only rows a later import may replace)."""

documents = Table(
    "documents",
    metadata,
    Column("company_id", String(_ID), primary_key=True),
    Column("id", String(_ID), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("customer_id", String(_ID), nullable=True),
    Column("number", String(_ID), nullable=True),
    Column("currency", String(3), nullable=False),
    Column("document_date", Date, nullable=False),
    Column("due_date", Date, nullable=True),
    Column("amount_minor", BigInteger, nullable=False),
    Column("status", String(20), nullable=False),
    Column("disputed", Boolean, nullable=False),
    Column("entry_id", String(_ID), nullable=True),  # the entry that issued or recorded it
    Column("data", Text, nullable=False),  # the document model as JSON
    UniqueConstraint("company_id", "kind", "number"),
    Index(None, "company_id", "customer_id"),
)
"""Invoices, debit and credit memos, payments, customer deposits and refunds.

``document_date`` is the received date of a receipt; ``amount_minor`` the total.
"""

applications = Table(
    "applications",
    metadata,
    Column("company_id", String(_ID), primary_key=True),
    Column("id", String(_ID), primary_key=True),
    Column("source_id", String(_ID), nullable=False),
    Column("target_id", String(_ID), nullable=False),
    Column("applied_date", Date, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("discount_minor", BigInteger, nullable=False),
    Column("write_off_minor", BigInteger, nullable=False),
    Column("entry_id", String(_ID), nullable=False),
    Column("reversal_entry_id", String(_ID), nullable=True),
    Column("data", Text, nullable=False),
    Index(None, "company_id", "target_id"),
    Index(None, "company_id", "source_id"),
)
"""Applications of payments, credits and deposits; an unapplied one names its reversal."""

journal_entries = Table(
    "journal_entries",
    metadata,
    Column("company_id", String(_ID), primary_key=True),
    Column("id", String(_ID), primary_key=True),
    Column("seq", BigInteger, nullable=False),  # recording order within the company
    Column("entry_date", Date, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("actor", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("idempotency_key", String(_ID), nullable=False),
    Column("reverses", String(_ID), nullable=True),
    UniqueConstraint("company_id", "seq"),
    Index(None, "company_id", "idempotency_key"),
    Index(None, "company_id", "entry_date"),
)
"""The journal's entry headers: who, why, when and which command (append-only)."""

postings = Table(
    "postings",
    metadata,
    Column("company_id", String(_ID), primary_key=True),
    Column("entry_id", String(_ID), primary_key=True),
    Column("line", Integer, primary_key=True, autoincrement=False),
    Column("entry_date", Date, nullable=False),  # the entry's, so as-of sums need no join
    Column("account", String(_ID), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),  # debit > 0 > credit
    Column("customer_id", String(_ID), nullable=True),
    Column("document_id", String(_ID), nullable=True),
    Column("source_id", String(_ID), nullable=True),
    # A document's (or receipt's) balance on one account: the guards and status updates,
    # and every document's balance as of a date (aging), read from the index alone. Named,
    # as the convention's name would pass PostgreSQL's 63 characters.
    Index(
        "ix_postings_document_balance",
        "company_id",
        "document_id",
        "account",
        "entry_date",
        "amount_minor",
    ),
    Index(
        "ix_postings_source_balance",
        "company_id",
        "source_id",
        "account",
        "entry_date",
        "amount_minor",
    ),
    Index(None, "company_id", "customer_id"),
    # An account's postings in a date range with what they belong to: the postings since a
    # close (aging) and account balances as of a date, read from the index alone.
    Index(
        "ix_postings_account_date",
        "company_id",
        "account",
        "entry_date",
        "document_id",
        "source_id",
        "amount_minor",
    ),
)
"""The journal's lines (append-only)."""

# --- closing balances (migration 0010) ---------------------------------------------------

period_closes = Table(
    "period_closes",
    metadata,
    Column("company_id", String(_ID), primary_key=True),
    Column("through", Date, primary_key=True),
)
"""Each date the books were closed through; its open items are in ``closing_balances``."""

closing_balances = Table(
    "closing_balances",
    metadata,
    Column("company_id", String(_ID), primary_key=True),
    Column("through", Date, primary_key=True),
    Column("item_id", String(_ID), primary_key=True),  # a document's or a receipt's id
    Column("currency", String(3), nullable=False),
    Column("customer_id", String(_ID), nullable=True),
    Column("document_date", Date, nullable=False),
    Column("due_date", Date, nullable=True),
    Column("balance_minor", BigInteger, nullable=False),  # signed as the postings: owed > 0
    # The aging of a close, per customer, read from the index alone in grouping order.
    Index(
        "ix_closing_balances_aging",
        "company_id",
        "through",
        "currency",
        "customer_id",
        "document_date",
        "due_date",
        "balance_minor",
    ),
)
"""Every item open at the end of a closed date, with its balance then (append-only).

No posting can be dated on or before a closed date, so these balances never change; an
aging as of a later date starts from them and reads only the postings after the close.
The document's currency, customer and dates are copied in (a document's never change).
"""

commands = Table(
    "commands",
    metadata,
    Column("company_id", String(_ID), primary_key=True),
    Column("idempotency_key", String(_ID), primary_key=True),
    Column("command", String(40), nullable=False),
    Column("digest", String(64), nullable=False),  # SHA-256 of the request
    Column("actor", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("result", Text, nullable=False),  # the command's result as JSON
)
"""Every command carried out, by idempotency key, with what it returned."""

bank_transactions = Table(
    "bank_transactions",
    metadata,
    Column("company_id", String(_ID), primary_key=True),
    Column("id", String(64), primary_key=True),  # a digest of what identifies the line
    Column("account", String(_ID), nullable=False),
    Column("booking_date", Date, nullable=False),
    Column("value_date", Date, nullable=True),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),  # credits > 0 > debits
    Column("reference", Text, nullable=False),
    Column("counterparty_name", Text, nullable=False),
    Column("counterparty_account", String(_ID), nullable=False),
    Column("bank_reference", String(_ID), nullable=False),
    Column("type_code", String(40), nullable=False),
    Column("source", Text, nullable=False),  # the file it came from
    Column("line", Integer, nullable=True),
    Column("status", String(20), nullable=False),  # open, matched, recorded
    Index(None, "company_id", "status", "booking_date"),
)
"""Bank statement lines imported, and whether deposit verification has used them."""

payer_memory = Table(
    "payer_memory",
    metadata,
    Column("company_id", String(_ID), primary_key=True),
    Column("kind", String(10), primary_key=True),  # account, name
    Column("payer_key", String(_ID), primary_key=True),  # normalised account or name
    Column("customer_id", String(_ID), nullable=False),
    Column("payer", Text, nullable=False),  # as it was written
    Column("learnt_by", String(_ID), nullable=False),
    Column("learnt_at", DateTime(timezone=True), nullable=False),
)
"""Payer accounts and names people confirmed as paying for a customer (cash application)."""

APPEND_ONLY_TABLES: Final = (
    "journal_entries",
    "postings",
    "period_closes",
    "closing_balances",
)
"""Tables whose rows are never updated or deleted (enforced by triggers)."""

# --- the sync engine's state (arcore.sync); created by migration 0005 ---------------------

sync_mappings = Table(
    "sync_mappings",
    metadata,
    Column("company_id", String(_ID), primary_key=True),
    Column("system", String(40), primary_key=True),
    Column("entity", String(20), primary_key=True),
    Column("external_id", String(_ID), primary_key=True),
    Column("core_id", String(_ID), nullable=False),
    Column("version", String(_ID), nullable=True),  # the vendor's version last seen
    Column("digest", String(64), nullable=False),  # the core object as last synchronised
    Column("applied", String(64), nullable=False),  # its applications as last synchronised
    Column("deleted", Boolean, nullable=False),
    Column("data", Text, nullable=True),  # terms: the NamedTerms as JSON
    Column("synced_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("company_id", "system", "entity", "core_id"),
)
"""Core id ↔ external id and version, per company, accounting system and entity."""

sync_cursors = Table(
    "sync_cursors",
    metadata,
    Column("company_id", String(_ID), primary_key=True),
    Column("system", String(40), primary_key=True),
    Column("entity", String(20), primary_key=True),
    Column("cursor", Text, nullable=False),
    Column("saved_at", DateTime(timezone=True), nullable=False),
)
"""Where the next incremental pull of each entity starts."""

sync_outbox = Table(
    "sync_outbox",
    metadata,
    Column("company_id", String(_ID), primary_key=True),
    Column("system", String(40), primary_key=True),
    Column("idempotency_key", String(_ID), primary_key=True),
    Column("entity", String(20), nullable=False),
    Column("core_id", String(_ID), nullable=False),
    Column("operation", String(20), nullable=False),  # create, update, void, apply
    Column("request", Text, nullable=False),  # the Record (and applications) sent, as JSON
    Column("state", String(10), nullable=False),  # pending, done, failed
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Index(None, "company_id", "system", "state"),
)
"""Every external write, stored with its idempotency key before it is sent."""

sync_conflicts = Table(
    "sync_conflicts",
    metadata,
    Column("company_id", String(_ID), primary_key=True),
    Column("system", String(40), primary_key=True),
    Column("entity", String(20), primary_key=True),
    Column("core_id", String(_ID), primary_key=True),
    Column("external_id", String(_ID), nullable=True),
    Column("reason", Text, nullable=False),
    Column("core_data", Text, nullable=True),  # the core's version, as JSON
    Column("vendor_data", Text, nullable=True),  # the vendor's Record, as JSON
    Column("vendor_version", String(_ID), nullable=True),
    Column("status", String(10), nullable=False),  # open, resolved
    Column("resolution", String(20), nullable=True),  # vendor_wins, core_wins
    Column("detected_at", DateTime(timezone=True), nullable=False),
    Column("resolved_at", DateTime(timezone=True), nullable=True),
)
"""Objects changed on both sides (or changed unsafely), held for review until resolved."""

sync_tokens = Table(
    "sync_tokens",
    metadata,
    Column("company_id", String(_ID), primary_key=True),
    Column("system", String(40), primary_key=True),
    Column("tenant", String(_ID), primary_key=True),
    Column("token", Text, nullable=False),  # the Token as JSON, secrets included
    Column("saved_at", DateTime(timezone=True), nullable=False),
)
"""OAuth tokens of each connection (the default token store; a plugin may keep them elsewhere)."""

# --- collections (arcore.collections); created by migration 0006 --------------------------

collection_profiles = Table(
    "collection_profiles",
    metadata,
    Column("company_id", String(_ID), primary_key=True),
    Column("customer_id", String(_ID), primary_key=True),
    Column("dunning_group", String(_ID), nullable=True),  # picks the customer's policy
    Column("language", String(10), nullable=False),  # of the reminder templates
    Column("collector", String(_ID), nullable=True),  # who works the account
    Column("blocked_channels", Text, nullable=False),  # JSON list: channels never to use
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
"""How each customer is collected: dunning group, language, collector, forbidden channels."""

collection_dunning = Table(
    "collection_dunning",
    metadata,
    Column("company_id", String(_ID), primary_key=True),
    Column("document_id", String(_ID), primary_key=True),
    Column("policy", String(_ID), primary_key=True),
    Column("step", String(_ID), primary_key=True),
    Column("customer_id", String(_ID), nullable=False),
    Column("outcome", String(10), nullable=False),  # sent, skipped
    Column("channel", String(20), nullable=False),
    Column("as_of", Date, nullable=False),  # the run's date
    Column("scheduled_at", DateTime(timezone=True), nullable=True),
    Column("reason", Text, nullable=False),  # why skipped, or the template sent
    Column("fee_document_id", String(_ID), nullable=True),  # the debit memo posted
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("charged_through", Date, nullable=True),  # interest charged up to (0008)
    Column("message_id", String(_ID), nullable=True),  # its collection_outbox row (0008)
    Index(None, "company_id", "customer_id"),
)
"""Each dunning step reached for each item, sent or skipped: a step is never repeated."""

collection_outbox = Table(
    "collection_outbox",
    metadata,
    Column("company_id", String(_ID), primary_key=True),
    Column("id", String(_ID), primary_key=True),  # deterministic: policy, step, items
    Column("customer_id", String(_ID), nullable=False),
    Column("policy", String(_ID), nullable=False),
    Column("step", String(_ID), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", String(12), nullable=False),  # pending, sent, superseded
    Column("as_of", Date, nullable=False),  # the deciding run's date
    Column("scheduled_at", DateTime(timezone=True), nullable=False),
    Column("data", Text, nullable=False),  # JSON: the planned steps (fees fixed), rendering
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("claimed_until", DateTime(timezone=True), nullable=True),  # a sender's lease
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Column("reference", Text, nullable=True),  # the channel's reference (Message-ID...)
    Column("fee_document_ids", Text, nullable=True),  # JSON list of the memos posted
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index(None, "company_id", "status", "scheduled_at"),
)
"""Dunning messages decided and waiting for working hours, then sent once (migration 0008)."""

collection_interactions = Table(
    "collection_interactions",
    metadata,
    Column("company_id", String(_ID), primary_key=True),
    Column("id", String(_ID), primary_key=True),
    Column("customer_id", String(_ID), nullable=False),
    Column("kind", String(20), nullable=False),  # email, call, letter, sms, note, pickup...
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("collector", String(_ID), nullable=False),
    Column("contact", Text, nullable=False),
    Column("outcome", Text, nullable=False),
    Column("follow_up", Date, nullable=True),
    Column("document_id", String(_ID), nullable=True),
    Column("note", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Index(None, "company_id", "customer_id", "occurred_at"),
    Index(None, "company_id", "collector", "occurred_at"),
)
"""The collector's log: every contact with a customer, with its outcome and follow-up."""

collection_promises = Table(
    "collection_promises",
    metadata,
    Column("company_id", String(_ID), primary_key=True),
    Column("id", String(_ID), primary_key=True),
    Column("customer_id", String(_ID), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("made_on", Date, nullable=False),
    Column("promised_date", Date, nullable=False),
    Column("document_ids", Text, nullable=False),  # JSON list; empty = the whole balance
    Column("collector", String(_ID), nullable=False),
    Column("cancelled", Boolean, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Index(None, "company_id", "customer_id"),
)
"""Promises to pay; kept or broken is worked out from payments, as of a date."""

collection_plans = Table(
    "collection_plans",
    metadata,
    Column("company_id", String(_ID), primary_key=True),
    Column("id", String(_ID), primary_key=True),
    Column("customer_id", String(_ID), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("agreed_on", Date, nullable=False),
    Column("document_ids", Text, nullable=False),  # JSON list of the items it covers
    Column("data", Text, nullable=False),  # the PaymentPlan model as JSON
    Column("collector", String(_ID), nullable=False),
    Column("cancelled", Boolean, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Index(None, "company_id", "customer_id"),
)
"""Payment plans: an installment schedule for an overdue balance."""

collection_disputes = Table(
    "collection_disputes",
    metadata,
    Column("company_id", String(_ID), primary_key=True),
    Column("id", String(_ID), primary_key=True),
    Column("document_id", String(_ID), nullable=False),
    Column("customer_id", String(_ID), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),  # the disputed part
    Column("reason_code", String(40), nullable=False),
    Column("owner", String(_ID), nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("status", String(10), nullable=False),  # open, resolved
    Column("resolution", String(20), nullable=True),  # credit_memo, rebill, rejected
    Column("resolved_on", Date, nullable=True),
    Column("resolution_documents", Text, nullable=False),  # JSON list of documents posted
    Column("note", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Index(None, "company_id", "document_id"),
    Index(None, "company_id", "customer_id"),
)
"""Disputed items (whole or part): the disputed amount leaves dunning, stays in aging."""

collection_escalations = Table(
    "collection_escalations",
    metadata,
    Column("company_id", String(_ID), primary_key=True),
    Column("id", String(_ID), primary_key=True),
    Column("customer_id", String(_ID), nullable=False),
    Column("document_id", String(_ID), nullable=True),
    Column("agency", String(_ID), nullable=False),
    Column("escalated_on", Date, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("reason", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Index(None, "company_id", "customer_id"),
)
"""Accounts handed to a collection agency."""

# --- credit (arcore.credit, arcore.store.credit); created by migration 0007 ----------------

credit_settings = Table(
    "credit_settings",
    metadata,
    Column("company_id", String(_ID), primary_key=True),
    Column("hold_after_days", Integer, nullable=False),  # items over it put a customer on hold
    Column("updated_by", String(_ID), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
"""A company's credit settings: the hold threshold in days past due."""

credit_approvers = Table(
    "credit_approvers",
    metadata,
    Column("company_id", String(_ID), primary_key=True),
    Column("name", String(_ID), primary_key=True),
    Column("currency", String(3), nullable=True),  # of max_limit_minor
    Column("max_limit_minor", BigInteger, nullable=True),  # None: any limit
    Column("added_by", String(_ID), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
)
"""Who may approve credit limits (up to an optional maximum) and release credit holds."""

credit_applications = Table(
    "credit_applications",
    metadata,
    Column("company_id", String(_ID), primary_key=True),
    Column("id", String(_ID), primary_key=True),
    Column("customer_id", String(_ID), nullable=False),
    Column("received", Date, nullable=False),
    Column("status", String(12), nullable=False),  # received, recommended, approved
    Column("data", Text, nullable=False),  # the CreditApplication as JSON
    Column("recommendation", Text, nullable=True),  # the Recommendation as JSON
    Column("decision", Text, nullable=True),  # the CreditDecision as JSON
    Column("approved_by", String(_ID), nullable=True),
    Column("approved_at", DateTime(timezone=True), nullable=True),
    Column("recorded_by", String(_ID), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Index(None, "company_id", "customer_id"),
)
"""Credit applications, their recommended limit and terms, and the approver's decision."""

credit_orders = Table(
    "credit_orders",
    metadata,
    Column("company_id", String(_ID), primary_key=True),
    Column("id", String(_ID), primary_key=True),
    Column("customer_id", String(_ID), nullable=False),
    Column("order_date", Date, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("status", String(10), nullable=False),  # open, invoiced, cancelled
    Column("recorded_by", String(_ID), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("closed_by", String(_ID), nullable=True),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    Column("invoice_id", String(_ID), nullable=True),  # the invoice that billed it
    Index(None, "company_id", "customer_id", "status"),
)
"""Orders taken through the API and not yet invoiced: part of a customer's exposure."""

credit_holds = Table(
    "credit_holds",
    metadata,
    Column("company_id", String(_ID), primary_key=True),
    Column("id", String(_ID), primary_key=True),
    Column("customer_id", String(_ID), nullable=False),
    Column("order_id", String(_ID), nullable=True),  # None: the customer as a whole
    Column("action", String(10), nullable=False),  # place, release
    Column("reason", Text, nullable=False),
    Column("by", String(_ID), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index(None, "company_id", "customer_id"),
)
"""The credit-hold log: each hold placed or released, by whom, when and why (never updated)."""

credit_write_off_reviews = Table(
    "credit_write_off_reviews",
    metadata,
    Column("company_id", String(_ID), primary_key=True),
    Column("id", String(_ID), primary_key=True),
    Column("document_id", String(_ID), nullable=False),
    Column("customer_id", String(_ID), nullable=True),
    Column("reason", Text, nullable=False),
    Column("queued_by", String(_ID), nullable=False),
    Column("queued_at", DateTime(timezone=True), nullable=False),
    Column("status", String(10), nullable=False),  # pending, approved, rejected
    Column("decided_by", String(_ID), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("note", Text, nullable=False),
    Index(None, "company_id", "status"),
    Index(None, "company_id", "document_id"),
)
"""Items proposed for a bad-debt write-off, waiting for (or given) an approver's decision."""
