"""The seed data: the response examples of Xero's OpenAPI file ``xero_accounting.yaml``.

The file is Xero's (``XeroAPI/Xero-OpenAPI``); arcore does not ship a copy. Point the
simulator at yours (``--seed-examples path/to/xero_accounting.yaml``): the ``example`` of the
200 response of ``GET /Organisation``, ``GET /Contacts``, ``GET /Invoices``,
``GET /CreditNotes`` and ``GET /Payments`` are read from it, as written.
:func:`example_objects` turns them into what the simulator stores:

* the contacts the documents name (Barney Rubble-83203, Liam Gallagher) are added from the
  ``Contact`` summaries the documents carry, so every reference resolves;
* only sales documents are kept (the ``ACCPAYCREDIT`` credit note is left out: the simulator
  serves ``ACCREC`` invoices and ``ACCRECCREDIT`` credit notes only);
* the refund payment on credit note CN-0005, which the example shows under ``Invoice`` (as Xero
  does), is linked to that credit note.

The documents have no line items and carry their totals, which the simulator keeps.
"""

from __future__ import annotations

import copy
import functools
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from .wire import JSONObject

ENVELOPES = {
    "/Organisation": "Organisations",
    "/Contacts": "Contacts",
    "/Invoices": "Invoices",
    "/CreditNotes": "CreditNotes",
    "/Payments": "Payments",
}
"""The spec paths whose 200 example seeds the simulator, and the envelope key of each."""


@functools.cache
def spec_examples(spec: Path) -> dict[str, list[JSONObject]]:
    """The examples of ``spec`` (Xero's ``xero_accounting.yaml``), by envelope key.

    Timestamps stay the strings the file writes; numbers with a fraction are ``Decimal``.

    Raises:
        ValueError: ``spec`` is not Xero's accounting OpenAPI file (an example is missing).
    """
    import yaml  # the xero extra's; only the examples need it

    class Loader(yaml.SafeLoader):
        """Keeps timestamps as the strings the file writes."""

    Loader.yaml_implicit_resolvers = {
        key: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
        for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    with Path(spec).open(encoding="utf-8") as handle:
        document: Any = yaml.load(handle, Loader=Loader)
    found: dict[str, list[JSONObject]] = {}
    for path, key in ENVELOPES.items():
        try:
            response = document["paths"][path]["get"]["responses"]["200"]
            example = response["content"]["application/json"]["example"][key]
        except (KeyError, TypeError) as exc:
            raise ValueError(f"{spec} has no example for GET {path} ({key})") from exc
        found[key] = json.loads(json.dumps(example), parse_float=Decimal)
    return found


def example_objects(spec: Path) -> dict[str, list[JSONObject]]:
    """The objects to seed from ``spec``'s examples, by entity, each a fresh copy.

    The keys are ``Organisations``, ``Contacts``, ``Invoices``, ``CreditNotes`` and ``Payments``.
    """
    raw = copy.deepcopy(spec_examples(Path(spec)))
    contacts: list[JSONObject] = list(raw["Contacts"])
    known = {c["ContactID"] for c in contacts}
    credit_notes = [c for c in raw["CreditNotes"] if c.get("Type") == "ACCRECCREDIT"]
    for document in raw["Invoices"] + credit_notes:
        contact = document.get("Contact") or {}
        if contact.get("ContactID") and contact["ContactID"] not in known:
            known.add(contact["ContactID"])
            contacts.append({"ContactID": contact["ContactID"], "Name": contact["Name"]})
        document["Contact"] = {"ContactID": contact.get("ContactID")}
    credit_ids = {c["CreditNoteID"] for c in credit_notes}
    payments: list[JSONObject] = []
    for payment in raw["Payments"]:
        reference: dict[str, Any] = payment.get("Invoice") or {}
        if reference.get("InvoiceID") in credit_ids:
            payment["CreditNote"] = {"CreditNoteID": reference["InvoiceID"]}
            del payment["Invoice"]
        payments.append(payment)
    return {
        "Organisations": raw["Organisations"],
        "Contacts": contacts,
        "Invoices": raw["Invoices"],
        "CreditNotes": credit_notes,
        "Payments": payments,
    }
