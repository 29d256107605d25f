"""The AR ledger: a chart of accounts and balanced, append-only journal entries.

Every change to a receivable is a journal entry whose postings balance per currency
(domain.md, invariant 1). Entries are never edited; a correction is a reversal entry that
points at what it reverses. Balances, open items and aging are all derived from postings.
"""

from arcore.ledger.accounts import DEFAULT_CODES, AccountRole, ChartOfAccounts
from arcore.ledger.journal import EntryKind, JournalEntry, Posting, account_balances, reversal
from arcore.ledger.postings import (
    EntryMeta,
    application_entry,
    bad_debt_entry,
    bank_fee_entry,
    credit_memo_entry,
    customer_deposit_entry,
    debit_memo_entry,
    deposit_verified_entry,
    invoice_entry,
    payment_entry,
    recovery_entry,
    refund_entry,
    write_off_entry,
)
from arcore.ledger.repository import AppliedRecord, Books, LedgerSession, LedgerStore, OpenItem
from arcore.ledger.service import Clock, Ledger, Posted

__all__ = [
    "DEFAULT_CODES",
    "AccountRole",
    "AppliedRecord",
    "Books",
    "ChartOfAccounts",
    "Clock",
    "EntryKind",
    "EntryMeta",
    "JournalEntry",
    "Ledger",
    "LedgerSession",
    "LedgerStore",
    "OpenItem",
    "Posted",
    "Posting",
    "account_balances",
    "application_entry",
    "bad_debt_entry",
    "bank_fee_entry",
    "credit_memo_entry",
    "customer_deposit_entry",
    "debit_memo_entry",
    "deposit_verified_entry",
    "invoice_entry",
    "payment_entry",
    "recovery_entry",
    "refund_entry",
    "reversal",
    "write_off_entry",
]
