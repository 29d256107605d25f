"""Collection KPIs: one month of books worked out by hand, count-back DSO, targets, sources.

The books (built through the ledger, on both store backends), period 2026-03-01 to
2026-03-31 (N = 31):

* c-1: i1 1000.00 of 01-05, Net 30 (due 02-04): 600 paid 02-10, 400 paid 03-15 (settled);
  i2 400.00 of 02-20, due 03-22; i5 600.00 of 03-10, due 04-09.
* c-2: i6 100.00 of 2025-10-01, due 10-31, written off as bad debt 03-20 (settled);
  i3 250.00 of 2025-11-15, Net 15 (due 11-30): 50 paid 03-25 out of an 80.00 payment
  (30 unapplied), 20 written off 03-28 (small balance); credit memo cm1 30.00 of 03-10.

Beginning AR (02-28): c-1 400 + 400 = 800; c-2 250 + 100 = 350; 1150 in all.
Ending AR (03-31), bands current | 1-20 | 21-90 | 91+:
c-1 600 | 400 | 0 | 0 = 1000; c-2 0 | -30 (p3, 6 days) | -30 (cm1, 21 days) | 180 = 120.
Credit sales of March: i5 600 - cm1 30 = 570. Written off: 20 + 100 = 120.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from arcore.documents import CreditMemo, Customer, Invoice, InvoiceLine, Payment, PaymentMethod
from arcore.errors import ValidationError
from arcore.ledger import Ledger
from arcore.money import Money
from arcore.reports import (
    Comparison,
    Kpis,
    Target,
    check_targets,
    kpis_from_csv,
    kpis_from_store,
)
from arcore.reports.kpis import countback_dso
from arcore.store import SqlStore
from arcore.store.importer import import_files
from arcore.terms import parse_terms

COMPANY = "acme"
MARCH = (date(2026, 3, 1), date(2026, 3, 31))


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
    ledger = Ledger(store, COMPANY)
    keys = iter(range(1000))

    def k() -> str:
        return f"k{next(keys)}"

    ledger.open_books("Acme", actor="t", idempotency_key=k())
    for customer_id in ("c-1", "c-2"):
        ledger.add_customer(
            Customer(company_id=COMPANY, id=customer_id, name=customer_id, currency="USD"),
            actor="t",
            idempotency_key=k(),
        )
    for document in (
        invoice("i1", "1000.00", date(2026, 1, 5), "c-1", "Net 30"),
        invoice("i2", "400.00", date(2026, 2, 20), "c-1", "Net 30"),
        invoice("i5", "600.00", date(2026, 3, 10), "c-1", "Net 30"),
        invoice("i6", "100.00", date(2025, 10, 1), "c-2", "Net 30"),
        invoice("i3", "250.00", date(2025, 11, 15), "c-2", "Net 15"),
    ):
        ledger.issue(document, actor="t", idempotency_key=k())
    memo = CreditMemo(
        company_id=COMPANY,
        id="cm1",
        customer_id="c-2",
        currency="USD",
        number="CM1",
        document_date=date(2026, 3, 10),
        amount=usd("30.00"),
    )
    ledger.issue(memo, actor="t", idempotency_key=k())
    for pay_id, amount, on, customer_id, target, applied in (
        ("p1", "600.00", date(2026, 2, 10), "c-1", "i1", "600.00"),
        ("p4", "400.00", date(2026, 3, 15), "c-1", "i1", "400.00"),
        ("p3", "80.00", date(2026, 3, 25), "c-2", "i3", "50.00"),
    ):
        ledger.record_payment(
            Payment(company_id=COMPANY, id=pay_id, customer_id=customer_id, currency="USD",
                    received_date=on, amount=usd(amount), method=PaymentMethod.CHECK),
            actor="t", idempotency_key=k(),
        )  # fmt: skip
        ledger.apply(pay_id, target, usd(applied), on=on, actor="t", idempotency_key=k())
    ledger.write_off("i6", on=date(2026, 3, 20), bad_debt=True, actor="t", idempotency_key=k())
    ledger.write_off("i3", usd("20.00"), on=date(2026, 3, 28), actor="t", idempotency_key=k())
    return ledger


def values(kpis: Kpis) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for name in Kpis.model_fields:
        value = getattr(kpis, name)
        found[name] = None if value is None else str(getattr(value, "amount", value))
    return found


def test_march_worked_by_hand(store: SqlStore) -> None:
    build_books(store)
    report = kpis_from_store(store, COMPANY, *MARCH)
    assert (report.start, report.end) == MARCH
    assert values(report.overall["USD"]) == {
        "beginning_ar": "1150.00",
        "ending_ar": "1120.00",
        "credit_sales": "570.00",
        "dso": "60.9123",  # 1120 / 570 × 31 = 60.91228...
        "best_possible_dso": "32.6316",  # 600 / 570 × 31 = 32.63157...
        "add": "28.2807",  # 16120 / 570 = 28.28070...
        "cei": "53.5714",  # (1150 + 570 - 1120) / (1150 + 570 - 600) × 100 = 600 / 1120
        "past_due_pct": "46.4286",  # (1120 - 600) / 1120 × 100
        "past_due_over_20_pct": "13.3929",  # (-30 + 180) / 1120 × 100 = 13.39285...
        "over_90_amount": "180.00",
        "bad_debt_ratio": "0.2105",  # 120 / 570 = 0.210526...
        "turnover": "0.5022",  # 570 / ((1150 + 1120) / 2) = 0.502202...
        # March 570 (31 days) leaves 550; February 400 (28) leaves 150; January 1000:
        # 31 + 28 + 150 / 1000 × 31 = 63.65.
        "countback_dso": "63.6500",
        # i1 1000.00: 69 days after 01-05, 39 after 02-04; i6 100.00: 170 days after
        # 2025-10-01, 140 after 10-31. (1000 × 69 + 100 × 170) / 1100 = 78.1818...
        "avg_days_to_pay": "78.1818",
        "avg_days_late": "48.1818",  # (1000 × 39 + 100 × 140) / 1100
    }
    assert values(report.customers["c-1"]["USD"]) == {
        "beginning_ar": "800.00",
        "ending_ar": "1000.00",
        "credit_sales": "600.00",
        "dso": "51.6667",  # 1000 / 600 × 31
        "best_possible_dso": "31.0000",
        "add": "20.6667",
        "cei": "50.0000",  # (800 + 600 - 1000) / (800 + 600 - 600) × 100
        "past_due_pct": "40.0000",
        "past_due_over_20_pct": "0.0000",
        "over_90_amount": "0.00",
        "bad_debt_ratio": "0.0000",
        "turnover": "0.6667",  # 600 / 900
        "countback_dso": "59.0000",  # 31 + 400 / 400 × 28
        "avg_days_to_pay": "69.0000",
        "avg_days_late": "39.0000",
    }
    c2 = values(report.customers["c-2"]["USD"])
    # Net credit sales of -30: the formulas give negative days, as written.
    assert c2["dso"] == "-124.0000"
    assert c2["bad_debt_ratio"] == "-4.0000"
    # 150 left after March (-30), then Feb, Jan, Dec empty: 31 + 28 + 31 + 31 = 121 days,
    # then November's 250 sales (30 days): 121 + 150 / 250 × 30 = 139.
    assert c2["countback_dso"] == "139.0000"
    assert c2["avg_days_to_pay"] == "170.0000"
    assert list(report.customers) == ["c-1", "c-2"]


def test_targets_from_the_seeds(store: SqlStore) -> None:
    build_books(store)
    results = check_targets(kpis_from_store(store, COMPANY, *MARCH).overall["USD"])
    assert [(r.target.kpi, str(r.value), r.passed) for r in results] == [
        ("past_due_pct", "46.4286", False),
        ("past_due_over_20_pct", "13.3929", True),
        ("over_90_amount", "180.00", False),
    ]
    bad_debt = Target(kpi="bad_debt_ratio", comparison=Comparison.AT_MOST,
                      limit=Decimal("0.2105"), label="bad debt at most 21.05 %")  # fmt: skip
    (result,) = check_targets(kpis_from_store(store, COMPANY, *MARCH).overall["USD"], [bad_debt])
    assert result.passed is True
    with pytest.raises(ValidationError):
        check_targets(kpis_from_store(store, COMPANY, *MARCH).overall["USD"], [
            bad_debt.model_copy(update={"kpi": "happiness"})
        ])  # fmt: skip


def test_a_period_without_sales_divides_by_nothing(store: SqlStore) -> None:
    build_books(store)
    # 2026-03-11 to 03-14: no documents dated in it; i1, i2, i3, i5, i6 and cm1 open.
    kpis = kpis_from_store(store, COMPANY, date(2026, 3, 11), date(2026, 3, 14)).overall["USD"]
    assert str(kpis.credit_sales.amount) == "0.00"
    assert kpis.dso is None
    assert kpis.best_possible_dso is None
    assert kpis.add is None
    assert kpis.bad_debt_ratio is None
    assert kpis.avg_days_to_pay is None  # nothing settled
    assert kpis.past_due_pct is not None
    # Count-back ignores the period's start: 03-01..03-14 holds i5 600 and cm1 -30 (570),
    # ending AR 1150 + 570 = 1720: 14 days, then February 400 (28), then January 1000.
    assert str(kpis.ending_ar.amount) == "1720.00"
    assert kpis.countback_dso == Decimal("14") + 28 + Decimal(750) / 1000 * 31


def test_nothing_at_all_gives_no_kpis(store: SqlStore) -> None:
    build_books(store)
    report = kpis_from_store(store, COMPANY, date(2020, 1, 1), date(2020, 12, 31))
    assert report.overall == {}
    assert report.customers == {}


def test_bad_periods_are_refused(store: SqlStore) -> None:
    with pytest.raises(ValidationError):
        kpis_from_store(store, COMPANY, date(2026, 3, 31), date(2026, 3, 1))
    with pytest.raises(ValidationError):
        kpis_from_store(store, COMPANY, *MARCH, over_days=-1)


def test_countback_walks_calendar_months_from_the_end_date() -> None:
    # End 03-15: the first step is March 1-15 (15 days), then whole months.
    sales = {(2026, 3): 300, (2026, 2): 2800, (2025, 12): 500}
    assert countback_dso(200, sales, date(2026, 3, 15)) == 10  # 200 / 300 × 15
    assert countback_dso(1700, sales, date(2026, 3, 15)) == 15 + 14  # half of February
    # January sold nothing: its 31 days count whole; December's 500 finish the walk.
    assert countback_dso(3350, sales, date(2026, 3, 15)) == 15 + 28 + 31 + Decimal(250) / 500 * 31
    assert countback_dso(3601, sales, date(2026, 3, 15)) is None  # more than every sale
    assert countback_dso(-5, sales, date(2026, 3, 15)) == 0
    assert countback_dso(5, {}, date(2026, 3, 15)) is None
    # A leap February has 29 days.
    assert countback_dso(150, {(2024, 3): 100, (2024, 2): 100}, date(2024, 3, 31)) == 31 + Decimal(
        "14.5"
    )


def test_over_days_is_a_parameter(store: SqlStore) -> None:
    build_books(store)
    # Over 5 days past due: i2 (9 days) 400, p3 (6 days) -30, cm1 -30, i3 180 = 520 of 1120.
    kpis = kpis_from_store(store, COMPANY, *MARCH, over_days=5).overall["USD"]
    assert kpis.past_due_over_20_pct == Decimal("46.4286")
    # Over 7: p3 drops out: 550 / 1120 = 49.1071...
    kpis = kpis_from_store(store, COMPANY, *MARCH, over_days=7).overall["USD"]
    assert kpis.past_due_over_20_pct == Decimal("49.1071")
    assert str(kpis.over_90_amount.amount) == "180.00"


CUSTOMERS = """\
customer_id,name,aliases,bank_accounts,parent_id,currency,terms,credit_limit
C1,Globex,,,,USD,Net 30,
C2,Initech,,,,USD,Net 45,
C3,Umbrella,,,,EUR,Net 30,
"""
DOCUMENTS = """\
document_no,kind,customer_id,document_date,due_date,terms,currency,amount,open_amount
INV-1,invoice,C1,2026-01-05,,,USD,1000.00,
INV-2,invoice,C1,2026-02-20,2026-03-01,,USD,500.00,200.00
INV-3,invoice,C2,2025-12-01,,,USD,300.00,
CM-1,credit_memo,C1,2026-03-15,,,USD,50.00,
DM-1,debit_memo,C2,2026-03-20,2026-03-20,,USD,25.00,
INV-4,invoice,C1,2026-04-02,,,USD,70.00,
INV-5,invoice,C3,2026-02-01,,,EUR,90.00,
INV-6,invoice,C2,2026-01-10,2026-01-10,,USD,40.00,0
"""
PAYMENTS = """\
payment_id,received_date,amount,currency,payer_name,payer_account,reference,remittance,customer_id
P1,2026-01-20,490.00,USD,Globex,,,,C1
P2,2026-04-10,600.00,USD,Globex,,,,C1
P3,2026-03-01,290.00,USD,Initech,,,,C2
P4,2026-03-05,90.00,EUR,Umbrella,,,,C3
"""
APPLICATIONS = """\
payment_id,document_no,applied_date,applied_amount,discount_amount,writeoff_amount
P1,INV-1,2026-01-20,490.00,,10.00
P2,INV-1,2026-04-10,500.00,,
P2,INV-2,2026-04-10,100.00,,
P3,INV-3,2026-03-01,290.00,,10.00
P4,INV-5,2026-03-05,90.00,,
"""


def write_files(folder: Path) -> dict[str, Path]:
    texts = {
        "customers": CUSTOMERS,
        "documents": DOCUMENTS,
        "payments": PAYMENTS,
        "applications": APPLICATIONS,
    }
    paths = {}
    for name, text in texts.items():
        paths[name] = folder / f"{name}.csv"
        paths[name].write_text(text, encoding="utf-8")
    return paths


PERIODS = [
    (date(2026, 1, 1), date(2026, 1, 31)),
    (date(2026, 3, 1), date(2026, 3, 31)),
    (date(2026, 1, 1), date(2026, 3, 31)),
    (date(2026, 2, 10), date(2026, 4, 9)),
    (date(2026, 3, 5), date(2026, 3, 5)),
    (date(2026, 4, 1), date(2026, 6, 30)),
]


@pytest.mark.parametrize(("start", "end"), PERIODS)
def test_csv_kpis_equal_the_store_after_import(
    store: SqlStore, tmp_path: Path, start: date, end: date
) -> None:
    files = write_files(tmp_path)
    import_files(
        store,
        COMPANY,
        customers=files["customers"],
        documents=files["documents"],
        payments=files["payments"],
        applications=files["applications"],
    )
    from_files = kpis_from_csv(
        files["documents"],
        files["applications"],
        start=start,
        end=end,
        customers=files["customers"],
    )
    assert from_files == kpis_from_store(store, COMPANY, start, end)


def test_csv_kpis_worked_by_hand(tmp_path: Path) -> None:
    files = write_files(tmp_path)
    report = kpis_from_csv(
        files["documents"], files["applications"], start=MARCH[0], end=MARCH[1],
        customers=files["customers"],
    )  # fmt: skip
    assert sorted(report.overall) == ["EUR", "USD"]  # never added together
    usd_kpis = report.overall["USD"]
    # Beginning (02-28): INV-1 1000 - 500 = 500, INV-2 200, INV-3 300, INV-6 0: 1000.
    # Ending (03-31): INV-1 500, INV-2 200, CM-1 -50, DM-1 25, INV-3 0: 675.
    # Sales: DM-1 25 - CM-1 50 = -25. Written off: INV-3's 10 on 03-01.
    assert (usd_kpis.beginning_ar, usd_kpis.ending_ar, usd_kpis.credit_sales) == (
        usd("1000.00"), usd("675.00"), usd("-25.00"),
    )  # fmt: skip
    assert usd_kpis.bad_debt_ratio == Decimal("-0.4000")
    # Settled in March: INV-3 only (300.00: 90 days after 2025-12-01, 45 after its due
    # date 2026-01-15); INV-6 was settled on its own date in January.
    assert (usd_kpis.avg_days_to_pay, usd_kpis.avg_days_late) == (Decimal(90), Decimal(45))
    eur = report.overall["EUR"]
    assert (eur.beginning_ar, eur.ending_ar) == (Money("90.00", "EUR"), Money("0.00", "EUR"))
    assert eur.avg_days_to_pay == Decimal(32)  # 02-01 to 03-05
    assert eur.cei == Decimal("100.0000")  # (90 + 0 - 0) / (90 + 0 - 0)
