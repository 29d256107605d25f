"""Customer statements: what a customer owes, as of a date, in text, HTML or PDF.

Two styles, both for a period ``[start, end]``:

* **open item**: every item open at the end date (invoices, debit memos, and credits in
  the customer's favour: credit memos, unapplied payments and deposits), with its open
  balance and days past due;
* **balance forward**: the balance at the end of the day before ``start``, each
  transaction of the period (invoices, memos, payments, applications, discounts,
  write-offs, refunds, reversals) with the running balance, and the closing balance.

Both show the customer, the statement date (``end``), one section per currency (never
summed across currencies), an aging summary of the items open at the end date and the
remittance instructions of a [`RemittanceInfo`][arcore.reports.statements.RemittanceInfo].

A customer's balance is what [`Ledger.open_items`][arcore.ledger.service.Ledger.open_items]
counts: its receivables less its unapplied credits. So the balance-forward closing balance
(opening + Σ movements), the open-item total, the aging total and
[`Ledger.balance`][arcore.ledger.service.Ledger.balance] as of the end date are the same amount. A
payment lowers the balance when it is received; applying it to an invoice then moves
nothing (its line shows 0.00), except for a discount or write-off taken with it.

PDF files are written with [fpdf2](https://py-pdf.github.io/fpdf2/) (pure Python). Its
built-in Helvetica covers Windows-1252 (Western European) text; pass a TrueType ``font``
to [`render_pdf`][arcore.reports.statements.render_pdf] for other scripts.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Literal

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from pydantic import BaseModel, ConfigDict, Field

from arcore.documents import (
    CreditMemo,
    Customer,
    CustomerDeposit,
    DebitMemo,
    Document,
    Invoice,
    Payment,
)
from arcore.errors import ConflictError, NotFoundError, ValidationError
from arcore.ledger.accounts import AccountRole, ChartOfAccounts
from arcore.ledger.journal import EntryKind, JournalEntry
from arcore.ledger.repository import OpenItem
from arcore.ledger.service import Ledger
from arcore.money import Money
from arcore.reports.model import Bucket, buckets

__all__ = [
    "STATEMENT_FORMATS",
    "AgingSummary",
    "RemittanceInfo",
    "Statement",
    "StatementItem",
    "StatementLine",
    "StatementSection",
    "StatementStyle",
    "render_html",
    "render_pdf",
    "render_text",
    "statement",
    "statement_filename",
    "write_statement",
    "write_statements",
]

STATEMENT_FORMATS = ("pdf", "html", "txt")
"""The formats statements are written in, by file extension."""

_StatementFormat = Literal["pdf", "html", "txt"]


class StatementStyle(StrEnum):
    """How a statement lists the customer's account."""

    OPEN_ITEM = "open_item"
    """Every item open at the end date, with its balance and days past due."""
    BALANCE_FORWARD = "balance_forward"
    """Opening balance, the period's transactions with a running balance, closing balance."""


