from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from arcore.banking import CsvMapping, csv_format, read_statements
from arcore.errors import BankFileError
from arcore.money import Money

SIGNED = CsvMapping(
    date="Buchungstag",
    amount="Betrag",
    reference="Verwendungszweck",
    counterparty_name="Name",
    date_format="%d.%m.%Y",
    decimal=",",
    currency="EUR",
    account="DE1",
)
SPLIT = CsvMapping(
    date="Date",
    credit="Credit",
    debit="Debit",
    reference="Memo",
    currency="USD",
    account="123",
)


def test_signed_amount_with_comma_decimals(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "Buchungstag;Name;Verwendungszweck;Betrag\n"
        "29.02.2024;ACME GmbH;RE 1042;1.234,56\n"
        "01.03.2024;Stadtwerke;Strom;-45,10\n"
    )
    (statement,) = read_statements(path, csv_mapping=SIGNED)
    assert [t.amount for t in statement.transactions] == [
        Money("1234.56", "EUR"),
        Money("-45.10", "EUR"),
    ]
    assert statement.transactions[0].booking_date == date(2024, 2, 29)
    assert statement.transactions[0].counterparty_name == "ACME GmbH"
    assert [t.line for t in statement.transactions] == [2, 3]
    assert len(statement.credits) == 1


def test_credit_and_debit_columns(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text('Date,Memo,Credit,Debit\n2024-03-01,INV-7,"1,500.00",\n2024-03-02,FEE,,12.00\n')
    (statement,) = csv_format.parse(path, SPLIT)
    assert [t.amount for t in statement.transactions] == [
        Money("1500.00", "USD"),
        Money("-12.00", "USD"),
    ]
    assert statement.total == Money("1488.00", "USD")


def test_csv_is_never_sniffed(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Date,Memo,Credit,Debit\n")
    assert not csv_format.sniff(path.read_bytes())
    with pytest.raises(BankFileError):
        read_statements(path)
    with pytest.raises(BankFileError, match="mapping"):
        read_statements(path, "csv")


def test_mapping_needs_one_amount_layout() -> None:
    with pytest.raises(ValidationError):
        CsvMapping(date="d", reference="r", currency="EUR", account="a")
    with pytest.raises(ValidationError):
        CsvMapping(
            date="d", amount="a", credit="c", debit="x", reference="r", currency="EUR", account="a"
        )


@pytest.mark.parametrize(
    ("row", "field"),
    [("29.02.2023;A;B;1,00", "Buchungstag"), ("28.02.2023;A;B;1,0O", "Betrag")],
)
def test_bad_cells(tmp_path: Path, row: str, field: str) -> None:
    path = tmp_path / "export.csv"
    path.write_text(f"Buchungstag;Name;Verwendungszweck;Betrag\n01.01.2023;A;B;2,00\n{row}\n")
    with pytest.raises(BankFileError) as info:
        csv_format.parse(path, SIGNED)
    assert (info.value.file, info.value.row, info.value.field) == (str(path), 3, field)


def test_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Buchungstag;Betrag\n")
    with pytest.raises(BankFileError, match="Verwendungszweck"):
        csv_format.parse(path, SIGNED)
