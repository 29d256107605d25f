"""Aging: hand-worked buckets, Σ buckets = total as a property, and the three sources agreeing.

Dates are worked out with a calendar: as of 2026-03-31, a due date of 2026-03-01 is 30 days
past due (March has 31 days), 2026-02-28 is 31, 2025-12-31 is 90 (31 + 28 + 31) and
2025-12-30 is 91.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arcore.documents import (
    CreditMemo,
    Customer,
    DocumentStatus,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentMethod,
)
from arcore.errors import InputRejectedError, NotFoundError, ValidationError
from arcore.ledger import Ledger
from arcore.ledger.repository import OpenItem
from arcore.money import Money
from arcore.reports import (
    AgingBasis,
    AgingReport,
    age,
    aging_from_csv,
    aging_from_store,
    buckets,
    in_currency,
)
from arcore.store import SqlStore
from arcore.store.importer import import_files
from arcore.terms import parse_terms

AS_OF = date(2026, 3, 31)
COMPANY = "acme"


def item(
    document_id: str,
    balance: str,
    *,
    due: date | None,
    dated: date = date(2025, 11, 1),
    customer_id: str | None = "c-1",
    currency: str = "USD",
    kind: str = "invoice",
) -> OpenItem:
    money = Money(balance, currency)
    return OpenItem(
        document_id=document_id,
        kind=kind,
        customer_id=customer_id,
        number=document_id,
        document_date=dated,
        due_date=due,
        currency=currency,
        total=Money(abs(money.amount) or 1, currency),
        balance=money,
        status=DocumentStatus.ISSUED,
        disputed=False,
    )


def amounts(report: AgingReport, customer_id: str | None, currency: str = "USD") -> list[str]:
    """A row's bucket amounts then its total, as text."""
    if customer_id == "TOTAL":
        row = report.totals[currency]
    else:
        (row,) = [r for r in report.rows if (r.customer_id, r.currency) == (customer_id, currency)]
    return [str(m.amount) for m in (*row.amounts, row.total)]


# --- hand-worked examples ---------------------------------------------------------------------


def test_bucket_boundaries_by_due_date() -> None:
    items = [
        item("not-yet-due", "1.00", due=date(2026, 4, 10)),  # -10 days: current
        item("due-today", "2.00", due=date(2026, 3, 31)),  # 0: current
        item("day-1", "4.00", due=date(2026, 3, 30)),  # 1: 1-30
        item("day-30", "8.00", due=date(2026, 3, 1)),  # 30: 1-30
        item("day-31", "16.00", due=date(2026, 2, 28)),  # 31: 31-60
        item("day-60", "32.00", due=date(2026, 1, 30)),  # 31 + 28 + 1 = 60: 31-60
        item("day-90", "64.00", due=date(2025, 12, 31)),  # 90: 61-90
        item("day-91", "128.00", due=date(2025, 12, 30)),  # 91: 91+
    ]
    report = age(items, AS_OF)
    assert [b.label for b in report.buckets] == ["current", "1-30", "31-60", "61-90", "91+"]
    assert amounts(report, "c-1") == ["3.00", "12.00", "48.00", "64.00", "128.00", "255.00"]
    assert amounts(report, "TOTAL") == amounts(report, "c-1")
    assert report.totals["USD"].customer_id == "TOTAL"


def test_credits_are_negative_in_the_bucket_of_their_document_date() -> None:
    items = [
        item("inv", "100.00", due=date(2026, 3, 1)),  # 30 days: 1-30
        # No due date: a credit memo and an unapplied payment count from their own date.
        item("cm", "-40.00", due=None, dated=date(2026, 2, 14), kind="credit_memo"),  # 45
        item("pay", "-25.00", due=None, dated=date(2026, 3, 31), kind="payment"),  # 0
        item("pay-x", "-5.00", due=None, dated=date(2025, 1, 1), customer_id=None),  # 454
    ]
    report = age(items, AS_OF)
    assert amounts(report, "c-1") == ["-25.00", "100.00", "-40.00", "0.00", "0.00", "35.00"]
    assert amounts(report, None) == ["0.00", "0.00", "0.00", "0.00", "-5.00", "-5.00"]
    assert [row.customer_id for row in report.rows] == ["c-1", None]  # unknown payer last
    assert amounts(report, "TOTAL") == ["-25.00", "100.00", "-40.00", "0.00", "-5.00", "30.00"]


