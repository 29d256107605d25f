"""QuickBooks ``Invoice`` ⇄ arcore [`Invoice`][arcore.documents.Invoice].

| QuickBooks | arcore |
| --- | --- |
| ``DocNumber`` (else ``Id``) | ``number`` |
| ``TxnDate``, ``DueDate`` | ``document_date``, ``due_date`` (when not what the terms give) |
| ``CustomerRef``, ``CurrencyRef`` | ``customer_id``, ``currency`` |
| ``SalesTermRef`` (through the ``Term`` list) | ``terms`` (else ``Net N`` from the dates) |
| ``Line`` ``SalesItemLineDetail`` (``Qty``, ``UnitPrice``, ``Amount``) | ``lines`` |
| ``Line`` ``DiscountLineDetail`` | spread over the item lines, lowering their unit prices |
| ``Line`` ``SubTotalLineDetail``, ``DescriptionOnly``, ``GroupLineDetail`` | ignored |
| ``TxnTaxDetail.TotalTax`` | line ``tax_rate`` s that reproduce it exactly |
| ``Balance`` against ``TotalAmt`` | ``status`` issued / partially paid / paid |
| ``PrivateNote`` "Voided..." (QBO's mark of a voided invoice) | ``status`` void |
| ``PrivateNote`` | ``memo`` |

arcore computes an invoice's tax from its lines, QuickBooks states it. Reading, the tax
rates are chosen so the arcore invoice's ``tax_total`` equals ``TotalTax`` to the cent: first
the ``TaxPercent`` of ``TxnTaxDetail.TaxLine`` on the lines whose ``TaxCodeRef`` is not
``NON``, else one rate on those lines (``TotalTax`` / their amount), else one rate on every
line (``TotalTax`` / subtotal), with the tax rounded once per document. The arcore total
must then equal ``TotalAmt``; an invoice where it cannot is refused with
[`QuickBooksMappingError`][arcore_quickbooks.mapping.common.QuickBooksMappingError], never
approximated.

A voided QuickBooks invoice keeps its object with zero amounts and zero tax. arcore's
``Invoice`` must have a positive total, so its lines are rebuilt from ``Qty`` × ``UnitPrice``
(without tax, which QuickBooks no longer states), with status void; when even those are gone,
the record is a deleted one (``deleted`` true, no document: QuickBooks no longer states it).

Writing, each line becomes a ``SalesItemLineDetail`` line on the item given as ``item_id``,
with ``TaxCodeRef`` ``TAX`` or ``NON``; ``TxnTaxDetail.TotalTax`` carries the arcore tax
total, and a ``TaxLine`` its rate when every taxed line has the same one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, localcontext

from arcore.adapter import Record
from arcore.documents import DocumentStatus, Invoice, InvoiceLine, status_for_balance
from arcore.errors import ArcoreError
from arcore.money import Money, allocate
from arcore.terms import InstallmentTerms, NetTerms, Terms, due_date
from arcore_quickbooks.mapping.common import (
    JSON,
    MappingContext,
    QuickBooksMappingError,
    as_date,
    as_decimal,
    as_money,
    currency_of,
    ref,
    ref_value,
    sync_token,
    updated_at,
)

__all__ = [
    "DEFAULT_ITEM_ID",
    "invoice_to_record",
    "is_voided",
    "record_to_invoice",
    "sales_lines",
    "status_from_balance",
    "tax_detail",
    "taxed_lines",
]

DEFAULT_ITEM_ID = "1"
"""The QuickBooks item written lines are booked to unless configured (``Services`` in a new
QuickBooks company)."""

_RATE_PLACES = Decimal("1E-12")


def is_voided(obj: JSON) -> bool:
    """Whether QuickBooks voided the transaction (it marks the ``PrivateNote`` "Voided")."""
    note = obj.get("PrivateNote")
    return isinstance(note, str) and note.strip().lower().startswith("voided")


def status_from_balance(obj: JSON, total: Money, balance_key: str) -> DocumentStatus:
    """The status ``Balance`` (or ``balance_key``) implies against ``total``; void if voided."""
    if is_voided(obj):
        return DocumentStatus.VOID
    raw = obj.get(balance_key)
    balance = total if raw in (None, "") else as_money(raw, total.currency, balance_key)
    try:
        return status_for_balance(balance, total)
    except ArcoreError as exc:
        raise QuickBooksMappingError(
            f"{balance_key} {balance} is outside 0 to the total {total}",
            field=balance_key,
            value=str(balance),
        ) from exc


class _Line:
    """A sales line being read: its amount, quantity, description and whether it is taxable."""

    def __init__(
        self,
        description: str,
        quantity: Decimal,
        amount: Money,
        taxable: bool,
        unit_price: Money | None = None,
    ) -> None:
        self.description = description
        self.quantity = quantity
        self.amount = amount
        self.taxable = taxable
        self.unit_price = unit_price


def _exact_unit_price(
    amount: Money, quantity: Decimal, stated: Money | None
) -> tuple[Decimal, Money]:
    """A quantity and unit price whose product rounds to ``amount`` exactly.

    QuickBooks' own ``UnitPrice`` when it does (it may carry more places than the currency),
    else ``amount / quantity``, else a quantity of one at ``amount``.
    """
    if stated is not None and quantity > 0 and (stated * quantity).quantize() == amount:
        return quantity, stated
    if quantity > 0:
        with localcontext() as ctx:
            ctx.prec = 34
            price = (amount.amount / quantity).normalize()
        candidate = Money(price, amount.currency)
        if (candidate * quantity).quantize() == amount:
            return quantity, candidate
    return Decimal(1), amount


def sales_lines(obj: JSON, currency: str) -> list[_Line]:
    """The item lines of a QuickBooks sales transaction, with its discount lines spread over them.

    A discount (a ``DiscountLineDetail`` line, or a negative item line) is allocated over the
    positive item lines in proportion to their amounts, so the lines still add up to the
    transaction's net amount.
    """
    lines: list[_Line] = []
    discount = Money.zero(currency)
    for raw in obj.get("Line") or []:
        kind = raw.get("DetailType")
        amount = as_money(raw.get("Amount", 0), currency, "Line.Amount")
        if kind == "DiscountLineDetail":
            discount += abs(amount)
            continue
        if kind != "SalesItemLineDetail":
            continue  # subtotals, description-only and group headers carry no amount of their own
        if amount.amount < 0:
            discount += -amount
            continue
        detail = raw.get("SalesItemLineDetail") or {}
        qty_raw = detail.get("Qty")
        quantity = as_decimal(qty_raw, "Qty") if qty_raw not in (None, "") else Decimal(1)
        price_raw = detail.get("UnitPrice")
        price = None if price_raw in (None, "") else as_money(price_raw, currency, "UnitPrice")
        tax_code = ref_value(detail, "TaxCodeRef")
        lines.append(
            _Line(
                str(raw.get("Description") or ""),
                quantity,
                amount,
                taxable=tax_code not in (None, "NON"),
                unit_price=price,
            )
        )
    lines = [line for line in lines if line.amount]
    if discount:
        if not lines:
            raise QuickBooksMappingError(
                "a discount without item lines", field="Line", value=str(discount)
            )
        gross = [line.amount.amount for line in lines]
        shares = allocate(discount, gross)
        for line, share in zip(lines, shares, strict=True):
            line.amount = line.amount - share
            line.unit_price = None  # the discount changed the price
        lines = [line for line in lines if line.amount]
    return lines


def _priced_lines(obj: JSON, currency: str) -> list[_Line]:
    """The item lines of a voided invoice, from ``Qty`` × ``UnitPrice`` (its amounts are zero)."""
    lines = []
    for raw in obj.get("Line") or []:
        detail = raw.get("SalesItemLineDetail")
        if raw.get("DetailType") != "SalesItemLineDetail" or not isinstance(detail, Mapping):
            continue
        if detail.get("Qty") in (None, "") or detail.get("UnitPrice") in (None, ""):
            continue
        quantity = as_decimal(detail["Qty"], "Qty")
        price = as_money(detail["UnitPrice"], currency, "UnitPrice")
        amount = (price * quantity).quantize()
        if quantity > 0 and amount.amount > 0:
            taxable = ref_value(detail, "TaxCodeRef") not in (None, "NON")
            lines.append(_Line(str(raw.get("Description") or ""), quantity, amount, taxable, price))
    return lines


def _tax_percent(obj: JSON) -> Decimal | None:
    detail = obj.get("TxnTaxDetail") or {}
    percents = [
        as_decimal(tax["TaxLineDetail"]["TaxPercent"], "TaxPercent")
        for tax in detail.get("TaxLine") or []
        if isinstance(tax.get("TaxLineDetail"), Mapping)
        and tax["TaxLineDetail"].get("TaxPercent") not in (None, "")
    ]
    return sum(percents, Decimal(0)) if percents else None


def _invoice_lines(lines: Sequence[_Line], rates: Sequence[Decimal]) -> tuple[InvoiceLine, ...]:
    result = []
    for line, rate in zip(lines, rates, strict=True):
        quantity, price = _exact_unit_price(line.amount, line.quantity, line.unit_price)
        result.append(
            InvoiceLine(
                description=line.description, quantity=quantity, unit_price=price, tax_rate=rate
            )
        )
    return tuple(result)


def _tax_total(lines: tuple[InvoiceLine, ...], currency: str) -> Money:
    exact = Money.zero(currency)
    for line in lines:
        exact += line.exact_tax
    return exact.quantize()


def taxed_lines(obj: JSON, lines: Sequence[_Line], currency: str) -> tuple[InvoiceLine, ...]:
    """Invoice lines whose tax, rounded once per document, equals ``TxnTaxDetail.TotalTax``.

    Raises:
        QuickBooksMappingError: no choice of rates reproduces the stated tax.
    """
    detail = obj.get("TxnTaxDetail") or {}
    stated = as_money(detail.get("TotalTax") or 0, currency, "TotalTax")
    zero = [Decimal(0)] * len(lines)
    if not stated:
        return _invoice_lines(lines, zero)
    candidates: list[list[Decimal]] = []
    percent = _tax_percent(obj)
    if percent is not None and Decimal(0) < percent < 100:
        candidates.append([percent if line.taxable else Decimal(0) for line in lines])
    subtotal = sum((line.amount.amount for line in lines), Decimal(0))
    taxable = sum((line.amount.amount for line in lines if line.taxable), Decimal(0))
    for base, only_taxable in ((taxable, True), (subtotal, False)):
        if not base:
            continue
        with localcontext() as ctx:
            ctx.prec = 34
            uniform = (stated.amount * 100 / base).quantize(_RATE_PLACES).normalize()
        if Decimal(0) < uniform < 100:
            candidates.append(
                [uniform if line.taxable or not only_taxable else Decimal(0) for line in lines]
            )
    for rates in candidates:
        built = _invoice_lines(lines, rates)
        if _tax_total(built, currency) == stated:
            return built
    raise QuickBooksMappingError(
        f"no tax rates reproduce TotalTax {stated} on a subtotal of {subtotal}",
        hint="The invoice's tax cannot be expressed as line tax rates in arcore",
        field="TxnTaxDetail.TotalTax",
        value=str(stated),
    )


def _terms(obj: JSON, context: MappingContext, issued: date, due: date | None) -> Terms:
    terms = context.terms_for(ref_value(obj, "SalesTermRef"))
    if terms is not None:
        return terms
    if due is not None and due >= issued:
        return NetTerms(days=(due - issued).days)
    return NetTerms(days=0)


def _explicit_due(terms: Terms, issued: date, due: date | None) -> date | None:
    """``DueDate`` when it is not the date the terms give (arcore's ``due_date`` override)."""
    if due is None or due < issued or isinstance(terms, InstallmentTerms):
        return None
    try:
        from_terms = due_date(terms, issued)
    except ArcoreError:
        return due
    return None if from_terms == due else due


def invoice_to_record(obj: JSON, context: MappingContext) -> Record:
    """A QuickBooks ``Invoice`` as an ``invoice`` record.

    Raises:
        QuickBooksMappingError: the invoice's amounts cannot be represented exactly, or its
            total disagrees with ``TotalAmt``.
    """
    invoice_id = str(obj["Id"])
    version, changed = sync_token(obj), updated_at(obj)
    if obj.get("status") == "Deleted":
        return Record(entity="invoice", external_id=invoice_id, updated_at=changed, deleted=True)
    currency = currency_of(obj, context)
    lines = sales_lines(obj, currency)
    if not lines and is_voided(obj):
        lines = _priced_lines(obj, currency)
    if not lines and is_voided(obj):
        return Record(
            entity="invoice",
            external_id=invoice_id,
            version=version,
            updated_at=changed,
            deleted=True,
        )
    issued = as_date(obj.get("TxnDate"))
    if issued is None:
        raise QuickBooksMappingError(f"invoice {invoice_id} has no TxnDate", field="TxnDate")
    due = as_date(obj.get("DueDate"))
    invoice_lines = taxed_lines(obj, lines, currency)
    terms = _terms(obj, context, issued, due)
    invoice = Invoice(
        company_id=context.company_id,
        id=invoice_id,
        external_ids={"quickbooks": invoice_id},
        currency=currency,
        customer_id=_required_ref(obj, "CustomerRef", invoice_id),
        number=str(obj.get("DocNumber") or invoice_id),
        document_date=issued,
        terms=terms,
        lines=invoice_lines,
        tax_rounding="document",
        due_date=_explicit_due(terms, issued, due),
        memo=str(obj.get("PrivateNote") or ""),
    )
    total_amt = obj.get("TotalAmt")
    if total_amt not in (None, "") and not is_voided(obj):
        stated = as_money(total_amt, currency, "TotalAmt")
        if stated != invoice.total:
            raise QuickBooksMappingError(
                f"invoice {invoice_id}: lines and tax add up to {invoice.total}, TotalAmt is "
                f"{stated}",
                field="TotalAmt",
                value=str(stated),
            )
    status = status_from_balance(obj, invoice.total, "Balance")
    return Record(
        entity="invoice",
        external_id=invoice_id,
        version=version,
        updated_at=changed,
        document=invoice.model_copy(update={"status": status}),
    )


def _required_ref(obj: JSON, key: str, owner: str) -> str:
    value = ref_value(obj, key)
    if value is None:
        raise QuickBooksMappingError(f"{owner} has no {key}", field=key)
    return value


def line_body(line: InvoiceLine, item_id: str, number: int) -> JSON:
    """One arcore line as a QuickBooks ``SalesItemLineDetail`` line."""
    return {
        "LineNum": number,
        "Description": line.description,
        "Amount": line.amount.amount,
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {
            "ItemRef": ref(item_id),
            "Qty": line.quantity,
            "UnitPrice": line.unit_price.amount,
            "TaxCodeRef": ref("TAX" if line.tax_rate else "NON"),
        },
    }


def tax_detail(lines: Sequence[InvoiceLine], tax: Money) -> JSON:
    """``TxnTaxDetail`` for ``lines``: the total, and the rate when the taxed lines share one."""
    detail: JSON = {"TotalTax": tax.amount}
    rates = {line.tax_rate for line in lines if line.tax_rate}
    if len(rates) == 1:
        taxable = sum((line.amount.amount for line in lines if line.tax_rate), Decimal(0))
        detail["TaxLine"] = [
            {
                "Amount": tax.amount,
                "DetailType": "TaxLineDetail",
                "TaxLineDetail": {
                    "PercentBased": True,
                    "TaxPercent": rates.pop(),
                    "NetAmountTaxable": taxable,
                },
            }
        ]
    return detail


def record_to_invoice(
    record: Record, context: MappingContext, *, item_id: str = DEFAULT_ITEM_ID
) -> JSON:
    """The QuickBooks ``Invoice`` body for an ``invoice`` record.

    ``DueDate`` is the invoice's (single) due date; ``SalesTermRef`` is sent only when an
    active QuickBooks term means exactly the invoice's terms.
    """
    invoice = record.document
    if not isinstance(invoice, Invoice):
        raise QuickBooksMappingError("an invoice record must hold an Invoice", field="document")
    body: JSON = {
        "DocNumber": invoice.number,
        "TxnDate": invoice.document_date.isoformat(),
        "CustomerRef": ref(invoice.customer_id),
        "CurrencyRef": ref(invoice.currency),
        "Line": [line_body(line, item_id, number) for number, line in enumerate(invoice.lines, 1)],
        "TxnTaxDetail": tax_detail(invoice.lines, invoice.tax_total),
        "TotalAmt": invoice.total.amount,
    }
    due_dates = invoice.due_dates()
    if len(due_dates) == 1:
        body["DueDate"] = due_dates[0].isoformat()
    term_id = context.term_id_for(invoice.terms)
    if term_id is not None:
        body["SalesTermRef"] = ref(term_id)
    if invoice.memo:
        body["PrivateNote"] = invoice.memo
    if record.external_id is not None:
        body["Id"] = record.external_id
    if record.version is not None:
        body["SyncToken"] = record.version
    return body
