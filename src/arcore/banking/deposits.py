"""Deposit verification: receipts waiting in undeposited funds against the bank's credits.

[`reconcile`][arcore.banking.deposits.reconcile] pairs each bank credit with the receipts it
deposits, in this order, each step only on what is still unmatched:

1. **One receipt**: the same amount, booked within ``window_days`` after it was received; a
   reference shared by both (the payment's reference or id in the bank's text) settles a tie,
   otherwise a tie stays unmatched (ambiguous).
2. **Card settlements**: the card receipts of one received date, summed, less a fee of at most
   ``max_fee_percent``, equal the credit (net settlement: the fee is posted as a bank fee).
3. **Deposit slips**: a unique set of receipts in the window whose amounts sum to the credit
   (checks deposited together), searched among the oldest ``subset_items``.

What is left is reported on both sides: receipts the bank has not shown yet, and credits no
receipt explains (money to record as new payments for the matching engine:
[`payments_from_credits`][arcore.banking.deposits.payments_from_credits]).
[`verify`][arcore.banking.deposits.verify] posts the matches through the ledger; the receipts
to reconcile come from
[`Ledger.undeposited_receipts`][arcore.ledger.service.Ledger.undeposited_receipts].
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from arcore.banking.model import BankTransaction
from arcore.documents import CustomerDeposit, Payment, PaymentMethod
from arcore.ledger import Ledger, Posted
from arcore.money import Money

__all__ = [
    "DepositMatch",
    "DepositReport",
    "ReconcileConfig",
    "payments_from_credits",
    "reconcile",
    "verify",
]

Receipt = Payment | CustomerDeposit


class ReconcileConfig(BaseModel):
    """Bounds of the deposit matching.

    Attributes:
        window_days: The most days between a receipt and the bank's booking of it.
        max_fee_percent: The largest card processor fee, in percent of the gross.
        subset_items: How many receipts the deposit-slip search considers.
        subset_size: The most receipts one deposit slip may hold.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    window_days: int = Field(default=5, ge=0)
    max_fee_percent: Decimal = Decimal(4)
    subset_items: int = Field(default=20, ge=1, le=40)
    subset_size: int = Field(default=6, ge=2, le=10)


class DepositMatch(BaseModel):
    """A bank credit and the receipts it deposits (and the fee kept, for card batches)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    credit: BankTransaction
    receipt_ids: tuple[str, ...]
    fee: Money | None = None
    reason: str


class DepositReport(BaseModel):
    """Matched deposits, and what is unmatched on each side."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    matches: tuple[DepositMatch, ...]
    unmatched_receipts: tuple[str, ...]
    unmatched_credits: tuple[BankTransaction, ...]


def _reference_words(receipt: Receipt) -> set[str]:
    words = {receipt.id.upper()}
    words.update(w.upper() for w in receipt.reference.split() if len(w) >= 4)
    return words


def _shares_reference(receipt: Receipt, credit: BankTransaction) -> bool:
    text = f"{credit.reference} {credit.bank_reference}".upper()
    return any(word in text for word in _reference_words(receipt))


def _in_window(receipt: Receipt, credit: BankTransaction, days: int) -> bool:
    booked = credit.booking_date
    return receipt.received_date <= booked <= receipt.received_date + timedelta(days=days)


def reconcile(
    receipts: Iterable[Receipt],
    credits: Iterable[BankTransaction],
    *,
    config: ReconcileConfig | None = None,
) -> DepositReport:
    """Pair bank credits with the receipts they deposit; see the module documentation."""
    config = config or ReconcileConfig()
    waiting = {r.id: r for r in sorted(receipts, key=lambda r: (r.received_date, r.id))}
    pending = [c for c in sorted(credits, key=_credit_order) if c.is_credit]
    matches: list[DepositMatch] = []
    for step in (_single, _card_batch, _deposit_slip):
        still: list[BankTransaction] = []
        for credit in pending:
            found = step(credit, list(waiting.values()), config)
            if found is None:
                still.append(credit)
                continue
            matches.append(found)
            for receipt_id in found.receipt_ids:
                del waiting[receipt_id]
        pending = still
    return DepositReport(
        matches=tuple(matches),
        unmatched_receipts=tuple(waiting),
        unmatched_credits=tuple(pending),
    )