def test_by_document_date_counts_days_outstanding() -> None:
    # Dated 2026-01-01, due 2026-03-01: 89 days outstanding (31 + 28 + 30), 30 days past due.
    items = [item("inv", "10.00", dated=date(2026, 1, 1), due=date(2026, 3, 1))]
    by_due = age(items, AS_OF)
    by_document = age(items, AS_OF, basis=AgingBasis.DOCUMENT)
    assert amounts(by_due, "c-1")[:5] == ["0.00", "10.00", "0.00", "0.00", "0.00"]
    assert amounts(by_document, "c-1")[:5] == ["0.00", "0.00", "0.00", "10.00", "0.00"]
    assert by_document.basis is AgingBasis.DOCUMENT


def test_configurable_buckets() -> None:
    items = [
        item("a", "1.00", due=date(2026, 3, 17)),  # 14 days
        item("b", "2.00", due=date(2026, 3, 16)),  # 15 days
        item("c", "4.00", due=date(2026, 3, 15)),  # 16 days
    ]
    report = age(items, AS_OF, edges=(15,))
    assert [b.label for b in report.buckets] == ["current", "1-15", "16+"]
    assert amounts(report, "c-1") == ["0.00", "3.00", "4.00", "7.00"]


@pytest.mark.parametrize("edges", [(), (0, 30), (30, 30), (60, 30), (-1,)])
def test_bad_edges_are_refused(edges: tuple[int, ...]) -> None:
    with pytest.raises(ValidationError) as caught:
        age([], AS_OF, edges=edges)
    assert caught.value.field == "buckets"


def test_currencies_are_never_summed_and_rows_are_sorted() -> None:
    items = [
        item("u2", "5.00", due=AS_OF, customer_id="b"),
        item("e1", "7.00", due=AS_OF, customer_id="b", currency="EUR"),
        item("u1", "3.00", due=AS_OF, customer_id="a"),
        item("j1", "1000", due=AS_OF, customer_id="a", currency="JPY"),
    ]
    report = age(items, AS_OF)
    assert [(r.currency, r.customer_id) for r in report.rows] == [
        ("EUR", "b"), ("JPY", "a"), ("USD", "a"), ("USD", "b"),
    ]  # fmt: skip
    assert {c: str(row.total.amount) for c, row in report.totals.items()} == {
        "EUR": "7.00",
        "JPY": "1000",
        "USD": "8.00",
    }
    dollars = in_currency(report, "usd")
    assert [r.customer_id for r in dollars.rows] == ["a", "b"]
    assert list(dollars.totals) == ["USD"]


def test_zero_items_make_no_row_but_offsetting_buckets_do() -> None:
    items = [
        item("paid", "0.00", due=date(2026, 1, 1), customer_id="z"),
        item("old", "50.00", due=date(2025, 1, 1), customer_id="n"),
        item("pay", "-50.00", due=None, dated=AS_OF, customer_id="n", kind="payment"),
    ]
    report = age(items, AS_OF)
    # "n" owes nothing overall, but its columns hold amounts: the row stays, so every
    # column of the customers still adds up to the TOTAL row.
    assert [row.customer_id for row in report.rows] == ["n"]
    assert amounts(report, "n") == ["-50.00", "0.00", "0.00", "0.00", "50.00", "0.00"]


def test_items_are_kept_oldest_first_when_asked() -> None:
    items = [
        item("late", "1.00", due=AS_OF, dated=date(2026, 3, 1)),
        item("early", "2.00", due=AS_OF, dated=date(2026, 1, 1)),
    ]
    assert age(items, AS_OF).rows[0].items == ()
    kept = age(iter(items), AS_OF, with_items=True).rows[0].items
    assert [i.document_id for i in kept] == ["early", "late"]


