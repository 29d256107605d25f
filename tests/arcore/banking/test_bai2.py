from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from arcore.banking import bai2, read_statements
from arcore.errors import BankFileError
from arcore.money import Money


def test_nwb(bank_data: Path) -> None:
    (statement,) = read_statements(bank_data / "bai2" / "moj_nwb_example.bai2")
    assert (statement.format, statement.account, statement.currency) == (
        "bai2",
        "88888888 600004",
        "GBP",
    )
    assert statement.opening_balance == Money("365.21", "GBP")
    assert statement.closing_balance == Money("338.45", "GBP")
    assert [t.amount.amount for t in statement.transactions] == [
        Money(x, "GBP").amount for x in ("-9.71", "-1.00", "-1.23", "-15.71", "0.89")
    ]
    assert [t.line for t in statement.transactions] == [5, 7, 9, 11, 13]
    assert statement.transactions[-1].type_code == "399"
    assert statement.transactions[-1].reference.endswith("SECCY AC TFR")
    assert statement.opening_balance + statement.total == statement.closing_balance
    assert all(t.booking_date == date(2009, 12, 16) for t in statement.transactions)


def test_svb_two_days(bank_data: Path) -> None:
    first, second = bai2.parse(bank_data / "bai2" / "moj_svb_us_example.bai2")
    assert first.transactions[0].amount == Money("4901.96", "USD")
    assert first.transactions[0].bank_reference == "172629"
    assert second.transactions[0].booking_date == date(2022, 2, 2)
    for statement in (first, second):
        assert statement.opening_balance is not None
        assert statement.opening_balance + statement.total == statement.closing_balance


def test_citi_continuations(bank_data: Path) -> None:
    (statement,) = bai2.parse(bank_data / "bai2" / "moj_citi_example.bai2")
    (line,) = statement.transactions
    assert line.amount == Money("0.01", "GBP")
    assert line.value_date == date(2015, 7, 15)
    assert "BUCKINGHAM PALACE" in line.reference
    assert line.line == 4


def test_sample1_signs(bank_data: Path) -> None:
    statements = bai2.parse(bank_data / "bai2" / "moov_sample1.bai2")
    assert [len(s.transactions) for s in statements] == [11, 6]
    first = statements[0]
    assert first.transactions[0].amount == Money("-25.00", "CAD")  # 409: debit
    assert first.transactions[3].amount == Money("2035.00", "CAD")  # 108: credit
    # The account's summaries say 100 (credits) 2085.00 and 400 (debits) 2085.00.
    assert sum(t.amount.amount for t in first.credits) == Money("2085.00", "CAD").amount
    assert -sum(t.amount.amount for t in first.debits) == Money("2085.00", "CAD").amount


def test_blank_accounts(bank_data: Path) -> None:
    statements = bai2.parse(bank_data / "bai2" / "moj_account_trailer_amount_blank_example.bai2")
    assert [(s.account, s.transactions) for s in statements] == [("12345", ()), ("54321", ())]


@pytest.mark.parametrize(
    ("name", "row"),
    [
        ("moov_sample2.bai2", 7),  # a type code split across a continuation record
        ("moov_sample3.bai2", 19),  # records wrapped without an 88 continuation
        ("moov_sample4-continuations-newline-delimited.bai2", 22),  # trailer count is wrong
    ],
)
def test_files_the_bai2_package_refuses(bank_data: Path, name: str, row: int) -> None:
    with pytest.raises(BankFileError) as info:
        bai2.parse(bank_data / "bai2" / name)
    assert info.value.row == row
    assert name in str(info.value)


def test_every_file_is_sniffed_as_bai2(bank_data: Path) -> None:
    for path in (bank_data / "bai2").glob("*.bai2"):
        assert bai2.sniff(path.read_bytes()[:4096]), path.name


GOOD = """01,SENDER,RECEIVER,240229,1200,1,,,2/
02,RECEIVER,BANK,1,240229,,USD,/
03,123,USD,010,1000,,,015,1500,,/
16,195,500,,BANKREF,CUSTREF,PAYMENT INV-1/
49,3000,3/
98,3000,1,5/
99,3000,1,7/
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "day.bai2"
    path.write_text(text)
    return path


def test_minimal_file(tmp_path: Path) -> None:
    (statement,) = bai2.parse(_write(tmp_path, GOOD))
    assert statement.transactions[0].amount == Money("5.00", "USD")
    assert statement.transactions[0].reference == "CUSTREF PAYMENT INV-1"


@pytest.mark.parametrize(
    ("broken", "row"),
    [
        (GOOD.replace("16,195,500,", "16,195,5X0,"), 4),  # non-numeric amount
        (GOOD.replace("02,RECEIVER,BANK,1,240229", "02,RECEIVER,BANK,1,240230"), 2),  # bad date
        (GOOD.replace("49,3000,3/\n", ""), 5),  # missing account trailer
        (GOOD.replace("99,3000,1,7/\n", ""), 6),  # missing file trailer
        ("01,garbage\nhello world\n", 2),
    ],
)
def test_malformed(tmp_path: Path, broken: str, row: int) -> None:
    path = _write(tmp_path, broken)
    with pytest.raises(BankFileError) as info:
        bai2.parse(path)
    assert info.value.file == str(path)
    assert info.value.row == row
