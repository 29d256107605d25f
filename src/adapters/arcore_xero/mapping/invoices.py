"""Xero ``Invoice`` (``Type: ACCREC``) ⇄ arcore [`Invoice`][arcore.documents.Invoice].

| Xero | arcore |
| --- | --- |
| ``InvoiceID`` | ``id`` (a Xero id) |
| ``InvoiceNumber`` (else the id) | ``number`` |
| ``Contact.ContactID``, ``CurrencyCode`` | ``customer_id``, ``currency`` |
| ``Date``, ``DueDate`` | ``document_date``, ``terms`` Net (``DueDate`` − ``Date``) days |
| ``LineItems[]`` (``Quantity``, ``UnitAmount``, ``LineAmount``, ``TaxAmount``) | ``lines`` |
| ``LineAmountTypes`` ``Inclusive`` | lines net of their ``TaxAmount`` |
| ``DiscountRate`` / ``DiscountAmount`` on a line | its unit price, lowered (``LineAmount``) |
| a negative line | a discount spread over the positive lines |
| no ``LineItems`` (a summary listing) | one line of ``SubTotal`` taxed ``TotalTax`` |
| ``Status`` ``DRAFT`` / ``SUBMITTED`` / ``VOIDED`` | ``status`` draft / approved / void |
| ``Status`` ``AUTHORISED`` / ``PAID`` with ``AmountDue`` against ``Total`` | issued / partially paid / paid |
| ``Status`` ``DELETED`` | a deleted record (Xero deletes only drafts) |
| ``Reference`` | ``memo`` |
| ``LineItems[].AccountCode`` (the configured sales account: ``None``) | ``lines[].revenue_account`` |

Xero states each line's tax (``TaxAmount``, rounded per line) and works it out from the
line's ``TaxType``. Reading, each line gets the tax rate that reproduces its ``TaxAmount``
with per-line rounding: the simplest rate that does (``20`` before ``20.012``), so an
invoice written from arcore reads back with the rates it had. When the lines' taxes do not
add up to ``TotalTax`` (an organisation rounding tax per invoice), one rate on the taxed
lines, rounded once per document, must reproduce it. The arcore total must then equal Xero's
``Total``; an invoice where it cannot is refused with
[`XeroMappingError`][arcore_xero.mapping.common.XeroMappingError], never approximated.

Xero's invoice has a due date, not terms: reading, the terms are Net the days from ``Date``
to ``DueDate`` (the customer's terms are on the customer). Writing, ``DueDate`` is the
invoice's last due date (Xero has one), ``LineAmountTypes`` is ``Exclusive``, each line goes
to its ``revenue_account`` (else the configured sales account) with the configured
``TaxType`` and arcore's own ``TaxAmount``, so Xero keeps arcore's figures to the cent.
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, localcontext
from typing import Any

from arcore.adapter import Record
from arcore.documents import DocumentStatus, Invoice, InvoiceLine, status_for_balance
from arcore.errors import ArcoreError
from arcore.money import Money, allocate
from arcore.terms import NetTerms
from arcore_xero.mapping.common import (
    MappingContext,
    XeroMappingError,
    as_decimal,
    as_money,
    enum_text,
    version_of,
    wire_amount,
)

__all__ = [
    "XeroLine",
    "document_status",
    "invoice_to_record",
    "line_items",
    "line_taxes",
    "read_lines",
    "record_to_invoice",
    "summary_line",
    "taxed_lines",
    "xero_status",
]

_RATE_PLACES = Decimal("1E-12")
_NICE_PLACES = (0, 1, 2, 3, 4)


@dataclass(frozen=True)
class XeroLine:
    """One Xero line as read: net amount, its stated tax, quantity and unit price if exact."""

    description: str
    quantity: Decimal
    net: Money
    tax: Money
    unit_price: Money | None
    account: str | None


def document_status(status: str, open_balance: Money, total: Money) -> DocumentStatus:
    """The arcore status of a Xero invoice or credit note in ``status``.

    ``open_balance`` is ``AmountDue`` (``RemainingCredit`` for a credit note).

    Raises:
        XeroMappingError: the balance is outside 0 to the total.
    """
    if status == "VOIDED":
        return DocumentStatus.VOID
    if status == "DRAFT":
        return DocumentStatus.DRAFT
    if status == "SUBMITTED":
        return DocumentStatus.APPROVED
    try:
        return status_for_balance(open_balance, total)
    except ArcoreError as exc:
        raise XeroMappingError(
            f"the balance {open_balance} is outside 0 to the total {total}",
            field="AmountDue",
            value=str(open_balance),
        ) from exc


def xero_status(status: DocumentStatus) -> str:
    """The Xero ``Status`` to write for an arcore status (void goes through ``void``)."""
    if status is DocumentStatus.DRAFT:
        return "DRAFT"
    if status is DocumentStatus.APPROVED:
        return "SUBMITTED"
    return "AUTHORISED"


def _exact_unit_price(net: Money, quantity: Decimal, stated: Money | None) -> tuple[Decimal, Money]:
    """A quantity and unit price whose product rounds to ``net``: Xero's own when it does."""
    if stated is not None and quantity > 0 and (stated * quantity).quantize() == net:
        return quantity, stated
    if quantity > 0:
        with localcontext() as ctx:
            ctx.prec = 34
            price = (net.amount / quantity).normalize()
        candidate = Money(price, net.currency)
        if (candidate * quantity).quantize() == net:
            return quantity, candidate
    return Decimal(1), net


