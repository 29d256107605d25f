"""``import_files`` and ``arcore import``: CSV files into the books, all or nothing.

The small set below is worked out by hand (see ``GOOD``); every test runs on SQLite and
PostgreSQL through the ``store`` fixture.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from arcore.cli import app
from arcore.documents import DocumentStatus, RemittanceLine
from arcore.errors import InputRejectedError
from arcore.ledger import Ledger
from arcore.money import Money
from arcore.store import SqlStore, open_store
from arcore.store.importer import ImportReport, import_files
from arcore.store.schema import documents, journal_entries, metadata, postings

COMPANY = "acme"
KINDS = ("customers", "documents", "payments", "applications")

CUSTOMERS = """\
customer_id,name,aliases,bank_accounts,parent_id,currency,terms,credit_limit
C1,Acme Industries,ACME Corp;Acme Inc,DE89370400440532013000,,USD,Net 30,10000.00
C2,Beta LLC,,,,USD,2/10 Net 30,
C3,Acme West,,,C1,USD,,
"""

# INV-2 takes its due date from C1's Net 30, INV-3 from its own Net 45, DM-1 from C2's
# 2/10 Net 30. INV-3 had 180.00 settled before the import, INV-4 all of it.
DOCUMENTS = """\
document_no,kind,customer_id,document_date,due_date,terms,currency,amount,open_amount
INV-1,invoice,C1,2026-01-05,2026-02-04,Net 30,USD,1000.00,
INV-2,invoice,C1,2026-01-10,,,USD,500.00,
INV-3,invoice,C2,2026-01-15,,Net 45,USD,300.00,120.00
CM-1,credit_memo,C1,2026-01-20,,,USD,50.00,
DM-1,debit_memo,C2,2026-01-25,,,USD,25.00,
INV-4,invoice,C3,2026-01-12,2026-01-31,,USD,200.00,0
"""

PAYMENTS = """\
payment_id,received_date,amount,currency,payer_name,payer_account,reference,remittance,customer_id
P-1,2026-02-01,700.00,USD,ACME Corp,DE89370400440532013000,wire 1,INV-1:600.00;INV-2:100.00,C1
P-2,2026-02-03,200.00,USD,Beta LLC,,check 77,,C2
P-3,2026-02-05,50.00,USD,Somebody,,,,
"""

APPLICATIONS = """\
payment_id,document_no,applied_date,applied_amount,discount_amount,writeoff_amount
P-1,INV-1,2026-02-02,600.00,0,0
P-1,INV-2,2026-02-10,100.00,,
P-2,INV-3,2026-02-04,100.00,2.40,17.60
P-2,DM-1,2026-02-05,25.00,,
"""

GOOD = {
    "customers": CUSTOMERS,
    "documents": DOCUMENTS,
    "payments": PAYMENTS,
    "applications": APPLICATIONS,
}


def usd(amount: str) -> Money:
    return Money(amount, "USD")


def write(folder: Path, **texts: str) -> dict[str, Path]:
    """Write ``kind=text`` as ``folder/kind.csv``; the paths by kind."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for kind, text in texts.items():
        path = folder / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        paths[kind] = path
    return paths


@pytest.fixture
def good(tmp_path: Path) -> dict[str, Path]:
    return write(tmp_path / "good", **GOOD)