# --- Σ buckets = total, always ------------------------------------------------------------------

CURRENCIES = ("USD", "JPY", "KWD")


@st.composite
def open_items(draw: st.DrawFn) -> OpenItem:
    currency = draw(st.sampled_from(CURRENCIES))
    places = {"USD": 2, "JPY": 0, "KWD": 3}[currency]
    units = draw(st.integers(-(10**9), 10**9).filter(bool))
    dated = draw(st.dates(date(2020, 1, 1), date(2027, 12, 31)))
    due = draw(st.none() | st.integers(0, 400).map(lambda days: dated + timedelta(days=days)))
    return item(
        uuid.uuid4().hex,
        str(Decimal(units).scaleb(-places)),
        due=due,
        dated=dated,
        customer_id=draw(st.sampled_from(["a", "b", "c", None])),
        currency=currency,
    )


edge_lists = st.lists(st.integers(1, 400), min_size=1, max_size=6, unique=True).map(sorted)


@given(
    items=st.lists(open_items(), max_size=40),
    edges=edge_lists,
    as_of=st.dates(date(2019, 1, 1), date(2029, 1, 1)),
    basis=st.sampled_from(AgingBasis),
)
def test_buckets_sum_to_the_total_exactly(
    items: list[OpenItem], edges: list[int], as_of: date, basis: AgingBasis
) -> None:
    report = age(items, as_of, basis=basis, edges=edges)
    columns = buckets(edges)
    for row in (*report.rows, *report.totals.values()):
        assert sum((m for m in row.amounts), Money.zero(row.currency)) == row.total
    for currency, total in report.totals.items():
        mine = [row for row in report.rows if row.currency == currency]
        for index, cell in enumerate(total.amounts):
            assert sum((row.amounts[index] for row in mine), Money.zero(currency)) == cell
        expected = sum((i.balance for i in items if i.currency == currency), Money.zero(currency))
        assert total.total == expected
    # Each item in the one bucket that holds its days (the model's own definition).
    expected_cells: dict[tuple[str, str | None, int], Money] = {}
    for i in items:
        dated = (
            i.document_date if basis is AgingBasis.DOCUMENT or i.due_date is None else i.due_date
        )
        days = (as_of - dated).days
        (index,) = [n for n, bucket in enumerate(columns) if bucket.holds(days)]
        slot = (i.currency, i.customer_id, index)
        expected_cells[slot] = expected_cells.get(slot, Money.zero(i.currency)) + i.balance
    for row in report.rows:
        for index, money in enumerate(row.amounts):
            assert money == expected_cells.get(
                (row.currency, row.customer_id, index), Money.zero(row.currency)
            )
    assert set(report.totals) == {r.currency for r in report.rows}


# --- the store (both backends), the ledger's open items and CSV files agree ---------------------


def usd(amount: str) -> Money:
    return Money(amount, "USD")


def invoice(invoice_id: str, amount: str, on: date, customer_id: str, terms: str) -> Invoice:
    return Invoice(
        company_id=COMPANY,
        id=invoice_id,
        customer_id=customer_id,
        currency="USD",
        number=invoice_id.upper(),
        document_date=on,
        terms=parse_terms(terms),
        lines=(InvoiceLine(description="Widgets", quantity=Decimal(1), unit_price=usd(amount)),),
    )