def read_lines(items: Sequence[Any] | None, currency: str, amount_types: str) -> list[XeroLine]:
    """The lines of a Xero invoice or credit note, net of tax, with negative lines spread.

    A negative line (Xero's way to give a discount) is allocated over the positive lines in
    proportion to their amounts, with its tax, so the lines still add up to the document.
    """
    lines: list[XeroLine] = []
    discount, discount_tax = Money.zero(currency), Money.zero(currency)
    for item in items or []:
        amount = as_money(item.line_amount, currency, "LineItems.LineAmount")
        tax = Money.zero(currency)
        if amount_types != "NoTax":
            tax = as_money(item.tax_amount, currency, "LineItems.TaxAmount")
        net = amount - tax if amount_types == "Inclusive" else amount
        if net.amount < 0:
            discount += -net
            discount_tax += -tax
            continue
        if not net and not tax:
            continue  # a description-only line
        quantity = as_decimal(item.quantity, "LineItems.Quantity") if item.quantity else Decimal(1)
        discounted = any(
            item_value not in (None, 0) for item_value in (item.discount_rate, item.discount_amount)
        )
        price = None
        if item.unit_amount is not None and not discounted and amount_types != "Inclusive":
            price = as_money(item.unit_amount, currency, "LineItems.UnitAmount", exact=True)
        lines.append(
            XeroLine(
                description=str(item.description or ""),
                quantity=quantity if quantity > 0 else Decimal(1),
                net=net,
                tax=tax,
                unit_price=price,
                account=str(item.account_code) if item.account_code else None,
            )
        )
    if discount or discount_tax:
        if not lines:
            raise XeroMappingError(
                "a negative line without positive lines",
                field="LineItems.LineAmount",
                value=str(-discount),
            )
        weights = [line.net.amount for line in lines]
        nets = allocate(discount, weights)
        taxes = allocate(discount_tax, weights)
        lines = [
            replace(line, net=line.net - net_share, tax=line.tax - tax_share, unit_price=None)
            for line, net_share, tax_share in zip(lines, nets, taxes, strict=True)
        ]
        lines = [line for line in lines if line.net]
    return lines


def summary_line(obj: Any, currency: str) -> XeroLine:
    """One line standing for a document Xero sent without its lines (``SubTotal``, ``TotalTax``)."""
    return XeroLine(
        description="",
        quantity=Decimal(1),
        net=as_money(obj.sub_total, currency, "SubTotal"),
        tax=as_money(obj.total_tax, currency, "TotalTax"),
        unit_price=None,
        account=None,
    )


def _line_rate(net: Money, tax: Money) -> Decimal | None:
    """The simplest rate whose tax on ``net``, rounded half up, is ``tax``.

    Xero's per-line tax is rounded, so several rates give it: the one with the fewest decimal
    places wins, and among those one ending in 5 (8.25 over 8.24, as tax rates are written),
    else the nearest to the exact ratio.
    """
    if not tax:
        return Decimal(0)
    if not net or tax.amount < 0 or net.amount < 0:
        return None
    half = Decimal(1).scaleb(-net.exponent) / 2
    with localcontext() as ctx:
        ctx.prec = 34
        ratio = tax.amount * 100 / net.amount
        low = (tax.amount - half) * 100 / net.amount
        high = (tax.amount + half) * 100 / net.amount
        for places in _NICE_PLACES:
            step = Decimal(1).scaleb(-places)
            first = (low / step).to_integral_value(rounding="ROUND_CEILING") * step
            found: list[Decimal] = []
            rate = first
            while rate < high and len(found) < 100:
                if Decimal(0) < rate < 100 and (net * rate.scaleb(-2)).quantize() == tax:
                    found.append(rate.normalize())
                rate += step
            if found:
                fives = [rate for rate in found if (rate / step) % 5 == 0]
                return min(fives or found, key=lambda rate: abs(rate - ratio))
        exact = ratio.quantize(_RATE_PLACES).normalize()
    if Decimal(0) < exact < 100 and (net * exact.scaleb(-2)).quantize() == tax:
        return exact
    return None


