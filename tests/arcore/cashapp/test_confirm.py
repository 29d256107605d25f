"""Learning from people: ``arcore confirm`` posts reviewed proposals and remembers payers."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from arcore.cashapp import MatchStatus, Proposal, Proposed
from arcore.cashapp.files import read_decisions, write_proposals
from arcore.cli import app
from arcore.errors import InputRejectedError, NotFoundError
from arcore.ledger import Ledger
from arcore.money import Money
from arcore.store import SqlStore, open_store
from arcore.store.importer import import_files
from arcore.store.payers import load_payer_memory, remember_payer

CUSTOMERS = """\
customer_id,name,aliases,bank_accounts,parent_id,currency,terms,credit_limit
C1,Globex,,,,USD,Net 30,
C2,Initech,,,,USD,Net 30,
"""
DOCUMENTS = """\
document_no,kind,customer_id,document_date,due_date,terms,currency,amount,open_amount
INV-2001,invoice,C2,2026-01-10,,,USD,500.00,
INV-2002,invoice,C2,2026-01-11,,,USD,700.00,
INV-1001,invoice,C1,2026-01-12,,,USD,900.00,
"""
PAYMENTS = """\
payment_id,received_date,amount,currency,payer_name,payer_account,reference,remittance,customer_id
P1,2026-01-26,700.00,USD,GAMMA TRADING SRL,RO49AAAA1B31007593840000,,,
"""
AT = datetime(2026, 1, 27, 9, 30, tzinfo=UTC)


def test_remembered_payers_survive_in_the_store(store: SqlStore) -> None:
    remember_payer(
        store, "acme", "C2", payer_account="ro49 aaaa 1b31", payer_name="Gamma Trading",
        actor="clerk", at=AT,
    )  # fmt: skip
    memory = load_payer_memory(store, "acme")
    assert memory.accounts == {"RO49AAAA1B31": "C2"}
    assert memory.names == {"GAMMA TRADING": "C2"}
    # Confirmed later for another customer: the latest confirmation wins.
    remember_payer(store, "acme", "C1", payer_name="GAMMA TRADING", actor="clerk", at=AT)
    assert load_payer_memory(store, "acme").names == {"GAMMA TRADING": "C1"}
    assert load_payer_memory(store, "other").names == {}
    # Nothing to learn from blanks.
    assert not remember_payer(store, "acme", "C1", actor="clerk", at=AT).names


def _books(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'books.db'}"
    files = {}
    for name, text in {
        "customers": CUSTOMERS,
        "documents": DOCUMENTS,
        "payments": PAYMENTS,
    }.items():
        files[name] = tmp_path / f"{name}.csv"
        files[name].write_text(text, encoding="utf-8")
    with open_store(url) as store:
        import_files(store, "acme", **files)
    return url


def _proposals(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return {row["payment_id"]: row for row in csv.DictReader(handle)}


def test_a_confirmed_payer_is_identified_next_time(tmp_path: Path) -> None:
    url = _books(tmp_path)
    out = tmp_path / "proposals.csv"
    runner = CliRunner()
    result = runner.invoke(app, ["match", "--db", url, "--company", "acme", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert _proposals(out)["P1"]["status"] == "unapplied"  # nobody knows Gamma Trading

    # The clerk recognises Initech's new bank and writes the application into the file.
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rows[0].update(document_no="INV-2002", applied_amount="700.00", customer_id="C2")
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = runner.invoke(app, ["confirm", str(out), "--db", url, "--company", "acme"])
    assert result.exit_code == 0, result.output
    assert "INV-2002" in result.output
    # Confirming twice posts nothing more.
    again = runner.invoke(app, ["confirm", str(out), "--db", url, "--company", "acme"])
    assert again.exit_code == 0, again.output
    with open_store(url) as store:
        ledger = Ledger(store, "acme")
        assert str(ledger.document_balance("INV-2002").amount) == "0.00"
        assert str(ledger.document_balance("INV-2001").amount) == "500.00"
        assert load_payer_memory(store, "acme").accounts == {"RO49AAAA1B31007593840000": "C2"}

    # A new payment from the same payer goes straight to Initech's matching invoice.
    more = tmp_path / "more.csv"
    more.write_text(
        "payment_id,received_date,amount,currency,payer_name,payer_account\n"
        "P2,2026-02-03,500.00,USD,GAMMA TRADING SRL,RO49AAAA1B31007593840000\n",
        encoding="utf-8",
    )
    with open_store(url) as store:
        import_files(store, "acme", payments=more)
    result = runner.invoke(app, ["match", "--db", url, "--company", "acme", "--out", str(out)])
    assert result.exit_code == 0, result.output
    row = _proposals(out)["P2"]
    assert (row["status"], row["document_no"], row["applied_amount"]) == (
        "auto", "INV-2001", "500.00",
    )  # fmt: skip
    assert "payer account" in row["reason"]


def test_without_learning_nothing_is_remembered(tmp_path: Path) -> None:
    url = _books(tmp_path)
    decided = tmp_path / "decided.csv"
    decided.write_text("payment_id,document_no,applied_amount\nP1,INV-2002,700.00\n")
    result = CliRunner().invoke(
        app, ["confirm", str(decided), "--db", url, "--company", "acme", "--no-learn"]
    )
    assert result.exit_code == 0, result.output
    with open_store(url) as store:
        assert load_payer_memory(store, "acme").accounts == {}
        assert str(Ledger(store, "acme").document_balance("INV-2002").amount) == "0.00"


def test_bad_decisions_are_listed_with_their_rows(tmp_path: Path) -> None:
    decided = tmp_path / "decided.csv"
    decided.write_text(
        "payment_id,document_no,applied_amount,discount_amount\n"
        "P1,INV-2002,7.001,\n"
        "P9,INV-2002,1.00,\n"
        "P1,INV-2001,10.00,abc\n"
        "P1,,,\n"
    )
    with pytest.raises(InputRejectedError) as caught:
        read_decisions(decided, lambda p: "USD" if p == "P1" else None)
    listed = [(p.row, p.field, p.value) for p in caught.value.problems]
    assert listed == [
        (2, "applied_amount", "7.001"), (3, "payment_id", "P9"), (4, "discount_amount", "abc"),
    ]  # fmt: skip


def test_confirming_an_unknown_document_says_so(tmp_path: Path) -> None:
    url = _books(tmp_path)
    decided = tmp_path / "decided.csv"
    decided.write_text("payment_id,document_no,applied_amount\nP1,INV-9999,700.00\n")
    result = CliRunner().invoke(app, ["confirm", str(decided), "--db", url, "--company", "acme"])
    assert isinstance(result.exception, NotFoundError)
    assert result.exception.value == "INV-9999"
    assert result.exception.file == str(decided)


def test_formula_text_is_neutralised_and_read_back(tmp_path: Path) -> None:
    proposals = tmp_path / "proposals.csv"
    proposal = Proposal(
        payment_id="=HYPERLINK(1)",
        status=MatchStatus.AUTO,
        customer_id="C1",
        applications=(
            Proposed(
                document_id="d-1", number="-5", amount=Money("1.00", "USD"),
                discount=Money("0.00", "USD"), write_off=Money("0.00", "USD"),
            ),
        ),
        unapplied=Money("0.00", "USD"),
        deduction=Money("0.00", "USD"),
        confidence=0.99,
        reason="@SUM(A1) found in memo",
        strategy="numbers_in_text",
    )  # fmt: skip
    write_proposals([proposal], proposals)
    with proposals.open(encoding="utf-8") as handle:
        (row,) = csv.DictReader(handle)
    assert (row["payment_id"], row["document_no"], row["reason"]) == (
        "'=HYPERLINK(1)", "'-5", "'@SUM(A1) found in memo",
    )  # fmt: skip
    assert row["applied_amount"] == "1.00"
    (decision,) = read_decisions(proposals, lambda p: "USD")["=HYPERLINK(1)"]
    assert decision.document_no == "-5"
