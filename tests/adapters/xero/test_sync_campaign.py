"""Fault campaign: the sync engine and the Xero adapter against the Xero simulator.

The campaign of ``tests/adapters/campaign.py`` (the one QuickBooks runs), with Xero's side:
2 contacts, 3 authorised invoices, a credit note and two payments (a Xero payment pays one
invoice), and Xero's faults (HTTP 500 and 503, a write dropped after it committed, throttles
with ``Retry-After`` per minute and per day, an expired token, zero latency). arcore's second
payment is wholly applied here: Xero has no unapplied payments (see the adapter's
documentation). Afterwards the two sides agree exactly: every object once on each side,
amounts, balances (``AmountDue``, ``RemainingCredit``), payments and allocations, and one more
run changes nothing.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("xero_python")

from pydantic import SecretStr

from adapters.campaign import (
    COMPANY,
    RUNS,
    Killer,
    SyncCampaign,
    core_applied,
    killable,
    mappings_of,
    seed_core,
    usd,
)
from arcore.adapter import Connection
from arcore.documents import CreditMemo, Invoice, Payment
from arcore.ledger import Ledger
from arcore.money import Money
from arcore.store import SqlStore, open_store
from arcore.sync import FakeClock
from arcore_xero.adapter import XeroAdapter
from arcore_xero.simulator import Fault, XeroSimulator

TENANT = "9d6c3b2a-4e5f-4a1b-8c7d-0e9f8a7b6c5d"
SYSTEM = "xero"
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
FAULT_KINDS = (
    "http_500",
    "http_503",
    "drop_after_commit",
    "throttle",
    "throttle_day",
    "expire_token",
)
PATHS = ("", "/Contacts", "/Invoices", "/CreditNotes", "/Payments", "/Allocations")

KilledAdapter = killable(XeroAdapter)


def _invoice(contact_id: str, number: str, amount: str) -> dict[str, Any]:
    return {
        "Type": "ACCREC",
        "Contact": {"ContactID": contact_id},
        "InvoiceNumber": number,
        "Date": "2026-10-05",
        "DueDate": "2026-11-04",
        "Status": "AUTHORISED",
        "LineItems": [
            {
                "Description": "Hours",
                "Quantity": 1,
                "UnitAmount": Decimal(amount),
                "AccountCode": "200",
                "TaxType": "NONE",
            }
        ],
    }


def seed_vendor(sim: XeroSimulator, rng: random.Random) -> None:
    """Xero's side: 2 contacts, 3 invoices, a credit note, two payments of two invoices."""
    c1 = sim.seed(TENANT, "Contacts", {"Name": "Globex Corporation"})
    c2 = sim.seed(TENANT, "Contacts", {"Name": "Soylent Foods"})
    amounts = [f"{rng.randint(50, 900)}.{rng.randint(0, 99):02d}" for _ in range(3)]
    invoices = [
        sim.seed(TENANT, "Invoices", _invoice(contact["ContactID"], f"X-{n}", amount))
        for n, (contact, amount) in enumerate(zip((c1, c1, c2), amounts, strict=True), 1)
    ]
    sim.seed(
        TENANT,
        "CreditNotes",
        {
            "Type": "ACCRECCREDIT",
            "Contact": {"ContactID": c2["ContactID"]},
            "CreditNoteNumber": "XCN-1",
            "Date": "2026-10-06",
            "Status": "AUTHORISED",
            "LineItems": [{"Description": "Credit", "Quantity": 1, "UnitAmount": Decimal("15.00")}],
        },
    )
    for invoice, amount in ((invoices[0], Decimal(amounts[0])), (invoices[1], Decimal("20.00"))):
        sim.seed(
            TENANT,
            "Payments",
            {
                "Invoice": {"InvoiceID": invoice["InvoiceID"]},
                "Account": {"Code": "090"},
                "Date": "2026-10-10",
                "Amount": amount,
            },
        )


def plan_faults(sim: XeroSimulator, rng: random.Random) -> list[Fault]:
    """Random faults; each kind at most a few times, so retries (6 calls) get through."""
    faults = []
    for _ in range(rng.randint(2, 8)):
        kind = rng.choice(FAULT_KINDS)
        path = rng.choice(PATHS)
        method = rng.choice(("", "GET", "PUT", "POST"))
        if kind == "throttle":
            fault = Fault(kind="throttle", path_contains=path, method=method, seconds=30)
        elif kind == "throttle_day":
            fault = Fault(
                kind="throttle", path_contains=path, method=method, seconds=120, problem="day"
            )
        elif kind == "expire_token":
            fault = Fault(kind="expire_token", path_contains=path, method=method)
        else:
            fault = Fault(kind=kind, path_contains=path, method=method, times=rng.randint(1, 2))
        faults.append(fault)
    faults.insert(rng.randint(0, len(faults)), Fault(kind="latency", seconds=0, times=3))
    for fault in faults:
        sim.add_fault(fault)
    return faults


