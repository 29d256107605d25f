"""AR documents: exact invoice totals, terms, validation, immutability and the status lifecycle.

Every expected amount below was worked out by hand; the comment next to each case shows how.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from itertools import pairwise
from typing import Any

import pydantic
import pytest
from hypothesis import given
from hypothesis import strategies as st

from arcore.calendars import WeekendCalendar
from arcore.documents import (
    RECEIPT_TRANSITIONS,
    REFUND_TRANSITIONS,
    TRANSITIONS,
    Application,
    Contact,
    CreditMemo,
    Customer,
    CustomerDeposit,
    DebitMemo,
    Document,
    DocumentBase,
    DocumentStatus,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentMethod,
    Refund,
    RemittanceLine,
    check_tax_exemption,
    effect_sign,
    status_for_balance,
    transition,
    with_dispute,
)
from arcore.errors import (
    ConflictError,
    CurrencyMismatchError,
    FloatAmountError,
    IllegalTransitionError,
    InvalidAmountError,
    UnknownCurrencyError,
    ValidationError,
)
from arcore.money import Money
from arcore.terms import NetTerms, TermsPolicy, parse_terms
from strategies import (
    applications,
    customers,
    documents,
    invoices,
    money,
    receivable_documents,
    statuses,
)

D = date
S = DocumentStatus
ALL_STATUSES = list(DocumentStatus)
DOCUMENT_ADAPTER: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(Document)


def usd(amount: str) -> Money:
    return Money(amount, "USD")


def line(quantity: str, price: str, rate: str = "0", currency: str = "USD") -> InvoiceLine:
    return InvoiceLine(
        description="item",
        quantity=Decimal(quantity),
        unit_price=Money(price, currency),
        tax_rate=Decimal(rate),
    )


def invoice(*lines: InvoiceLine, **fields: Any) -> Invoice:
    values: dict[str, Any] = {
        "company_id": "acme",
        "id": "inv-1",
        "customer_id": "c-1",
        "currency": lines[0].currency if lines else "USD",
        "number": "INV-1",
        "document_date": D(2026, 1, 31),
        "terms": "Net 30",
        "lines": lines,
    }
    return Invoice.model_validate(values | fields)


def debit_memo(**fields: Any) -> DebitMemo:
    values: dict[str, Any] = {
        "company_id": "acme",
        "id": "dm-1",
        "customer_id": "c-1",
        "currency": "USD",
        "number": "DM-1",
        "document_date": D(2026, 1, 31),
        "amount": usd("25.00"),
    }
    return DebitMemo.model_validate(values | fields)


def credit_memo(**fields: Any) -> CreditMemo:
    values: dict[str, Any] = {
        "company_id": "acme",
        "id": "cm-1",
        "customer_id": "c-1",
        "currency": "USD",
        "number": "CM-1",
        "document_date": D(2026, 2, 3),
        "amount": usd("10.83"),
    }
    return CreditMemo.model_validate(values | fields)


def payment(**fields: Any) -> Payment:
    values: dict[str, Any] = {
        "company_id": "acme",
        "id": "pay-1",
        "currency": "USD",
        "received_date": D(2026, 2, 9),
        "amount": usd("64.92"),
        "method": "ach",
    }
    return Payment.model_validate(values | fields)


def customer_deposit(**fields: Any) -> CustomerDeposit:
    values: dict[str, Any] = {
        "company_id": "acme",
        "id": "dep-1",
        "customer_id": "c-1",
        "currency": "USD",
        "received_date": D(2026, 1, 5),
        "amount": usd("500.00"),
        "method": "wire",
    }
    return CustomerDeposit.model_validate(values | fields)


def refund(**fields: Any) -> Refund:
    values: dict[str, Any] = {
        "company_id": "acme",
        "id": "ref-1",
        "customer_id": "c-1",
        "currency": "USD",
        "document_date": D(2026, 3, 1),
        "amount": usd("20.00"),
        "method": "check",
        "refunds": "pay-1",
    }
    return Refund.model_validate(values | fields)


def application(**fields: Any) -> Application:
    values: dict[str, Any] = {
        "company_id": "acme",
        "id": "app-1",
        "source_id": "pay-1",
        "target_id": "inv-1",
        "applied_date": D(2026, 2, 9),
        "amount": usd("63.62"),
    }
    return Application.model_validate(values | fields)


def customer(**fields: Any) -> Customer:
    values: dict[str, Any] = {
        "company_id": "acme",
        "id": "c-1",
        "name": "Blue Ox Ltd",
        "currency": "USD",
    }
    return Customer.model_validate(values | fields)


def widgets(**fields: Any) -> Invoice:
    """3 x 19.99 at 8.25 %: the invoice most examples below use."""
    return invoice(line("3", "19.99", "8.25"), **fields)


def cause(error: pydantic.ValidationError) -> object:
    """The arcore error a model validator raised, as pydantic wrapped it."""
    return error.errors()[0].get("ctx", {}).get("error")


# --- invoice totals, by hand ---------------------------------------------------------------------


def test_three_widgets_at_8_25_percent() -> None:
    inv = widgets()
    # 3 x 19.99 = 59.97; 59.97 x 8.25 % = 4.947525 -> 4.95; 59.97 + 4.95 = 64.92
    assert inv.lines[0].amount == usd("59.97")
    assert inv.lines[0].exact_tax == usd("4.947525")
    assert inv.lines[0].tax == usd("4.95")
    assert (inv.subtotal, inv.tax_total, inv.total) == (usd("59.97"), usd("4.95"), usd("64.92"))
    assert str(inv.total) == "64.92 USD"


def test_per_line_and_per_document_tax_rounding_differ_by_a_cent() -> None:
    lines = [line("1", "2.10", "7.5")] * 3
    # each line: 2.10 x 7.5 % = 0.1575 -> 0.16; three lines 0.48
    per_line = invoice(*lines)
    assert (per_line.subtotal, per_line.tax_total, per_line.total) == (
        usd("6.30"),
        usd("0.48"),
        usd("6.78"),
    )
    # the whole document: 3 x 0.1575 = 0.4725 -> 0.47
    per_document = invoice(*lines, tax_rounding="document")
    assert (per_document.subtotal, per_document.tax_total, per_document.total) == (
        usd("6.30"),
        usd("0.47"),
        usd("6.77"),
    )


@pytest.mark.parametrize(
    ("quantity", "price", "amount"),
    [
        ("1", "2.665", "2.67"),  # half up, where half even would give 2.66
        ("3", "0.3333", "1.00"),  # 0.9999
        ("7", "0.005", "0.04"),  # 0.035
        ("1000", "0.0125", "12.50"),  # a unit price finer than a cent
        ("1.5", "33.333", "50.00"),  # 49.9995
        ("0.125", "10.00", "1.25"),
    ],
)
def test_line_amount_is_quantity_times_price_rounded_half_up(
    quantity: str, price: str, amount: str
) -> None:
    assert line(quantity, price).amount == usd(amount)


def test_yen_has_no_minor_unit() -> None:
    inv = invoice(line("3", "333", "10", currency="JPY"))
    # 999 yen; 10 % = 99.9 -> 100; total 1099
    assert (inv.subtotal, inv.tax_total, inv.total) == (
        Money(999, "JPY"),
        Money(100, "JPY"),
        Money(1099, "JPY"),
    )
    inv = invoice(line("3", "333.5", "10", currency="JPY"))
    # 1000.5 -> 1001; 10 % = 100.1 -> 100; total 1101
    assert (inv.subtotal, inv.tax_total, inv.total) == (
        Money(1001, "JPY"),
        Money(100, "JPY"),
        Money(1101, "JPY"),
    )


def test_kuwaiti_dinar_has_three_places() -> None:
    inv = invoice(line("3", "4.1235", "5", currency="KWD"))
    # 3 x 4.1235 = 12.3705 -> 12.371; 5 % = 0.61855 -> 0.619; total 12.990
    assert (inv.subtotal, inv.tax_total, inv.total) == (
        Money("12.371", "KWD"),
        Money("0.619", "KWD"),
        Money("12.990", "KWD"),
    )


def test_revenue_by_account_uses_the_default_for_lines_without_one() -> None:
    inv = invoice(
        line("1", "10.00", "5"),
        InvoiceLine(
            description="support",
            quantity=Decimal(2),
            unit_price=usd("2.50"),
            revenue_account="4100",
        ),
        line("1", "1.00"),
    )
    assert inv.revenue_by_account("4000") == {"4000": usd("11.00"), "4100": usd("5.00")}


def test_an_invoice_needs_lines_and_a_positive_total() -> None:
    with pytest.raises(pydantic.ValidationError, match="lines"):
        invoice(currency="USD")
    with pytest.raises(pydantic.ValidationError, match="positive total") as info:
        invoice(line("1", "0.004"))  # rounds to 0.00
    assert isinstance(cause(info.value), InvalidAmountError)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"quantity": Decimal(0)}, "quantity"),
        ({"quantity": Decimal(-1)}, "quantity"),
        ({"unit_price": usd("-1.00")}, "unit_price"),
        ({"tax_rate": Decimal(-1)}, "tax_rate"),
        ({"tax_rate": Decimal(100)}, "tax_rate"),
        ({"revenue_account": " 4000"}, "revenue_account"),
    ],
)
def test_invoice_lines_refuse_impossible_values(fields: dict[str, Any], field: str) -> None:
    values = {"description": "x", "quantity": Decimal(1), "unit_price": usd("1.00")} | fields
    with pytest.raises(pydantic.ValidationError) as info:
        InvoiceLine.model_validate(values)
    assert info.value.errors()[0]["loc"] == (field,)


# --- due dates and installments ------------------------------------------------------------------


def test_due_date_and_discount_from_the_terms() -> None:
    (row,) = widgets(terms="2/10 Net 30").installments()
    # Jan 31 + 30 days = Mar 2 (28 days of February); discount until Jan 31 + 10 = Feb 10;
    # 2 % of 64.92 = 1.2984 -> 1.30
    assert row.due_date == D(2026, 3, 2)
    assert row.discount_deadline == D(2026, 2, 10)
    assert row.discount_amount == usd("1.30")
    assert row.amount == usd("64.92")


def test_discount_on_the_subtotal_when_the_policy_says_so() -> None:
    (row,) = widgets(terms="2/10 Net 30").installments(policy=TermsPolicy(discount_base="subtotal"))
    assert row.discount_amount == usd("1.20")  # 2 % of 59.97 = 1.1994


def test_installments_split_the_total_by_largest_remainder() -> None:
    inv = invoice(line("1", "100.01"), terms="Installments 50% Net 30, 50% Net 60")
    rows = inv.installments()
    assert [row.amount for row in rows] == [usd("50.01"), usd("50.00")]
    assert inv.due_dates() == (D(2026, 3, 2), D(2026, 4, 1))


def test_due_date_rolls_to_a_business_day_with_a_calendar() -> None:
    inv = widgets(document_date=D(2026, 1, 1))  # + 30 = Saturday Jan 31
    assert inv.due_dates() == (D(2026, 1, 31),)
    assert inv.due_dates(calendar=WeekendCalendar()) == (D(2026, 2, 2),)


def test_an_explicit_due_date_replaces_the_terms() -> None:
    inv = widgets(due_date=D(2026, 2, 15))
    assert inv.due_dates() == (D(2026, 2, 15),)
    # the date the document states is not rolled, even on a Sunday
    assert widgets(due_date=D(2026, 3, 1)).due_dates(calendar=WeekendCalendar()) == (D(2026, 3, 1),)
    # a discount window never ends after the due date
    (row,) = widgets(terms="2/10 Net 30", due_date=D(2026, 2, 5)).installments()
    assert (row.due_date, row.discount_deadline) == (D(2026, 2, 5), D(2026, 2, 5))
    assert row.discount_amount == usd("1.30")


def test_an_explicit_due_date_cannot_be_early_or_replace_installments() -> None:
    with pytest.raises(pydantic.ValidationError, match="before the document date"):
        widgets(due_date=D(2026, 1, 30))
    with pytest.raises(pydantic.ValidationError, match="installment"):
        widgets(terms="Installments 50% Net 30, 50% Net 60", due_date=D(2026, 3, 1))


def test_debit_memo_is_due_on_receipt_unless_told() -> None:
    assert debit_memo().due_dates() == (D(2026, 1, 31),)
    assert debit_memo(terms="Net 15").due_dates() == (D(2026, 2, 15),)
    assert debit_memo(due_date=D(2026, 2, 28)).due_dates() == (D(2026, 2, 28),)
    assert debit_memo().installments()[0].amount == usd("25.00")


def test_terms_are_read_from_their_notation() -> None:
    assert widgets(terms="2/10 n/30").terms == parse_terms("2/10 Net 30")
    assert customer().terms == NetTerms(days=30)
    assert customer(terms="Net 45").terms == NetTerms(days=45)


# --- floats, currencies, ids ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "build",
    [
        lambda: InvoiceLine(description="x", quantity=1.5, unit_price=usd("1.00")),  # type: ignore[arg-type]
        lambda: InvoiceLine(
            description="x",
            quantity=Decimal(1),
            unit_price=usd("1.00"),
            tax_rate=8.25,  # type: ignore[arg-type]
        ),
        lambda: InvoiceLine.model_validate_json(
            '{"description": "x", "quantity": 1.5,'
            ' "unit_price": {"amount": "1", "currency": "USD"}}'
        ),
    ],
    ids=["quantity", "tax rate", "json number"],
)
def test_a_float_quantity_or_rate_is_refused(build: Callable[[], object]) -> None:
    with pytest.raises(pydantic.ValidationError, match="float") as info:
        build()
    assert isinstance(cause(info.value), FloatAmountError)


def test_a_float_amount_is_refused() -> None:
    with pytest.raises(FloatAmountError):
        Money(19.99, "USD")  # type: ignore[arg-type]
    with pytest.raises(pydantic.ValidationError):
        debit_memo(amount={"amount": 25.0, "currency": "USD"})
    with pytest.raises(pydantic.ValidationError):
        application(amount={"amount": 1.5, "currency": "USD"})
    with pytest.raises(pydantic.ValidationError):
        DebitMemo.model_validate_json(
            debit_memo().model_dump_json().replace('"amount":"25.00"', '"amount":25.0')
        )


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: invoice(line("1", "1.00", currency="EUR"), currency="USD"), "lines"),
        (lambda: debit_memo(amount=Money("25.00", "EUR")), "amount"),
        (lambda: credit_memo(tax=Money("1.00", "EUR")), "tax"),
        (lambda: payment(amount=Money("1.00", "CAD")), "amount"),
        (
            lambda: payment(
                remittance=[RemittanceLine(document_number="INV-1", amount=Money("1", "JPY"))]
            ),
            "remittance",
        ),
        (lambda: customer_deposit(amount=Money("1.00", "EUR")), "amount"),
        (lambda: refund(amount=Money("1.00", "EUR")), "amount"),
        (lambda: customer(credit_limit=Money("1000.00", "EUR")), "credit_limit"),
        (lambda: application(discount=Money("1.00", "EUR")), "discount"),
        (lambda: application(write_off=Money("1.00", "EUR")), "write_off"),
    ],
)
def test_money_in_another_currency_is_refused(build: Callable[[], object], field: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=field) as info:
        build()
    error = cause(info.value)
    assert isinstance(error, CurrencyMismatchError)
    assert error.field == field


def test_remittance_discount_in_another_currency_is_refused() -> None:
    with pytest.raises(pydantic.ValidationError) as info:
        RemittanceLine(document_number="INV-1", amount=usd("1.00"), discount=Money("1", "EUR"))
    assert isinstance(cause(info.value), CurrencyMismatchError)


def test_currency_codes_are_normalised_and_checked() -> None:
    assert debit_memo(currency=" usd ").currency == "USD"
    with pytest.raises(pydantic.ValidationError) as info:
        debit_memo(currency="XXX", amount=Money("1", "EUR"))
    assert isinstance(cause(info.value), UnknownCurrencyError)


@pytest.mark.parametrize("bad", ["", " ", " inv-1", "inv-1 "])
def test_ids_must_be_non_empty_without_surrounding_spaces(bad: str) -> None:
    with pytest.raises(pydantic.ValidationError, match="id"):
        debit_memo(id=bad)


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: debit_memo(amount=usd("0.00")), "amount"),
        (lambda: credit_memo(amount=usd("-10.83")), "amount"),  # the effect is negative
        (lambda: payment(amount=usd("-1.00")), "amount"),
        (lambda: refund(amount=usd("0")), "amount"),
        (lambda: debit_memo(amount=usd("25.001")), "amount"),  # finer than a cent
        (lambda: credit_memo(tax=usd("-0.01")), "tax"),
        (lambda: customer(credit_limit=usd("-1.00")), "credit_limit"),
    ],
)
def test_amounts_are_positive_whole_minor_units(build: Callable[[], object], field: str) -> None:
    with pytest.raises(pydantic.ValidationError) as info:
        build()
    assert info.value.errors()[0]["loc"] == (field,)
    assert isinstance(cause(info.value), InvalidAmountError)


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(pydantic.ValidationError, match="Extra inputs"):
        debit_memo(amount_due=usd("1.00"))


# --- immutability --------------------------------------------------------------------------------


def test_documents_are_frozen() -> None:
    inv = widgets(external_ids={"quickbooks": "1045"})
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        inv.status = S.PAID  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        inv.lines[0].quantity = Decimal(4)  # type: ignore[misc]
    with pytest.raises(TypeError):
        inv.external_ids["xero"] = "x"  # type: ignore[index]
    with pytest.raises(AttributeError):
        inv.lines.append(line("1", "1.00"))  # type: ignore[attr-defined]
    assert inv.external_ids == {"quickbooks": "1045"}
    assert isinstance(inv.lines, tuple)


def test_equal_documents_are_equal_and_hash_alike() -> None:
    first = widgets(external_ids={"quickbooks": "1045"})
    second = widgets(external_ids={"quickbooks": "1045"})
    assert first == second
    assert hash(first) == hash(second)
    assert len({first, second, widgets()}) == 2


# --- the status lifecycle ------------------------------------------------------------------------

MAKERS: dict[type[DocumentBase], Callable[..., DocumentBase]] = {
    Invoice: widgets,
    DebitMemo: debit_memo,
    CreditMemo: credit_memo,
    Payment: payment,
    CustomerDeposit: customer_deposit,
    Refund: refund,
}

TABLES: dict[type[DocumentBase], Mapping[DocumentStatus, frozenset[DocumentStatus]]] = {
    Invoice: TRANSITIONS,
    DebitMemo: TRANSITIONS,
    CreditMemo: TRANSITIONS,
    Payment: RECEIPT_TRANSITIONS,
    CustomerDeposit: RECEIPT_TRANSITIONS,
    Refund: REFUND_TRANSITIONS,
}

PAIRS = [
    (kind, start, to) for kind, table in TABLES.items() for start in table for to in ALL_STATUSES
]


@pytest.mark.parametrize("kind", list(TABLES), ids=lambda kind: kind.__name__)
def test_each_document_type_follows_its_table(kind: type[DocumentBase]) -> None:
    assert kind.lifecycle is TABLES[kind]


@pytest.mark.parametrize(
    ("kind", "start", "to"),
    PAIRS,
    ids=[f"{kind.__name__}-{start}-{to}" for kind, start, to in PAIRS],
)
def test_every_pair_is_legal_exactly_when_the_table_says_so(
    kind: type[DocumentBase], start: DocumentStatus, to: DocumentStatus
) -> None:
    document = MAKERS[kind](status=start)
    if to in TABLES[kind][start]:
        moved = transition(document, to)
        assert type(moved) is kind
        assert moved.status is to
        assert moved.model_dump(exclude={"status"}) == document.model_dump(exclude={"status"})
        assert document.status is start  # the original is untouched
    else:
        with pytest.raises(IllegalTransitionError) as info:
            transition(document, to)
        error = info.value
        assert (error.document_id, error.from_status, error.to_status) == (document.id, start, to)
        assert error.legal == tuple(sorted(TABLES[kind][start]))
        assert (error.field, error.value) == ("status", to.value)


@pytest.mark.parametrize(
    ("kind", "status"),
    [(kind, status) for kind, table in TABLES.items() for status in S if status not in table],
)
def test_a_status_outside_the_lifecycle_is_refused_on_construction(
    kind: type[DocumentBase], status: DocumentStatus
) -> None:
    with pytest.raises(pydantic.ValidationError, match="status"):
        MAKERS[kind](status=status)


# The lifecycle as documented, checked against the tables by explicit examples.
LEGAL = [
    (TRANSITIONS, [S.DRAFT, S.APPROVED, S.ISSUED, S.PARTIALLY_PAID, S.PAID]),
    (TRANSITIONS, [S.DRAFT, S.APPROVED, S.ISSUED, S.PAID]),  # paid in one go
    (TRANSITIONS, [S.DRAFT, S.APPROVED, S.DRAFT, S.APPROVED, S.ISSUED]),  # approval withdrawn
    (TRANSITIONS, [S.DRAFT, S.VOID]),  # an abandoned draft keeps its number accounted for
    (TRANSITIONS, [S.APPROVED, S.VOID]),
    (TRANSITIONS, [S.ISSUED, S.VOID]),  # a reversal entry
    (TRANSITIONS, [S.PAID, S.ISSUED]),  # the only payment unapplied
    (TRANSITIONS, [S.PAID, S.PARTIALLY_PAID, S.ISSUED, S.VOID]),  # unapply, then void
    (TRANSITIONS, [S.ISSUED, S.WRITTEN_OFF, S.ISSUED, S.PAID]),  # bad debt, then recovered
    (TRANSITIONS, [S.PARTIALLY_PAID, S.WRITTEN_OFF, S.PARTIALLY_PAID, S.PAID]),
    (RECEIPT_TRANSITIONS, [S.DRAFT, S.ISSUED, S.PARTIALLY_PAID, S.PAID]),
    (RECEIPT_TRANSITIONS, [S.ISSUED, S.VOID]),  # a bounced cheque, nothing applied
    (RECEIPT_TRANSITIONS, [S.PARTIALLY_PAID, S.WRITTEN_OFF]),  # a small remainder
    (REFUND_TRANSITIONS, [S.DRAFT, S.APPROVED, S.ISSUED, S.VOID]),  # cheque never cashed
]

ILLEGAL = [
    (TRANSITIONS, S.DRAFT, S.ISSUED),  # approval is not skipped
    (TRANSITIONS, S.DRAFT, S.PAID),
    (TRANSITIONS, S.APPROVED, S.PAID),  # nothing can be applied before issue
    (TRANSITIONS, S.ISSUED, S.DRAFT),  # issued documents are never edited
    (TRANSITIONS, S.ISSUED, S.APPROVED),
    (TRANSITIONS, S.ISSUED, S.ISSUED),  # staying put is not a transition
    (TRANSITIONS, S.PARTIALLY_PAID, S.VOID),  # unapply first
    (TRANSITIONS, S.PAID, S.VOID),
    (TRANSITIONS, S.PAID, S.WRITTEN_OFF),  # nothing left to write off
    (TRANSITIONS, S.WRITTEN_OFF, S.PAID),  # a recovery reinstates the balance first
    (TRANSITIONS, S.WRITTEN_OFF, S.VOID),
    (TRANSITIONS, S.VOID, S.DRAFT),  # void is final
    (TRANSITIONS, S.VOID, S.ISSUED),
    (RECEIPT_TRANSITIONS, S.DRAFT, S.APPROVED),  # received money needs no approval
    (RECEIPT_TRANSITIONS, S.PAID, S.VOID),
    (REFUND_TRANSITIONS, S.ISSUED, S.PAID),  # a refund has no balance
    (REFUND_TRANSITIONS, S.ISSUED, S.DRAFT),
]


@pytest.mark.parametrize(("table", "path"), LEGAL)
def test_documented_paths_are_legal(
    table: Mapping[DocumentStatus, frozenset[DocumentStatus]], path: list[DocumentStatus]
) -> None:
    for start, to in pairwise(path):
        assert to in table[start], f"{start} -> {to}"


@pytest.mark.parametrize(("table", "start", "to"), ILLEGAL)
def test_documented_forbidden_moves_are_illegal(
    table: Mapping[DocumentStatus, frozenset[DocumentStatus]],
    start: DocumentStatus,
    to: DocumentStatus,
) -> None:
    assert to not in table.get(start, frozenset())


@pytest.mark.parametrize(
    "table",
    [TRANSITIONS, RECEIPT_TRANSITIONS, REFUND_TRANSITIONS],
    ids=["doc", "receipt", "refund"],
)
def test_tables_are_closed_final_at_void_and_reachable_from_draft(
    table: Mapping[DocumentStatus, frozenset[DocumentStatus]],
) -> None:
    assert all(targets <= table.keys() for targets in table.values())
    assert table[S.VOID] == frozenset()
    assert all(start not in targets for start, targets in table.items())
    reached, frontier = {S.DRAFT}, [S.DRAFT]
    while frontier:
        for to in table[frontier.pop()] - reached:
            reached.add(to)
            frontier.append(to)
    assert reached == set(table)
    with pytest.raises(TypeError):
        table[S.DRAFT] = frozenset()  # type: ignore[index]


def test_receivables_use_every_status() -> None:
    assert set(TRANSITIONS) == set(DocumentStatus)


def test_illegal_transition_error_names_the_document_and_the_way_out() -> None:
    paid = transition(widgets(status=S.ISSUED), S.PAID)
    with pytest.raises(IllegalTransitionError) as info:
        transition(paid, S.VOID)
    error = info.value
    assert isinstance(error, ConflictError)
    assert not isinstance(error, ValueError)
    assert str(error) == (
        "field 'status': Invoice inv-1 cannot go from paid to void; from paid it may go to: "
        "issued, partially_paid. Unapply what was applied first, then void it"
    )
    with pytest.raises(IllegalTransitionError, match="it may go to: nothing") as info:
        transition(widgets(status=S.VOID), S.ISSUED)
    assert info.value.legal == ()
    assert "final" in str(info.value.hint)


def test_status_text_is_accepted_and_stored_as_the_enum() -> None:
    issued = transition(widgets(status="approved"), "issued")  # type: ignore[arg-type]
    assert issued.status is S.ISSUED
    assert issued.model_dump()["status"] == "issued"


@given(kind=st.sampled_from(list(TABLES)), moves=st.lists(statuses, max_size=30))
def test_random_walks_never_leave_the_table(
    kind: type[DocumentBase], moves: list[DocumentStatus]
) -> None:
    table = TABLES[kind]
    document = MAKERS[kind]()
    assert document.status is S.DRAFT
    for to in moves:
        before = document.status
        try:
            document = transition(document, to)
        except IllegalTransitionError:
            assert to not in table[before]
        else:
            assert to in table[before]
        assert document.status in table


# --- balances and disputes -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "expected"),
    [("64.92", S.ISSUED), ("64.91", S.PARTIALLY_PAID), ("0.01", S.PARTIALLY_PAID), ("0", S.PAID)],
)
def test_status_for_balance(left: str, expected: DocumentStatus) -> None:
    assert status_for_balance(usd(left), usd("64.92")) is expected


def test_status_for_balance_refuses_impossible_balances() -> None:
    with pytest.raises(InvalidAmountError, match="over-applied"):
        status_for_balance(usd("-0.01"), usd("64.92"))
    with pytest.raises(InvalidAmountError):
        status_for_balance(usd("64.93"), usd("64.92"))
    with pytest.raises(InvalidAmountError):
        status_for_balance(usd("-1.00"), usd("-1.00"))
    with pytest.raises(CurrencyMismatchError):
        status_for_balance(Money("1", "EUR"), usd("64.92"))
    assert status_for_balance(usd("0"), usd("0")) is S.PAID


@given(
    total=money("USD", min_units=1, max_units=10**12),
    fraction=st.fractions(min_value=0, max_value=1),
)
def test_status_for_balance_is_consistent(total: Money, fraction: Any) -> None:
    units = total.to_minor_units()
    left = Money.from_minor_units(int(units * fraction), "USD")
    status = status_for_balance(left, total)
    if not left:
        assert status is S.PAID
    elif left == total:
        assert status is S.ISSUED
    else:
        assert status is S.PARTIALLY_PAID
    beyond = Money.from_minor_units(units + 1 + int(units * fraction), "USD")
    with pytest.raises(InvalidAmountError):
        status_for_balance(beyond, total)
    with pytest.raises(InvalidAmountError):
        status_for_balance(-beyond, total)


def test_dispute_is_a_flag_not_a_status() -> None:
    issued = widgets(status=S.PARTIALLY_PAID)
    disputed = with_dispute(issued, True)
    assert disputed.disputed
    assert disputed.status is S.PARTIALLY_PAID
    assert not issued.disputed
    assert not with_dispute(disputed, False).disputed


@pytest.mark.parametrize("status", [S.DRAFT, S.APPROVED, S.VOID])
def test_only_what_the_customer_was_sent_can_be_disputed(status: DocumentStatus) -> None:
    with pytest.raises(ConflictError, match="can be disputed"):
        with_dispute(widgets(status=status), True)
    assert not with_dispute(widgets(status=status, disputed=True), False).disputed


# --- customers and tax exemption -----------------------------------------------------------------


def test_a_tax_exempt_customer_needs_a_resale_certificate() -> None:
    for certificate in (None, "", "  "):
        with pytest.raises(pydantic.ValidationError) as info:
            customer(tax_exempt=True, resale_certificate=certificate)
        assert info.value.errors()[0]["loc"] == ("resale_certificate",)
    exempt = customer(tax_exempt=True, resale_certificate="CA-SR-0042")
    assert exempt.resale_certificate == "CA-SR-0042"


def test_a_customer_cannot_be_its_own_parent() -> None:
    with pytest.raises(pydantic.ValidationError, match="own parent"):
        customer(parent_id="c-1")
    assert customer(parent_id="hq-1").parent_id == "hq-1"


def test_contacts_can_be_reached_by_their_preferred_channel() -> None:
    assert Contact(name="Ana", phone="+1 555 0100", preferred_channel="sms").phone
    with pytest.raises(pydantic.ValidationError, match="needs a email"):
        Contact(name="Ana", preferred_channel="email")
    with pytest.raises(pydantic.ValidationError, match="needs a phone"):
        Contact(name="Ana", email="ana@example.com", preferred_channel="phone")
    with pytest.raises(pydantic.ValidationError, match="email address"):
        Contact(name="Ana", email="ana at example.com")


def test_check_tax_exemption() -> None:
    exempt = customer(tax_exempt=True, resale_certificate="CA-SR-0042")
    check_tax_exemption(invoice(line("1", "10.00")), exempt)
    check_tax_exemption(widgets(), customer())
    check_tax_exemption(debit_memo(), exempt)
    with pytest.raises(ValidationError, match="tax-exempt") as info:
        check_tax_exemption(widgets(), exempt)
    assert info.value.field == "lines"
    with pytest.raises(ValidationError, match="tax-exempt"):
        check_tax_exemption(credit_memo(tax=usd("0.83")), exempt)
    with pytest.raises(ValidationError, match="customer") as info:
        check_tax_exemption(widgets(customer_id="c-2"), exempt)
    assert info.value.field == "customer_id"


# --- memos, payments, applications ---------------------------------------------------------------


def test_a_credit_memo_points_at_the_invoice_it_corrects() -> None:
    inv = widgets()
    memo = credit_memo(corrects=inv.id, tax=usd("0.83"), reason="one widget returned")
    # an allowance of 10.00 plus the 0.83 of tax charged on it
    assert memo.corrects == "inv-1"
    assert (memo.total, memo.tax, memo.subtotal) == (usd("10.83"), usd("0.83"), usd("10.00"))
    assert credit_memo().tax == usd("0.00")
    assert credit_memo().corrects is None
    with pytest.raises(pydantic.ValidationError, match="more than the credit"):
        credit_memo(tax=usd("10.84"))


def test_effect_sign_follows_the_domain_table() -> None:
    assert effect_sign(widgets()) == 1
    assert effect_sign(debit_memo()) == 1
    assert effect_sign(credit_memo()) == -1
    with pytest.raises(TypeError):
        effect_sign(payment())  # type: ignore[arg-type]


def test_a_payment_may_be_unidentified_and_carry_remittance() -> None:
    pay = payment(
        remittance=[
            {"document_number": "INV-1001", "amount": {"amount": "500.00", "currency": "USD"}},
            RemittanceLine(document_number="CM-12", amount=usd("-50.00")),  # a credit deducted
        ],
        deposit_id="dep-2026-02-09",
        method="check",
        reference="chk 10442",
    )
    assert pay.customer_id is None
    assert pay.method is PaymentMethod.CHECK
    assert [r.amount for r in pay.remittance] == [usd("500.00"), usd("-50.00")]
    with pytest.raises(pydantic.ValidationError, match="zero"):
        RemittanceLine(document_number="INV-1", amount=usd("0.00"))
    with pytest.raises(pydantic.ValidationError):
        payment(method="bitcoin")


def test_an_application_settles_amount_discount_and_write_off() -> None:
    applied = application(discount=usd("1.30"))
    assert applied.write_off == usd("0.00")
    assert applied.settled == usd("64.92")
    assert applied.currency == "USD"
    yen = application(amount=Money(500, "JPY"))
    assert yen.discount == Money(0, "JPY")
    assert application(amount=usd("0"), write_off=usd("0.03")).settled == usd("0.03")


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"amount": usd("0.00")}, "nothing"),
        ({"amount": usd("-1.00")}, "negative"),
        ({"discount": usd("-1.00")}, "negative"),
        ({"write_off": usd("0.001")}, "places"),
        ({"target_id": "pay-1"}, "itself"),
    ],
)
def test_impossible_applications_are_refused(fields: dict[str, Any], match: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=match):
        application(**fields)


# --- serialisation -------------------------------------------------------------------------------

EXAMPLES: list[pydantic.BaseModel] = [
    widgets(external_ids={"quickbooks": "1045"}, status=S.ISSUED, disputed=True, memo="rush"),
    invoice(line("1", "100.01"), terms="Installments 50% 2/10 Net 30, 50% Net 60"),
    widgets(due_date=D(2026, 2, 15), tax_rounding="document"),
    invoice(line("3", "4.1235", "5", currency="KWD")),
    debit_memo(corrects="inv-1", account="4900", reason="late fee"),
    credit_memo(corrects="inv-1", tax=usd("0.83")),
    payment(remittance=[RemittanceLine(document_number="INV-1", amount=usd("64.92"))]),
    customer_deposit(),
    refund(status=S.APPROVED),
    application(discount=usd("1.30"), external_ids={"xero": "alloc-7"}),
    customer(
        aliases=("Blue Ox", "BLUE OX LIMITED"),
        parent_id="hq-1",
        terms="2/10 Net 30",
        credit_limit=usd("25000.00"),
        contacts=(Contact(name="Ana", email="ap@blueox.example", preferred_channel="email"),),
        bank_accounts=("GB33BUKB20201555555555",),
        tax_exempt=True,
        resale_certificate="CA-SR-0042",
        external_ids={"sage": "BLUEOX"},
    ),
]


@pytest.mark.parametrize("model", EXAMPLES, ids=lambda model: type(model).__name__)
def test_json_round_trip(model: pydantic.BaseModel) -> None:
    assert type(model).model_validate_json(model.model_dump_json()) == model
    assert type(model).model_validate(model.model_dump()) == model


def test_amounts_are_written_as_decimal_strings() -> None:
    dumped = widgets().model_dump(mode="json")
    assert dumped["lines"][0]["quantity"] == "3"
    assert dumped["lines"][0]["tax_rate"] == "8.25"
    assert dumped["lines"][0]["unit_price"] == {"amount": "19.99", "currency": "USD"}
    assert dumped["kind"] == "invoice"


@given(documents)
def test_every_document_round_trips_through_the_document_union(document: Any) -> None:
    assert DOCUMENT_ADAPTER.validate_json(DOCUMENT_ADAPTER.dump_json(document)) == document
    assert type(document).model_validate_json(document.model_dump_json()) == document


@given(st.one_of(customers(), applications()))
def test_customers_and_applications_round_trip(model: Customer | Application) -> None:
    assert type(model).model_validate_json(model.model_dump_json()) == model


# --- properties ----------------------------------------------------------------------------------


@given(invoices())
def test_invoice_total_is_exact(inv: Invoice) -> None:
    assert inv.total == inv.subtotal + inv.tax_total
    lines = inv.lines
    assert inv.subtotal == sum((ln.amount for ln in lines), Money.zero(inv.currency))
    if inv.tax_rounding == "line":
        assert inv.tax_total == sum((ln.tax for ln in lines), Money.zero(inv.currency))
        assert inv.total == sum((ln.amount + ln.tax for ln in lines), Money.zero(inv.currency))
    else:
        exact = sum((ln.exact_tax for ln in lines), Money.zero(inv.currency))
        assert abs(inv.tax_total - exact) <= Money.from_minor_units(1, inv.currency) * Decimal(
            "0.5"
        )
    for amount in (inv.subtotal, inv.tax_total, inv.total):
        assert amount.is_quantized()
        assert amount.currency == inv.currency
    assert inv.total.amount > 0
    assert sum(inv.revenue_by_account("4000").values(), Money.zero(inv.currency)) == inv.subtotal


@given(invoices())
def test_installments_sum_to_the_total(inv: Invoice) -> None:
    rows = inv.installments()
    assert sum((row.amount for row in rows), Money.zero(inv.currency)) == inv.total
    assert inv.due_dates() == tuple(row.due_date for row in rows)
    if inv.due_date is not None:
        assert inv.due_dates() == (inv.due_date,)
    for row in rows:
        assert row.due_date >= inv.document_date
        if row.discount_deadline is not None:
            assert row.discount_deadline <= row.due_date


@given(receivable_documents)
def test_effect_sign_matches_the_document_type(document: Any) -> None:
    assert effect_sign(document) == (-1 if isinstance(document, CreditMemo) else 1)
    assert document.total.amount > 0