def _built(lines: Sequence[XeroLine], rates: Sequence[Decimal]) -> tuple[InvoiceLine, ...]:
    built = []
    for line, rate in zip(lines, rates, strict=True):
        quantity, price = _exact_unit_price(line.net, line.quantity, line.unit_price)
        built.append(
            InvoiceLine(
                description=line.description,
                quantity=quantity,
                unit_price=price,
                tax_rate=rate,
                revenue_account=line.account,
            )
        )
    return tuple(built)


def _document_tax(lines: tuple[InvoiceLine, ...], currency: str) -> Money:
    exact = Money.zero(currency)
    for line in lines:
        exact += line.exact_tax
    return exact.quantize()


def taxed_lines(lines: Sequence[XeroLine], total_tax: Money) -> tuple[tuple[InvoiceLine, ...], str]:
    """The arcore lines whose tax equals ``total_tax``, and the tax rounding that gives it.

    Per-line rates reproducing each line's ``TaxAmount`` (rounding ``line``) when their sum is
    ``total_tax``; else one rate on the taxed lines rounded once (``document``).

    Raises:
        XeroMappingError: no such rates exist.
    """
    currency = total_tax.currency
    rates = [_line_rate(line.net, line.tax) for line in lines]
    stated_sum = sum((line.tax.amount for line in lines), Decimal(0))
    if all(rate is not None for rate in rates) and stated_sum == total_tax.amount:
        return _built(lines, [rate or Decimal(0) for rate in rates]), "line"
    taxable = [line for line in lines if line.tax]
    base = sum((line.net.amount for line in (taxable or lines)), Decimal(0))
    if total_tax and base:
        with localcontext() as ctx:
            ctx.prec = 34
            ratio = total_tax.amount * 100 / base
        for places in (*_NICE_PLACES, 12):
            uniform = ratio.quantize(Decimal(1).scaleb(-places)).normalize()
            if not Decimal(0) < uniform < 100:
                continue
            chosen = [uniform if (line.tax or not taxable) else Decimal(0) for line in lines]
            built = _built(lines, chosen)
            if _document_tax(built, currency) == total_tax:
                return built, "document"
    if not total_tax:
        return _built(lines, [Decimal(0)] * len(lines)), "line"
    raise XeroMappingError(
        f"no tax rates reproduce TotalTax {total_tax}",
        hint="The document's tax cannot be expressed as line tax rates in arcore",
        field="TotalTax",
        value=str(total_tax),
    )


def _contact_id(obj: Any, owner: str) -> str:
    contact = obj.contact
    contact_id = getattr(contact, "contact_id", None) if contact is not None else None
    if not contact_id:
        raise XeroMappingError(f"{owner} has no Contact.ContactID", field="Contact.ContactID")
    return str(contact_id)


def _currency(obj: Any, context: MappingContext) -> str:
    return enum_text(obj.currency_code) or context.home_currency


