"""Journal entries: balanced sets of postings, never edited, reversed when wrong.

A [`Posting`][arcore.ledger.Posting] carries a signed amount (positive = debit, negative =
credit) on one account, and the AR dimensions the subledger needs: the customer, the
receivable document whose balance it changes, and the payment, memo or deposit on the other
side. A [`JournalEntry`][arcore.ledger.JournalEntry] refuses to exist unless its postings
balance per currency.

>>> from datetime import date
>>> from arcore.money import Money
>>> entry = JournalEntry(
...     company_id="acme", id="JE-1", entry_date=date(2026, 1, 31), kind=EntryKind.INVOICE,
...     actor="ana", reason="issue INV-1", idempotency_key="issue:INV-1",
...     postings=(
...         Posting(account="1200", amount=Money("108.25", "USD"), customer_id="C1",
...                 document_id="INV-1"),
...         Posting(account="4000", amount=Money("-100.00", "USD")),
...         Posting(account="2200", amount=Money("-8.25", "USD")),
...     ),
... )
>>> account_balances([entry])["1200"]
{'USD': Money('108.25', 'USD')}
>>> [str(p.amount) for p in reversal(entry, id="JE-2", entry_date=date(2026, 2, 1),
...     actor="ana", reason="void", idempotency_key="void:INV-1").postings]
['-108.25 USD', '100.00 USD', '8.25 USD']
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from arcore.errors import ValidationError
from arcore.money import Money

__all__ = ["EntryKind", "JournalEntry", "Posting", "account_balances", "reversal"]


class EntryKind(StrEnum):
    """What a journal entry records: one kind per row of domain.md's posting table."""

    INVOICE = "invoice"
    DEBIT_MEMO = "debit_memo"
    CREDIT_MEMO = "credit_memo"
    PAYMENT = "payment"
    APPLICATION = "application"
    DISCOUNT = "discount"
    WRITE_OFF = "write_off"
    BAD_DEBT = "bad_debt"
    RECOVERY = "recovery"
    CUSTOMER_DEPOSIT = "customer_deposit"
    REFUND = "refund"
    DEPOSIT_VERIFIED = "deposit_verified"
    REVERSAL = "reversal"
    OPENING_BALANCE = "opening_balance"
    BANK_FEE = "bank_fee"


class Posting(BaseModel):
    """One line of a journal entry: a signed amount on one account.

    Attributes:
        account: The account code (see [`ChartOfAccounts`][arcore.ledger.ChartOfAccounts]).
        amount: Positive for a debit, negative for a credit; never zero; whole minor units.
        customer_id: The customer whose subledger the line belongs to, on AR-side lines.
        document_id: The invoice, debit memo or credit memo whose balance the line changes.
        source_id: The payment, credit memo or deposit on the other side of an application,
            or whose unapplied balance the line changes.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    account: str = Field(min_length=1)
    amount: Money
    customer_id: str | None = None
    document_id: str | None = None
    source_id: str | None = None

    @field_validator("amount")
    @classmethod
    def _non_zero_whole_units(cls, amount: Money) -> Money:
        if not amount:
            raise ValueError("a posting of zero records nothing")
        if not amount.is_quantized():
            raise ValueError(f"{amount} is not in whole minor units of {amount.currency}")
        return amount

    @property
    def debit(self) -> Money:
        """The debit side (zero for a credit)."""
        return self.amount if self.amount.amount > 0 else Money.zero(self.amount.currency)

    @property
    def credit(self) -> Money:
        """The credit side as a positive amount (zero for a debit)."""
        return -self.amount if self.amount.amount < 0 else Money.zero(self.amount.currency)


class JournalEntry(BaseModel):
    """A balanced, immutable set of postings with who, why and the command's idempotency key.

    Attributes:
        company_id: The company whose books these are; never mixed with another's.
        id: Unique within the company.
        entry_date: The accounting date; balances as of a date count entries up to it.
        kind: What the entry records.
        postings: At least two; Σ amounts = 0 per currency.
        actor: Who asked for the change (a person or a system).
        reason: Why, in words for the audit trail.
        idempotency_key: The key of the command that posted it; repeating the command with
            this key returns this entry instead of posting again.
        reverses: The id of the entry this one reverses, for reversals.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    company_id: str = Field(min_length=1)
    id: str = Field(min_length=1)
    entry_date: date
    kind: EntryKind
    postings: tuple[Posting, ...]
    actor: str = Field(min_length=1)
    reason: str
    idempotency_key: str = Field(min_length=1)
    reverses: str | None = None

    @field_validator("postings")
    @classmethod
    def _balanced(cls, postings: tuple[Posting, ...]) -> tuple[Posting, ...]:
        if len(postings) < 2:
            raise ValueError("a journal entry needs at least two postings")
        for currency, total in _sums(postings).items():
            if total:
                raise ValueError(f"postings do not balance in {currency}: off by {total}")
        return postings


def _sums(postings: Iterable[Posting]) -> dict[str, Money]:
    sums: dict[str, Money] = {}
    for posting in postings:
        currency = posting.amount.currency
        sums[currency] = sums.get(currency, Money.zero(currency)) + posting.amount
    return sums


def account_balances(entries: Iterable[JournalEntry]) -> dict[str, dict[str, Money]]:
    """Σ postings per account and currency (debit balances positive), over ``entries``."""
    by_account: defaultdict[str, list[Posting]] = defaultdict(list)
    for entry in entries:
        for posting in entry.postings:
            by_account[posting.account].append(posting)
    return {account: _sums(postings) for account, postings in by_account.items()}


def reversal(
    entry: JournalEntry,
    *,
    id: str,
    entry_date: date,
    actor: str,
    reason: str,
    idempotency_key: str,
) -> JournalEntry:
    """The entry that undoes ``entry``: every posting negated, pointing back at it.

    Raises:
        ValidationError: ``entry`` is itself a reversal (reverse the original instead), or
            the reversal would be dated before the entry it reverses.
    """
    if entry.reverses is not None:
        raise ValidationError(
            f"entry {entry.id} is a reversal of {entry.reverses}",
            hint="Post the original again instead of reversing a reversal",
            field="entry",
            value=entry.id,
        )
    if entry_date < entry.entry_date:
        raise ValidationError(
            f"a reversal dated {entry_date} would precede entry {entry.id} ({entry.entry_date})",
            hint="Date the reversal on or after the entry it reverses",
            field="entry_date",
            value=entry_date,
        )
    return JournalEntry(
        company_id=entry.company_id,
        id=id,
        entry_date=entry_date,
        kind=EntryKind.REVERSAL,
        postings=tuple(p.model_copy(update={"amount": -p.amount}) for p in entry.postings),
        actor=actor,
        reason=reason,
        idempotency_key=idempotency_key,
        reverses=entry.id,
    )
