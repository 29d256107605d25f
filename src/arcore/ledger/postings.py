"""Posting rules: the journal entry each row of domain.md's posting table produces.

Every function here is pure: it reads a document (or an amount) and a
[`ChartOfAccounts`][arcore.ledger.ChartOfAccounts] and returns a balanced
[`JournalEntry`][arcore.ledger.JournalEntry]; nothing is stored. The caller supplies who,
why, the entry's id and the command's idempotency key in an [`EntryMeta`][arcore.ledger.EntryMeta].
Lines of zero are left out (a posting of zero records nothing).

AR-side lines carry the AR dimensions: ``customer_id``, ``document_id`` (the invoice, debit
memo or credit memo whose open balance moves) and ``source_id`` (the payment, credit memo or
deposit on the other side, or whose unapplied balance moves).

>>> from datetime import date
>>> from decimal import Decimal
>>> from arcore.documents import Invoice, InvoiceLine
>>> from arcore.money import Money
>>> invoice = Invoice(company_id="acme", id="inv-1", customer_id="c-1", currency="USD",
...     number="INV-1", document_date=date(2026, 1, 31), terms="Net 30",
...     lines=[InvoiceLine(description="Widget", quantity=Decimal(1),
...                        unit_price=Money("100.00", "USD"), tax_rate=Decimal("8.25"))])
>>> meta = EntryMeta(entry_id="JE-1", actor="ana", reason="issue INV-1",
...                  idempotency_key="issue:inv-1")
>>> entry = invoice_entry(invoice, ChartOfAccounts(), meta)
>>> [(p.account, str(p.amount)) for p in entry.postings]
[('1200', '108.25 USD'), ('4000', '-100.00 USD'), ('2200', '-8.25 USD')]
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from arcore.documents import (
    Application,
    CreditMemo,
    CustomerDeposit,
    DebitMemo,
    Invoice,
    Payment,
    Refund,
)
from arcore.errors import InvalidAmountError, ValidationError
from arcore.ledger.accounts import AccountRole, ChartOfAccounts
from arcore.ledger.journal import EntryKind, JournalEntry, Posting
from arcore.money import Money

__all__ = [
    "EntryMeta",
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
    "write_off_entry",
]

_R = AccountRole

_REFUNDABLE_ROLES = frozenset({_R.UNAPPLIED_CASH, _R.CUSTOMER_DEPOSITS, _R.AR_CONTROL})


class EntryMeta(BaseModel):
    """Who, why and which command: what the caller gives every posting rule.

    Attributes:
        entry_id: The id of the entry to build, unique within the company.
        entry_date: The accounting date; ``None`` means the document's own date (an
            invoice's or memo's date, a receipt's received date, an application's applied
            date). Rules without a document require it.
        actor: Who asked for the change.
        reason: Why, in words for the audit trail.
        idempotency_key: The key of the command that posts the entry.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    entry_id: str = Field(min_length=1)
    entry_date: date | None = None
    actor: str = Field(min_length=1)
    reason: str = ""
    idempotency_key: str = Field(min_length=1)


def _line(
    account: str,
    amount: Money,
    *,
    customer_id: str | None = None,
    document_id: str | None = None,
    source_id: str | None = None,
) -> list[Posting]:
    if not amount:
        return []
    return [
        Posting(
            account=account,
            amount=amount,
            customer_id=customer_id,
            document_id=document_id,
            source_id=source_id,
        )
    ]


def _entry(
    meta: EntryMeta,
    *,
    company_id: str,
    kind: EntryKind,
    default_date: date | None,
    postings: list[Posting],
) -> JournalEntry:
    entry_date = meta.entry_date or default_date
    if entry_date is None:
        raise ValidationError(
            f"no date for the {kind.value} entry {meta.entry_id}",
            hint="Give the entry's date in EntryMeta.entry_date",
            field="entry_date",
            value=None,
        )
    return JournalEntry(
        company_id=company_id,
        id=meta.entry_id,
        entry_date=entry_date,
        kind=kind,
        postings=tuple(postings),
        actor=meta.actor,
        reason=meta.reason,
        idempotency_key=meta.idempotency_key,
    )


