"""``arcore sync xero`` end to end: typer's CliRunner, the real adapter, the Xero simulator.

The adapter is found the way a user's installation finds it (the ``arcore.adapters`` entry
point); the connection comes from a TOML file and the client secret and bootstrap refresh
token from ``ARCORE_XERO_*`` environment variables. The simulator runs on real time here, as
the CLI uses the system clock; nothing waits (no throttling at this size).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

pytest.importorskip("xero_python")

from typer.testing import CliRunner

from arcore.cli import app
from arcore.documents import Customer, Invoice, InvoiceLine
from arcore.ledger import Ledger
from arcore.money import Money
from arcore.store import open_store
from arcore_xero.simulator import XeroSimulator

TENANT = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
SECRET = "cli-client-secret-xero-4d1e"
REFRESH = "cli-bootstrap-refresh-token-xero-90aa"


@pytest.fixture
def sim() -> Iterator[XeroSimulator]:
    with XeroSimulator(port=0) as simulator:
        yield simulator


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'books.db'}"
    with open_store(url) as store:
        ledger = Ledger(store, "acme")
        ledger.open_books("Acme Inc.", actor="t", idempotency_key="open")
        customer = Customer(company_id="acme", id="c-initech", name="Initech", currency="USD")
        ledger.add_customer(customer, actor="t", idempotency_key="c")
        invoice = Invoice(
            company_id="acme",
            id="i-1",
            customer_id="c-initech",
            currency="USD",
            number="A-1",
            document_date=date(2026, 10, 1),
            terms="Net 30",
            lines=[
                InvoiceLine(
                    description="Hours",
                    quantity=Decimal(2),
                    unit_price=Money("60.00", "USD"),
                    tax_rate=Decimal("12.5"),
                )
            ],
        )
        ledger.issue(invoice, actor="t", idempotency_key="i-1")
    return url


@pytest.fixture
def config(tmp_path: Path, sim: XeroSimulator) -> Path:
    path = tmp_path / "arcore.toml"
    path.write_text(
        "[xero]\n"
        f'tenant = "{TENANT}"\n'
        'client_id = "cli-app"\n'
        f'api_url = "{sim.base_url}"\n'
        f'identity_url = "{sim.token_url}"\n'
        'company_id = "acme"\n',
        encoding="utf-8",
    )
    return path


def _sync(db: str, config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app,
        ["sync", "xero", "--db", db, "--company", "acme", "--config", str(config), *args],
        env={
            "ARCORE_XERO_CLIENT_SECRET": SECRET,
            "ARCORE_XERO_REFRESH_TOKEN": REFRESH,
            "COLUMNS": "200",
        },
    )
    text = f"{result.output}\n{result.exception!r}"
    assert SECRET not in text
    assert REFRESH not in text
    return result.exit_code, result.output


def _writes(sim: XeroSimulator, since: int) -> list[object]:
    return [
        r
        for r in sim.requests[since:]
        if r.method in ("PUT", "POST") and r.path.startswith("/api.xro/2.0/")
    ]


def test_pull_then_push_then_dry_run(db: str, config: Path, sim: XeroSimulator) -> None:
    globex = sim.seed(TENANT, "Contacts", {"Name": "Globex Corporation"})
    seeded = sim.seed(
        TENANT,
        "Invoices",
        {
            "Type": "ACCREC",
            "Contact": {"ContactID": globex["ContactID"]},
            "InvoiceNumber": "X-1",
            "Date": "2026-10-05",
            "DueDate": "2026-11-04",
            "Status": "AUTHORISED",
            "LineItems": [{"Description": "Hours", "Quantity": 1, "UnitAmount": Decimal("250.00")}],
        },
    )

    code, output = _sync(db, config, "--pull")
    assert code == 0, output
    assert "Sync of acme with xero" in output
    with open_store(db) as store:
        ledger = Ledger(store, "acme")
        pulled = ledger.document(f"xero-invoice-{seeded['InvoiceID']}")
        assert isinstance(pulled, Invoice)
        assert (pulled.number, pulled.total) == ("X-1", Money("250.00", "USD"))
    assert len(sim.objects(TENANT, "Contacts")) == 1  # --pull sent nothing

    code, output = _sync(db, config, "--push")
    assert code == 0, output
    assert sorted(c["Name"] for c in sim.objects(TENANT, "Contacts")) == [
        "Globex Corporation",
        "Initech",
    ]
    (pushed,) = [o for o in sim.objects(TENANT, "Invoices") if o["InvoiceNumber"] == "A-1"]
    assert Decimal(str(pushed["Total"])) == Decimal("135.00")  # 120.00 + 12.5 % tax
    assert Decimal(str(pushed["TotalTax"])) == Decimal("15.00")
    assert pushed["Status"] == "AUTHORISED"
    assert len(sim.objects(TENANT, "Invoices")) == 2
    tenants = {r.headers.get("xero-tenant-id") for r in sim.requests if "/api.xro/" in r.path}
    assert tenants == {TENANT}
    keys = [r.headers.get("Idempotency-Key") for r in _writes(sim, 0)]
    assert keys, "nothing was written"
    assert all(keys), "a write went without an Idempotency-Key"

    writes = len(sim.requests)
    code, output = _sync(db, config, "--dry-run")
    assert code == 0, output
    assert "Nothing was written" in output
    assert "create" not in output  # both sides have everything
    assert _writes(sim, writes) == []
    assert len(sim.objects(TENANT, "Contacts")) == 2
    assert len(sim.objects(TENANT, "Invoices")) == 2