def _money(value: object) -> Money:
    return usd(str(value))


class Campaign(SyncCampaign):
    """One seeded run against the Xero simulator."""

    system = SYSTEM

    def __init__(self, sim: XeroSimulator, store: SqlStore, clock: FakeClock, seed: int):
        self.sim = sim
        connection = Connection(
            system=SYSTEM,
            tenant=TENANT,
            settings={
                "client_id": "arcore-campaign",
                "api_url": sim.base_url,
                "identity_url": sim.token_url,
                "company_id": COMPANY,
            },
            secrets={
                "client_secret": SecretStr("campaign-secret"),
                "refresh_token": SecretStr("bootstrap-refresh-token"),
            },
            token_store=self.token_store(store, clock),
        )
        super().__init__(store, clock, seed, connection)

    def adapter(self, killer: Killer) -> Any:
        return KilledAdapter(self.connection, clock=self.clock.now, killer=killer)  # type: ignore[call-arg]

    def request_count(self) -> int:
        return len(self.sim.requests)

    def vendor_writes(self, since: int) -> Sequence[object]:
        return [
            r
            for r in self.sim.requests[since:]
            if r.method in ("PUT", "POST") and r.path.startswith("/api.xro/2.0/")
        ]

    def assert_converged(self) -> None:
        sim, ledger = self.sim, Ledger(self.store, COMPANY)
        mappings = mappings_of(self.store, SYSTEM)

        # Contacts: 4, one each side, all mapped both ways.
        contacts = sim.objects(TENANT, "Contacts")
        names = sorted(c["Name"] for c in contacts)
        assert names == sorted(["Globex Corporation", "Soylent Foods", "Initech", "Hooli"])
        core_customers = {c.id: c for c in ledger.customers()}
        assert len(core_customers) == 4
        for contact in contacts:
            mapped = mappings.by_external("customer", contact["ContactID"])
            assert mapped is not None, contact["Name"]
            assert core_customers[mapped.core_id].name == contact["Name"]

        # Invoices and credit notes: once each side, same number, contact, total, balance.
        for entity, kind, id_field, number_field, count in (
            ("invoice", "Invoices", "InvoiceID", "InvoiceNumber", 6),
            ("credit_memo", "CreditNotes", "CreditNoteID", "CreditNoteNumber", 2),
        ):
            objects = sim.objects(TENANT, kind)
            numbers = [o[number_field] for o in objects]
            assert len(numbers) == len(set(numbers)) == count, (kind, numbers)
            core_ids = set()
            for obj in objects:
                mapped = mappings.by_external(entity, obj[id_field])  # type: ignore[arg-type]
                assert mapped is not None, obj[number_field]
                core_ids.add(mapped.core_id)
                document = ledger.document(mapped.core_id)
                assert isinstance(document, Invoice | CreditMemo)
                assert document.number == obj[number_field]
                customer = mappings.by_core("customer", document.customer_id)
                assert customer is not None
                assert customer.external_id == obj["Contact"]["ContactID"]
                total = document.total if isinstance(document, Invoice) else document.amount
                assert total == _money(obj["Total"]), obj[number_field]
                left = obj["AmountDue"] if entity == "invoice" else obj["RemainingCredit"]
                assert ledger.document_balance(document.id) == _money(left), obj[number_field]
            assert len(core_ids) == count

        # Payments: once each side (4 in all: Xero's two, arcore's two), same amount and
        # invoice. Credit notes: the same allocations on each side.
        payments = [p for p in sim.objects(TENANT, "Payments") if p["Status"] != "DELETED"]
        assert len(payments) == 4, [p["PaymentID"] for p in payments]
        for obj in payments:
            mapped = mappings.by_external("payment", obj["PaymentID"])
            assert mapped is not None
            document = ledger.document(mapped.core_id)
            assert isinstance(document, Payment)
            assert document.amount == _money(obj["Amount"])
            expected = {obj["Invoice"]["InvoiceID"]: _money(obj["Amount"])}
            assert core_applied(ledger, mappings, mapped.core_id) == expected, obj["PaymentID"]
        for obj in sim.objects(TENANT, "CreditNotes"):
            mapped = mappings.by_external("credit_memo", obj["CreditNoteID"])
            assert mapped is not None
            allocated: dict[str, Money] = {}
            for allocation in obj.get("Allocations") or []:
                if allocation.get("IsDeleted"):
                    continue
                target = allocation["Invoice"]["InvoiceID"]
                allocated[target] = allocated.get(target, usd("0")) + _money(allocation["Amount"])
            assert core_applied(ledger, mappings, mapped.core_id) == allocated

        # Customer balances: what Xero's invoices still ask less the credit left.
        for contact in contacts:
            mapped = mappings.by_external("customer", contact["ContactID"])
            assert mapped is not None
            owed = sum(
                (
                    _money(o["AmountDue"])
                    for o in sim.objects(TENANT, "Invoices")
                    if o["Contact"]["ContactID"] == contact["ContactID"]
                ),
                usd("0"),
            )
            credit = sum(
                (
                    _money(o["RemainingCredit"])
                    for o in sim.objects(TENANT, "CreditNotes")
                    if o["Contact"]["ContactID"] == contact["ContactID"]
                ),
                usd("0"),
            )
            balance = ledger.balance(mapped.core_id).get("USD", usd("0"))
            assert balance == owed - credit, contact["Name"]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def sim(clock: FakeClock) -> Iterator[XeroSimulator]:
    with XeroSimulator(port=0, clock=clock.now) as simulator:
        yield simulator


