"""The simulator's JSON objects carry the fields of real QuickBooks responses.

The real responses are the XML fixtures of ruckus/quickbooks-ruby in ``../shared/specs/quickbooks``
(the XML form of the same objects the JSON API returns). For each entity the fields of every
fixture must appear in the simulator's JSON, except those QBO only sends when they are set
(listed below, each with its reason), and the simulator must send no field that no fixture has,
except the few listed as extras.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from arcore_quickbooks.simulator import QuickBooksSimulator

SPECS = Path(__file__).resolve().parents[3].parent / "shared" / "specs" / "quickbooks"
ENTITIES = ("Customer", "Term", "Invoice", "CreditMemo", "Payment")
# Intuit's batch documentation sample: placeholder objects (every Id 19891, a v2-era Customer with
# Organization/FullName), not a response of the v3 JSON API.
NOT_REAL_OBJECTS = {"batch_response.xml"}

ONLY_WHEN_SET: dict[str, set[str]] = {
    # Optional contact and address fields: absent from QBO's JSON until given.
    "Customer": {
        "Title",
        "GivenName",
        "MiddleName",
        "FamilyName",
        "Suffix",
        "CompanyName",
        "PrimaryPhone",
        "AlternatePhone",
        "Mobile",
        "Fax",
        "PrimaryEmailAddr",
        "WebAddr",
        "DefaultTaxCodeRef",
        "BillAddr",
        "ShipAddr",
        "CustomerTypeRef",
        "Notes",
        "SalesTermRef",
        "ParentRef",
    },
    # A DATE_DRIVEN term's day rules and an optional discount.
    "Term": {"DiscountPercent", "DayOfMonthDue", "DueNextMonthDays", "DiscountDayOfMonth"},
    # ExchangeRate/Home* only in a foreign currency ("Present for non-USA accounts" in the
    # fixture); memo, addresses, e-mail and terms only when given.
    "Invoice": {
        "ExchangeRate",
        "HomeTotalAmt",
        "HomeBalance",
        "PrivateNote",
        "CustomerMemo",
        "BillAddr",
        "ShipAddr",
        "ShipFromAddr",
        "SalesTermRef",
        "BillEmail",
    },
    "CreditMemo": {"BillAddr", "ShipAddr", "PrivateNote", "CustomerMemo"},
    "Payment": {"PrivateNote"},
}
EXTRAS: dict[str, set[str]] = {
    # A STANDARD term (the fixture is DATE_DRIVEN) carries its day counts.
    "Term": {"DueDays", "DiscountDays"},
}


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def fixture_objects() -> dict[str, list[tuple[str, set[str]]]]:
    """entity → [(file name, field names)] for every live object in the fixtures."""
    if not SPECS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"the QuickBooks fixtures are missing: {SPECS}")
        pytest.skip(f"../shared/specs/quickbooks not found at {SPECS}")
    found: dict[str, list[tuple[str, set[str]]]] = defaultdict(list)
    for path in sorted(SPECS.glob("*.xml")):
        if path.name in NOT_REAL_OBJECTS:
            continue
        root = ET.parse(path).getroot()
        for element in root.iter():
            entity = local(element.tag)
            if entity in ENTITIES and element.get("status") != "Deleted" and len(element):
                fields = {local(child.tag) for child in element}
                fields |= {name for name in element.attrib if name in ("domain", "sparse")}
                found[entity].append((path.name, fields))
    return found


def deleted_fixture_fields() -> list[set[str]]:
    fixture_objects()  # skips when absent
    result = []
    for path in sorted(SPECS.glob("*.xml")):
        for element in ET.parse(path).getroot().iter():
            if element.get("status") == "Deleted":
                result.append({local(c.tag) for c in element} | set(element.attrib))
    return result


def simulator_objects(sim: QuickBooksSimulator, realm: str) -> dict[str, dict[str, Any]]:
    """One object of each entity, created with the fewest fields QBO needs, read back."""
    term = sim.seed(realm, "Term", {"Name": "15th of next month", "DayOfMonthDue": 15})
    customer = sim.seed(realm, "Customer", {"DisplayName": "Thrifty Meats"})
    line = {
        "Amount": "50.00",
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {"ItemRef": {"value": "1", "name": "Sales"}},
    }
    ref = {"value": customer["Id"]}
    invoice = sim.seed(realm, "Invoice", {"CustomerRef": ref, "Line": [line]})
    memo = sim.seed(realm, "CreditMemo", {"CustomerRef": ref, "Line": [line]})
    payment = sim.seed(realm, "Payment", {"CustomerRef": ref, "TotalAmt": "40.00"})
    return {
        "Term": term,
        "Customer": customer,
        "Invoice": invoice,
        "CreditMemo": memo,
        "Payment": payment,
    }


@pytest.mark.parametrize("entity", ENTITIES)
def test_simulator_objects_carry_the_fields_of_real_responses(
    entity: str, simulator: QuickBooksSimulator, realm: str, qb: Any
) -> None:
    fixtures = fixture_objects()[entity]
    assert fixtures, f"no {entity} in the fixtures"
    made = simulator_objects(simulator, realm)[entity]
    over_http = qb.get_single_object(entity, made["Id"])[entity]
    fields = set(over_http)

    for name, fixture_fields in fixtures:
        missing = fixture_fields - fields - ONLY_WHEN_SET[entity]
        assert not missing, f"{entity} lacks fields of {name}: {sorted(missing)}"
    known = set().union(*(f for _, f in fixtures)) | EXTRAS.get(entity, set())
    assert not fields - known, f"{entity} has fields no real response has: {fields - known}"


def test_fields_sent_only_when_set_do_appear_once_set(
    simulator: QuickBooksSimulator, realm: str
) -> None:
    customer = simulator.seed(realm, "Customer", {"DisplayName": "Vanessa", "GivenName": "V"})
    invoice = simulator.seed(
        realm,
        "Invoice",
        {
            "CustomerRef": {"value": customer["Id"]},
            "CurrencyRef": {"value": "BRL", "name": "Brazilian Real"},
            "ExchangeRate": "1.5",
            "Line": [{"Amount": "10", "DetailType": "SalesItemLineDetail"}],
        },
    )

    assert customer["GivenName"] == "V"
    assert (invoice["HomeTotalAmt"], invoice["HomeBalance"]) == (15, 15)


def test_deleted_objects_in_cdc_have_the_fields_of_real_tombstones(
    simulator: QuickBooksSimulator, realm: str, qb: Any, sim_clock: Any
) -> None:
    expected = deleted_fixture_fields()
    assert expected
    since = sim_clock.now
    customer = simulator.seed(realm, "Customer", {"DisplayName": "X"})
    invoice = simulator.seed(realm, "Invoice", {"CustomerRef": {"value": customer["Id"]}})
    qb.delete_object("Invoice", f'{{"Id": "{invoice["Id"]}", "SyncToken": "0"}}')

    cdc = qb.change_data_capture("Invoice", since.isoformat())
    tombstone = cdc["CDCResponse"][0]["QueryResponse"][0]["Invoice"][0]

    for fields in expected:
        assert set(tombstone) == fields
