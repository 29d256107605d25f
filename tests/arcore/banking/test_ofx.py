from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from arcore.banking import ofx, read_statements
from arcore.errors import BankFileError
from arcore.money import Money


def test_bank_medium(bank_data: Path) -> None:
    (statement,) = read_statements(bank_data / "ofx" / "ofxparse_bank_medium.ofx")
    assert (statement.format, statement.account, statement.currency) == (
        "ofx",
        "12300 000012345678",
        "CAD",
    )
    assert statement.closing_balance == Money("382.34", "CAD")
    assert statement.opening_balance is None
    assert [t.amount for t in statement.transactions] == [
        Money("-6.60", "CAD"),
        Money("-316.67", "CAD"),
        Money("-22.00", "CAD"),
    ]
    line = statement.transactions[1]
    assert (line.type_code, line.booking_date, line.counterparty_name) == (
        "CHECK",
        date(2009, 4, 2),
        "Joe's Bald Hairstyles",
    )
    assert line.bank_reference == "0000123456782009040200004"


def test_credit_card(bank_data: Path) -> None:
    (statement,) = ofx.parse(bank_data / "ofx" / "ofxparse_anzcc.ofx")
    assert statement.account == "1234123412341234"
    assert statement.closing_balance == Money("-123.45", "AUD")
    (line,) = statement.transactions
    assert (line.amount, line.reference, line.line) == (Money("-5.50", "AUD"), "SOME MEMO", 29)


def test_multiple_accounts(bank_data: Path) -> None:
    statements = ofx.parse(bank_data / "ofx" / "ofxparse_multiple_accounts.ofx")
    assert [(s.account, s.closing_balance) for s in statements] == [
        ("9100", Money("111", "USD")),
        ("9200", Money("222", "USD")),
    ]


def test_suncorp(bank_data: Path) -> None:
    (statement,) = ofx.parse(bank_data / "ofx" / "ofxparse_suncorp.ofx")
    assert statement.transactions[0].amount == Money("-16.85", "AUD")
    assert statement.transactions[0].booking_date == date(2013, 12, 15)


def test_spec_violation_is_refused(bank_data: Path) -> None:
    # BANKID 5472369148 is ten characters; the OFX specification allows nine.
    with pytest.raises(BankFileError) as info:
        ofx.parse(bank_data / "ofx" / "ofxparse_checking.ofx")
    assert info.value.field == "BANKACCTFROM.BANKID"
    assert info.value.value == "5472369148"
    assert info.value.row is not None


def test_every_file_is_sniffed_as_ofx(bank_data: Path) -> None:
    for path in (bank_data / "ofx").glob("*.ofx"):
        assert ofx.sniff(path.read_bytes()[:4096]), path.name


def test_malformed(bank_data: Path, tmp_path: Path) -> None:
    text = (bank_data / "ofx" / "ofxparse_suncorp.ofx").read_text()
    for broken in (
        text.replace("<TRNAMT>-16.85", "<TRNAMT>-1x.85"),
        text.replace("<DTPOSTED>20131215", "<DTPOSTED>20131315"),
        text[: len(text) // 2],
        "OFXHEADER:100\ngarbage",
    ):
        path = tmp_path / "broken.ofx"
        path.write_text(broken)
        with pytest.raises(BankFileError) as info:
            ofx.parse(path)
        assert info.value.file == str(path)