def _positive(amount: Money) -> Money:
    if amount.amount <= 0:
        raise InvalidAmountError(
            f"{amount} is not a positive amount",
            hint="Give the amount as a positive number; the rule says which way it goes",
            field="amount",
            value=amount,
        )
    return amount


def _receipt_entry(
    receipt: Payment | CustomerDeposit,
    credit_role: AccountRole,
    kind: EntryKind,
    chart: ChartOfAccounts,
    meta: EntryMeta,
) -> JournalEntry:
    """Dr undeposited funds / Cr ``credit_role``, the whole amount, tagged with the receipt."""
    postings = _line(chart.code(_R.UNDEPOSITED_FUNDS), receipt.amount, source_id=receipt.id)
    postings += _line(
        chart.code(credit_role),
        -receipt.amount,
        customer_id=receipt.customer_id,
        source_id=receipt.id,
    )
    return _entry(
        meta,
        company_id=receipt.company_id,
        kind=kind,
        default_date=receipt.received_date,
        postings=postings,
    )


def _against_ar(
    debit_role: AccountRole,
    customer_id: str,
    document_id: str,
    amount: Money,
    chart: ChartOfAccounts,
    meta: EntryMeta,
    company_id: str,
    kind: EntryKind,
) -> JournalEntry:
    """Dr ``debit_role`` / Cr AR by ``amount`` (a negative amount reverses the direction).

    Both lines carry the document, so what was written off a document can be told later.
    """
    dims = {"customer_id": customer_id, "document_id": document_id}
    postings = _line(chart.code(debit_role), amount, **dims)
    postings += _line(
        chart.code(_R.AR_CONTROL), -amount, customer_id=customer_id, document_id=document_id
    )
    return _entry(meta, company_id=company_id, kind=kind, default_date=None, postings=postings)


def invoice_entry(invoice: Invoice, chart: ChartOfAccounts, meta: EntryMeta) -> JournalEntry:
    """Issue an invoice: Dr AR control total / Cr revenue per account, Cr sales tax payable.

    Lines without a revenue account go to the chart's revenue account.
    """
    ar = chart.code(_R.AR_CONTROL)
    postings = _line(ar, invoice.total, customer_id=invoice.customer_id, document_id=invoice.id)
    for account, revenue in invoice.revenue_by_account(chart.code(_R.REVENUE)).items():
        postings += _line(account, -revenue)
    postings += _line(chart.code(_R.SALES_TAX_PAYABLE), -invoice.tax_total)
    return _entry(
        meta,
        company_id=invoice.company_id,
        kind=EntryKind.INVOICE,
        default_date=invoice.document_date,
        postings=postings,
    )


def debit_memo_entry(memo: DebitMemo, chart: ChartOfAccounts, meta: EntryMeta) -> JournalEntry:
    """Issue a debit memo: Dr AR control / Cr the memo's account.

    The memo's ``account`` is credited when it names one (a fee-income account for a late
    fee); otherwise the chart's revenue account (a correction up of a sale).
    """
    credit_account = memo.account or chart.code(_R.REVENUE)
    postings = _line(
        chart.code(_R.AR_CONTROL), memo.amount, customer_id=memo.customer_id, document_id=memo.id
    )
    postings += _line(credit_account, -memo.amount)
    return _entry(
        meta,
        company_id=memo.company_id,
        kind=EntryKind.DEBIT_MEMO,
        default_date=memo.document_date,
        postings=postings,
    )


def credit_memo_entry(memo: CreditMemo, chart: ChartOfAccounts, meta: EntryMeta) -> JournalEntry:
    """Issue a credit memo: Dr sales returns (subtotal), Dr sales tax payable (tax) / Cr AR.

    The AR credit carries the credit memo's own id as ``document_id``: it is an open credit
    until applied to an invoice (see :func:`application_entry`).
    """
    postings = _line(chart.code(_R.SALES_RETURNS), memo.subtotal)
    postings += _line(chart.code(_R.SALES_TAX_PAYABLE), memo.tax)
    postings += _line(
        chart.code(_R.AR_CONTROL), -memo.amount, customer_id=memo.customer_id, document_id=memo.id
    )
    return _entry(
        meta,
        company_id=memo.company_id,
        kind=EntryKind.CREDIT_MEMO,
        default_date=memo.document_date,
        postings=postings,
    )