def dump(store: SqlStore) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order."""
    with store.engine.connect() as connection:
        return {
            table.name: sorted((tuple(row) for row in connection.execute(select(table))), key=repr)
            for table in metadata.sorted_tables
        }


def problems_of(error: InputRejectedError) -> set[tuple[str | None, int | None, str | None, str]]:
    return {
        (str(p.file) if p.file is not None else None, p.row, p.field, str(p.value))
        for p in error.problems
    }


# --- the hand-worked set -----------------------------------------------------------------


def test_import_hand_worked(store: SqlStore, good: dict[str, Path]) -> None:
    report = import_files(store, COMPANY, **good)
    assert report == ImportReport(
        read={"customers": 3, "documents": 6, "payments": 3, "applications": 4},
        imported={"customers": 3, "documents": 6, "payments": 3, "applications": 4},
        unchanged={"customers": 0, "documents": 0, "payments": 0, "applications": 0},
    )
    ledger = Ledger(store, COMPANY)

    # Open items now: what is left on each document, signed for the customer.
    items = {(i.document_id, i.customer_id, i.balance) for i in ledger.open_items()}
    assert items == {
        ("INV-1", "C1", usd("400.00")),
        ("INV-2", "C1", usd("400.00")),
        ("CM-1", "C1", usd("-50.00")),
        ("P-2", "C2", usd("-75.00")),
        ("P-3", None, usd("-50.00")),
    }
    assert ledger.balance("C1") == {"USD": usd("750.00")}
    assert ledger.balance("C2") == {"USD": usd("-75.00")}
    assert ledger.balance("C3") == {}  # INV-4 was settled before the import

    # As of dates before and after the receipts and applications.
    assert ledger.balance("C1", as_of=date(2026, 1, 4)) == {}
    assert ledger.balance("C1", as_of=date(2026, 1, 31)) == {"USD": usd("1450.00")}
    assert ledger.balance("C2", as_of=date(2026, 1, 31)) == {"USD": usd("145.00")}
    assert ledger.balance("C2", as_of=date(2026, 2, 3)) == {"USD": usd("-55.00")}
    assert ledger.balance("C2", as_of=date(2026, 2, 4)) == {"USD": usd("-75.00")}
    assert ledger.balance("C2", as_of=date(2026, 2, 5)) == {"USD": usd("-75.00")}
    as_of_feb_2 = {
        (i.document_id, i.balance)
        for i in ledger.open_items(customer_id="C1", as_of=date(2026, 2, 2))
    }
    assert as_of_feb_2 == {
        ("INV-1", usd("400.00")),
        ("INV-2", usd("500.00")),
        ("CM-1", usd("-50.00")),
        ("P-1", usd("-100.00")),
    }
    as_of_feb_9 = {
        (i.document_id, i.balance)
        for i in ledger.open_items(customer_id="C1", as_of=date(2026, 2, 9))
    }
    assert ("P-1", usd("-100.00")) in as_of_feb_9
    assert ("INV-2", usd("500.00")) in as_of_feb_9
    as_of_feb_10 = {
        (i.document_id, i.balance)
        for i in ledger.open_items(customer_id="C1", as_of=date(2026, 2, 10))
    }
    assert as_of_feb_10 == {
        ("INV-1", usd("400.00")),
        ("INV-2", usd("400.00")),
        ("CM-1", usd("-50.00")),
    }

    # Statuses (payments read from the table: see test_imported_payment_reads_back).
    with store.engine.connect() as connection:
        stored = {
            row.id: row
            for row in connection.execute(
                select(documents.c.id, documents.c.status, documents.c.data).where(
                    documents.c.company_id == COMPANY
                )
            )
        }
    assert {doc_id: row.status for doc_id, row in stored.items()} == {
        "INV-1": "partially_paid",
        "INV-2": "partially_paid",
        "INV-3": "paid",
        "INV-4": "paid",
        "DM-1": "paid",
        "CM-1": "issued",
        "P-1": "paid",
        "P-2": "partially_paid",
        "P-3": "issued",
    }
    for doc_id in ("INV-1", "INV-2", "INV-3", "INV-4", "DM-1", "CM-1"):
        assert ledger.document(doc_id).status == stored[doc_id].status

    # Due dates: given, from the row's terms, from the customer's terms.
    due = {
        doc_id: getattr(ledger.document(doc_id), "due_date", None)
        for doc_id in ("INV-1", "INV-2", "INV-3", "DM-1", "INV-4")
    }
    assert due == {
        "INV-1": date(2026, 2, 4),
        "INV-2": date(2026, 2, 9),  # C1's Net 30
        "INV-3": date(2026, 3, 1),  # the row's Net 45
        "DM-1": date(2026, 2, 24),  # C2's 2/10 Net 30
        "INV-4": date(2026, 1, 31),
    }

    # The remittance advice stays on the payment.
    data = stored["P-1"].data
    p1 = json.loads(data) if isinstance(data, str) else data
    assert p1["remittance"] == [
        {"document_number": "INV-1", "amount": {"amount": "600.00", "currency": "USD"}},
        {"document_number": "INV-2", "amount": {"amount": "100.00", "currency": "USD"}},
    ]
    assert (p1["customer_id"], p1["payer_name"], p1["reference"]) == ("C1", "ACME Corp", "wire 1")

    # Account balances, default chart.
    assert ledger.account_balances() == {
        "1200": {"USD": usd("750.00")},
        "3900": {"USD": usd("-1595.00")},
        "1150": {"USD": usd("950.00")},
        "2150": {"USD": usd("-125.00")},
        "4950": {"USD": usd("2.40")},
        "6900": {"USD": usd("17.60")},
    }
    # Before any receipt: only the opening balances (net of what was settled before).
    assert ledger.account_balances(as_of=date(2026, 1, 31)) == {
        "1200": {"USD": usd("1595.00")},
        "3900": {"USD": usd("-1595.00")},
    }
    # The part settled before the import is posted: INV-3 shows 300 - 180 on AR.
    inv3 = {
        (e.id, p.account, p.amount)
        for e in ledger.journal(document_id="INV-3")
        for p in e.postings
        if p.document_id == "INV-3" and e.id.startswith("import:INV-3")
    }
    assert inv3 == {
        ("import:INV-3", "1200", usd("300.00")),
        ("import:INV-3", "3900", usd("-300.00")),
        ("import:INV-3:settled", "1200", usd("-180.00")),
        ("import:INV-3:settled", "3900", usd("180.00")),
    }

    # Every entry balances, in the model and in the table.
    entries = list(ledger.journal())
    assert len(entries) == 6 + 2 + 3 + 4  # documents, settled parts, payments, applications
    for entry in entries:
        total: dict[str, Money] = {}
        for posting in entry.postings:
            currency = posting.amount.currency
            total[currency] = total.get(currency, Money.zero(currency)) + posting.amount
        assert all(not amount for amount in total.values()), entry.id
    with store.engine.connect() as connection:
        unbalanced = connection.execute(
            select(postings.c.entry_id)
            .where(postings.c.company_id == COMPANY)
            .group_by(postings.c.entry_id, postings.c.currency)
            .having(func.sum(postings.c.amount_minor) != 0)
        ).all()
    assert unbalanced == []


def test_imported_payment_reads_back(store: SqlStore, good: dict[str, Path]) -> None:
    import_files(store, COMPANY, **good)
    ledger = Ledger(store, COMPANY)
    p1: Any = ledger.document("P-1")
    assert p1.remittance == (
        RemittanceLine(document_number="INV-1", amount=usd("600.00")),
        RemittanceLine(document_number="INV-2", amount=usd("100.00")),
    )
    assert (p1.amount, p1.customer_id, p1.status) == (usd("700.00"), "C1", "paid")
    assert ledger.document("P-3").customer_id is None


def test_imported_documents_go_on_through_the_ledger(
    store: SqlStore, good: dict[str, Path]
) -> None:
    """An imported credit memo voids by reversing its import entry; the ledger applies it."""
    import_files(store, COMPANY, **good)
    ledger = Ledger(store, COMPANY)
    voided = ledger.void("CM-1", on=date(2026, 3, 1), actor="ana", idempotency_key="void:CM-1")
    assert {(p.account, str(p.amount)) for p in voided.entries[0].postings} == {
        ("1200", "50.00 USD"),
        ("3900", "-50.00 USD"),
    }
    assert ledger.document("CM-1").status is DocumentStatus.VOID
    assert ledger.document_balance("CM-1", as_of=date(2026, 2, 28)) == usd("50.00")
    assert ledger.document_balance("CM-1") == usd("0.00")


def test_import_twice_changes_nothing(store: SqlStore, good: dict[str, Path]) -> None:
    import_files(store, COMPANY, **good)
    before = dump(store)
    with store.engine.connect() as connection:
        entries = connection.scalar(select(func.count()).select_from(journal_entries))
        lines = connection.scalar(select(func.count()).select_from(postings))
    report = import_files(store, COMPANY, **good)
    assert report.read == {"customers": 3, "documents": 6, "payments": 3, "applications": 4}
    assert report.unchanged == report.read
    assert report.imported == dict.fromkeys(KINDS, 0)
    assert dump(store) == before
    with store.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(journal_entries)) == entries
        assert connection.scalar(select(func.count()).select_from(postings)) == lines


def test_import_in_separate_calls(store: SqlStore, good: dict[str, Path]) -> None:
    """Later files find what earlier calls imported; the result is the same."""
    for kind in KINDS:
        import_files(store, COMPANY, **{kind: good[kind]})
    ledger = Ledger(store, COMPANY)
    assert ledger.balance("C1") == {"USD": usd("750.00")}
    assert ledger.account_balances()["1200"] == {"USD": usd("750.00")}


# --- bad rows ----------------------------------------------------------------------------

BAD_DOCUMENTS = (
    DOCUMENTS
    + """\
