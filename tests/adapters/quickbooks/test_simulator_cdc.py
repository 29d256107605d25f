"""Change data capture: changes and deletions since a time, the 30-day window, 1000 objects."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from quickbooks.cdc import change_data_capture
from quickbooks.exceptions import ValidationException
from quickbooks.objects.customer import Customer
from quickbooks.objects.invoice import Invoice

from arcore_quickbooks.simulator import QuickBooksSimulator


def seed_invoice(sim: QuickBooksSimulator, realm: str, customer_id: str, amount: int) -> Any:
    return sim.seed(
        realm,
        "Invoice",
        {
            "CustomerRef": {"value": customer_id},
            "Line": [{"Amount": amount, "DetailType": "SalesItemLineDetail"}],
        },
    )


def test_cdc_returns_changes_and_deletions_since(
    qb: Any, simulator: QuickBooksSimulator, sim_clock: Any, realm: str
) -> None:
    customer = simulator.seed(realm, "Customer", {"DisplayName": "Old"})
    kept = seed_invoice(simulator, realm, customer["Id"], 10)
    gone = seed_invoice(simulator, realm, customer["Id"], 20)
    untouched = seed_invoice(simulator, realm, customer["Id"], 30)
    sim_clock.advance(minutes=50)  # less than the access token's hour
    since = sim_clock.now
    sim_clock.advance(minutes=1)
    changed = Invoice.get(kept["Id"], qb=qb)
    changed.PrivateNote = "changed"
    changed.save(qb=qb)
    Invoice.get(gone["Id"], qb=qb).delete(qb=qb)

    raw = qb.change_data_capture("Invoice,Customer", since.strftime("%Y-%m-%dT%H:%M:%S"))
    responses = raw["CDCResponse"][0]["QueryResponse"]
    rows = responses[0]["Invoice"]

    assert responses[1] == {}  # no Customer changed
    assert [row["Id"] for row in rows] == [kept["Id"], gone["Id"]]
    assert rows[1] == {
        "domain": "QBO",
        "status": "Deleted",
        "Id": gone["Id"],
        "MetaData": {"LastUpdatedTime": "2026-03-02T10:21:00+00:00"},
    }
    assert untouched["Id"] not in [row["Id"] for row in rows]


def test_cdc_through_the_sdk_helper(
    qb: Any, simulator: QuickBooksSimulator, sim_clock: Any, realm: str
) -> None:
    since = sim_clock.now - timedelta(seconds=1)
    customer = simulator.seed(realm, "Customer", {"DisplayName": "New"})
    seed_invoice(simulator, realm, customer["Id"], 5)

    result = change_data_capture([Invoice, Customer], since, qb=qb)

    assert [c.DisplayName for c in result.Customer] == ["New"]
    assert len(result.Invoice) == 1


def test_cdc_older_than_30_days_is_refused(qb: Any, sim_clock: Any) -> None:
    too_old = sim_clock.now - timedelta(days=30, seconds=1)

    with pytest.raises(ValidationException) as caught:
        qb.change_data_capture("Invoice", too_old.isoformat())
    assert "30 days" in caught.value.detail

    qb.change_data_capture("Invoice", (too_old + timedelta(seconds=2)).isoformat())


def test_cdc_returns_at_most_1000_objects_oldest_first(
    qb: Any, simulator: QuickBooksSimulator, sim_clock: Any, realm: str
) -> None:
    since = sim_clock.now
    for n in range(1003):
        simulator.seed(realm, "Term", {"Name": f"Net {n}", "DueDays": n % 90})
        if n == 999:
            sim_clock.advance(seconds=1)

    rows = qb.change_data_capture("Term", since.isoformat())["CDCResponse"][0]["QueryResponse"]

    assert len(rows[0]["Term"]) == 1000
    assert rows[0]["Term"][-1]["Name"] == "Net 999"
