"""``arcore statement`` on a real SQLite store file."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from arcore.cli import app
from arcore.documents import Customer, Invoice, InvoiceLine, Payment, PaymentMethod
from arcore.errors import NotFoundError, ValidationError
from arcore.ledger import Ledger
from arcore.money import Money
from arcore.store import open_store
from arcore.terms import parse_terms


@pytest.fixture
def url(tmp_path: Path) -> str:
    """Books of acme: c-1 owes 250.00 − 40.00 paid = 210.00 at the end of March; c-2 70.00."""
    url = f"sqlite:///{tmp_path / 'books.db'}"
    with open_store(url) as store:
        ledger = Ledger(store, "acme")
        ledger.open_books("Acme", actor="t", idempotency_key="open")
        for cid in ("c-1", "c-2"):
            customer = Customer(company_id="acme", id=cid, name=f"Customer {cid}", currency="USD")
            ledger.add_customer(customer, actor="t", idempotency_key=cid)
        for iid, cid, amount, day in (("i-1", "c-1", "250.00", 20), ("i-2", "c-2", "70.00", 3)):
            invoice = Invoice(
                company_id="acme", id=iid, customer_id=cid, currency="USD", number=iid.upper(),
                document_date=date(2026, 2, day), terms=parse_terms("Net 30"),
                lines=(InvoiceLine(description="x", quantity=Decimal(1),
                                   unit_price=Money(amount, "USD")),),
            )  # fmt: skip
            ledger.issue(invoice, actor="t", idempotency_key=iid)
        payment = Payment(
            company_id="acme", id="p-1", customer_id="c-1", currency="USD",
            received_date=date(2026, 3, 10), amount=Money("40.00", "USD"),
            method=PaymentMethod.ACH,
        )  # fmt: skip
        ledger.record_payment(payment, actor="t", idempotency_key="p-1")
        ledger.apply("p-1", "i-1", Money("40.00", "USD"), on=date(2026, 3, 10), actor="t",
                     idempotency_key="a-1")  # fmt: skip
    return url


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(
        app, ["statement", "--db", url, "--company", "acme", "--from", "2026-03-01",
              "--to", "2026-03-31", *args],
    )  # fmt: skip


def test_one_text_statement(url: str, tmp_path: Path) -> None:
    out = tmp_path / "c-1.txt"
    result = run(url, "--customer", "c-1", "--out", str(out), "--style", "balance-forward")
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "(balance forward)" in text
    assert "Opening balance" in text
    assert "250.00" in text
    assert "40.00" in text
    assert "Amount due: 210.00 USD" in text
    assert "Wrote 1 statement(s)" in result.output


@pytest.mark.parametrize(("fmt", "magic"), [("pdf", b"%PDF-"), ("html", b"<!DOCTYPE html>")])
def test_format_option_and_remittance_file(
    url: str, tmp_path: Path, fmt: str, magic: bytes
) -> None:
    remit = tmp_path / "remit.json"
    remit.write_text(json.dumps({"pay_to": "Acme Treasury", "bank_details": ["IBAN X"]}))
    out = tmp_path / "statement.out"
    result = run(
        url, "--customer", "c-1", "--out", str(out), "--format", fmt, "--remittance", str(remit)
    )
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(magic)
    if fmt == "html":
        assert b"Pay to: Acme Treasury" in data


def test_batch_of_every_customer(url: str, tmp_path: Path) -> None:
    out = tmp_path / "statements"
    result = run(url, "--all", "--out", str(out), "--format", "html")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["c-1.html", "c-2.html"]
    again = run(url, "--customer", "c-2", "--customer", "c-1", "--out", str(tmp_path / "two"))
    assert again.exit_code == 0, again.output
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == ["c-1.pdf", "c-2.pdf"]


def test_mistakes(url: str, tmp_path: Path) -> None:
    unknown = run(url, "--customer", "nobody", "--out", str(tmp_path / "x.txt"))
    assert isinstance(unknown.exception, NotFoundError)
    no_format = run(url, "--customer", "c-1", "--out", str(tmp_path / "x.doc"))
    assert isinstance(no_format.exception, ValidationError)
    assert "pdf, html, txt" in str(no_format.exception)
    backwards = CliRunner().invoke(
        app, ["statement", "--db", url, "--company", "acme", "--customer", "c-1",
              "--from", "2026-03-31", "--to", "2026-03-01", "--out", str(tmp_path / "y.txt")],
    )  # fmt: skip
    assert isinstance(backwards.exception, ValidationError)
    neither = run(url, "--out", str(tmp_path / "z.txt"))
    assert neither.exit_code == 2
    bad_date = CliRunner().invoke(
        app, ["statement", "--db", url, "--customer", "c-1", "--from", "31/03/2026",
              "--to", "2026-03-31", "--out", str(tmp_path / "w.txt")],
    )  # fmt: skip
    assert bad_date.exit_code == 2
    bad_remit = tmp_path / "bad.json"
    bad_remit.write_text('{"bank": "x"}')
    remit = run(url, "--customer", "c-1", "--out", str(tmp_path / "v.txt"), "--remittance",
                str(bad_remit))  # fmt: skip
    assert isinstance(remit.exception, ValidationError)
    assert "pay_to" in str(remit.exception)
    assert not list(tmp_path.glob("*.txt"))
