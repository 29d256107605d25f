from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from arcore.banking import camt, read_statements
from arcore.errors import BankFileError
from arcore.money import Money


def test_multi_statement_v2(bank_data: Path) -> None:
    path = bank_data / "camt" / "genkgo_camt053.v2.multi.statement.xml"
    first, second = read_statements(path)
    assert (first.format, first.account, first.currency) == ("camt053", "NL26VAYB8060476890", "EUR")
    assert first.statement_id == "253EURNL26VAYB8060476890"
    assert (first.opening_balance, first.closing_balance) == (
        Money("18.15", "EUR"),
        Money("27.00", "EUR"),
    )
    (line,) = first.transactions
    assert line.amount == Money("8.85", "EUR")
    assert (line.booking_date, line.value_date, line.line) == (
        date(2014, 12, 31),
        date(2015, 1, 2),
        1,
    )
    assert second.transactions[0].amount == Money("-7.00", "EUR")
    assert second.transactions[0].counterparty_name == "Company Name 2"
    for statement in (first, second):
        assert statement.opening_balance is not None
        assert statement.opening_balance + statement.total == statement.closing_balance
    assert first.credits == first.transactions
    assert second.credits == ()


@pytest.mark.parametrize("version", ["v2.with-party-ids", "v4", "v8"])
def test_versions_agree(bank_data: Path, version: str) -> None:
    (statement,) = camt.parse(bank_data / "camt" / f"genkgo_camt053.{version}.xml")
    (line,) = statement.transactions
    assert line.amount == Money("8.85", "EUR")
    assert line.counterparty_name == "NAME NAME"
    assert line.counterparty_account == "NL56AGDH9619008421"
    assert "4654654654654654" in line.reference


def test_v8_details(bank_data: Path) -> None:
    (statement,) = camt.parse(bank_data / "camt" / "genkgo_camt053.v8.xml")
    (line,) = statement.transactions
    assert line.type_code == "PMNT-RCDT-BOOK"
    assert line.bank_reference == "AAAASESS-FP-CN_98765/01"
    assert line.reference.startswith("MUELL/FINP/RA12345")


@pytest.mark.parametrize(
    ("name", "format_name"),
    [
        ("genkgo_camt052.v2.xml", "camt052"),
        ("genkgo_camt054.v2.xml", "camt054"),
        ("genkgo_camt054.v8.xml", "camt054"),
    ],
)
def test_report_and_notification(bank_data: Path, name: str, format_name: str) -> None:
    (statement,) = camt.parse(bank_data / "camt" / name)
    assert statement.format == format_name
    assert statement.account == "CH2801234000123456789"
    (line,) = statement.transactions
    assert line.amount == Money("-200000", "SEK")
    assert line.booking_date == date(2007, 10, 18)
    assert statement.credits == ()


def test_every_file_is_sniffed_as_camt(bank_data: Path) -> None:
    files = sorted((bank_data / "camt").glob("*.xml"))
    assert len(files) == 7
    for path in files:
        assert camt.sniff(path.read_bytes()[:4096]), path.name


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "stmt.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
        "<BkToCstmrStmt><Stmt><Id>S1</Id><Acct><Id><IBAN>NL1</IBAN></Id><Ccy>EUR</Ccy></Acct>"
        f"{body}</Stmt></BkToCstmrStmt></Document>"
    )
    return path


ENTRY = (
    '<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd>'
    "<BookgDt><Dt>{day}</Dt></BookgDt></Ntry>"
)


def test_a_minimal_entry_parses(tmp_path: Path) -> None:
    (statement,) = camt.parse(_write(tmp_path, ENTRY.format(amount="1.50", day="2024-02-29")))
    assert statement.transactions[0].amount.amount == Decimal("1.50")


def test_truncated_xml(tmp_path: Path) -> None:
    path = _write(tmp_path, ENTRY.format(amount="1.50", day="2024-02-29"))
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(BankFileError, match="not well-formed") as info:
        camt.parse(path)
    assert info.value.file == str(path)
    assert info.value.row == 2


def test_non_numeric_amount(tmp_path: Path) -> None:
    path = _write(tmp_path, ENTRY.format(amount="1.5O", day="2024-02-29"))
    with pytest.raises(BankFileError) as info:
        camt.parse(path)
    assert info.value.field == "Stmt[1]/Ntry[1]/Amt"
    assert info.value.value == "1.5O"
    assert str(path) in str(info.value)


def test_bad_date(tmp_path: Path) -> None:
    with pytest.raises(BankFileError) as info:
        camt.parse(_write(tmp_path, ENTRY.format(amount="1.50", day="2023-02-29")))
    assert info.value.field == "Stmt[1]/Ntry[1]/BookgDt/Dt"


def test_entities_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xml"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><Document>&a;</Document>'
    )
    with pytest.raises(BankFileError, match="unsafe XML"):
        camt.parse(path)


def test_garbage(tmp_path: Path) -> None:
    path = tmp_path / "garbage.xml"
    path.write_bytes(b"<Document><Nothing/></Document>")
    with pytest.raises(BankFileError, match="no camt statement"):
        camt.parse(path)
    path.write_bytes(b"\x00\x01garbage")
    with pytest.raises(BankFileError, match="arcore recognises"):
        read_statements(path)
    with pytest.raises(BankFileError, match="not well-formed"):
        camt.parse(path)
