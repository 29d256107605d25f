"""Exports to CSV, XLSX and JSON: exact amounts, ISO dates, no formula injection, streaming."""

from __future__ import annotations

import csv
import json
import re
import zipfile
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string

from arcore.documents import DocumentStatus
from arcore.errors import FloatAmountError, ValidationError
from arcore.ledger import EntryKind, JournalEntry, OpenItem, Posting
from arcore.money import Money
from arcore.reports.exports import (
    aging_table,
    journal_table,
    kpis_table,
    open_items_table,
    write_table,
)
from arcore.reports.model import AgingBasis, AgingReport, AgingRow, KpiReport, Kpis, buckets

HEADER = ("name", "amount", "price", "day", "count", "note")
NASTY = ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://evil","x")']


def rows() -> list[list[object]]:
    usd = Money
    first = ["Acme", usd("-1234.50", "USD"), Decimal("9.99999999999999"), date(2026, 3, 1), 3, None]
    nasty = [
        [text, usd("0.10", "USD"), Decimal("-0.5"), date(2026, 1, 2), -7, text] for text in NASTY
    ]
    big = Decimal("123456789012345678.9")
    last = ["big", usd("12345678901.23", "USD"), big, date(2026, 12, 31), 0, "ok"]
    return [first, *nasty, last]