def invoice_to_record(obj: Any, context: MappingContext) -> Record:
    """A xero-python ``Invoice`` (``ACCREC``) as an ``invoice`` record.

    Raises:
        XeroMappingError: not a sales invoice, or its amounts cannot be represented exactly
            (its arcore total would differ from ``Total``).
    """
    invoice_id = str(obj.invoice_id)
    version = version_of(obj.updated_date_utc)
    kind = enum_text(obj.type)
    if kind and kind != "ACCREC":
        raise XeroMappingError(
            f"invoice {invoice_id} is a {kind}, not a sales invoice (ACCREC)",
            field="Type",
            value=kind,
        )
    status = enum_text(obj.status)
    if status == "DELETED":
        return Record(
            entity="invoice",
            external_id=invoice_id,
            version=version,
            updated_at=obj.updated_date_utc,
            deleted=True,
        )
    currency = _currency(obj, context)
    issued: date | None = obj.date
    if issued is None:
        raise XeroMappingError(f"invoice {invoice_id} has no Date", field="Date")
    amount_types = enum_text(obj.line_amount_types) or "Exclusive"
    lines = [
        replace(line, account=None) if line.account == context.sales_account_code else line
        for line in read_lines(obj.line_items, currency, amount_types)
    ]
    if not lines and not obj.line_items and obj.sub_total:
        lines = [summary_line(obj, currency)]  # a listing without line items (summaryOnly)
    if not lines:
        raise XeroMappingError(f"invoice {invoice_id} has no amount", field="LineItems")
    if obj.total_tax is None:  # not stated (a body not yet through Xero): the lines' sum
        total_tax = sum((line.tax for line in lines), Money.zero(currency))
    else:
        total_tax = as_money(obj.total_tax, currency, "TotalTax")
    invoice_lines, rounding = taxed_lines(lines, total_tax)
    due: date | None = obj.due_date
    days = (due - issued).days if due is not None and due >= issued else 0
    invoice = Invoice(
        company_id=context.company_id,
        id=invoice_id,
        external_ids={"xero": invoice_id},
        currency=currency,
        customer_id=_contact_id(obj, f"invoice {invoice_id}"),
        number=str(obj.invoice_number or invoice_id),
        document_date=issued,
        terms=NetTerms(days=days),
        lines=invoice_lines,
        tax_rounding="line" if rounding == "line" else "document",
        memo=str(obj.reference or ""),
    )
    if obj.total is not None:
        stated = as_money(obj.total, currency, "Total")
        if stated != invoice.total:
            raise XeroMappingError(
                f"invoice {invoice_id}: lines and tax add up to {invoice.total}, Total is {stated}",
                field="Total",
                value=str(stated),
            )
    if status == "PAID":
        open_balance = Money.zero(currency)
    elif obj.amount_due is None:
        open_balance = invoice.total
    else:
        open_balance = as_money(obj.amount_due, currency, "AmountDue")
    return Record(
        entity="invoice",
        external_id=invoice_id,
        version=version,
        updated_at=obj.updated_date_utc,
        document=invoice.model_copy(
            update={"status": document_status(status, open_balance, invoice.total)}
        ),
    )


def line_taxes(invoice: Invoice) -> list[Money]:
    """Each line's tax as Xero is to keep it: adding up to the invoice's ``tax_total``.

    Per-line rounding gives each line's own rounded tax; document rounding spreads the
    document's rounded tax over the lines by their exact taxes.
    """
    if invoice.tax_rounding == "line":
        return [line.tax for line in invoice.lines]
    exact = [line.exact_tax.amount for line in invoice.lines]
    if not any(exact):
        return [Money.zero(invoice.currency) for _ in invoice.lines]
    return allocate(invoice.tax_total, exact)


def line_items(
    lines: Sequence[InvoiceLine], taxes: Sequence[Money], context: MappingContext
) -> list[Any]:
    """xero-python ``LineItem`` s for arcore lines, with their taxes stated."""
    from xero_python.accounting.models import LineItem

    items = []
    for number, (line, tax) in enumerate(zip(lines, taxes, strict=True), 1):
        field = f"lines[{number}]"
        items.append(
            LineItem(
                description=line.description or "-",
                quantity=wire_amount(line.quantity, f"{field}.quantity"),
                unit_amount=wire_amount(line.unit_price, f"{field}.unit_price"),
                line_amount=wire_amount(line.amount, f"{field}.amount"),
                account_code=line.revenue_account or context.sales_account_code,
                tax_type=context.tax_type if line.tax_rate else context.no_tax_type,
                tax_amount=wire_amount(tax, f"{field}.tax"),
            )
        )
    return items


def record_to_invoice(record: Record, context: MappingContext) -> Any:
    """The xero-python ``Invoice`` to send for an ``invoice`` record."""
    from xero_python.accounting.models import Contact, CurrencyCode, LineAmountTypes
    from xero_python.accounting.models import Invoice as XeroInvoice

    invoice = record.document
    if not isinstance(invoice, Invoice):
        raise XeroMappingError("an invoice record must hold an Invoice", field="document")
    due_dates = invoice.due_dates()
    body = XeroInvoice(
        type="ACCREC",
        contact=Contact(contact_id=invoice.customer_id),
        invoice_number=invoice.number,
        reference=invoice.memo,
        date=invoice.document_date,
        due_date=max(due_dates) if due_dates else invoice.document_date,
        currency_code=CurrencyCode(invoice.currency),
        line_amount_types=LineAmountTypes.EXCLUSIVE,
        line_items=line_items(invoice.lines, line_taxes(invoice), context),
        status=xero_status(invoice.status),
    )
    if record.external_id is not None:
        body.invoice_id = record.external_id
    return body
