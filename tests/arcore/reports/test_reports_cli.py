"""``arcore aging`` and ``arcore kpis`` through typer's runner, on real files in tmp_path."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image
from typer.testing import CliRunner

from arcore.cli import app
from arcore.errors import InputRejectedError, ValidationError
from arcore.reports.kpis import KPI_KEYS
from arcore.store import open_store
from arcore.store.importer import import_files

CUSTOMERS = """\
customer_id,name,aliases,bank_accounts,parent_id,currency,terms,credit_limit
C1,Globex,,,,USD,Net 30,
C2,Initech,,,,USD,Net 45,
C3,Umbrella,,,,EUR,Net 30,
"""
DOCUMENTS = """\
document_no,kind,customer_id,document_date,due_date,terms,currency,amount,open_amount
INV-1,invoice,C1,2026-01-05,2026-02-04,,USD,1000.00,
INV-2,invoice,C1,2026-02-20,2026-03-01,,USD,500.00,200.00
INV-3,invoice,C2,2025-12-01,2026-01-15,,USD,300.00,
CM-1,credit_memo,C2,2026-03-15,,,USD,50.00,
"""
APPLICATIONS = """\
payment_id,document_no,applied_date,applied_amount,discount_amount,writeoff_amount
P1,INV-1,2026-01-20,490.00,,10.00
P3,INV-3,2026-04-01,300.00,,
"""
PAYMENTS = """\
payment_id,received_date,amount,currency,payer_name,payer_account,reference,remittance,customer_id
P1,2026-01-20,490.00,USD,Globex,,,,C1
P3,2026-04-01,300.00,USD,Initech,,,,C2
"""
EUR_DOCUMENT = "INV-9,invoice,C3,2026-03-01,2026-03-31,,EUR,70.00,\n"

# As of 2026-03-31: INV-1 500 open, due 02-04 (55 days: 31-60); INV-2 200, due 03-01 (30
# days: 1-30); INV-3 300, due 01-15 (75 days: 61-90; paid only 04-01); CM-1 -50 (16 days).
EXPECTED_CSV = """\
customer_id,current,1-30,31-60,61-90,91+,total
C1,0.00,200.00,500.00,0.00,0.00,700.00
C2,0.00,-50.00,0.00,300.00,0.00,250.00
TOTAL,0.00,150.00,500.00,300.00,0.00,950.00
"""


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    texts = {
        "customers": CUSTOMERS,
        "documents": DOCUMENTS,
        "applications": APPLICATIONS,
        "payments": PAYMENTS,
    }
    paths = {}
    for name, text in texts.items():
        paths[name] = tmp_path / f"{name}.csv"
        paths[name].write_text(text, encoding="utf-8")
    return paths


def rows_of(path: Path) -> list[list[str]]:
    return list(csv.reader(path.read_text(encoding="utf-8").splitlines()))


def run(*args: str | Path, env: dict[str, str] | None = None) -> str:
    result = CliRunner().invoke(app, [str(a) for a in args], env=env)
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def test_aging_from_files_writes_the_documented_csv(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "aging.csv"
    run("aging", "--documents", files["documents"], "--applications", files["applications"],
        "--as-of", "2026-03-31", "--out", out)  # fmt: skip
    assert out.read_text(encoding="utf-8").replace("\r\n", "\n") == EXPECTED_CSV


def test_aging_prints_a_table_without_out(files: dict[str, Path]) -> None:
    output = run("aging", "--documents", files["documents"], "--applications",
                 files["applications"], "--as-of", "2026-03-31")  # fmt: skip
    assert "Aging as of 2026-03-31 (by due date)" in output
    assert "TOTAL" in output
    assert "950.00" in output


def test_aging_table_never_cuts_an_amount_short(
    files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from arcore.cli import stdout

    monkeypatch.setattr(stdout, "width", 40)  # a narrow terminal
    output = run("aging", "--documents", files["documents"], "--applications",
                 files["applications"], "--as-of", "2026-03-31")  # fmt: skip
    assert "…" not in output
    total = next(line for line in output.splitlines() if "TOTAL" in line)
    assert "950.00" in total
    assert stdout.width == 40  # the terminal's width is left as it was


def test_aging_buckets_and_basis(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "aging.csv"
    run("aging", "--documents", files["documents"], "--as-of", "2026-03-31", "--by",
        "document", "--buckets", "45,90", "--out", out)  # fmt: skip
    rows = rows_of(out)
    # Days since the document date, no applications: INV-1 85 days, INV-2 39, INV-3 120,
    # CM-1 16.
    assert rows == [
        ["customer_id", "current", "1-45", "46-90", "91+", "total"],
        ["C1", "0.00", "200.00", "1000.00", "0.00", "1200.00"],
        ["C2", "0.00", "-50.00", "0.00", "300.00", "250.00"],
        ["TOTAL", "0.00", "150.00", "1000.00", "300.00", "1450.00"],
    ]


def test_aging_from_the_store_equals_the_files(files: dict[str, Path], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'books.db'}"
    run("import", "--db", url, "--company", "acme", "--customers", files["customers"],
        "--documents", files["documents"], "--payments", files["payments"],
        "--applications", files["applications"])  # fmt: skip
    out = tmp_path / "from-db.csv"
    run("aging", "--as-of", "2026-03-31", "--out", out,
        env={"ARCORE_DB": url, "ARCORE_COMPANY": "acme"})  # fmt: skip
    assert out.read_text(encoding="utf-8").replace("\r\n", "\n") == EXPECTED_CSV
    xlsx = tmp_path / "aging.xlsx"
    run("aging", "--db", url, "--company", "acme", "--as-of", "2026-03-31", "--out", xlsx)
    book = load_workbook(xlsx, read_only=True)
    sheet = book.active
    assert sheet is not None
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    book.close()
    assert cells[0] == ["customer_id", "current", "1-30", "31-60", "61-90", "91+", "total"]
    assert cells[-1][0] == "TOTAL"
    assert cells[-1][-1] == 950  # a number cell
    # ARCORE_DB from the environment gives way to --documents on the command line.
    again = tmp_path / "again.csv"
    run("aging", "--documents", files["documents"], "--applications", files["applications"],
        "--as-of", "2026-03-31", "--out", again, env={"ARCORE_DB": url})  # fmt: skip
    assert again.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")


def test_several_currencies(files: dict[str, Path], tmp_path: Path) -> None:
    with files["documents"].open("a", encoding="utf-8") as handle:
        handle.write(EUR_DOCUMENT)
    out = tmp_path / "aging.csv"
    base = ("aging", "--documents", files["documents"], "--as-of", "2026-03-31", "--out", out)
    run(*base)
    rows = rows_of(out)
    assert rows[0][:2] == ["customer_id", "currency"]
    assert [(r[0], r[1]) for r in rows[1:]] == [
        ("C3", "EUR"), ("TOTAL", "EUR"), ("C1", "USD"), ("C2", "USD"), ("TOTAL", "USD"),
    ]  # fmt: skip
    run(*base, "--currency", "eur")
    assert rows_of(out) == [
        ["customer_id", "current", "1-30", "31-60", "61-90", "91+", "total"],
        ["C3", "70.00", "0.00", "0.00", "0.00", "0.00", "70.00"],
        ["TOTAL", "70.00", "0.00", "0.00", "0.00", "0.00", "70.00"],
    ]
    kpis = CliRunner().invoke(app, ["kpis", "--documents", str(files["documents"]),
                                    "--from", "2026-03-01", "--to", "2026-03-31"])  # fmt: skip
    assert kpis.exit_code == 1
    assert isinstance(kpis.exception, ValidationError)
    assert "--currency" in str(kpis.exception)
    json_out = tmp_path / "kpis.json"
    run("kpis", "--documents", files["documents"], "--from", "2026-03-01", "--to",
        "2026-03-31", "--currency", "EUR", "--out", json_out)  # fmt: skip
    eur = json.loads(json_out.read_text(encoding="utf-8"))
    assert eur["dso"] == "31.0000"  # 70 / 70 × 31
    assert eur["over_90_amount"] == "0.00"


def test_kpis_json_has_the_documented_keys(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "kpis.json"
    run("kpis", "--documents", files["documents"], "--applications", files["applications"],
        "--from", "2026-03-01", "--to", "2026-03-31", "--out", out)  # fmt: skip
    found = json.loads(out.read_text(encoding="utf-8"))
    assert tuple(found) == KPI_KEYS
    # Ending AR 950 (see EXPECTED_CSV), beginning (02-28) 500 + 200 + 300 = 1000, March
    # credit sales -50 (CM-1), none current.
    assert found["dso"] == "-589.0000"  # 950 / -50 × 31
    assert found["cei"] == "0.0000"  # (1000 - 50 - 950) / (1000 - 50 - 0) × 100
    assert found["past_due_pct"] == "100.0000"
    assert found["over_90_amount"] == "0.00"
    assert found["avg_days_to_pay"] is None  # nothing settled in March
    assert all(v is None or isinstance(v, str) for v in found.values())


def test_kpis_prints_a_table_and_the_targets(files: dict[str, Path]) -> None:
    output = run("kpis", "--documents", files["documents"], "--applications",
                 files["applications"], "--from", "2026-03-01", "--to", "2026-03-31")  # fmt: skip
    assert "past_due_over_20_pct" in output
    assert "past-due below 30 %" in output
    assert "fail" in output


def test_usage_errors(files: dict[str, Path], tmp_path: Path) -> None:
    runner = CliRunner()
    nothing = runner.invoke(app, ["aging", "--as-of", "2026-03-31"], env={"ARCORE_DB": ""})
    assert nothing.exit_code == 2
    both = runner.invoke(app, ["aging", "--as-of", "2026-03-31", "--db", "sqlite:///x.db",
                               "--documents", str(files["documents"])])  # fmt: skip
    assert both.exit_code == 2
    bad_date = runner.invoke(app, ["aging", "--as-of", "31/03/2026", "--documents",
                                   str(files["documents"])])  # fmt: skip
    assert bad_date.exit_code == 2
    bad_edges = runner.invoke(app, ["aging", "--as-of", "2026-03-31", "--documents",
                                    str(files["documents"]), "--buckets", "60,30"])  # fmt: skip
    assert isinstance(bad_edges.exception, ValidationError)
    assert bad_edges.exception.field == "buckets"
    broken = tmp_path / "broken.csv"
    broken.write_text(DOCUMENTS + "INV-7,invoice,C1,2026-02-30,,,USD,1.00,\n", encoding="utf-8")
    rejected = runner.invoke(app, ["aging", "--as-of", "2026-03-31", "--documents", str(broken)])
    assert isinstance(rejected.exception, InputRejectedError)
    (problem,) = rejected.exception.problems
    assert (problem.file, problem.row, problem.field, problem.value) == (
        "broken.csv", 6, "document_date", "2026-02-30",
    )  # fmt: skip


@pytest.fixture
def books(files: dict[str, Path], tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'books.db'}"
    with open_store(url) as store:
        import_files(store, "acme", **files)
    return url


def test_aging_chart_is_drawn_next_to_the_table(books: str, tmp_path: Path) -> None:
    chart = tmp_path / "aging.png"
    run("aging", "--db", books, "--company", "acme", "--as-of", "2026-03-31", "--chart", chart)
    with Image.open(chart) as image:
        assert (image.format, image.size) == ("PNG", (800, 450))


def test_export_open_items_and_journal(books: str, tmp_path: Path) -> None:
    items = tmp_path / "open.csv"
    run("export", "open-items", "--db", books, "--company", "acme", "--as-of", "2026-03-31",
        "--out", items)  # fmt: skip
    with items.open(encoding="utf-8") as handle:
        got = {row["document_id"]: row["balance"] for row in csv.DictReader(handle)}
    assert got == {"INV-1": "500.00", "INV-2": "200.00", "INV-3": "300.00", "CM-1": "-50.00"}

    journal = tmp_path / "journal.xlsx"
    run("export", "journal", "--db", books, "--company", "acme", "--customer", "C1",
        "--to", "2026-01-31", "--out", journal)  # fmt: skip
    workbook = load_workbook(journal, read_only=True)
    sheet = workbook.active
    assert sheet is not None
    header, *lines = [list(row) for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    assert header[:6] == ["entry_id", "entry_date", "kind", "account", "debit", "credit"]
    assert {line[8] for line in lines} >= {"INV-1"}
    assert all(str(line[1]) <= "2026-01-31" for line in lines)
    debits = sum(Decimal(str(line[4])) for line in lines)
    assert debits == sum(Decimal(str(line[5])) for line in lines)  # every entry balances