BAD-DATE,invoice,C1,2026-13-01,,,USD,10.00,
BAD-CUR,invoice,C1,2026-01-05,,,ZZZ,10.00,
BAD-DEC,invoice,C1,2026-01-05,,,USD,10.001,
BAD-NEG,invoice,C1,2026-01-05,,,USD,-5.00,
BAD-KIND,receipt,C1,2026-01-05,,,USD,10.00,
BAD-CUST,invoice,NOPE,2026-01-05,2026-02-04,,USD,10.00,
INV-1,invoice,C1,2026-01-05,2026-02-04,Net 30,USD,1000.00,
"""
)
BAD_DOCUMENT_PROBLEMS = {
    ("documents.csv", 8, "document_date", "2026-13-01"),
    ("documents.csv", 9, "currency", "ZZZ"),
    ("documents.csv", 10, "amount", "10.001"),
    ("documents.csv", 11, "amount", "-5.00"),
    ("documents.csv", 12, "kind", "receipt"),
    ("documents.csv", 13, "customer_id", "NOPE"),
    ("documents.csv", 14, "document_no", "INV-1"),
}

# No amount column.
BAD_PAYMENTS = """\
payment_id,received_date,currency,payer_name
P-1,2026-02-01,USD,ACME Corp
"""

# INV-LATE is dated after P-1 was received; applying on 2026-02-15 is before the invoice.
LATE_DOCUMENTS = DOCUMENTS + "INV-LATE,invoice,C1,2026-03-01,,,USD,10.00,\n"
BAD_APPLICATIONS = (
    APPLICATIONS
    + """\
