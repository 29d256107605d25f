"""``arcore sync quickbooks`` end to end: typer's CliRunner, the real adapter, the simulator.

The adapter is found the way a user's installation finds it (the ``arcore.adapters`` entry
point); the connection comes from a TOML file and the client secret and bootstrap refresh
token from ``ARCORE_QUICKBOOKS_*`` environment variables. The simulator runs on real time
here, as the CLI uses the system clock; nothing waits (no throttling at this size).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

pytest.importorskip("quickbooks")

from typer.testing import CliRunner

from arcore.cli import app
from arcore.documents import Customer, Invoice, InvoiceLine
from arcore.ledger import Ledger
from arcore.money import Money
from arcore.store import open_store
from arcore_quickbooks.simulator import QuickBooksSimulator

REALM = "7310042"
SECRET = "cli-client-secret-9f2c"
REFRESH = "cli-bootstrap-refresh-token-77ab"


@pytest.fixture
def sim() -> Iterator[QuickBooksSimulator]:
    with QuickBooksSimulator(port=0) as simulator:
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
                    description="Hours", quantity=Decimal(2), unit_price=Money("60.00", "USD")
                )
            ],
        )
        ledger.issue(invoice, actor="t", idempotency_key="i-1")
    return url


@pytest.fixture
def config(tmp_path: Path, sim: QuickBooksSimulator) -> Path:
    path = tmp_path / "arcore.toml"
    path.write_text(
        "[quickbooks]\n"
        f'tenant = "{REALM}"\n'
        'client_id = "cli-app"\n'
        f'environment = "{sim.discovery_url}"\n'
        f'api_url = "{sim.api_url}"\n'
        'company_id = "acme"\n',
        encoding="utf-8",
    )
    return path


def _sync(db: str, config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app,
        ["sync", "quickbooks", "--db", db, "--company", "acme", "--config", str(config), *args],
        env={
            "ARCORE_QUICKBOOKS_CLIENT_SECRET": SECRET,
            "ARCORE_QUICKBOOKS_REFRESH_TOKEN": REFRESH,
            "OAUTHLIB_INSECURE_TRANSPORT": "1",  # loopback http:// to the simulator
            "COLUMNS": "200",
        },
    )
    text = f"{result.output}\n{result.exception!r}"
    assert SECRET not in text
    assert REFRESH not in text
    return result.exit_code, result.output


def test_pull_then_push_then_dry_run(db: str, config: Path, sim: QuickBooksSimulator) -> None:
    globex = sim.seed(REALM, "Customer", {"DisplayName": "Globex Corporation"})
    line = {
        "Amount": Decimal("250.00"),
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {"ItemRef": {"value": "1"}},
    }
    seeded = sim.seed(
        REALM,
        "Invoice",
        {"CustomerRef": {"value": globex["Id"]}, "DocNumber": "Q-1", "Line": [line]},
    )

    code, output = _sync(db, config, "--pull")
    assert code == 0, output
    assert "Sync of acme with quickbooks" in output
    with open_store(db) as store:
        ledger = Ledger(store, "acme")
        pulled = ledger.document(f"quickbooks-invoice-{seeded['Id']}")
        assert isinstance(pulled, Invoice)
        assert (pulled.number, pulled.total) == ("Q-1", Money("250.00", "USD"))
    assert len(sim.objects(REALM, "Customer")) == 1  # --pull sent nothing

    code, output = _sync(db, config, "--push")
    assert code == 0, output
    assert sorted(c["DisplayName"] for c in sim.objects(REALM, "Customer")) == [
        "Globex Corporation",
        "Initech",
    ]
    (pushed,) = [o for o in sim.objects(REALM, "Invoice") if o["DocNumber"] == "A-1"]
    assert Decimal(str(pushed["TotalAmt"])) == Decimal("120.00")
    assert len(sim.objects(REALM, "Invoice")) == 2

    writes = len(sim.requests)
    code, output = _sync(db, config, "--dry-run")
    assert code == 0, output
    assert "Nothing was written" in output
    assert "create" not in output  # both sides have everything
    assert not [
        r
        for r in sim.requests[writes:]
        if r.method == "POST" and "/v3/" in r.path and not r.path.endswith("/query")
    ]
    assert len(sim.objects(REALM, "Customer")) == 2
    assert len(sim.objects(REALM, "Invoice")) == 2
