"""The spec validation used on all simulator traffic can fail, and does cover the traffic."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from xero_python.accounting import AccountingApi, Contact, Contacts
from xero_python.exceptions import AccountingBadRequestException

from arcore_xero.simulator import XeroSimulator

if TYPE_CHECKING:
    from adapters.xero.conftest import SpecValidator


def test_valid_exchanges_pass_and_broken_ones_are_caught(
    simulator: XeroSimulator,
    accounting: AccountingApi,
    tenant: str,
    spec_validator: SpecValidator,
) -> None:
    accounting.create_contacts(tenant, Contacts(contacts=[Contact(name="Acme")]))
    accounting.get_contacts(tenant)
    put, get = (r for r in simulator.requests if r.path.endswith("/Contacts"))
    assert spec_validator.problems(put) == []
    assert spec_validator.problems(get) == []

    listed = json.loads(get.response_body, parse_float=Decimal)
    listed["Contacts"][0]["ContactID"] = "not-a-uuid"
    broken_response = replace(get, response_body=json.dumps(listed, default=str).encode())
    assert any("response" in p for p in spec_validator.problems(broken_response))

    sent = json.loads(put.body)
    sent["Contacts"][0]["IsSupplier"] = "yes"  # a boolean in the spec
    broken_request = replace(put, body=json.dumps(sent).encode())
    assert any("request" in p for p in spec_validator.problems(broken_request))

    missing_header = replace(
        get, headers={k: v for k, v in get.headers.items() if k.lower() != "xero-tenant-id"}
    )
    assert any("xero-tenant-id" in p for p in spec_validator.problems(missing_header))


def test_error_answers_of_declared_statuses_are_validated(
    simulator: XeroSimulator, accounting: AccountingApi, tenant: str, spec_validator: SpecValidator
) -> None:
    accounting.create_contacts(tenant, Contacts(contacts=[Contact(name="Twin")]))
    with pytest.raises(AccountingBadRequestException):
        accounting.create_contacts(tenant, Contacts(contacts=[Contact(name="Twin")]))
    refused = simulator.requests[-1]
    assert refused.status == 400
    before = spec_validator.checked
    assert spec_validator.problems(refused) == []
    assert spec_validator.checked == before + 1
