from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from arcore.banking import mt940, read_statements
from arcore.errors import BankFileError
from arcore.money import Money

# Hand-checked against the .sta files and the *.expected.yml parses beside them (those use
# PyYAML python/object tags, which need an unsafe loader, so they are not loaded here).


def test_abnamro_two_statements(bank_data: Path) -> None:
    first, second = read_statements(bank_data / "mt940" / "wolph_jejik_abnamro.sta")
    assert (first.format, first.account, first.statement_id) == ("mt940", "517852257", "19321/1")
    assert first.opening_balance == Money("3236.28", "EUR")
    assert first.closing_balance == Money("876.84", "EUR")
    assert len(first.transactions) == 8
    line = first.transactions[0]
    assert (line.amount, line.booking_date, line.line) == (Money("-9", "EUR"), date(2011, 5, 24), 8)
    assert line.type_code == "N192"
    assert "KPN - DIGITENNE" in line.reference
    assert first.transactions[1].value_date == date(2011, 5, 21)
    assert first.transactions[1].booking_date == date(2011, 5, 23)
    assert second.opening_balance == Money("2876.84", "EUR")  # intermediate :60M:
    assert [t.amount for t in second.transactions] == [Money("-9.49", "EUR"), Money("-15", "EUR")]


def test_ing_signs(bank_data: Path) -> None:
    (statement,) = mt940.parse(bank_data / "mt940" / "wolph_jejik_ing.sta")
    assert len(statement.transactions) == 7
    assert [t.amount for t in statement.credits] == [Money("3.68", "EUR"), Money("1.00", "EUR")]
    assert all(t.amount.amount < 0 for t in statement.debits)
    assert len(statement.debits) == 5


@pytest.mark.parametrize(
    ("name", "index"),
    [
        ("wolph_betterplace_sepa_snippet.sta", 0),
        ("wolph_jejik_rabobank.sta", 1),
        ("wolph_jejik_rabobank.sta", 3),
    ],
)
def test_balances_agree_where_the_file_is_consistent(
    bank_data: Path, name: str, index: int
) -> None:
    statement = mt940.parse(bank_data / "mt940" / name)[index]
    assert statement.opening_balance is not None
    assert statement.opening_balance + statement.total == statement.closing_balance


def test_betterplace_sepa_fields(bank_data: Path) -> None:
    first, second = mt940.parse(bank_data / "mt940" / "wolph_betterplace_sepa_snippet.sta")
    line = first.transactions[0]
    assert line.amount == Money("50990.05", "EUR")
    assert line.bank_reference == "0724710333343453"
    assert line.reference.startswith("EndToEndId TFNR 22 004 00001")
    assert second.opening_balance == Money("-1970431.87", "EUR")
    assert len(second.transactions) == 7


def test_mt942_has_no_balances(bank_data: Path) -> None:
    (statement,) = mt940.parse(bank_data / "mt940" / "wolph_mBank_mt942.sta")
    assert statement.account == "PL29114010810000267002001002"
    assert (statement.opening_balance, statement.closing_balance) == (None, None)
    assert [t.amount for t in statement.transactions] == [Money("0.01", "PLN")] * 3


def test_withdrawn_currency_is_refused(bank_data: Path) -> None:
    # The cmxl sample is in Deutsche Mark, which ISO 4217 no longer lists.
    with pytest.raises(BankFileError, match="DEM") as info:
        mt940.parse(bank_data / "mt940" / "wolph_cmxl_mt940.sta")
    assert info.value.row == 4


def test_every_file_is_sniffed_as_mt940(bank_data: Path) -> None:
    files = sorted((bank_data / "mt940").glob("*.sta"))
    assert len(files) == 6
    for path in files:
        assert mt940.sniff(path.read_bytes()[:4096]), path.name


GOOD = """:20:REF1
:25:NL91ABNA0417164300
:28C:1/1
:60F:C240228EUR100,00
:61:2402290229C25,50NTRFNONREF
:86:INV-1042 ACME
:62F:C240229EUR125,50
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "day.sta"
    path.write_text(text)
    return path


def test_minimal(tmp_path: Path) -> None:
    (statement,) = mt940.parse(_write(tmp_path, GOOD))
    assert statement.transactions[0].reference == "INV-1042 ACME"
    assert statement.opening_balance + statement.total == statement.closing_balance  # type: ignore[operator]


@pytest.mark.parametrize(
    ("broken", "row"),
    [
        (GOOD.replace("C25,50N", "C2X,50N"), 5),  # non-numeric amount
        (GOOD.replace(":61:2402290229", ":61:2302290229"), 5),  # 29 Feb 2023
        (GOOD.replace(":60F:C240228", ":60F:C241328"), 4),  # month 13
        (GOOD.replace(":25:NL91ABNA0417164300\n", ""), 1),  # no account
    ],
)
def test_malformed(tmp_path: Path, broken: str, row: int) -> None:
    path = _write(tmp_path, broken)
    with pytest.raises(BankFileError) as info:
        mt940.parse(path)
    assert info.value.file == str(path)
    assert info.value.row == row


def test_garbage(tmp_path: Path) -> None:
    with pytest.raises(BankFileError, match=":20:"):
        mt940.parse(_write(tmp_path, "hello\nworld\n"))