def build_books(store: SqlStore) -> Ledger:
    """Two customers, a history with entries after the dates asked about."""
    ledger = Ledger(store, COMPANY)
    ledger.open_books("Acme", actor="t", idempotency_key="open")
    for customer_id in ("c-1", "c-2"):
        ledger.add_customer(
            Customer(company_id=COMPANY, id=customer_id, name=customer_id, currency="USD"),
            actor="t",
            idempotency_key=f"cust:{customer_id}",
        )
    keys = iter(range(1000))

    def k() -> str:
        return f"k{next(keys)}"

    ledger.issue(
        invoice("i1", "1000.00", date(2026, 1, 5), "c-1", "Net 30"), actor="t", idempotency_key=k()
    )  # due 02-04
    ledger.issue(
        invoice("i2", "400.00", date(2026, 2, 20), "c-1", "Net 30"), actor="t", idempotency_key=k()
    )  # due 03-22
    ledger.issue(
        invoice("i3", "250.00", date(2025, 11, 15), "c-2", "Net 15"), actor="t", idempotency_key=k()
    )  # due 11-30
    ledger.issue(
        invoice("i4", "90.00", date(2026, 4, 2), "c-2", "Net 30"), actor="t", idempotency_key=k()
    )  # after 03-31
    ledger.issue(CreditMemo(company_id=COMPANY, id="cm1", customer_id="c-2", currency="USD",
                            number="CM1", document_date=date(2026, 3, 10), amount=usd("30.00")),
                 actor="t", idempotency_key=k())  # fmt: skip
    for pay_id, amount, on, customer_id in (
        ("p1", "600.00", date(2026, 2, 10), "c-1"),
        ("p2", "400.00", date(2026, 4, 5), "c-1"),
        ("p3", "80.00", date(2026, 3, 25), "c-2"),
    ):
        ledger.record_payment(
            Payment(company_id=COMPANY, id=pay_id, customer_id=customer_id, currency="USD",
                    received_date=on, amount=usd(amount), method=PaymentMethod.CHECK),
            actor="t", idempotency_key=k(),
        )  # fmt: skip
    ledger.apply("p1", "i1", usd("600.00"), on=date(2026, 2, 10), actor="t", idempotency_key=k())
    ledger.apply("p2", "i1", usd("400.00"), on=date(2026, 4, 5), actor="t", idempotency_key=k())
    ledger.apply("p3", "i3", usd("50.00"), on=date(2026, 3, 25), actor="t", idempotency_key=k())
    ledger.write_off("i3", usd("20.00"), on=date(2026, 3, 28), actor="t", idempotency_key=k())
    return ledger


def test_store_aging_worked_by_hand(store: SqlStore) -> None:
    build_books(store)
    report = aging_from_store(store, COMPANY, AS_OF)
    # c-1: i1 1000 - 600 = 400 open, due 02-04, 55 days: 31-60; i2 400 due 03-22, 9 days.
    assert amounts(report, "c-1") == ["0.00", "400.00", "400.00", "0.00", "0.00", "800.00"]
    # c-2: i3 250 - 50 - 20 = 180, due 2025-11-30, 121 days: 91+; cm1 -30 dated 03-10, 21
    # days: 1-30; p3 80 received 03-25 with 50 applied: -30 unapplied, 6 days: 1-30.
    assert amounts(report, "c-2") == ["0.00", "-60.00", "0.00", "0.00", "180.00", "120.00"]
    assert amounts(report, "TOTAL") == ["0.00", "340.00", "400.00", "0.00", "180.00", "920.00"]
    # Before anything of 2026 was posted (i3 alone, 2025-12-31: 31 days past due).
    early = aging_from_store(store, COMPANY, date(2025, 12, 31))
    assert amounts(early, "TOTAL") == ["0.00", "0.00", "250.00", "0.00", "0.00", "250.00"]


@pytest.mark.parametrize("basis", list(AgingBasis))
def test_store_aging_equals_aging_the_ledgers_open_items(
    store: SqlStore, basis: AgingBasis
) -> None:
    ledger = build_books(store)
    for as_of in (date(2025, 11, 30), date(2026, 2, 10), AS_OF, date(2026, 4, 5), date(2027, 1, 1)):
        for edges in ((30, 60, 90), (7, 14)):
            expected = age(ledger.open_items(as_of=as_of), as_of, basis=basis, edges=edges)
            assert aging_from_store(store, COMPANY, as_of, basis=basis, edges=edges) == expected
            with_items = aging_from_store(
                store, COMPANY, as_of, basis=basis, edges=edges, with_items=True
            )
            assert with_items == age(
                ledger.open_items(as_of=as_of), as_of, basis=basis, edges=edges, with_items=True
            )
            assert [r.total for r in with_items.rows] == [r.total for r in expected.rows]


