from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arcore.documents import (
    Application,
    CreditMemo,
    CustomerDeposit,
    DebitMemo,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentMethod,
    Refund,
)
from arcore.errors import InvalidAmountError, ValidationError
from arcore.ledger import (
    AccountRole,
    ChartOfAccounts,
    EntryKind,
    EntryMeta,
    JournalEntry,
    application_entry,
    bad_debt_entry,
    credit_memo_entry,
    customer_deposit_entry,
    debit_memo_entry,
    deposit_verified_entry,
    invoice_entry,
    payment_entry,
    recovery_entry,
    refund_entry,
)
from arcore.money import Money
from strategies import (
    applications,
    credit_memos,
    currencies,
    customer_deposits,
    debit_memos,
    identifiers,
    invoices,
    payments,
    positive_money,
    refunds,
)

CHART = ChartOfAccounts()
META = EntryMeta(entry_id="JE-1", actor="ana", reason="test", idempotency_key="key-1")
DATED = META.model_copy(update={"entry_date": date(2026, 3, 1)})
DAY = date(2026, 1, 31)
SOURCE_KINDS: tuple[Literal["payment", "credit_memo", "customer_deposit"], ...] = (
    "payment",
    "credit_memo",
    "customer_deposit",
)


def usd(text: str) -> Money:
    return Money(text, "USD")


def by_account(entry: JournalEntry) -> dict[str, str]:
    """Σ amounts per account, as text (debits positive)."""
    sums: dict[str, Money] = {}
    for posting in entry.postings:
        current = sums.get(posting.account, Money.zero(posting.amount.currency))
        sums[posting.account] = current + posting.amount
    return {account: str(amount) for account, amount in sums.items()}


def ar_movement(entry: JournalEntry, document_id: str | None = None) -> Money:
    """Σ AR control postings of ``entry``, only those tagged ``document_id`` if given."""
    ar = CHART.code(AccountRole.AR_CONTROL)
    currency = entry.postings[0].amount.currency
    total = Money.zero(currency)
    for posting in entry.postings:
        if posting.account == ar and document_id in (None, posting.document_id):
            total += posting.amount
    return total


def balances(entries: list[JournalEntry]) -> None:
    for entry in entries:
        sums: defaultdict[str, Decimal] = defaultdict(Decimal)
        for posting in entry.postings:
            sums[posting.amount.currency] += posting.amount.amount
        assert all(total == 0 for total in sums.values())


# --- hand-worked examples ----------------------------------------------------------------


def make_invoice() -> Invoice:
    return Invoice(
        company_id="acme",
        id="inv-1",
        customer_id="c-1",
        currency="USD",
        number="INV-1",
        document_date=DAY,
        terms="Net 30",
        lines=[
            InvoiceLine(
                description="A",
                quantity=Decimal(2),
                unit_price=usd("50.00"),
                tax_rate=Decimal(10),
            ),
            InvoiceLine(
                description="B",
                quantity=Decimal(1),
                unit_price=usd("20.00"),
                revenue_account="4100",
            ),
            InvoiceLine(description="free", quantity=Decimal(1), unit_price=usd("0")),
        ],
    )


def test_invoice_entry() -> None:
    entry = invoice_entry(make_invoice(), CHART, META)
    assert entry.kind is EntryKind.INVOICE
    assert entry.entry_date == DAY
    assert entry.company_id == "acme"
    assert (entry.id, entry.actor, entry.idempotency_key) == ("JE-1", "ana", "key-1")
    assert by_account(entry) == {
        "1200": "130.00 USD",
        "4000": "-100.00 USD",
        "4100": "-20.00 USD",
        "2200": "-10.00 USD",
    }
    ar_line = entry.postings[0]
    assert (ar_line.customer_id, ar_line.document_id) == ("c-1", "inv-1")


def test_invoice_entry_without_tax_omits_tax_line_and_takes_meta_date() -> None:
    invoice = Invoice(
        company_id="acme",
        id="inv-2",
        customer_id="c-1",
        currency="JPY",
        number="INV-2",
        document_date=DAY,
        terms="Net 30",
        lines=[InvoiceLine(description="A", quantity=Decimal(3), unit_price=Money(100, "JPY"))],
    )
    entry = invoice_entry(invoice, CHART, DATED)
    assert by_account(entry) == {"1200": "300 JPY", "4000": "-300 JPY"}
    assert entry.entry_date == date(2026, 3, 1)