def _credit_order(credit: BankTransaction) -> tuple[date, int, str]:
    return (credit.booking_date, credit.line or 0, credit.bank_reference)


def _single(
    credit: BankTransaction, waiting: Sequence[Receipt], config: ReconcileConfig
) -> DepositMatch | None:
    same = [
        r
        for r in waiting
        if r.amount == credit.amount and _in_window(r, credit, config.window_days)
    ]
    if len(same) > 1:
        same = [r for r in same if _shares_reference(r, credit)]
    if len(same) != 1:
        return None
    receipt = same[0]
    why = "amount and date" + (", reference" if _shares_reference(receipt, credit) else "")
    return DepositMatch(credit=credit, receipt_ids=(receipt.id,), reason=f"one receipt: {why}")


def _card_batch(
    credit: BankTransaction, waiting: Sequence[Receipt], config: ReconcileConfig
) -> DepositMatch | None:
    by_day: dict[date, list[Receipt]] = {}
    for receipt in waiting:
        if (
            receipt.method is PaymentMethod.CARD
            and receipt.currency == credit.amount.currency
            and _in_window(receipt, credit, config.window_days)
        ):
            by_day.setdefault(receipt.received_date, []).append(receipt)
    fits = []
    for day, batch in by_day.items():
        gross = sum((r.amount for r in batch), Money.zero(credit.amount.currency))
        fee = gross - credit.amount
        if fee.amount >= 0 and fee.amount <= gross.amount * config.max_fee_percent / 100:
            fits.append((day, batch, fee))
    if len(fits) != 1:
        return None
    day, batch, fee = fits[0]
    return DepositMatch(
        credit=credit,
        receipt_ids=tuple(r.id for r in batch),
        fee=fee if fee else None,
        reason=f"card settlement of {len(batch)} receipts of {day}, net of a {fee} fee",
    )


def _deposit_slip(
    credit: BankTransaction, waiting: Sequence[Receipt], config: ReconcileConfig
) -> DepositMatch | None:
    window = [
        r
        for r in waiting
        if r.currency == credit.amount.currency and _in_window(r, credit, config.window_days)
    ][: config.subset_items]
    target = credit.amount.to_minor_units()
    units = [r.amount.to_minor_units() for r in window]
    found: list[tuple[int, ...]] = []
    for size in range(2, min(config.subset_size, len(window)) + 1):
        for combination in itertools.combinations(range(len(window)), size):
            if sum(units[i] for i in combination) == target:
                found.append(combination)
                if len(found) > 1:
                    return None  # ambiguous: a person decides
    if not found:
        return None
    chosen = tuple(window[i].id for i in found[0])
    return DepositMatch(
        credit=credit,
        receipt_ids=chosen,
        reason=f"deposit slip: {len(chosen)} receipts sum to the credit",
    )


def verify(ledger: Ledger, report: DepositReport, *, actor: str) -> list[Posted]:
    """Post each match: the receipts move from undeposited funds to the bank (and the fee).

    The idempotency key names the bank line, so verifying the same statement twice changes
    nothing.
    """
    posted = []
    for match in report.matches:
        credit = match.credit
        line = credit.bank_reference or f"{credit.account}:{credit.booking_date}:{credit.line}"
        posted.append(
            ledger.verify_deposit(
                match.receipt_ids,
                on=credit.booking_date,
                bank_reference=line,
                fee=match.fee,
                actor=actor,
                reason=match.reason,
                idempotency_key=f"deposit:{line}",
            )
        )
    return posted


def payments_from_credits(credits: Iterable[BankTransaction], *, company_id: str) -> list[Payment]:
    """Bank credits no receipt explains, as payments for the matching engine."""
    payments = []
    for credit in credits:
        if not credit.is_credit:
            continue
        ident = credit.bank_reference or f"{credit.booking_date}-{credit.line}"
        payments.append(
            Payment(
                company_id=company_id,
                id=f"bank-{ident}",
                currency=credit.amount.currency,
                received_date=credit.booking_date,
                amount=credit.amount,
                method=PaymentMethod.OTHER,
                reference=credit.reference,
                payer_name=credit.counterparty_name,
                payer_account=credit.counterparty_account,
            )
        )
    return payments
