"""Aging and KPIs on real data: IBM's public accounts-receivable sample (2,466 invoices).

Each row of ``../shared/data/ar_ibm.csv`` is an invoice paid in full on its SettledDate.
The expected figures are computed here, plainly, from the rows themselves (no arcore
code), and compared with arcore's through both sources: the CSV files in the import
format, and a store (SQLite and PostgreSQL) the same files were imported into.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from arcore.reports import aging_from_csv, aging_from_store, kpis_from_csv, kpis_from_store
from arcore.reports.model import AgingReport, Kpis
from arcore.store import SqlStore
from arcore.store.importer import import_files

REPO = Path(__file__).resolve().parents[3]
DATA = REPO.parent / "shared" / "data" / "ar_ibm.csv"
COMPANY = "ibm"

AGING_DATES = [date(2012, 6, 30), date(2012, 12, 31), date(2013, 3, 31), date(2013, 8, 15)]
PERIODS = [
    (date(2013, 1, 1), date(2013, 1, 31)),
    (date(2013, 2, 1), date(2013, 2, 28)),
    (date(2013, 6, 1), date(2013, 6, 30)),
    (date(2013, 1, 1), date(2013, 3, 31)),
    (date(2013, 4, 1), date(2013, 6, 30)),
    (date(2013, 10, 1), date(2013, 12, 31)),
    (date(2013, 2, 15), date(2013, 5, 14)),
]


@dataclass(frozen=True)
class Invoice:
    number: str
    customer: str
    issued: date
    due: date
    amount: Decimal
    settled: date


def _us_date(text: str) -> date:
    month, day, year = (int(part) for part in text.split("/"))
    return date(year, month, day)


@pytest.fixture(scope="module")
def invoices() -> list[Invoice]:
    if not DATA.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{DATA} is missing, and CI is set: the real-data tests must run")
        pytest.skip(f"the shared data folder is absent ({DATA} not found)")
    with DATA.open(newline="", encoding="utf-8") as handle:
        return [
            Invoice(
                number=row["invoiceNumber"],
                customer=row["customerID"],
                issued=_us_date(row["InvoiceDate"]),
                due=_us_date(row["DueDate"]),
                amount=Decimal(row["InvoiceAmount"]),
                settled=_us_date(row["SettledDate"]),
            )
            for row in csv.DictReader(handle)
        ]


@pytest.fixture
def files(invoices: list[Invoice], tmp_path: Path) -> dict[str, Path]:
    """The invoices in arcore's import formats: one payment per invoice, on its settled date."""
    paths = {name: tmp_path / f"{name}.csv" for name in ("customers", "documents", "payments",
                                                           "applications")}  # fmt: skip
    with paths["customers"].open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["customer_id", "name", "currency"])
        for customer in sorted({i.customer for i in invoices}):
            out.writerow([customer, customer, "USD"])
    with paths["documents"].open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["document_no", "kind", "customer_id", "document_date", "due_date",
                      "currency", "amount"])  # fmt: skip
        for i in invoices:
            out.writerow([i.number, "invoice", i.customer, i.issued, i.due, "USD", i.amount])
    with paths["payments"].open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["payment_id", "received_date", "amount", "currency", "customer_id"])
        for i in invoices:
            out.writerow([f"P-{i.number}", i.settled, i.amount, "USD", i.customer])
    with paths["applications"].open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["payment_id", "document_no", "applied_date", "applied_amount"])
        for i in invoices:
            out.writerow([f"P-{i.number}", i.number, i.settled, i.amount])
    return paths


# --- the expected figures, computed plainly ----------------------------------------------------


def open_on(invoices: list[Invoice], day: date) -> Iterator[Invoice]:
    """The invoices open at the end of ``day``: issued by then, not yet paid."""
    return (i for i in invoices if i.issued <= day < i.settled)


def expected_aging(invoices: list[Invoice], day: date) -> dict[str, list[Decimal]]:
    """Per customer: current, 1-30, 31-60, 61-90, 91+ and total."""
    rows: dict[str, list[Decimal]] = {}
    for i in open_on(invoices, day):
        late = (day - i.due).days
        if late <= 0:
            column = 0
        elif late <= 30:
            column = 1
        elif late <= 60:
            column = 2
        elif late <= 90:
            column = 3
        else:
            column = 4
        row = rows.setdefault(i.customer, [Decimal(0)] * 6)
        row[column] += i.amount
        row[5] += i.amount
    return rows


def table(report: AgingReport) -> dict[str, list[Decimal]]:
    found = {
        str(row.customer_id): [m.amount for m in (*row.amounts, row.total)] for row in report.rows
    }
    total = report.totals["USD"]
    found["TOTAL"] = [m.amount for m in (*total.amounts, total.total)]
    return found