def payment_entry(payment: Payment, chart: ChartOfAccounts, meta: EntryMeta) -> JournalEntry:
    """Receive a payment: Dr undeposited funds / Cr unapplied cash, the whole amount.

    AR does not move here: each application (:func:`application_entry`) then moves its part
    from unapplied cash to AR, so the unapplied-cash balance tagged with the payment's id is
    always its unapplied remainder (domain.md, invariant 4).
    """
    return _receipt_entry(payment, _R.UNAPPLIED_CASH, EntryKind.PAYMENT, chart, meta)


def application_entry(
    application: Application,
    chart: ChartOfAccounts,
    meta: EntryMeta,
    *,
    source_kind: Literal["payment", "credit_memo", "customer_deposit"],
    customer_id: str,
    payer_id: str | None,
) -> JournalEntry:
    """Apply a source to a target, with any discount and write-off, in one entry.

    The applied amount: Dr unapplied cash (payment), Dr AR tagged with the credit memo's id
    (credit memo: nets the open credit against the target) or Dr customer deposits (deposit)
    / Cr AR tagged with the target. The discount: Dr sales discounts / Cr AR; the write-off:
    Dr write-off expense / Cr AR. AR tagged with the target falls by ``application.settled``.

    The source's line carries the source's customer (``payer_id``: a parent paying its
    subsidiary's invoice, ``None`` for a payment no customer was identified for), the
    target's lines the target's (``customer_id``), so each customer's postings add up to
    what that customer owes or holds.
    """
    ar = chart.code(_R.AR_CONTROL)
    source, target = application.source_id, application.target_id
    if source_kind == "payment":
        postings = _line(
            chart.code(_R.UNAPPLIED_CASH),
            application.amount,
            customer_id=payer_id,
            source_id=source,
        )
    elif source_kind == "credit_memo":
        postings = _line(ar, application.amount, customer_id=payer_id, document_id=source)
    elif source_kind == "customer_deposit":
        postings = _line(
            chart.code(_R.CUSTOMER_DEPOSITS),
            application.amount,
            customer_id=payer_id,
            source_id=source,
        )
    else:
        raise ValidationError(
            f"cannot apply a {source_kind!r}",
            hint="Apply a payment, a credit memo or a customer deposit",
            field="source_kind",
            value=source_kind,
        )
    for amount, debit_account in (
        (application.amount, None),
        (application.discount, chart.code(_R.SALES_DISCOUNTS)),
        (application.write_off, chart.code(_R.WRITE_OFF_EXPENSE)),
    ):
        if debit_account is not None:
            postings += _line(debit_account, amount, customer_id=customer_id, document_id=target)
        postings += _line(
            ar, -amount, customer_id=customer_id, document_id=target, source_id=source
        )
    return _entry(
        meta,
        company_id=application.company_id,
        kind=EntryKind.APPLICATION,
        default_date=application.applied_date,
        postings=postings,
    )


def bad_debt_entry(
    customer_id: str,
    document_id: str,
    amount: Money,
    chart: ChartOfAccounts,
    meta: EntryMeta,
    *,
    company_id: str,
) -> JournalEntry:
    """Write off a bad debt (allowance method): Dr allowance for doubtful accounts / Cr AR.

    Raises:
        InvalidAmountError: ``amount`` is not positive.
        ValidationError: ``meta`` has no entry date.
    """
    return _against_ar(
        _R.ALLOWANCE,
        customer_id,
        document_id,
        _positive(amount),
        chart,
        meta,
        company_id,
        EntryKind.BAD_DEBT,
    )


def recovery_entry(
    customer_id: str,
    document_id: str,
    amount: Money,
    chart: ChartOfAccounts,
    meta: EntryMeta,
    *,
    company_id: str,
) -> JournalEntry:
    """Reinstate a written-off debt: Dr AR / Cr allowance; the money then comes as a payment.

    Raises:
        InvalidAmountError: ``amount`` is not positive.
        ValidationError: ``meta`` has no entry date.
    """
    return _against_ar(
        _R.ALLOWANCE,
        customer_id,
        document_id,
        -_positive(amount),
        chart,
        meta,
        company_id,
        EntryKind.RECOVERY,
    )