def _campaign(sim: XeroSimulator, store: SqlStore, clock: FakeClock, seed: int) -> None:
    rng = random.Random(seed)
    seed_vendor(sim, rng)
    seed_core(store, rng, unapplied=False)
    plan_faults(sim, rng)
    Campaign(sim, store, clock, seed).check(rng)


@pytest.mark.parametrize("seed", range(RUNS))
def test_seeded_campaign_on_sqlite(
    seed: int, sim: XeroSimulator, clock: FakeClock, tmp_path: Path
) -> None:
    with open_store(f"sqlite:///{tmp_path / 'books.db'}") as store:
        _campaign(sim, store, clock, seed)


@pytest.mark.parametrize("seed", [1000, 1001])
def test_seeded_campaign_on_each_backend(
    seed: int, sim: XeroSimulator, clock: FakeClock, store: SqlStore
) -> None:
    _campaign(sim, store, clock, seed)


def test_a_clean_run_converges_and_the_next_reports_nothing(
    sim: XeroSimulator, clock: FakeClock, tmp_path: Path
) -> None:
    rng = random.Random(0)
    seed_vendor(sim, rng)
    with open_store(f"sqlite:///{tmp_path / 'books.db'}") as store:
        seed_core(store, rng, unapplied=False)
        campaign = Campaign(sim, store, clock, 0)
        report = campaign.engine(Killer(None), 0).run()
        assert report.ok, report.failures
        campaign.assert_converged()
        assert campaign.quiet_run() == []


def test_a_voided_invoice_reaches_xero(
    sim: XeroSimulator, clock: FakeClock, tmp_path: Path
) -> None:
    with open_store(f"sqlite:///{tmp_path / 'books.db'}") as store:
        seed_core(store, random.Random(0), unapplied=False)
        campaign = Campaign(sim, store, clock, 0)
        assert campaign.engine(Killer(None), 0).run().ok
        ledger = Ledger(store, COMPANY)
        ledger.void("i-2", on=date(2026, 10, 4), actor="t", idempotency_key="void-i-2")
        report = campaign.engine(Killer(None), 1).run()
        assert report.ok, report.failures
        (voided,) = [o for o in sim.objects(TENANT, "Invoices") if o["InvoiceNumber"] == "A-i-2"]
        assert voided["Status"] == "VOIDED"


def test_a_partly_applied_payment_is_refused_with_a_reason(
    sim: XeroSimulator, clock: FakeClock, tmp_path: Path
) -> None:
    """Xero has no unapplied payments: arcore's 30.00 payment applied 25.00 cannot go."""
    with open_store(f"sqlite:///{tmp_path / 'books.db'}") as store:
        seed_core(store, random.Random(0))
        campaign = Campaign(sim, store, clock, 0)
        report = campaign.engine(Killer(None), 0).run()
        (failure,) = report.failures
        assert failure.core_id == "p-2"
        assert "unapplied" in failure.reason
        assert len(sim.objects(TENANT, "Payments")) == 1
