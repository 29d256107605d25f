"""Real QuickBooks responses from ``../shared/specs/quickbooks`` (XML), read as the JSON dicts
the API returns for the same objects, and JSON samples shaped like vendors.md 1.10."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

SPECS = Path(__file__).resolve().parents[3].parent / "shared" / "specs" / "quickbooks"

# Elements that are arrays in the JSON form even when the XML has one of them.
_LISTS = {"Line", "LinkedTxn", "CustomField", "TaxLine", "QueryResponse", "NameValue"}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def element_to_json(element: ET.Element) -> Any:
    """One XML element as the JSON value QuickBooks sends for it (numbers stay strings)."""
    children = list(element)
    name = _local(element.tag)
    if not children:
        text = (element.text or "").strip()
        if name.endswith("Ref"):
            return {"value": text, **element.attrib}
        return text if not element.attrib else {"value": text, **element.attrib}
    obj: dict[str, Any] = dict(element.attrib)
    for child in children:
        key = _local(child.tag)
        value = element_to_json(child)
        if key in _LISTS:
            obj.setdefault(key, []).append(value)
        else:
            obj[key] = value
    return obj


def spec(name: str) -> ET.Element:
    """The root element of a fixture file; skips the test when the fixtures are absent."""
    path = SPECS / name
    if not path.exists():
        if os.environ.get("CI"):
            raise FileNotFoundError(path)
        pytest.skip(f"QuickBooks fixtures not found at {SPECS} (../shared beside the repo)")
    return ET.parse(path).getroot()


def entity(name: str, tag: str) -> dict[str, Any]:
    """The first ``tag`` object of fixture ``name``, as JSON (the root itself if it is one)."""
    root = spec(name)
    if _local(root.tag) == tag:
        return element_to_json(root)  # type: ignore[no-any-return]
    found = next(el for el in root.iter() if _local(el.tag) == tag)
    return element_to_json(found)  # type: ignore[no-any-return]


def entities(name: str, tag: str) -> list[dict[str, Any]]:
    """Every ``tag`` object of fixture ``name``, as JSON."""
    return [element_to_json(el) for el in spec(name).iter() if _local(el.tag) == tag]


def decimal_json(text: str) -> Any:
    """JSON parsed the way the adapter parses it: numbers with a fraction as ``Decimal``."""
    return json.loads(text, parse_float=Decimal)


INVOICE_JSON = """{
  "Id": "239", "SyncToken": "0", "domain": "QBO", "sparse": false, "DocNumber": "1070",
  "TxnDate": "2015-07-24", "DueDate": "2015-08-23", "TotalAmt": 150.0, "Balance": 150.0,
  "Deposit": 0, "CustomerRef": {"name": "Amy's Bird Sanctuary", "value": "1"}, "LinkedTxn": [],
  "Line": [
    {"Id": "1", "LineNum": 1, "Amount": 150.0, "Description": "Services",
     "DetailType": "SalesItemLineDetail",
     "SalesItemLineDetail": {"ItemRef": {"name": "Services", "value": "1"},
                             "TaxCodeRef": {"value": "NON"}}},
    {"DetailType": "SubTotalLineDetail", "Amount": 150.0, "SubTotalLineDetail": {}}
  ],
  "TxnTaxDetail": {"TotalTax": 0},
  "SalesTermRef": {"value": "3"},
  "CurrencyRef": {"value": "USD", "name": "United States Dollar"},
  "EmailStatus": "NotSet", "PrintStatus": "NeedToPrint", "ApplyTaxAfterDiscount": false,
  "MetaData": {"CreateTime": "2015-07-24T10:35:08-07:00",
               "LastUpdatedTime": "2015-07-24T10:35:08-07:00"}
}"""

PAYMENT_JSON = """{
  "Id": "147", "SyncToken": "0", "TxnDate": "2016-04-13", "CurrencyRef": {"value": "USD"},
  "Line": [{"Amount": 629.10, "LinkedTxn": [{"TxnId": "103", "TxnType": "Invoice"}],
            "LineEx": {"any": [{"name": "txnId"}]}}],
  "CustomerRef": {"value": "10", "name": "Geeta Kalapatapu"},
  "DepositToAccountRef": {"value": "35"}, "TotalAmt": 629.10, "UnappliedAmt": 0,
  "ProcessPayment": false, "PaymentRefNum": "4077",
  "MetaData": {"CreateTime": "2016-04-13T07:34:40-07:00",
               "LastUpdatedTime": "2016-04-13T07:34:40-07:00"}
}"""
