"""``arcore bank import`` and ``arcore deposits verify`` on a real camt.053 file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from arcore.cli import app
from arcore.documents import Customer, Payment
from arcore.ledger import Ledger
from arcore.money import Money
from arcore.store import open_store

CAMT = "camt/genkgo_camt053.v2.multi.statement.xml"  # +8.85 EUR and -7.00 EUR on 2014-12-31


def books(url: str, *receipts: Payment) -> None:
    with open_store(url) as store:
        ledger = Ledger(store, "acme")
        ledger.open_books("Acme", actor="t", idempotency_key="open")
        ledger.add_customer(
            Customer(company_id="acme", id="c-1", name="Company Name 1", currency="EUR"),
            actor="t",
            idempotency_key="c-1",
        )
        for receipt in receipts:
            ledger.record_payment(receipt, actor="t", idempotency_key=receipt.id)


def eur_payment(pid: str, amount: str, day: date) -> Payment:
    return Payment(
        company_id="acme", id=pid, customer_id="c-1", currency="EUR", received_date=day,
        amount=Money(amount, "EUR"), method="wire",
    )  # fmt: skip


def test_import_then_verify(tmp_path: Path, bank_data: Path) -> None:
    url = f"sqlite:///{tmp_path / 'books.db'}"
    day = date(2014, 12, 30)
    books(url, eur_payment("p-1", "8.85", day), eur_payment("p-2", "5.00", day))
    runner = CliRunner()
    args = ["bank", "import", str(bank_data / CAMT), "--db", url, "--company", "acme"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "2 new, 0 already imported" in " ".join(first.output.split())
    again = runner.invoke(app, args)
    assert "0 new, 2 already imported" in " ".join(again.output.split())
    verified = runner.invoke(
        app, ["deposits", "verify", "--date", "2014-12-31", "--db", url, "--company", "acme"]
    )
    assert verified.exit_code == 0, verified.output
    assert "waiting: p-2" in verified.output
    with open_store(url) as store:
        ledger = Ledger(store, "acme")
        assert [r.id for r in ledger.undeposited_receipts()] == ["p-2"]
        assert ledger.account_balances()["1000"]["EUR"] == Money("8.85", "EUR")
    # Nothing left to do the second time.
    twice = runner.invoke(
        app, ["deposits", "verify", "--date", "2014-12-31", "--db", url, "--company", "acme"]
    )
    assert twice.exit_code == 0, twice.output
    with open_store(url) as store:
        assert Ledger(store, "acme").account_balances()["1000"]["EUR"] == Money("8.85", "EUR")


def test_unknown_credits_become_payments(tmp_path: Path, bank_data: Path) -> None:
    url = f"sqlite:///{tmp_path / 'books.db'}"
    books(url)
    runner = CliRunner()
    runner.invoke(app, ["bank", "import", str(bank_data / CAMT), "--db", url, "--company", "acme"])
    result = runner.invoke(
        app, ["deposits", "verify", "--date", "2014-12-31", "--db", url, "--company", "acme"]
    )
    assert result.exit_code == 0, result.output
    with open_store(url) as store:
        ledger = Ledger(store, "acme")
        [item] = ledger.open_items()
        assert (item.kind, item.balance) == ("payment", Money("-8.85", "EUR"))
        assert ledger.undeposited_receipts() == []
        assert ledger.account_balances()["1000"]["EUR"] == Money("8.85", "EUR")