P-404,INV-1,2026-02-05,1.00,,
P-1,INV-404,2026-02-05,1.00,,
P-3,INV-2,2026-02-06,40.00,,
P-3,INV-2,2026-02-07,10.00,,399.00
P-1,INV-LATE,2026-02-15,1.00,,
"""
)


def test_bad_rows_are_all_listed_and_nothing_changes(
    store: SqlStore, good: dict[str, Path], tmp_path: Path
) -> None:
    import_files(store, COMPANY, **good)
    before = dump(store)
    bad = write(tmp_path / "bad", documents=BAD_DOCUMENTS)
    with pytest.raises(InputRejectedError) as caught:
        import_files(store, COMPANY, **bad)
    assert problems_of(caught.value) == BAD_DOCUMENT_PROBLEMS
    rows = [problem.row for problem in caught.value.problems]
    assert rows == sorted(rows)  # in file then row order
    assert "7 problems" in str(caught.value)
    assert dump(store) == before


def test_missing_column_after_good_files_changes_nothing(
    store: SqlStore, good: dict[str, Path], tmp_path: Path
) -> None:
    before = dump(store)
    bad = write(tmp_path / "bad", payments=BAD_PAYMENTS)
    with pytest.raises(InputRejectedError) as caught:
        import_files(
            store,
            COMPANY,
            customers=good["customers"],
            documents=good["documents"],
            payments=bad["payments"],
        )
    assert problems_of(caught.value) == {("payments.csv", 1, "amount", "None")}
    assert dump(store) == before


def test_bad_documents_after_good_files_changes_nothing(
    store: SqlStore, good: dict[str, Path], tmp_path: Path
) -> None:
    before = dump(store)
    bad = write(tmp_path / "bad", documents=BAD_DOCUMENTS)
    with pytest.raises(InputRejectedError) as caught:
        import_files(store, COMPANY, customers=good["customers"], documents=bad["documents"])
    assert problems_of(caught.value) == BAD_DOCUMENT_PROBLEMS
    assert dump(store) == before


def test_bad_applications_after_good_files_changes_nothing(
    store: SqlStore, good: dict[str, Path], tmp_path: Path
) -> None:
    before = dump(store)
    bad = write(tmp_path / "bad", documents=LATE_DOCUMENTS, applications=BAD_APPLICATIONS)
    with pytest.raises(InputRejectedError) as caught:
        import_files(
            store,
            COMPANY,
            customers=good["customers"],
            documents=bad["documents"],
            payments=good["payments"],
            applications=bad["applications"],
        )
    found = problems_of(caught.value)
    assert ("applications.csv", 6, "payment_id", "P-404") in found
    assert ("applications.csv", 7, "document_no", "INV-404") in found
    assert ("applications.csv", 10, "applied_date", "2026-02-15") in found
    # INV-2 has 400.00 open after row 3: rows 8 and 9 apply 40 + 10 + 399 write-off to it.
    over = [p for p in caught.value.problems if "over-applied" in p.message]
    assert [(p.file, p.row, p.value) for p in over] == [
        ("applications.csv", 3, "100.00"),
        ("applications.csv", 8, "40.00"),
        ("applications.csv", 9, "10.00"),
    ]
    assert all("over-applied by 49.00 USD" in str(p) for p in over)
    assert len(found) == 6
    assert dump(store) == before


def test_rows_in_a_closed_period_are_refused_and_nothing_changes(
    store: SqlStore, good: dict[str, Path], tmp_path: Path
) -> None:
    import_files(
        store,
        COMPANY,
        customers=good["customers"],
        documents=good["documents"],
        payments=good["payments"],
    )
    Ledger(store, COMPANY).close_period(date(2026, 2, 2), actor="test", idempotency_key="close-jan")
    before = dump(store)
    later = write(
        tmp_path / "later",
        documents=DOCUMENTS + "INV-5,invoice,C1,2026-02-02,,,USD,10.00,\n"
        "INV-6,invoice,C1,2026-02-03,,,USD,10.00,\n",
        payments=PAYMENTS + "P-4,2026-02-01,5.00,USD,Somebody,,,,\n",
    )
    with pytest.raises(InputRejectedError) as caught:
        import_files(
            store,
            COMPANY,
            documents=later["documents"],
            payments=later["payments"],
            applications=good["applications"],
        )
    # What was imported before is unchanged; the rows dated after the close were fine.
    assert problems_of(caught.value) == {
        ("documents.csv", 8, "document_date", "2026-02-02"),
        ("payments.csv", 5, "received_date", "2026-02-01"),
        ("applications.csv", 2, "applied_date", "2026-02-02"),
    }
    assert all("closed through 2026-02-02" in p.message for p in caught.value.problems)
    assert dump(store) == before


def test_over_application_names_its_row(
    store: SqlStore, good: dict[str, Path], tmp_path: Path
) -> None:
    import_files(store, COMPANY, **good)
    header = APPLICATIONS.splitlines()[0]
    bad = write(tmp_path / "bad", applications=f"{header}\nP-3,INV-2,2026-02-06,40.00,,399.00\n")
    with pytest.raises(InputRejectedError) as caught:
        import_files(store, COMPANY, **bad)
    assert {(p.file, p.row) for p in caught.value.problems} == {("applications.csv", 2)}


def test_same_id_with_other_values_is_a_problem(
    store: SqlStore, good: dict[str, Path], tmp_path: Path
) -> None:
    import_files(store, COMPANY, **good)
    before = dump(store)
    changed = write(
        tmp_path / "changed",
        documents=DOCUMENTS.replace(
            "INV-1,invoice,C1,2026-01-05,2026-02-04,Net 30,USD,1000.00",
            "INV-1,invoice,C1,2026-01-05,2026-02-04,Net 30,USD,1001.00",
        ),
        payments=PAYMENTS.replace("P-2,2026-02-03,200.00", "P-2,2026-02-03,210.00"),
        applications=APPLICATIONS.replace("P-2,DM-1,2026-02-05,25.00", "P-2,DM-1,2026-02-05,20.00"),
    )
    with pytest.raises(InputRejectedError) as caught:
        import_files(store, COMPANY, **changed)
    assert problems_of(caught.value) == {
        ("documents.csv", 2, "amount", "1001.00"),
        ("payments.csv", 3, "payment_id", "P-2"),
        ("applications.csv", 5, "applied_amount", "20.00"),
    }
    assert dump(store) == before


# --- companies -----------------------------------------------------------------------------


def test_companies_are_kept_apart(store: SqlStore, good: dict[str, Path]) -> None:
    import_files(store, "acme", **good)
    one = dump(store)
    report = import_files(store, "beta", **good)
    assert report.imported == {"customers": 3, "documents": 6, "payments": 3, "applications": 4}
    both = dump(store)
    for name in ("journal_entries", "postings", "documents", "applications", "customers"):
        assert len(both[name]) == 2 * len(one[name]), name
    for company in ("acme", "beta"):
        ledger = Ledger(store, company)
        assert ledger.balance("C1") == {"USD": usd("750.00")}
        assert ledger.account_balances()["1200"] == {"USD": usd("750.00")}
        assert len(list(ledger.journal())) == 15
        assert all(e.company_id == company for e in ledger.journal())
    # Importing into one company again touches neither.
    again = import_files(store, "acme", **good)
    assert again.imported == dict.fromkeys(KINDS, 0)
    assert dump(store) == both


# --- the command line ----------------------------------------------------------------------


def cli_args(url: str, paths: dict[str, Path]) -> list[str]:
    args = ["import", "--db", url, "--company", COMPANY]
    for kind, path in paths.items():
        args += [f"--{kind}", str(path)]
    return args


def test_cli_import(tmp_path: Path, good: dict[str, Path]) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = CliRunner().invoke(app, cli_args(url, good))
    assert result.exit_code == 0, result.output
    assert f"Imported into {COMPANY}" in result.output
    rows = {line.split("│")[1].strip(): line for line in result.output.splitlines() if "│" in line}
    for kind, count in (("customers", 3), ("documents", 6), ("payments", 3), ("applications", 4)):
        cells = [c.strip() for c in rows[kind].split("│")[1:-1]]
        assert cells == [kind, str(count), str(count), "0"]
    again = CliRunner().invoke(app, cli_args(url, good))
    assert again.exit_code == 0, again.output
    rows = {line.split("│")[1].strip(): line for line in again.output.splitlines() if "│" in line}
    assert [c.strip() for c in rows["documents"].split("│")[1:-1]] == ["documents", "6", "0", "6"]
    with open_store(url) as store:
        assert Ledger(store, COMPANY).balance("C1") == {"USD": usd("750.00")}


def test_cli_import_bad_rows(tmp_path: Path, good: dict[str, Path]) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    bad = write(tmp_path / "bad", documents=BAD_DOCUMENTS)
    paths = {"customers": good["customers"], "documents": bad["documents"]}
    # On ``app`` itself the error comes out as the exception; ``main`` makes it exit 1.
    result = CliRunner().invoke(app, cli_args(url, paths))
    assert isinstance(result.exception, InputRejectedError)
    done = subprocess.run(
        [sys.executable, "-m", "arcore", *cli_args(url, paths)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "COLUMNS": "300"},
    )
    assert done.returncode == 1, done.stderr
    assert "7 problems" in done.stderr
    # Every bad row listed with its file, row and column, in row order.
    listed = [line for line in done.stderr.splitlines() if line.startswith("  - ")]
    expected = sorted(BAD_DOCUMENT_PROBLEMS, key=lambda problem: problem[1])
    assert len(listed) == len(expected)
    for line, (file, row, column, _value) in zip(listed, expected, strict=True):
        assert line.startswith(f"  - {file}, row {row}, field '{column}'"), line
    assert "documents.csv" in done.stderr
    with open_store(url) as store:
        assert dump(store)["documents"] == []


def test_cli_import_needs_a_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["import", "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    assert result.exit_code == 2


# --- IBM's public sample -------------------------------------------------------------------

SHARED = Path(__file__).resolve().parents[3] / ".." / "shared"
IBM = SHARED / "data" / "ar_ibm.csv"


def _us_date(text: str) -> date:
    return datetime.strptime(text, "%m/%d/%Y").date()


@pytest.fixture
def ibm_rows() -> list[dict[str, str]]:
    if not IBM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{IBM} is missing, and CI is set")
        pytest.skip(f"the shared data folder is absent ({IBM} not found)")
    with IBM.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_import_ibm_sample(store: SqlStore, ibm_rows: list[dict[str, str]], tmp_path: Path) -> None:
    """Each invoice imported open, paid on its settled date: AR as of any date is known."""
    folder = tmp_path / "ibm"
    folder.mkdir()
    customers = sorted({row["customerID"] for row in ibm_rows})
    with (folder / "customers.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["customer_id", "name", "currency", "terms"])
        out.writerows([c, f"Customer {c}", "USD", "Net 30"] for c in customers)
    with (folder / "documents.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["document_no", "kind", "customer_id", "document_date", "currency", "amount"])
        out.writerows(
            [
                row["invoiceNumber"],
                "invoice",
                row["customerID"],
                _us_date(row["InvoiceDate"]).isoformat(),
                "USD",
                row["InvoiceAmount"],
            ]
            for row in ibm_rows
        )
    with (folder / "payments.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["payment_id", "received_date", "amount", "currency", "customer_id"])
        out.writerows(
            [
                f"PAY-{row['invoiceNumber']}",
                _us_date(row["SettledDate"]).isoformat(),
                row["InvoiceAmount"],
                "USD",
                row["customerID"],
            ]
            for row in ibm_rows
        )
    with (folder / "applications.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["payment_id", "document_no", "applied_date", "applied_amount"])
        out.writerows(
            [
                f"PAY-{row['invoiceNumber']}",
                row["invoiceNumber"],
                _us_date(row["SettledDate"]).isoformat(),
                row["InvoiceAmount"],
            ]
            for row in ibm_rows
        )
    paths = {kind: folder / f"{kind}.csv" for kind in KINDS}
    report = import_files(store, COMPANY, **paths)
    n = len(ibm_rows)
    assert report.imported == {
        "customers": len(customers),
        "documents": n,
        "payments": n,
        "applications": n,
    }
    ledger = Ledger(store, COMPANY)
    # Everything was settled: nothing open, every invoice paid.
    assert ledger.open_items() == []
    assert ledger.account_balances()["1200"] == {} or not ledger.account_balances()["1200"]["USD"]
    total = sum(Decimal(row["InvoiceAmount"]) for row in ibm_rows)
    assert ledger.account_balances()["1150"] == {"USD": usd(str(total))}

    # As of a few dates: open = invoiced by then and settled after; due = Net 30 = DueDate.
    for as_of in (date(2012, 6, 30), date(2013, 1, 15), date(2013, 12, 31)):
        expected = {
            row["invoiceNumber"]: (Decimal(row["InvoiceAmount"]), _us_date(row["DueDate"]))
            for row in ibm_rows
            if _us_date(row["InvoiceDate"]) <= as_of < _us_date(row["SettledDate"])
        }
        items = ledger.open_items(as_of=as_of)
        assert expected
        assert {i.document_id: (i.balance.amount, i.due_date) for i in items} == expected
        by_customer: defaultdict[str, Decimal] = defaultdict(Decimal)
        for row in ibm_rows:
            if _us_date(row["InvoiceDate"]) <= as_of < _us_date(row["SettledDate"]):
                by_customer[row["customerID"]] += Decimal(row["InvoiceAmount"])
        some = sorted(by_customer)[0]
        assert ledger.balance(some, as_of=as_of) == {"USD": usd(str(by_customer[some]))}
        assert ledger.account_balances(as_of=as_of)["1200"] == {
            "USD": usd(str(sum(a for a, _ in expected.values())))
        }
    assert {ledger.document(row["invoiceNumber"]).status for row in ibm_rows[:50]} == {"paid"}
    assert timedelta(days=30) == _us_date(ibm_rows[0]["DueDate"]) - _us_date(
        ibm_rows[0]["InvoiceDate"]
    )

    # And again: nothing changes.
    before = dump(store)
    again = import_files(store, COMPANY, **paths)
    assert again.unchanged == again.read
    assert dump(store) == before