def test_debit_memo_entry_credits_memo_account_or_revenue() -> None:
    memo = DebitMemo(
        company_id="acme",
        id="dm-1",
        customer_id="c-1",
        currency="USD",
        number="DM-1",
        document_date=DAY,
        amount=usd("25.00"),
        account="4200",
    )
    entry = debit_memo_entry(memo, CHART, META)
    assert entry.kind is EntryKind.DEBIT_MEMO
    assert by_account(entry) == {"1200": "25.00 USD", "4200": "-25.00 USD"}
    assert entry.postings[0].document_id == "dm-1"
    plain = debit_memo_entry(memo.model_copy(update={"account": None}), CHART, META)
    assert by_account(plain) == {"1200": "25.00 USD", "4000": "-25.00 USD"}


def test_credit_memo_entry() -> None:
    memo = CreditMemo(
        company_id="acme",
        id="cm-1",
        customer_id="c-1",
        currency="USD",
        number="CM-1",
        document_date=DAY,
        amount=usd("11.00"),
        tax=usd("1.00"),
    )
    entry = credit_memo_entry(memo, CHART, META)
    assert entry.kind is EntryKind.CREDIT_MEMO
    assert by_account(entry) == {"4900": "10.00 USD", "2200": "1.00 USD", "1200": "-11.00 USD"}
    ar_line = entry.postings[-1]
    assert (ar_line.customer_id, ar_line.document_id) == ("c-1", "cm-1")


def make_payment(amount: str = "100.00") -> Payment:
    return Payment(
        company_id="acme",
        id="pay-1",
        customer_id="c-1",
        currency="USD",
        received_date=DAY,
        amount=usd(amount),
        method=PaymentMethod.ACH,
    )


def test_payment_entry() -> None:
    entry = payment_entry(make_payment(), CHART, META)
    assert entry.kind is EntryKind.PAYMENT
    assert by_account(entry) == {"1150": "100.00 USD", "2150": "-100.00 USD"}
    assert entry.postings[1].source_id == "pay-1"
    assert not ar_movement(entry)


def make_application(**update: Money) -> Application:
    fields = {"amount": usd("90.00"), "discount": usd("2.00"), "write_off": usd("0.50")}
    return Application(
        company_id="acme",
        id="a-1",
        source_id="src-1",
        target_id="inv-1",
        applied_date=date(2026, 2, 5),
        **(fields | update),
    )


def test_application_from_payment() -> None:
    entry = application_entry(
        make_application(), CHART, META, source_kind="payment", customer_id="c-1", payer_id="c-1"
    )
    assert entry.kind is EntryKind.APPLICATION
    assert entry.entry_date == date(2026, 2, 5)
    assert by_account(entry) == {
        "2150": "90.00 USD",
        "1200": "-92.50 USD",
        "4950": "2.00 USD",
        "6900": "0.50 USD",
    }
    assert ar_movement(entry, "inv-1") == usd("-92.50")
    cash = entry.postings[0]
    assert (cash.account, cash.source_id, cash.customer_id) == ("2150", "src-1", "c-1")


def test_application_from_credit_memo_nets_on_ar() -> None:
    application = make_application(discount=usd("0"), write_off=usd("0"))
    entry = application_entry(
        application, CHART, META, source_kind="credit_memo", customer_id="c-1", payer_id="c-1"
    )
    assert by_account(entry) == {"1200": "0.00 USD"}
    assert ar_movement(entry, "src-1") == usd("90.00")
    assert ar_movement(entry, "inv-1") == usd("-90.00")


def test_application_from_deposit() -> None:
    application = make_application(write_off=usd("0"))
    entry = application_entry(
        application, CHART, META, source_kind="customer_deposit", customer_id="c-1", payer_id="c-1"
    )
    assert by_account(entry) == {"2300": "90.00 USD", "1200": "-92.00 USD", "4950": "2.00 USD"}


def test_application_of_discount_only() -> None:
    application = make_application(amount=usd("0"), write_off=usd("0"))
    entry = application_entry(
        application, CHART, META, source_kind="payment", customer_id="c-1", payer_id="c-1"
    )
    assert by_account(entry) == {"4950": "2.00 USD", "1200": "-2.00 USD"}


def test_application_refuses_unknown_source_kind() -> None:
    with pytest.raises(ValidationError):
        application_entry(
            make_application(),
            CHART,
            META,
            source_kind="refund",  # type: ignore[arg-type]
            customer_id="c-1",
            payer_id="c-1",
        )