def test_unknown_company_is_not_found(store: SqlStore) -> None:
    with pytest.raises(NotFoundError):
        aging_from_store(store, "nobody", AS_OF)


CUSTOMERS = """\
customer_id,name,aliases,bank_accounts,parent_id,currency,terms,credit_limit
C1,Globex,,,,USD,Net 30,
C2,Initech,,,,EUR,Net 45,
"""
DOCUMENTS = """\
document_no,kind,customer_id,document_date,due_date,terms,currency,amount,open_amount
INV-1,invoice,C1,2026-01-05,,,USD,1000.00,
INV-2,invoice,C1,2026-02-20,2026-03-01,,USD,500.00,200.00
INV-3,invoice,C2,2025-12-01,,,EUR,300.00,
CM-1,credit_memo,C1,2026-03-15,,,USD,50.00,
DM-1,debit_memo,C2,2026-03-20,2026-03-20,,EUR,25.00,
INV-4,invoice,C1,2026-04-02,,,USD,70.00,
"""
PAYMENTS = """\
payment_id,received_date,amount,currency,payer_name,payer_account,reference,remittance,customer_id
P1,2026-01-20,490.00,USD,Globex,,,,C1
P2,2026-04-10,600.00,USD,Globex,,,,C1
P3,2026-03-01,300.00,EUR,Initech,,,,C2
"""
APPLICATIONS = """\
payment_id,document_no,applied_date,applied_amount,discount_amount,writeoff_amount
P1,INV-1,2026-01-20,490.00,,10.00
P2,INV-1,2026-04-10,500.00,,
P2,INV-2,2026-04-10,100.00,,
P3,INV-3,2026-03-01,300.00,,
"""


def write_files(folder: Path, **texts: str) -> dict[str, Path]:
    paths = {}
    for name, text in texts.items():
        paths[name] = folder / f"{name}.csv"
        paths[name].write_text(text, encoding="utf-8")
    return paths


def test_csv_aging_worked_by_hand(tmp_path: Path) -> None:
    files = write_files(tmp_path, documents=DOCUMENTS, applications=APPLICATIONS,
                        customers=CUSTOMERS)  # fmt: skip
    report = aging_from_csv(
        files["documents"], files["applications"], as_of=AS_OF, customers=files["customers"]
    )
    # C1: INV-1 1000 - 500 = 500, due 02-04 (Net 30 from the customer), 55 days: 31-60;
    # INV-2 200 open, due 03-01, 30 days: 1-30; CM-1 -50 dated 03-15, 16 days: 1-30;
    # INV-4 is dated after 03-31 and the April applications do not count yet.
    assert amounts(report, "C1") == ["0.00", "150.00", "500.00", "0.00", "0.00", "650.00"]
    # C2 (EUR): INV-3 paid on 03-01; DM-1 25 due 03-20, 11 days.
    assert amounts(report, "C2", "EUR") == ["0.00", "25.00", "0.00", "0.00", "0.00", "25.00"]
    # Without applications, open_amount (or amount) is the balance.
    plain = aging_from_csv(files["documents"], as_of=AS_OF, customers=files["customers"])
    assert amounts(plain, "C1") == ["0.00", "150.00", "1000.00", "0.00", "0.00", "1150.00"]


def test_csv_aging_equals_the_store_after_importing_the_files(
    store: SqlStore, tmp_path: Path
) -> None:
    files = write_files(tmp_path, customers=CUSTOMERS, documents=DOCUMENTS, payments=PAYMENTS,
                        applications=APPLICATIONS)  # fmt: skip
    import_files(
        store,
        COMPANY,
        customers=files["customers"],
        documents=files["documents"],
        payments=files["payments"],
        applications=files["applications"],
    )
    for as_of in (date(2025, 12, 31), date(2026, 1, 20), AS_OF, date(2026, 4, 10)):
        for basis in AgingBasis:
            from_files = aging_from_csv(
                files["documents"], files["applications"], as_of=as_of, basis=basis,
                customers=files["customers"],
            )  # fmt: skip
            from_store = aging_from_store(store, COMPANY, as_of, basis=basis)
            # P2 holds 600 with 600 applied and P1, P3 are fully applied: no unapplied cash,
            # which the files cannot show, so both sources see the same items.
            assert from_files == from_store