def read_csv(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_csv_exact_and_neutralised(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    write_table(path, HEADER, rows())
    got = read_csv(path)
    assert got[0] == list(HEADER)
    assert got[1] == ["Acme", "-1234.50", "9.99999999999999", "2026-03-01", "3", ""]
    for line, text in zip(got[2:-1], NASTY, strict=True):
        assert line[0] == line[5] == "'" + text
        assert line[1:5] == ["0.10", "-0.5", "2026-01-02", "-7"]  # numbers are not mangled
    assert got[-1][1:3] == ["12345678901.23", "123456789012345678.9"]
    assert not list(tmp_path.glob("*.part"))


def test_json_exact_and_keyed_by_header(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    write_table(path, HEADER, rows())
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data[0] == {
        "name": "Acme", "amount": "-1234.50", "price": "9.99999999999999", "day": "2026-03-01",
        "count": 3, "note": None,
    }  # fmt: skip
    assert [r["name"] for r in data[1:-1]] == NASTY  # data, not a spreadsheet: as it is
    assert data[-1]["price"] == "123456789012345678.9"
    write_table(tmp_path / "empty.json", HEADER, [])
    assert json.loads((tmp_path / "empty.json").read_text()) == []


def sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        name = next(
            n for n in archive.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)
        )
        return archive.read(name).decode()


def xlsx_text(path: Path) -> list[list[str]]:
    """Every row of the sheet as the text stored in the file (no float in between)."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    root = ElementTree.fromstring(sheet_xml(path))
    table: list[list[str]] = []
    for row in root.iterfind(".//m:sheetData/m:row", ns):
        cells: dict[int, str] = {}
        for cell in row.iterfind("m:c", ns):
            found = cell.find("m:v", ns)
            if found is None:
                found = cell.find("m:is/m:t", ns)
            cells[column_index_from_string(re.sub(r"\d", "", cell.get("r", "")))] = (
                (found.text or "") if found is not None else ""
            )
        table.append([cells.get(i, "") for i in range(1, max(cells, default=0) + 1)])
    width = len(table[0]) if table else 0
    return [r + [""] * (width - len(r)) for r in table]


def test_xlsx_numbers_exact_dates_and_no_formulas(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_table(path, HEADER, rows())
    xml = sheet_xml(path)
    # Numeric cells hold the decimal's own digits, not a float's "%.16g" text.
    assert '<c r="C2" t="n" s="' in xml or re.search(r'<c r="C2"[^>]*t="n"', xml)
    assert "<v>9.99999999999999</v>" in xml
    assert "<v>-1234.50</v>" in xml
    assert "<v>123456789012345678.9</v>" in xml
    assert "9.999999999999989" not in xml
    assert "<f>" not in xml  # no cell became a formula
    book = load_workbook(path)
    assert book.sheetnames == ["t"]  # named after the file, not its ".part"
    sheet = book.active
    assert sheet is not None
    values = [[cell.value for cell in line] for line in sheet.iter_rows()]
    assert values[0] == list(HEADER)
    assert sheet["B2"].number_format == "#,##0.00"
    assert sheet["B2"].data_type == "n"
    assert sheet["E2"].value == 3
    assert sheet["D2"].is_date
    assert sheet["D2"].value.date() == date(2026, 3, 1)
    assert sheet["D2"].number_format == "yyyy-mm-dd"
    for number, (line, text) in enumerate(zip(values[2:-1], NASTY, strict=True), start=3):
        # (XML reads a bare carriage return back as a line feed.)
        assert line[0] == line[5] == "'" + text.replace("\r", "\n")
        assert sheet.cell(row=number, column=1).data_type == "s"
        assert line[4] == -7  # a negative number stays a number


def test_unknown_suffix_float_and_ragged_rows(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"\.csv, \.xlsx, \.json"):
        write_table(tmp_path / "t.ods", HEADER, rows())
    with pytest.raises(FloatAmountError):
        write_table(tmp_path / "f.csv", ["x"], [[0.1]])
    with pytest.raises(ValidationError, match="row 3 has 1 cells for 2 columns"):
        write_table(tmp_path / "r.csv", ["a", "b"], [[1, 2], [1]])
    # A failed export leaves no file behind, complete or partial.
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_rows_are_streamed(tmp_path: Path) -> None:
    pulled = 0

    def many() -> Iterator[list[object]]:
        nonlocal pulled
        for n in range(50_000):
            pulled += 1
            yield [n, Money(n, "USD")]

    for suffix in (".csv", ".json", ".xlsx"):
        pulled = 0
        write_table(tmp_path / f"big{suffix}", ["n", "amount"], many())
        assert pulled == 50_000
    assert read_csv(tmp_path / "big.csv")[-1] == ["49999", "49999"]


# --- report tables -------------------------------------------------------------------------


def arow(customer_id: str | None, currency: str, *amounts: str) -> AgingRow:
    money = tuple(Money(a, currency) for a in amounts)
    return AgingRow(
        customer_id=customer_id,
        currency=currency,
        amounts=money,
        total=sum(money, Money.zero(currency)),
    )


def aging(*rows_: AgingRow) -> AgingReport:
    totals: dict[str, AgingRow] = {}
    for r in rows_:
        if r.currency in totals:
            t = totals[r.currency]
            amounts = tuple(a + b for a, b in zip(t.amounts, r.amounts, strict=True))
            totals[r.currency] = arow("TOTAL", r.currency, *(f"{a.amount}" for a in amounts))
        else:
            totals[r.currency] = r.model_copy(update={"customer_id": "TOTAL"})
    return AgingReport(
        as_of=date(2026, 3, 31),
        basis=AgingBasis.DUE,
        buckets=buckets(),
        rows=rows_,
        totals=totals,
    )


def text_rows(table_rows: object) -> list[list[str]]:
    from arcore.reports.exports import cell_text

    return [[cell_text(c) for c in r] for r in table_rows]  # type: ignore[attr-defined]


def test_aging_table_one_currency(tmp_path: Path) -> None:
    report = aging(
        arow("c-2", "USD", "0.00", "10.00", "0.00", "0.00", "5.00"),
        arow("c-1", "USD", "100.00", "0.00", "0.00", "0.00", "-20.00"),
        arow("c-3", "USD", "0.00", "0.00", "0.00", "0.00", "0.00"),
    )
    header, table_rows = aging_table(report)
    assert header == ("customer_id", "current", "1-30", "31-60", "61-90", "91+", "total")
    assert text_rows(table_rows) == [
        ["c-1", "100.00", "0.00", "0.00", "0.00", "-20.00", "80.00"],
        ["c-2", "0.00", "10.00", "0.00", "0.00", "5.00", "15.00"],
        ["TOTAL", "100.00", "10.00", "0.00", "0.00", "-15.00", "95.00"],
    ]
    path = tmp_path / "aging.csv"
    write_table(path, *aging_table(report))
    assert read_csv(path)[0] == list(header)
    assert read_csv(path)[-1] == ["TOTAL", "100.00", "10.00", "0.00", "0.00", "-15.00", "95.00"]


def test_aging_table_several_currencies() -> None:
    report = aging(
        arow("c-2", "USD", "1.00", "0.00", "0.00", "0.00", "0.00"),
        arow("c-1", "EUR", "2.00", "0.00", "0.00", "0.00", "0.00"),
        arow("c-1", "USD", "3.00", "0.00", "0.00", "0.00", "0.00"),
        arow(None, "USD", "-4.00", "0.00", "0.00", "0.00", "0.00"),
    )
    header, table_rows = aging_table(report)
    assert header[:3] == ("customer_id", "currency", "current")
    assert [r[:3] for r in text_rows(table_rows)] == [
        ["c-1", "EUR", "2.00"],
        ["TOTAL", "EUR", "2.00"],
        ["c-1", "USD", "3.00"],
        ["c-2", "USD", "1.00"],
        ["", "USD", "-4.00"],  # a receipt of no known customer
        ["TOTAL", "USD", "0.00"],
    ]


def kpis(ending: str, dso: str | None) -> Kpis:
    usd = Money(ending, "USD")
    return Kpis(
        dso=Decimal(dso) if dso is not None else None, countback_dso=None,
        best_possible_dso=None, add=None, cei=Decimal("87.5"), past_due_pct=None,
        past_due_over_20_pct=None, over_90_amount=Money("0.00", "USD"), bad_debt_ratio=None,
        turnover=None, avg_days_to_pay=None, avg_days_late=None,
        beginning_ar=Money("0.00", "USD"), ending_ar=usd, credit_sales=usd,
    )  # fmt: skip


def test_kpis_table(tmp_path: Path) -> None:
    report = KpiReport(
        start=date(2026, 3, 1),
        end=date(2026, 3, 31),
        overall={"USD": kpis("300.00", "31.0000")},
        customers={"c-2": {"USD": kpis("200.00", None)}, "c-1": {"USD": kpis("100.00", "15.5")}},
    )
    header, table_rows = kpis_table(report)
    assert header[:5] == ("customer_id", "currency", "start", "end", "dso")
    assert header[-1] == "credit_sales"
    assert "countback_dso" in header
    got = text_rows(table_rows)
    assert [r[0] for r in got] == ["c-1", "c-2", "TOTAL"]
    assert got[0][2:5] == ["2026-03-01", "2026-03-31", "15.5"]
    assert got[1][4] == ""  # divides by zero: empty
    write_table(tmp_path / "k.json", *kpis_table(report))
    data = json.loads((tmp_path / "k.json").read_text())
    assert data[2]["dso"] == "31.0000"
    assert data[1]["dso"] is None
    assert data[2]["ending_ar"] == "300.00"
    assert data[2]["cei"] == "87.5"


def test_open_items_table(tmp_path: Path) -> None:
    item = OpenItem(
        document_id="inv-1", kind="invoice", customer_id="c-1", number="=cmd|' /C calc'!A0",
        document_date=date(2026, 3, 1), due_date=date(2026, 3, 31), currency="USD",
        total=Money("100.00", "USD"), balance=Money("-40.00", "USD"),
        status=DocumentStatus.PARTIALLY_PAID, disputed=False,
    )  # fmt: skip
    path = tmp_path / "open.csv"
    write_table(path, *open_items_table([item]))
    header, line = read_csv(path)
    assert header[:3] == ["customer_id", "document_id", "kind"]
    assert dict(zip(header, line, strict=True)) == {
        "customer_id": "c-1", "document_id": "inv-1", "kind": "invoice",
        "number": "'=cmd|' /C calc'!A0", "document_date": "2026-03-01",
        "due_date": "2026-03-31", "currency": "USD", "total": "100.00", "balance": "-40.00",
        "status": "partially_paid", "disputed": "false",
    }  # fmt: skip


def test_journal_table_one_row_per_posting(tmp_path: Path) -> None:
    entry = JournalEntry(
        company_id="acme", id="je-1", entry_date=date(2026, 3, 5), kind=EntryKind.INVOICE,
        actor="ana", reason="-2+3 issue", idempotency_key="issue:inv-1",
        postings=(
            Posting(account="1200", amount=Money("108.25", "USD"), customer_id="c-1",
                    document_id="inv-1"),
            Posting(account="4000", amount=Money("-100.00", "USD")),
            Posting(account="2200", amount=Money("-8.25", "USD")),
        ),
    )  # fmt: skip
    path = tmp_path / "journal.xlsx"
    write_table(path, *journal_table(iter([entry])))
    values = xlsx_text(path)
    header = values[0]
    assert header[:6] == ["entry_id", "entry_date", "kind", "account", "debit", "credit"]
    assert "actor" in header
    assert "reason" in header
    assert "currency" in header
    assert len(values) == 4
    by = [dict(zip(header, r, strict=True)) for r in values[1:]]
    assert [(r["account"], r["debit"], r["credit"]) for r in by] == [
        ("1200", "108.25", "0.00"),
        ("4000", "0.00", "100.00"),
        ("2200", "0.00", "8.25"),
    ]
    assert by[0]["reason"] == "'-2+3 issue"
    assert by[0]["kind"] == "invoice"
    assert by[0]["document_id"] == "inv-1"
    assert by[1]["customer_id"] == ""