def test_bad_debt_and_recovery() -> None:
    bad = bad_debt_entry("c-1", "inv-1", usd("40.00"), CHART, DATED, company_id="acme")
    assert bad.kind is EntryKind.BAD_DEBT
    assert by_account(bad) == {"1290": "40.00 USD", "1200": "-40.00 USD"}
    assert ar_movement(bad, "inv-1") == usd("-40.00")
    back = recovery_entry("c-1", "inv-1", usd("40.00"), CHART, DATED, company_id="acme")
    assert back.kind is EntryKind.RECOVERY
    assert by_account(back) == {"1200": "40.00 USD", "1290": "-40.00 USD"}
    assert back.entry_date == date(2026, 3, 1)


@pytest.mark.parametrize("rule", [bad_debt_entry, recovery_entry])
def test_undated_rules_need_a_date_and_a_positive_amount(rule: object) -> None:
    assert callable(rule)
    with pytest.raises(ValidationError, match="no date"):
        rule("c-1", "inv-1", usd("1.00"), CHART, META, company_id="acme")
    with pytest.raises(InvalidAmountError):
        rule("c-1", "inv-1", usd("-1.00"), CHART, DATED, company_id="acme")


def test_customer_deposit_entry() -> None:
    deposit = CustomerDeposit(
        company_id="acme",
        id="dep-1",
        customer_id="c-1",
        currency="USD",
        received_date=DAY,
        amount=usd("500.00"),
        method=PaymentMethod.WIRE,
    )
    entry = customer_deposit_entry(deposit, CHART, META)
    assert entry.kind is EntryKind.CUSTOMER_DEPOSIT
    assert by_account(entry) == {"1150": "500.00 USD", "2300": "-500.00 USD"}
    assert entry.postings[1].source_id == "dep-1"
    assert not ar_movement(entry)


def make_refund() -> Refund:
    return Refund(
        company_id="acme",
        id="ref-1",
        customer_id="c-1",
        currency="USD",
        document_date=DAY,
        amount=usd("15.00"),
        method=PaymentMethod.CHECK,
        refunds="cm-1",
    )


@pytest.mark.parametrize(
    ("role", "account", "dimension"),
    [
        (AccountRole.UNAPPLIED_CASH, "2150", "source_id"),
        (AccountRole.CUSTOMER_DEPOSITS, "2300", "source_id"),
        (AccountRole.AR_CONTROL, "1200", "document_id"),
    ],
)
def test_refund_entry(role: AccountRole, account: str, dimension: str) -> None:
    entry = refund_entry(make_refund(), CHART, META, from_account_role=role)
    assert entry.kind is EntryKind.REFUND
    assert by_account(entry) == {account: "15.00 USD", "1000": "-15.00 USD"}
    assert getattr(entry.postings[0], dimension) == "cm-1"


def test_refund_from_another_account_is_refused() -> None:
    with pytest.raises(ValidationError, match="cannot be paid from"):
        refund_entry(make_refund(), CHART, META, from_account_role=AccountRole.REVENUE)


def test_deposit_verified_entry() -> None:
    entry = deposit_verified_entry(
        usd("100.00"), CHART, DATED, company_id="acme", source_id="pay-1"
    )
    assert entry.kind is EntryKind.DEPOSIT_VERIFIED
    assert by_account(entry) == {"1000": "100.00 USD", "1150": "-100.00 USD"}
    assert not ar_movement(entry)


def test_custom_chart_codes_are_used() -> None:
    chart = ChartOfAccounts(codes={AccountRole.AR_CONTROL: "1100"})
    entry = payment_entry(make_payment(), chart, META)
    application = application_entry(
        make_application(), chart, META, source_kind="payment", customer_id="c-1", payer_id="c-1"
    )
    assert "1100" in by_account(application)
    assert "1100" not in by_account(entry)


# --- properties ----------------------------------------------------------------------------


@given(invoices())
def test_invoice_raises_ar_by_total(invoice: Invoice) -> None:
    entry = invoice_entry(invoice, CHART, META)  # constructing it proves it balances
    balances([entry])
    assert ar_movement(entry, invoice.id) == invoice.total == ar_movement(entry)


@given(debit_memos())
def test_debit_memo_raises_ar_by_amount(memo: DebitMemo) -> None:
    entry = debit_memo_entry(memo, CHART, META)
    assert ar_movement(entry, memo.id) == memo.amount == ar_movement(entry)


@given(credit_memos())
def test_credit_memo_lowers_ar_by_amount(memo: CreditMemo) -> None:
    entry = credit_memo_entry(memo, CHART, META)
    assert ar_movement(entry, memo.id) == -memo.amount == ar_movement(entry)