class RemittanceInfo(BaseModel):
    """How the customer should pay: the company's remittance instructions.

    >>> info = RemittanceInfo(pay_to="Acme Inc.", reference="Customer {customer_id}")
    >>> info.reference_for("c-7")
    'Customer c-7'

    Attributes:
        pay_to: Who to pay (the payee name on a check or transfer).
        address: Where to mail checks, one line per item.
        bank_details: Bank, account, IBAN, BIC, routing number..., one line per item.
        reference: What to quote with the payment; ``{customer_id}`` is replaced by the
            customer's id.
        note: Anything else to say (``Questions? ar@acme.example``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    pay_to: str = Field(min_length=1)
    address: tuple[str, ...] = ()
    bank_details: tuple[str, ...] = ()
    reference: str = "{customer_id}"
    note: str = ""

    def reference_for(self, customer_id: str) -> str:
        """The reference ``customer_id`` should quote."""
        return self.reference.replace("{customer_id}", customer_id)


class StatementItem(BaseModel):
    """An item open at the statement date (the open-item style's line).

    Attributes:
        document_id: The document.
        kind: ``invoice``, ``debit_memo``, ``credit_memo``, ``payment`` or
            ``customer_deposit``.
        number: Its number; for a payment or deposit its reference (else its id).
        document_date: Its date.
        due_date: When it falls due (receivables only).
        total: Its face amount.
        balance: What is open: negative for a credit in the customer's favour.
        days_past_due: Statement date − due date (negative when not yet due); ``None``
            for credits, which have no due date.
        disputed: Whether the item is in dispute.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    document_id: str
    kind: str
    number: str | None
    document_date: date
    due_date: date | None
    total: Money
    balance: Money
    days_past_due: int | None
    disputed: bool


class StatementLine(BaseModel):
    """A transaction of the period and its effect on the balance (balance-forward style).

    Attributes:
        entry_id: The journal entry.
        entry_date: Its date.
        kind: What it records.
        reference: The number of the document it concerns (a receipt's reference).
        description: What happened, in words for the customer.
        amount: The change in what the customer owes: positive for a charge, negative
            for a credit, zero for an application that only matches a payment to an
            invoice.
        balance: The running balance after it.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    entry_id: str
    entry_date: date
    kind: EntryKind
    reference: str
    description: str
    amount: Money
    balance: Money

    @property
    def charge(self) -> Money:
        """The amount if it is a charge, else zero."""
        return self.amount if self.amount.amount > 0 else Money.zero(self.amount.currency)

    @property
    def credit(self) -> Money:
        """The amount as a positive number if it is a credit, else zero."""
        return -self.amount if self.amount.amount < 0 else Money.zero(self.amount.currency)


class AgingSummary(BaseModel):
    """The open items of one currency by age at the statement date.

    Receivables are aged by due date (days past due); credits in the customer's favour,
    which have no due date, by their own date.

    Attributes:
        buckets: The columns (current, 1-30, 31-60, 61-90, 91+).
        amounts: One amount per bucket.
        total: Σ ``amounts``: the balance.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    buckets: tuple[Bucket, ...]
    amounts: tuple[Money, ...]
    total: Money


class StatementSection(BaseModel):
    """One currency of a statement.

    Attributes:
        currency: The currency of every amount in the section.
        opening_balance: The balance at the end of the day before the period
            (balance-forward style; ``None`` for open-item statements).
        lines: The period's transactions (balance-forward style; empty for open-item).
        items: The items open at the statement date.
        closing_balance: What the customer owes at the statement date, net of credits.
        aging: The open items by age.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    currency: str
    opening_balance: Money | None
    lines: tuple[StatementLine, ...]
    items: tuple[StatementItem, ...]
    closing_balance: Money
    aging: AgingSummary


class Statement(BaseModel):
    """A customer statement for a period, ready to render.

    Attributes:
        company_id: Whose books.
        company_name: The company's name, as the books give it.
        customer: The customer (name, contacts...).
        start: First day of the period.
        end: Last day of the period: the statement date.
        style: Open item or balance forward.
        sections: One per currency, by currency code; at least one (the customer's own
            currency when nothing else moved).
        remittance: How to pay.
        reference: What the customer should quote with the payment.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    company_id: str
    company_name: str
    customer: Customer
    start: date
    end: date
    style: StatementStyle
    sections: tuple[StatementSection, ...]
    remittance: RemittanceInfo
    reference: str

    @property
    def statement_date(self) -> date:
        """The date the statement is as of: the last day of the period."""
        return self.end


# --- building a statement ------------------------------------------------------------------------


def statement(
    ledger: Ledger,
    customer_id: str,
    start: date,
    end: date,
    *,
    style: StatementStyle | str = StatementStyle.OPEN_ITEM,
    remittance: RemittanceInfo | None = None,
) -> Statement:
    """Build ``customer_id``'s statement for ``[start, end]`` from the ledger.

    Only entries dated on or before ``end`` count, whatever was posted later, so a
    statement for a past period can be printed again and comes out the same.

    Args:
        ledger: The company's ledger.
        customer_id: Whose statement.
        start: First day of the period.
        end: Last day of the period, the statement date.
        style: ``"open_item"`` (default) or ``"balance_forward"``.
        remittance: How to pay; by default, pay the company (the books' name) quoting the
            customer id.

    Raises:
        NotFoundError: unknown customer, or books never opened.
        ValidationError: ``start`` after ``end``, or an unknown style.
        ConflictError: balance forward only: the period's movements do not lead from the
            opening balance to the open items at the end (the ledger is inconsistent).
    """
    chosen = _style(style)
    if start > end:
        raise ValidationError(
            f"the statement period starts on {start}, after its end {end}",
            hint="Give --from on or before --to",
            field="start",
            value=start,
        )
    books = ledger.books()
    customer = ledger.customer(customer_id)
    remit = remittance or RemittanceInfo(pay_to=books.name)
    owners = _Owners(ledger)
    open_at_end = ledger.open_items(customer_id=customer_id, as_of=end)
    by_currency: dict[str, list[OpenItem]] = {}
    for item in open_at_end:
        by_currency.setdefault(item.currency, []).append(item)
    openings: dict[str, Money] = {}
    moves: dict[str, list[StatementLine]] = {}
    if chosen is StatementStyle.BALANCE_FORWARD:
        opening_items = ledger.open_items(customer_id=customer_id, as_of=start - timedelta(days=1))
        for item in opening_items:
            zero = Money.zero(item.currency)
            openings[item.currency] = openings.get(item.currency, zero) + item.balance
        moves = _movement_lines(ledger, owners, books.chart, customer_id, (start, end), openings)
    currencies = sorted(set(by_currency) | set(openings) | set(moves)) or [customer.currency]
    sections = []
    for currency in currencies:
        items = by_currency.get(currency, [])
        zero = Money.zero(currency)
        lines = tuple(moves.get(currency, ()))
        open_total = sum((item.balance for item in items), zero)
        opening: Money | None = None
        closing = open_total
        if chosen is StatementStyle.BALANCE_FORWARD:
            opening = openings.get(currency, zero)
            closing = lines[-1].balance if lines else opening
            if closing != open_total:
                # Never print a statement whose movements do not explain its open items.
                raise ConflictError(
                    f"customer {customer_id}'s {currency} movements from {start} to {end} "
                    f"add up to {closing}, but its open items to {open_total}",
                    hint="Print an open-item statement, and report this with the journal "
                    "of the customer (a ledger inconsistency)",
                    field="customer_id",
                    value=customer_id,
                )
        sections.append(
            StatementSection(
                currency=currency,
                opening_balance=opening,
                lines=lines,
                items=tuple(_statement_item(item, end, owners) for item in items),
                closing_balance=closing,
                aging=_aging_summary(items, end, currency),
            )
        )
    return Statement(
        company_id=ledger.company_id,
        company_name=books.name,
        customer=customer,
        start=start,
        end=end,
        style=chosen,
        sections=tuple(sections),
        remittance=remit,
        reference=remit.reference_for(customer_id),
    )


def _style(style: StatementStyle | str) -> StatementStyle:
    try:
        return StatementStyle(str(style).replace("-", "_"))
    except ValueError:
        raise ValidationError(
            f"unknown statement style {style!r}",
            hint="Use open_item or balance_forward",
            field="style",
            value=style,
        ) from None


def _statement_item(item: OpenItem, as_of: date, owners: _Owners) -> StatementItem:
    number = item.number
    if number is None and item.kind in ("payment", "customer_deposit"):
        number = owners.label(item.document_id)  # the reference the customer paid with
    return StatementItem(
        document_id=item.document_id,
        kind=item.kind,
        number=number,
        document_date=item.document_date,
        due_date=item.due_date,
        total=item.total,
        balance=item.balance,
        days_past_due=(as_of - item.due_date).days if item.due_date is not None else None,
        disputed=item.disputed,
    )


def _aging_summary(items: Iterable[OpenItem], as_of: date, currency: str) -> AgingSummary:
    """Bucket ``items`` (all in ``currency``) by days past due as of ``as_of``."""
    columns = buckets()
    zero = Money.zero(currency)
    amounts = [zero] * len(columns)
    for item in items:
        days = (as_of - (item.due_date or item.document_date)).days
        index = next(i for i, bucket in enumerate(columns) if bucket.holds(days))
        amounts[index] += item.balance
    return AgingSummary(buckets=columns, amounts=tuple(amounts), total=sum(amounts, zero))


class _Owners:
    """Documents by id, read once each, to tell whose balance a posting moves."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.found: dict[str, Document | None] = {}

    def get(self, document_id: str | None) -> Document | None:
        if document_id is None:
            return None
        if document_id not in self.found:
            try:
                self.found[document_id] = self.ledger.document(document_id)
            except NotFoundError:
                self.found[document_id] = None
        return self.found[document_id]

    def owner(self, document_id: str | None) -> str | None:
        document = self.get(document_id)
        return getattr(document, "customer_id", None) if document is not None else None

    def label(self, document_id: str | None) -> str:
        document = self.get(document_id)
        if document is None:
            return document_id or ""
        if isinstance(document, Invoice | DebitMemo | CreditMemo):
            return document.number
        if isinstance(document, Payment | CustomerDeposit) and document.reference:
            return document.reference
        return document.id


def _movement_lines(
    ledger: Ledger,
    owners: _Owners,
    chart: ChartOfAccounts,
    customer_id: str,
    period: tuple[date, date],
    openings: dict[str, Money],
) -> dict[str, list[StatementLine]]:
    """Per currency, the period's lines with their running balance from ``openings``."""
    start, end = period
    codes = _Codes(
        ar=chart.code(AccountRole.AR_CONTROL),
        receipts=frozenset(
            {chart.code(AccountRole.UNAPPLIED_CASH), chart.code(AccountRole.CUSTOMER_DEPOSITS)}
        ),
        discounts=chart.code(AccountRole.SALES_DISCOUNTS),
    )
    running = dict(openings)
    lines: dict[str, list[StatementLine]] = {}
    for entry in ledger.journal(customer_id=customer_id, start=start, end=end):
        # The customer's balance is the sum of its documents' balances (Ledger.open_items):
        # AR lines count for the document's owner, receipt-account lines for the receipt's.
        effect: dict[str, Money] = {}
        for posting in entry.postings:
            if posting.account == codes.ar:
                owner = owners.owner(posting.document_id)
            elif posting.account in codes.receipts:
                owner = owners.owner(posting.source_id)
            else:
                continue
            if owner == customer_id:
                currency = posting.amount.currency
                effect[currency] = effect.get(currency, Money.zero(currency)) + posting.amount
        if not effect:
            if entry.kind is not EntryKind.APPLICATION:
                continue  # nothing of the customer's moved
            # An application matching a payment to an invoice: shown, changing nothing.
            currency = entry.postings[0].amount.currency
            effect[currency] = Money.zero(currency)
        reference, description = _describe(entry, owners, codes)
        for currency, amount in effect.items():
            running[currency] = running.get(currency, Money.zero(currency)) + amount
            lines.setdefault(currency, []).append(
                StatementLine(
                    entry_id=entry.id,
                    entry_date=entry.entry_date,
                    kind=entry.kind,
                    reference=reference,
                    description=description,
                    amount=amount,
                    balance=running[currency],
                )
            )
    return lines


_KIND_WORDS = {
    EntryKind.INVOICE: "Invoice",
    EntryKind.DEBIT_MEMO: "Debit memo",
    EntryKind.CREDIT_MEMO: "Credit memo",
    EntryKind.PAYMENT: "Payment received",
    EntryKind.CUSTOMER_DEPOSIT: "Deposit received",
    EntryKind.DISCOUNT: "Discount",
    EntryKind.WRITE_OFF: "Balance written off",
    EntryKind.BAD_DEBT: "Written off as bad debt",
    EntryKind.RECOVERY: "Written-off balance reinstated",
    EntryKind.REFUND: "Refund",
    EntryKind.OPENING_BALANCE: "Opening balance",
    EntryKind.BANK_FEE: "Bank fee",
    EntryKind.DEPOSIT_VERIFIED: "Deposit verified",
}


@dataclass(frozen=True)
class _Codes:
    """The account codes a statement reads."""

    ar: str
    receipts: frozenset[str]
    discounts: str


def _describe(entry: JournalEntry, owners: _Owners, codes: _Codes) -> tuple[str, str]:
    """(reference, description) of an entry, for the customer: no internal reasons."""
    ar = codes.ar
    documents = [p.document_id for p in entry.postings if p.account == ar and p.document_id]
    sources = [p.source_id for p in entry.postings if p.source_id]
    main = documents[0] if documents else (sources[0] if sources else None)
    reference = owners.label(main)
    if entry.kind is EntryKind.APPLICATION:
        # Its AR credits carry the target and the payment, memo or deposit applied to it.
        settled = next((p for p in entry.postings if p.account == ar and p.source_id), None)
        target = settled.document_id if settled is not None else main
        source = settled.source_id if settled is not None else None
        source_doc = owners.get(source)
        what = {"credit_memo": "Credit memo", "customer_deposit": "Deposit"}.get(
            getattr(source_doc, "kind", ""), "Payment"
        )
        label = owners.label(source)
        applied = f"{what} {label} applied to {owners.label(target)}"
        extras = [
            f"{'discount' if p.account == codes.discounts else 'written off'} "
            f"{_amount_text(p.amount)}"
            for p in entry.postings
            if p.account not in codes.receipts and p.account != ar and p.amount.amount > 0
        ]
        return owners.label(target), applied + (f" ({', '.join(extras)})" if extras else "")
    if entry.kind is EntryKind.REVERSAL:
        return reference, f"Reversal on {reference}" if reference else "Reversal"
    words = _KIND_WORDS.get(entry.kind, entry.kind.value.replace("_", " ").capitalize())
    if entry.kind in (EntryKind.PAYMENT, EntryKind.CUSTOMER_DEPOSIT):
        source_doc = owners.get(sources[0] if sources else None)
        ref = getattr(source_doc, "reference", "")
        return ref or reference, words + (f", ref. {ref}" if ref else "")
    if entry.kind in (EntryKind.INVOICE, EntryKind.DEBIT_MEMO, EntryKind.CREDIT_MEMO):
        return reference, f"{words} {reference}"
    return reference, f"{words} ({reference})" if reference else words


# --- writing files -------------------------------------------------------------------------------

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}
)