def four(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.0001"), ROUND_HALF_UP)


def share(part: Decimal, whole: Decimal) -> Decimal | None:
    return None if whole == 0 else part / whole


def days_in_month(year: int, month: int) -> int:
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return (following - date(year, month, 1)).days


def expected_countback(invoices: list[Invoice], ending: Decimal, end: date) -> Decimal | None:
    if ending <= 0:
        return Decimal(0)
    earliest = min(i.issued for i in invoices)
    left, days = ending, Decimal(0)
    year, month = end.year, end.month
    first_day, last_day = date(year, month, 1), end
    while last_day >= earliest:
        sales = sum((i.amount for i in invoices if first_day <= i.issued <= last_day), Decimal(0))
        span = (last_day - first_day).days + 1
        if sales > 0 and left <= sales:
            return days + left / sales * span
        left -= sales
        days += span
        last_day = first_day - timedelta(days=1)
        first_day = date(last_day.year, last_day.month, 1)
    return None


def expected_kpis(invoices: list[Invoice], start: date, end: date) -> dict[str, Decimal | None]:
    n = (end - start).days + 1

    def ar(day: date) -> Decimal:
        return sum((i.amount for i in open_on(invoices, day)), Decimal(0))

    beginning, ending = ar(start - timedelta(days=1)), ar(end)
    at_end = list(open_on(invoices, end))
    current = sum((i.amount for i in at_end if i.due >= end), Decimal(0))
    over_20 = sum((i.amount for i in at_end if (end - i.due).days > 20), Decimal(0))
    over_90 = sum((i.amount for i in at_end if (end - i.due).days > 90), Decimal(0))
    sales = sum((i.amount for i in invoices if start <= i.issued <= end), Decimal(0))
    paid = [i for i in invoices if start <= i.settled <= end]
    weight = sum((i.amount for i in paid), Decimal(0))
    to_pay = sum((i.amount * (i.settled - i.issued).days for i in paid), Decimal(0))
    late = sum((i.amount * max(0, (i.settled - i.due).days) for i in paid), Decimal(0))
    dso = share(ending * n, sales)
    best = share(current * n, sales)
    return {
        "dso": four(dso),
        "countback_dso": four(expected_countback(invoices, ending, end)),
        "best_possible_dso": four(best),
        "add": four(None if dso is None or best is None else dso - best),
        "cei": four(share((beginning + sales - ending) * 100, beginning + sales - current)),
        "past_due_pct": four(share((ending - current) * 100, ending)),
        "past_due_over_20_pct": four(share(over_20 * 100, ending)),
        "over_90_amount": over_90,
        "bad_debt_ratio": four(share(Decimal(0), sales)),
        "turnover": four(share(sales * 2, beginning + ending)),
        "avg_days_to_pay": four(share(to_pay, weight)),
        "avg_days_late": four(share(late, weight)),
        "beginning_ar": beginning,
        "ending_ar": ending,
        "credit_sales": sales,
    }


def actual(kpis: Kpis) -> dict[str, Decimal | None]:
    found: dict[str, Decimal | None] = {}
    for name in Kpis.model_fields:
        value = getattr(kpis, name)
        found[name] = getattr(value, "amount", value)
    return found


# --- the tests ----------------------------------------------------------------------------------


def test_the_sample_is_what_the_tests_expect(invoices: list[Invoice]) -> None:
    assert len(invoices) == 2466
    assert len({i.number for i in invoices}) == len(invoices)
    assert all(i.issued <= i.settled for i in invoices)


def test_aging_from_the_files_equals_a_plain_count(
    invoices: list[Invoice], files: dict[str, Path]
) -> None:
    for day in AGING_DATES:
        expected = expected_aging(invoices, day)
        assert expected, day  # every date has something open
        expected["TOTAL"] = [
            sum(column, Decimal(0)) for column in zip(*expected.values(), strict=True)
        ]
        report = aging_from_csv(files["documents"], files["applications"], as_of=day)
        assert table(report) == expected


def test_aging_and_kpis_from_the_store_equal_a_plain_count(
    invoices: list[Invoice], files: dict[str, Path], store: SqlStore
) -> None:
    import_files(
        store,
        COMPANY,
        customers=files["customers"],
        documents=files["documents"],
        payments=files["payments"],
        applications=files["applications"],
    )
    for day in AGING_DATES:
        expected = expected_aging(invoices, day)
        expected["TOTAL"] = [
            sum(column, Decimal(0)) for column in zip(*expected.values(), strict=True)
        ]
        assert table(aging_from_store(store, COMPANY, day)) == expected
    for start, end in PERIODS:
        report = kpis_from_store(store, COMPANY, start, end)
        assert actual(report.overall["USD"]) == expected_kpis(invoices, start, end), (start, end)


@pytest.mark.parametrize(("start", "end"), PERIODS)
def test_kpis_from_the_files_equal_a_plain_count(
    invoices: list[Invoice], files: dict[str, Path], start: date, end: date
) -> None:
    report = kpis_from_csv(files["documents"], files["applications"], start=start, end=end)
    assert actual(report.overall["USD"]) == expected_kpis(invoices, start, end)
    # Per customer too: the same count on the customer's invoices alone.
    for customer in sorted({i.customer for i in invoices})[:5]:
        mine = [i for i in invoices if i.customer == customer]
        expected = expected_kpis(mine, start, end)
        if customer in report.customers:
            assert actual(report.customers[customer]["USD"]) == expected, customer
        else:  # nothing open, sold or settled: every figure zero
            assert not any((expected["beginning_ar"], expected["ending_ar"],
                            expected["credit_sales"])), customer  # fmt: skip