@given(payments(), customer_deposits())
def test_receipts_do_not_move_ar(payment: Payment, deposit: CustomerDeposit) -> None:
    for entry in (
        payment_entry(payment, CHART, META),
        customer_deposit_entry(deposit, CHART, META),
    ):
        assert not ar_movement(entry)


@given(applications(), st.sampled_from(SOURCE_KINDS), identifiers)
def test_application_lowers_target_by_settled(
    application: Application,
    source_kind: Literal["payment", "credit_memo", "customer_deposit"],
    customer_id: str,
) -> None:
    entry = application_entry(
        application,
        CHART,
        META,
        source_kind=source_kind,
        customer_id=customer_id,
        payer_id=customer_id,
    )
    assert ar_movement(entry, application.target_id) == -application.settled
    if source_kind == "credit_memo":  # the open credit is used up by the applied amount
        assert ar_movement(entry, application.source_id) == application.amount


@given(refunds(), st.sampled_from(sorted(AccountRole)))
def test_refund_balances_or_is_refused(refund: Refund, role: AccountRole) -> None:
    if role in {AccountRole.UNAPPLIED_CASH, AccountRole.CUSTOMER_DEPOSITS, AccountRole.AR_CONTROL}:
        entry = refund_entry(refund, CHART, META, from_account_role=role)
        expected = refund.amount if role is AccountRole.AR_CONTROL else Money.zero(refund.currency)
        assert ar_movement(entry) == expected
    else:
        with pytest.raises(ValidationError):
            refund_entry(refund, CHART, META, from_account_role=role)


@given(currencies.flatmap(lambda code: positive_money(code, 10**12)), identifiers)
def test_bad_debt_recovery_and_verification_balance(amount: Money, document_id: str) -> None:
    bad = bad_debt_entry("c-1", document_id, amount, CHART, DATED, company_id="acme")
    back = recovery_entry("c-1", document_id, amount, CHART, DATED, company_id="acme")
    verified = deposit_verified_entry(amount, CHART, DATED, company_id="acme")
    assert ar_movement(bad, document_id) == -amount
    assert ar_movement(back, document_id) == amount
    assert not ar_movement(verified)


@st.composite
def settled_invoices(draw: st.DrawFn) -> tuple[Invoice, Payment, Application]:
    """An invoice, a payment of any amount, and an application of up to the open balance."""
    invoice = draw(invoices())
    code = invoice.currency
    total_units = invoice.total.to_minor_units()
    discount = draw(st.integers(0, total_units))
    write_off = draw(st.integers(0, total_units - discount))
    amount = draw(st.integers(0, total_units - discount - write_off))
    if not (amount or discount or write_off):
        amount = total_units
    payment_units = draw(st.integers(max(amount, 1), max(amount, 1) * 2))
    payment = Payment(
        company_id=invoice.company_id,
        id=invoice.id + "-pay",
        customer_id=invoice.customer_id,
        currency=code,
        received_date=invoice.document_date,
        amount=Money.from_minor_units(payment_units, code),
        method=PaymentMethod.ACH,
    )
    application = Application(
        company_id=invoice.company_id,
        id="a-1",
        source_id=payment.id,
        target_id=invoice.id,
        applied_date=invoice.document_date,
        amount=Money.from_minor_units(amount, code),
        discount=Money.from_minor_units(discount, code),
        write_off=Money.from_minor_units(write_off, code),
    )
    return invoice, payment, application


@given(settled_invoices())
def test_open_balance_after_payment_and_application(
    case: tuple[Invoice, Payment, Application],
) -> None:
    invoice, payment, application = case
    entries = [
        invoice_entry(invoice, CHART, META),
        payment_entry(payment, CHART, META),
        application_entry(
            application,
            CHART,
            META,
            source_kind="payment",
            customer_id=invoice.customer_id,
            payer_id=invoice.customer_id,
        ),
    ]
    balances(entries)
    open_balance = sum(
        (ar_movement(entry, invoice.id) for entry in entries), Money.zero(invoice.currency)
    )
    expected = invoice.total - application.amount - application.discount - application.write_off
    assert open_balance == expected
    assert Money.zero(invoice.currency) <= open_balance <= invoice.total
    unapplied_cash = CHART.code(AccountRole.UNAPPLIED_CASH)
    remainder = sum(
        (
            -posting.amount
            for entry in entries
            for posting in entry.postings
            if posting.account == unapplied_cash and posting.source_id == payment.id
        ),
        Money.zero(invoice.currency),
    )
    assert remainder == payment.amount - application.amount  # invariant 3, no refunds