def statement_filename(customer_id: str, format: str) -> str:
    """The file name of ``customer_id``'s statement: ``{customer_id}.{format}``, made safe.

    Characters other than letters, digits, ``.``, ``_`` and ``-`` become ``_`` and leading
    dots are dropped; a name that had to change (or that Windows reserves, like ``CON``)
    gets a short hash of the id, so two ids never share a file.

    >>> statement_filename("c-42", "pdf"), statement_filename("../etc/passwd", "txt")
    ('c-42.pdf', '_etc_passwd-7fef78f5.txt')
    """
    stem = _UNSAFE.sub("_", customer_id)[:100].lstrip(".") or "_"
    if stem != customer_id or stem.upper().split(".")[0] in _RESERVED:
        stem = f"{stem}-{hashlib.sha256(customer_id.encode()).hexdigest()[:8]}"
    return f"{stem}.{format}"


def _format(format: str | None, path: Path | None = None) -> _StatementFormat:
    chosen = (format or (path.suffix.lstrip(".") if path is not None else "")).lower()
    if chosen == "text":
        chosen = "txt"
    if chosen == "pdf":
        return "pdf"
    if chosen == "html":
        return "html"
    if chosen == "txt":
        return "txt"
    raise ValidationError(
        f"unknown statement format {format or chosen or '(none)'!r}",
        hint=f"Use one of {', '.join(STATEMENT_FORMATS)}",
        field="format",
        value=format,
    )