def test_bad_csv_rows_are_all_named(tmp_path: Path) -> None:
    documents = DOCUMENTS + (
        "INV-5,invoice,C1,2026-13-01,,,USD,10.00,\n"  # row 8: no such month
        "INV-6,invoice,C1,2026-01-01,2026-02-01,,USD,ten,\n"  # row 9
        "INV-1,invoice,C1,2026-01-01,2026-02-01,,USD,1.00,\n"  # row 10: twice
    )
    applications = APPLICATIONS + (
        "P9,NOPE,2026-03-01,1.00,,\n"  # row 6: unknown document
        "P9,INV-2,2026-03-01,150.00,,\n"  # row 7: 200 open, 100 + 150 applied
        "P9,DM-1,2026-03-01,1.00,,\n"  # row 8: before DM-1 (03-20)
        "P9,INV-3,2026-03-02,abc,,\n"  # row 9
    )
    files = write_files(tmp_path, documents=documents, applications=applications,
                        customers=CUSTOMERS)  # fmt: skip
    with pytest.raises(InputRejectedError) as caught:
        aging_from_csv(
            files["documents"], files["applications"], as_of=AS_OF, customers=files["customers"]
        )
    found = {(p.file, p.row, p.field) for p in caught.value.problems}
    assert found == {
        ("documents.csv", 8, "document_date"),
        ("documents.csv", 9, "amount"),
        ("documents.csv", 10, "document_no"),
        ("applications.csv", 6, "document_no"),
        ("applications.csv", 4, "applied_amount"),  # INV-2's first application row
        ("applications.csv", 8, "applied_date"),
        ("applications.csv", 9, "applied_amount"),
    }
    values = {(p.row, p.field): p.value for p in caught.value.problems}
    assert values[8, "document_date"] == "2026-13-01"
    assert values[9, "applied_amount"] == "abc"


def test_csv_cells_written_differently_read_the_same(tmp_path: Path) -> None:
    # The same files as DOCUMENTS and APPLICATIONS, with columns reordered, an extra column,
    # blank lines, spaces, other cases and amounts written other ways: the same report.
    documents = """\
kind,document_no,note,customer_id,currency,document_date,due_date,terms,open_amount,amount
Invoice, INV-1 ,x,C1,usd,2026-01-05,,,,1000

invoice,INV-2,,C1,USD, 2026-02-20 ,2026-03-01,,200.000,500.00
INVOICE,INV-3,,C2,EUR,2025-12-01,,Net 45,,3E+2
credit_memo,CM-1,,C1,USD,2026-03-15,,,,50.0
debit_memo,DM-1,,C2,EUR,2026-03-20,2026-03-20,,,25
invoice,INV-4,,C1,USD,2026-04-02,,,,0070.00
"""
    applications = """\
document_no,payment_id,applied_amount,applied_date,writeoff_amount,discount_amount,memo
INV-1,P1,490,2026-01-20, 10.00 ,,

INV-1,P2,500.0,2026-04-10,,,y
INV-2,P2,1E+2,2026-04-10,,0,
INV-3,P3,300.00,2026-03-01,,,
"""
    clean = write_files(tmp_path, documents=DOCUMENTS, applications=APPLICATIONS,
                        customers=CUSTOMERS)  # fmt: skip
    messy_folder = tmp_path / "messy"
    messy_folder.mkdir()
    messy = write_files(messy_folder, documents=documents, applications=applications)
    for as_of in (date(2026, 1, 20), AS_OF, date(2026, 4, 10)):
        expected = aging_from_csv(
            clean["documents"], clean["applications"], as_of=as_of, customers=clean["customers"]
        )
        found = aging_from_csv(
            messy["documents"], messy["applications"], as_of=as_of, customers=clean["customers"]
        )
        assert found == expected