def write_off_entry(
    customer_id: str,
    document_id: str,
    amount: Money,
    chart: ChartOfAccounts,
    meta: EntryMeta,
    *,
    company_id: str,
) -> JournalEntry:
    """Write off a small balance or short pay: Dr write-off expense / Cr AR.

    Raises:
        InvalidAmountError: ``amount`` is not positive.
        ValidationError: ``meta`` has no entry date.
    """
    return _against_ar(
        _R.WRITE_OFF_EXPENSE,
        customer_id,
        document_id,
        _positive(amount),
        chart,
        meta,
        company_id,
        EntryKind.WRITE_OFF,
    )


def customer_deposit_entry(
    deposit: CustomerDeposit, chart: ChartOfAccounts, meta: EntryMeta
) -> JournalEntry:
    """Receive a prepayment: Dr undeposited funds / Cr customer deposits (a liability).

    AR does not move until the deposit is applied (:func:`application_entry`).
    """
    return _receipt_entry(deposit, _R.CUSTOMER_DEPOSITS, EntryKind.CUSTOMER_DEPOSIT, chart, meta)


def refund_entry(
    refund: Refund,
    chart: ChartOfAccounts,
    meta: EntryMeta,
    *,
    from_account_role: AccountRole,
) -> JournalEntry:
    """Pay a credit back: Dr the account holding the credit / Cr bank.

    ``from_account_role`` is ``UNAPPLIED_CASH`` for a payment's remainder,
    ``CUSTOMER_DEPOSITS`` for a deposit (both tagged ``source_id=refund.refunds``) or
    ``AR_CONTROL`` for a credit memo's open credit (tagged ``document_id=refund.refunds``,
    raising the customer's balance back towards zero).

    Raises:
        ValidationError: ``from_account_role`` is another role.
    """
    role = AccountRole(from_account_role)
    if role not in _REFUNDABLE_ROLES:
        raise ValidationError(
            f"a refund cannot be paid from {role.value}",
            hint="Refund from unapplied cash, customer deposits or AR control (a credit memo)",
            field="from_account_role",
            value=role.value,
        )
    tag = {"document_id" if role is _R.AR_CONTROL else "source_id": refund.refunds}
    postings = _line(chart.code(role), refund.amount, customer_id=refund.customer_id, **tag)
    postings += _line(chart.code(_R.BANK), -refund.amount, source_id=refund.id)
    return _entry(
        meta,
        company_id=refund.company_id,
        kind=EntryKind.REFUND,
        default_date=refund.document_date,
        postings=postings,
    )


def deposit_verified_entry(
    amount: Money,
    chart: ChartOfAccounts,
    meta: EntryMeta,
    *,
    company_id: str,
    customer_id: str | None = None,
    source_id: str | None = None,
) -> JournalEntry:
    """Match receipts to the bank statement: Dr bank / Cr undeposited funds.

    ``source_id`` (the receipt or deposit batch) and ``customer_id`` tag both lines if given.

    Raises:
        InvalidAmountError: ``amount`` is not positive.
        ValidationError: ``meta`` has no entry date.
    """
    _positive(amount)
    dims = {"customer_id": customer_id, "source_id": source_id}
    postings = _line(chart.code(_R.BANK), amount, **dims)
    postings += _line(chart.code(_R.UNDEPOSITED_FUNDS), -amount, **dims)
    return _entry(
        meta,
        company_id=company_id,
        kind=EntryKind.DEPOSIT_VERIFIED,
        default_date=None,
        postings=postings,
    )


def bank_fee_entry(
    fee: Money, chart: ChartOfAccounts, meta: EntryMeta, *, company_id: str
) -> JournalEntry:
    """A fee the bank or card processor kept from a settlement: Dr bank fees / Cr bank.

    Raises:
        InvalidAmountError: ``fee`` is not positive.
        ValidationError: ``meta`` has no entry date.
    """
    _positive(fee)
    postings = _line(chart.code(_R.BANK_FEES), fee)
    postings += _line(chart.code(_R.BANK), -fee)
    return _entry(
        meta, company_id=company_id, kind=EntryKind.BANK_FEE, default_date=None, postings=postings
    )
