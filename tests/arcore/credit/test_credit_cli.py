"""``arcore credit`` through typer's runner, on a SQLite store in tmp_path."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from arcore.cli import app
from arcore.credit import NotAllowedError
from arcore.documents import Customer, Invoice, InvoiceLine
from arcore.errors import ValidationError
from arcore.ledger import Ledger
from arcore.money import Money
from arcore.store import credit as sc
from arcore.store import open_store

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'books.db'}"
    with open_store(url) as store:
        ledger = Ledger(store, "acme", clock=lambda: datetime(2026, 1, 1, tzinfo=UTC))
        ledger.open_books("Acme", actor="ana", idempotency_key="open")
        ledger.add_customer(
            Customer(
                company_id="acme",
                id="c-1",
                name="Globex",
                currency="USD",
                credit_limit=Money("1000.00", "USD"),
            ),
            actor="ana",
            idempotency_key="c-1",
        )
        ledger.issue(
            Invoice(
                company_id="acme",
                id="INV-1",
                customer_id="c-1",
                currency="USD",
                number="INV-1",
                document_date=date(2026, 1, 1),
                terms="Net 30",
                lines=[
                    InvoiceLine(
                        description="x", quantity=Decimal(1), unit_price=Money("600", "USD")
                    )
                ],
            ),
            actor="ana",
            idempotency_key="i1",
        )
    return url


def run(db: str, *args: str) -> object:
    return runner.invoke(app, ["credit", *args, "--db", db, "--company", "acme"])


def test_check_approves_or_exits_3(db: str) -> None:
    ok = runner.invoke(
        app,
        ["credit", "check", "--db", db, "--company", "acme", "--customer", "c-1",
         "--amount", "400.00", "--as-of", "2026-01-10", "--json"],
    )  # fmt: skip
    assert ok.exit_code == 0, ok.output
    found = json.loads(ok.output)
    assert (found["approved"], found["available"]["amount"]) == (True, "400.00")
    over = runner.invoke(
        app,
        ["credit", "check", "--db", db, "--company", "acme", "--customer", "c-1",
         "--amount", "400.01", "--as-of", "2026-01-10"],
    )  # fmt: skip
    assert over.exit_code == 3
    assert "over the available credit" in over.output


def test_orders_lists_open_orders(db: str) -> None:
    with open_store(db) as store:
        day = date(2026, 1, 10)
        sc.record_order(
            store, "acme", "SO-1", "c-1", Money("10.00", "USD"), on=day, by="shop",
            at=datetime(2026, 1, 10, tzinfo=UTC),
        )  # fmt: skip
    listed = json.loads(run(db, "orders", "--json").output)
    assert [(o["id"], o["amount"]["amount"]) for o in listed] == [("SO-1", "10.00")]


def test_hold_and_release_by_an_approver_only(db: str) -> None:
    assert run(db, "approvers", "add", "boss", "--by", "setup").exit_code == 0
    held = run(db, "hold", "--customer", "c-1", "--reason", "bounced cheque", "--by", "ana")
    assert held.exit_code == 0, held.output
    refused = run(db, "release", "--customer", "c-1", "--reason", "ok", "--by", "ana")
    assert isinstance(refused.exception, NotAllowedError)
    released = run(db, "release", "--customer", "c-1", "--reason", "ok", "--by", "boss")
    assert released.exit_code == 0, released.output
    log = run(db, "holds", "--customer", "c-1", "--json")
    assert [(e["action"], e["by"]) for e in json.loads(log.output)] == [
        ("place", "ana"),
        ("release", "boss"),
    ]


def test_apply_evaluate_approve(db: str, tmp_path: Path) -> None:
    application = tmp_path / "app.json"
    application.write_text(
        json.dumps(
            {
                "id": "APP-1",
                "customer_id": "c-1",
                "legal_name": "Globex Corp",
                "years_in_business": 10,
                "received": "2026-02-01",
                "requested_limit": {"amount": "3000.00", "currency": "USD"},
                "trade_references": [
                    {"name": "A", "rating": "prompt"},
                    {"name": "B", "rating": "prompt"},
                ],
            }
        ),
        encoding="utf-8",
    )
    scores = tmp_path / "scores.csv"
    scores.write_text("customer_id,score,as_of\nc-1,85,2026-01-31\n", encoding="utf-8")
    assert run(db, "approvers", "add", "boss", "--by", "setup").exit_code == 0
    recorded = run(db, "apply", str(application), "--by", "ana")
    assert recorded.exit_code == 0, recorded.output
    evaluated = run(
        db, "evaluate", "--application", "APP-1", "--scores", str(scores),
        "--as-of", "2026-02-02", "--json",
    )  # fmt: skip
    assert evaluated.exit_code == 0, evaluated.output
    found = json.loads(evaluated.output)
    # 85 → A; c-1 has no settled history, so no behaviour step: 100 % of 3,000, Net 30.
    assert (found["grade"], found["limit"]["amount"]) == ("A", "3000.00")
    approved = run(db, "approve", "--application", "APP-1", "--by", "boss", "--limit", "2500")
    assert approved.exit_code == 0, approved.output
    with open_store(db) as store:
        assert Ledger(store, "acme").customer("c-1").credit_limit == Money("2500.00", "USD")


def test_apply_refuses_a_bad_file_naming_the_field(db: str, tmp_path: Path) -> None:
    application = tmp_path / "app.json"
    application.write_text(json.dumps({"id": "APP-1"}), encoding="utf-8")
    result = run(db, "apply", str(application), "--by", "ana")
    assert isinstance(result.exception, ValidationError)
    assert result.exception.file == str(application)
    assert result.exception.field is not None


def test_allowance_to_csv(db: str, tmp_path: Path) -> None:
    # INV-1 600.00 due 31 Jan is 59 days past due on 31 Mar → 31-60 at 5 % = 30.00.
    out = tmp_path / "allowance.csv"
    result = run(
        db, "allowance", "--as-of", "2026-03-31", "--out", str(out),
        "--rates", "current:0%,1-30:1%,31-60:5%,61-90:20%,91+:50%",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[2] == {
        "currency": "USD",
        "bucket": "31-60",
        "open": "600.00",
        "rate": "5",
        "allowance": "30.00",
    }
    assert rows[-1]["allowance"] == "30.00"
    bad = run(db, "allowance", "--as-of", "2026-03-31", "--rates", "current:0%")
    assert isinstance(bad.exception, ValidationError)


def test_writeoff_queue_through_the_cli(db: str) -> None:
    assert run(db, "approvers", "add", "boss", "--by", "setup").exit_code == 0
    queued = run(db, "writeoffs", "queue", "--document", "INV-1", "--reason", "gone", "--by", "ana")
    assert queued.exit_code == 0, queued.output
    listed = json.loads(run(db, "writeoffs", "list", "--json").output)
    assert [r["document_id"] for r in listed] == ["INV-1"]
    refused = run(db, "writeoffs", "approve", listed[0]["id"], "--by", "ana")
    assert isinstance(refused.exception, NotAllowedError)
    approved = run(db, "writeoffs", "approve", listed[0]["id"], "--by", "boss")
    assert approved.exit_code == 0, approved.output
    with open_store(db) as store:
        assert sc.review_queue(store, "acme") == []
        assert Ledger(store, "acme").document_balance("INV-1") == Money("0.00", "USD")