def write_statement(statement: Statement, path: Path, format: str | None = None) -> Path:
    """Render ``statement`` to ``path`` as PDF, HTML or text (by ``format`` or the suffix).

    Returns:
        ``path``.

    Raises:
        ValidationError: an unknown format.
    """
    chosen = _format(format, path)
    if chosen == "pdf":
        render_pdf(statement, path)
    elif chosen == "html":
        path.write_text(render_html(statement), encoding="utf-8")
    else:
        path.write_text(render_text(statement), encoding="utf-8")
    return path


def write_statements(
    ledger: Ledger,
    customer_ids: Iterable[str],
    start: date,
    end: date,
    out_dir: Path,
    format: str = "pdf",
    *,
    style: StatementStyle | str = StatementStyle.OPEN_ITEM,
    remittance: RemittanceInfo | None = None,
) -> list[Path]:
    """Write one statement file per customer into ``out_dir`` (created if missing).

    Files are named by [`statement_filename`][arcore.reports.statements.statement_filename]
    (``{customer_id}.{format}``); a customer listed twice is written once.

    Returns:
        The files written, in the order of ``customer_ids``.

    Raises:
        ValidationError: an unknown format or style, or a period that ends before it
            starts.
        NotFoundError: unknown customers (all of them named).

    Every problem above is found before anything is written.
    """
    chosen = _format(format)
    _style(style)
    if start > end:
        raise ValidationError(
            f"the statement period starts on {start}, after its end {end}",
            hint="Give --from on or before --to",
            field="start",
            value=start,
        )
    wanted = list(dict.fromkeys(customer_ids))
    known = {customer.id for customer in ledger.customers()}
    missing = [customer_id for customer_id in wanted if customer_id not in known]
    if missing:
        raise NotFoundError(
            f"no customer {', '.join(repr(m) for m in missing)} in {ledger.company_id}'s books",
            hint="Check the ids, or add the customers first",
            field="customer_id",
            value=missing[0] if len(missing) == 1 else missing,
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    taken: set[str] = set()
    for customer_id in wanted:
        name = statement_filename(customer_id, chosen)
        if name.casefold() in taken:  # "ABC" and "abc" on a case-insensitive disk
            digest = hashlib.sha256(customer_id.encode()).hexdigest()[:8]
            name = f"{name.rsplit('.', 1)[0]}-{digest}.{chosen}"
        taken.add(name.casefold())
        built = statement(ledger, customer_id, start, end, style=style, remittance=remittance)
        written.append(write_statement(built, out_dir / name, chosen))
    return written


# --- rendering -----------------------------------------------------------------------------------

_ITEM_WORDS = {
    "invoice": "Invoice",
    "debit_memo": "Debit memo",
    "credit_memo": "Credit memo",
    "payment": "Payment",
    "customer_deposit": "Deposit",
}


def _amount_text(money: Money) -> str:
    """``1,234.50``: grouped, at least the currency's places, never rounded."""
    exponent = money.amount.as_tuple().exponent
    places = max(money.exponent, -exponent if isinstance(exponent, int) else 0)
    return format(money.amount, f",.{places}f")


def _blank_zero(money: Money) -> str:
    return _amount_text(money) if money else ""


def _contact_lines(customer: Customer) -> list[str]:
    lines = [customer.name, f"Customer {customer.id}"]
    if customer.contacts:
        contact = customer.contacts[0]
        lines.append(
            "Attn: " + ", ".join(x for x in (contact.name, contact.email, contact.phone) if x)
        )
    return lines


def _item_cells(item: StatementItem) -> list[str]:
    kind = _ITEM_WORDS.get(item.kind, item.kind)
    return [
        item.document_date.isoformat(),
        (item.number or item.document_id) + (" *" if item.disputed else ""),
        kind,
        item.due_date.isoformat() if item.due_date else "",
        str(item.days_past_due) if item.days_past_due is not None else "",
        _amount_text(item.total),
        _amount_text(item.balance),
    ]


_ITEM_HEADER = ["Date", "Document", "Type", "Due", "Days", "Amount", "Balance"]
_LINE_HEADER = ["Date", "Reference", "Description", "Charges", "Credits", "Balance"]


def _line_cells(line: StatementLine) -> list[str]:
    return [
        line.entry_date.isoformat(),
        line.reference,
        line.description,
        _blank_zero(line.charge),
        _blank_zero(line.credit),
        _amount_text(line.balance),
    ]


def _rows(section: StatementSection, style: StatementStyle) -> tuple[list[str], list[list[str]]]:
    """The table of a section: header and rows (opening and closing lines included)."""
    if style is StatementStyle.OPEN_ITEM:
        return _ITEM_HEADER, [_item_cells(item) for item in section.items]
    assert section.opening_balance is not None
    rows = [["", "", "Opening balance", "", "", _amount_text(section.opening_balance)]]
    rows += [_line_cells(line) for line in section.lines]
    return _LINE_HEADER, rows


def _numeric_columns(style: StatementStyle) -> set[int]:
    """The right-aligned columns of a section's table."""
    return {4, 5, 6} if style is StatementStyle.OPEN_ITEM else {3, 4, 5}


def _remittance_lines(statement: Statement) -> list[str]:
    remit = statement.remittance
    lines = [f"Pay to: {remit.pay_to}", *remit.address, *remit.bank_details]
    lines.append(f"Please quote: {statement.reference}")
    if remit.note:
        lines.append(remit.note)
    return lines


def _period_text(statement: Statement) -> str:
    return f"{statement.start.isoformat()} to {statement.end.isoformat()}"


_STYLE_WORDS = {
    StatementStyle.OPEN_ITEM: "open item",
    StatementStyle.BALANCE_FORWARD: "balance forward",
}


def render_text(statement: Statement) -> str:
    """The statement as plain text (fixed-width columns), for a terminal or an email body.

    Disputed items are marked ``*``.
    """
    out: list[str] = [f"STATEMENT OF ACCOUNT - {statement.company_name}", ""]
    out += _contact_lines(statement.customer)
    out += [
        "",
        f"Statement date: {statement.statement_date.isoformat()}",
        f"Period: {_period_text(statement)} ({_STYLE_WORDS[statement.style]})",
    ]
    right = _numeric_columns(statement.style)
    for section in statement.sections:
        header, rows = _rows(section, statement.style)
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

        def fmt(cells: Sequence[str], widths: list[int] = widths) -> str:
            return "  ".join(
                c.rjust(w) if i in right else c.ljust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            ).rstrip()

        out += ["", f"== {section.currency} ==", fmt(header), fmt(["-" * w for w in widths])]
        out += [fmt(row) for row in rows]
        label = "Amount due" if section.closing_balance.amount >= 0 else "Credit balance"
        out += [f"{label}: {_amount_text(section.closing_balance)} {section.currency}"]
        if any(item.disputed for item in section.items):
            out.append("* in dispute")
        labels = [b.label for b in section.aging.buckets] + ["total"]
        amounts = [_amount_text(a) for a in section.aging.amounts]
        amounts.append(_amount_text(section.aging.total))
        aging_widths = [max(len(a), len(b)) for a, b in zip(labels, amounts, strict=True)]
        out += [
            "",
            f"Aging ({section.currency}, days past due):",
            "  ".join(x.rjust(w) for x, w in zip(labels, aging_widths, strict=True)),
            "  ".join(x.rjust(w) for x, w in zip(amounts, aging_widths, strict=True)),
        ]
    out += ["", "REMITTANCE", *_remittance_lines(statement)]
    return "\n".join(out) + "\n"


_CSS = """
body { font-family: Helvetica, Arial, sans-serif; color: #222; margin: 2em auto; max-width: 60em; }
h1 { font-size: 1.6em; margin-bottom: 0; }
h2 { font-size: 1.2em; margin-top: 1.6em; border-bottom: 2px solid #335; }
.company { color: #555; margin-top: 0.2em; }
.parties { display: flex; justify-content: space-between; margin: 1.5em 0; }
dl { display: grid; grid-template-columns: auto auto; gap: 0.2em 1em; margin: 0; }
dt { font-weight: bold; }
dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0; }
th, td { padding: 0.3em 0.5em; border-bottom: 1px solid #ddd; text-align: left; }
th { background: #eef; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tfoot td { font-weight: bold; border-top: 2px solid #335; }
.disputed { color: #a40; }
.remittance { margin-top: 2em; padding: 1em; border: 1px dashed #557; }
""".strip()


def render_html(statement: Statement) -> str:
    """The statement as one self-contained HTML page (inline CSS, no scripts, no links).

    Every value from the books is escaped.
    """
    e = html.escape
    customer = statement.customer
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>Statement of account: {e(customer.name)}, {statement.end.isoformat()}</title>",
        f"<style>\n{_CSS}\n</style>",
        "</head>",
        "<body>",
        "<h1>Statement of account</h1>",
        f'<p class="company">{e(statement.company_name)}</p>',
        '<div class="parties">',
        '<div class="customer">' + "<br>".join(e(x) for x in _contact_lines(customer)) + "</div>",
        "<dl>",
        f"<dt>Statement date</dt><dd>{statement.statement_date.isoformat()}</dd>",
        f"<dt>Period</dt><dd>{e(_period_text(statement))}</dd>",
        f"<dt>Style</dt><dd>{e(_STYLE_WORDS[statement.style])}</dd>",
        f"<dt>Customer</dt><dd>{e(customer.id)}</dd>",
        "</dl>",
        "</div>",
    ]
    numeric = _numeric_columns(statement.style)
    for section in statement.sections:
        header, rows = _rows(section, statement.style)
        parts.append(f"<h2>{e(section.currency)}</h2>")
        parts.append('<table class="lines">')
        parts.append(
            "<thead><tr>"
            + "".join(
                f'<th class="num">{e(h)}</th>' if i in numeric else f"<th>{e(h)}</th>"
                for i, h in enumerate(header)
            )
            + "</tr></thead>"
        )
        parts.append("<tbody>")
        disputed = (
            [item.disputed for item in section.items]
            if statement.style is StatementStyle.OPEN_ITEM
            else [False] * len(rows)
        )
        for row, flagged in zip(rows, disputed, strict=True):
            cls = ' class="disputed"' if flagged else ""
            parts.append(
                f"<tr{cls}>"
                + "".join(
                    f'<td class="num">{e(c)}</td>' if i in numeric else f"<td>{e(c)}</td>"
                    for i, c in enumerate(row)
                )
                + "</tr>"
            )
        parts.append("</tbody>")
        label = "Amount due" if section.closing_balance.amount >= 0 else "Credit balance"
        parts.append(
            f'<tfoot><tr><td colspan="{len(header) - 1}">{label} ({e(section.currency)})</td>'
            f'<td class="num">{e(_amount_text(section.closing_balance))}</td></tr></tfoot>'
        )
        parts.append("</table>")
        if any(item.disputed for item in section.items):
            parts.append('<p class="disputed">* in dispute</p>')
        parts.append('<table class="aging">')
        labels = [b.label for b in section.aging.buckets] + ["total"]
        amounts = [*section.aging.amounts, section.aging.total]
        parts.append(
            f"<caption>Aging, days past due ({e(section.currency)})</caption><tr>"
            + "".join(f'<th class="num">{e(x)}</th>' for x in labels)
            + "</tr><tr>"
            + "".join(f'<td class="num">{e(_amount_text(a))}</td>' for a in amounts)
            + "</tr>"
        )
        parts.append("</table>")
    parts.append('<div class="remittance"><h2>How to pay</h2><p>')
    parts.append("<br>".join(e(x) for x in _remittance_lines(statement)))
    parts += ["</p></div>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"


# --- PDF -----------------------------------------------------------------------------------------

_LINE_H = 5.5


class _StatementPdf(FPDF):
    """An A4 page with the statement's running footer; text kept to the font's repertoire."""

    def __init__(self, statement: Statement, font: Path | None) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.statement = statement
        self.set_margins(20, 18, 20)
        self.set_auto_page_break(auto=True, margin=18)
        if font is not None:
            self.add_font("statement", "", str(font))
            self.add_font("statement", "B", str(font))
            self.family_name = "statement"
        else:
            self.core_fonts_encoding = "windows-1252"
            self.family_name = "helvetica"
        self.set_title(f"Statement of account: {self.safe(statement.customer.name)}")
        self.set_author(self.safe(statement.company_name))

    def safe(self, text: str) -> str:
        """Text the font can show: outside Windows-1252, core fonts get ``?``."""
        if self.family_name != "helvetica":
            return text
        return text.encode("cp1252", "replace").decode("cp1252")

    def font(self, size: float, bold: bool = False) -> None:  # float-ok: points
        self.set_font(self.family_name, "B" if bold else "", size)

    def footer(self) -> None:
        """Customer, statement date and page number at the foot of every page."""
        self.set_y(-14)
        self.font(7.5)
        statement = self.statement
        self.cell(
            0,
            5,
            self.safe(
                f"{statement.customer.name} - statement of {statement.end.isoformat()} - "
                f"page {self.page_no()} of {{nb}}"
            ),
            align="C",
        )

    def line_of(self, text: str, size: float = 10, bold: bool = False) -> None:  # float-ok: points
        self.font(size, bold)
        self.multi_cell(0, _LINE_H, self.safe(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def fitted(
        self,
        text: str,
        width: float,  # float-ok: points
        numeric: bool,
        size: float,  # float-ok: points
    ) -> None:
        """One cell, set smaller until it fits; text still too long is cut, amounts never."""
        text = self.safe(text)
        room = width - 2 * self.c_margin
        smallest = 4.0 if numeric else size - 2
        shrink = size
        while self.get_string_width(text) > room and shrink > smallest:
            shrink -= 0.5
            self.set_font_size(shrink)
        if not numeric and self.get_string_width(text) > room:
            while text and self.get_string_width(text + "...") > room:
                text = text[:-1]
            text += "..."
        self.cell(width, _LINE_H, text, border="B", align="R" if numeric else "L")
        self.set_font_size(size)

    def statement_table(
        self,
        header: Sequence[str],
        rows: Iterable[Sequence[str]],
        widths: Sequence[float],  # float-ok: points
        numeric: set[int],
    ) -> None:
        """A table whose header is repeated on every page it runs onto."""

        def head() -> None:
            self.font(8, bold=True)
            self.set_fill_color(232, 232, 245)
            for i, (title, width) in enumerate(zip(header, widths, strict=True)):
                align = "R" if i in numeric else "L"
                self.cell(width, _LINE_H, self.safe(title), border="B", align=align, fill=True)
            self.ln(_LINE_H)
            self.font(8)

        head()
        for row in rows:
            if self.will_page_break(_LINE_H):
                self.add_page()
                head()
            for i, (text, width) in enumerate(zip(row, widths, strict=True)):
                self.fitted(text, width, i in numeric, 8)
            self.ln(_LINE_H)


_ITEM_WIDTHS = (20.0, 30.0, 22.0, 20.0, 12.0, 32.0, 34.0)
_LINE_WIDTHS = (20.0, 24.0, 64.0, 20.0, 20.0, 22.0)


def render_pdf(statement: Statement, path: Path, *, font: Path | None = None) -> Path:
    """Write the statement as a PDF file (A4, amounts right-aligned, pages numbered).

    A long statement runs onto further pages, each repeating its table's header.

    Args:
        statement: What to render.
        path: The file to write.
        font: A TrueType font file to embed, for names outside Windows-1252 (Greek,
            Cyrillic, CJK...); by default the PDF core font Helvetica, where such
            characters print as ``?``.

    Returns:
        ``path``.
    """
    pdf = _StatementPdf(statement, font)
    pdf.add_page()
    pdf.line_of("Statement of account", size=16, bold=True)
    pdf.line_of(statement.company_name, size=10)
    pdf.ln(4)
    for text in _contact_lines(statement.customer):
        pdf.line_of(text, size=10)
    pdf.ln(2)
    pdf.line_of(f"Statement date: {statement.statement_date.isoformat()}", size=10, bold=True)
    pdf.line_of(f"Period: {_period_text(statement)} ({_STYLE_WORDS[statement.style]})", size=9)
    for section in statement.sections:
        pdf.ln(4)
        pdf.line_of(section.currency, size=12, bold=True)
        header, rows = _rows(section, statement.style)
        widths = _ITEM_WIDTHS if statement.style is StatementStyle.OPEN_ITEM else _LINE_WIDTHS
        pdf.statement_table(header, rows, widths, _numeric_columns(statement.style))
        label = "Amount due" if section.closing_balance.amount >= 0 else "Credit balance"
        pdf.font(10, bold=True)
        pdf.cell(
            0,
            _LINE_H + 1,
            pdf.safe(f"{label}: {_amount_text(section.closing_balance)} {section.currency}"),
            align="R",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        if any(item.disputed for item in section.items):
            pdf.line_of("* in dispute", size=8)
        pdf.ln(2)
        labels = [b.label for b in section.aging.buckets] + ["total"]
        amounts = [_amount_text(a) for a in [*section.aging.amounts, section.aging.total]]
        width = 170.0 / len(labels)
        pdf.line_of(f"Aging ({section.currency}, days past due)", size=9, bold=True)
        pdf.statement_table(labels, [amounts], [width] * len(labels), set(range(len(labels))))
    pdf.ln(6)
    if pdf.will_page_break(_LINE_H * (4 + len(_remittance_lines(statement)))):
        pdf.add_page()
    pdf.line_of("How to pay", size=11, bold=True)
    for text in _remittance_lines(statement):
        pdf.line_of(text, size=9)
    pdf.output(str(path))
    return path
