"""Tokens: development mode, refresh through the token endpoint, rotation, expiry, connections."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import pytest
import urllib3
from xero_python.accounting import AccountingApi, Contact, Contacts
from xero_python.exceptions import ApiException, HTTPStatusException
from xero_python.identity import IdentityApi

from arcore_xero.simulator import Fault, XeroSimulator

if TYPE_CHECKING:
    from adapters.xero.conftest import Client, SimClock


def token_call(sim: XeroSimulator, **form: str) -> tuple[int, Any]:
    response = urllib3.request(
        "POST",
        sim.token_url,
        body=urlencode(form),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    return response.status, response.json()


def test_made_up_credentials_are_refreshed_and_saved_on_first_call(
    simulator: XeroSimulator, client: Client, tenant: str
) -> None:
    assert client.accounting.get_contacts(tenant).contacts == []
    assert simulator.refresh_count == 1
    saved = client.tokens.saved[0]
    assert saved["access_token"].startswith("sim-xero-at-")
    assert saved["refresh_token"] != "made-up-refresh-token"  # rotated
    assert saved["expires_in"] == 1800
    assert isinstance(saved["scope"], list)
    token_request = next(r for r in simulator.requests if r.path == "/connect/token")
    assert b"grant_type=refresh_token" in token_request.body
    assert b"client_id=made-up-client-id" in token_request.body


def test_expired_access_token_answers_401_then_the_sdk_refreshes(
    simulator: XeroSimulator, client: Client, tenant: str, sim_clock: SimClock
) -> None:
    client.accounting.get_contacts(tenant)
    sim_clock.advance(seconds=1800)
    with pytest.raises(HTTPStatusException) as caught:
        client.accounting.get_contacts(tenant)
    assert caught.value.status == 401
    assert "TokenExpired" in caught.value.body.decode()
    last = simulator.requests[-1]
    assert last.response_headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert last.json()["Title"] == "Unauthorized"
    client.api_client.refresh_oauth2_token()
    assert client.accounting.get_contacts(tenant).contacts == []
    assert simulator.refresh_count == 2
    assert len(client.tokens.saved) == 2


def test_token_near_expiry_is_refreshed_by_the_sdk_before_the_call(
    simulator: XeroSimulator, client: Client, tenant: str
) -> None:
    client.accounting.get_contacts(tenant)
    client.tokens.token["expires_at"] = 0.0  # float-ok: as the SDK stores it
    client.accounting.get_contacts(tenant)
    assert simulator.refresh_count == 2
    paths = [r.path for r in simulator.requests]
    assert paths.count("/connect/token") == 2


def test_refresh_token_rotation_with_grace_period(
    simulator: XeroSimulator, sim_clock: SimClock
) -> None:
    form = {"grant_type": "refresh_token", "client_id": "id", "client_secret": "secret"}
    status, first = token_call(simulator, refresh_token="made-up-rt", **form)
    assert status == 200
    assert set(first) == {
        "id_token",
        "access_token",
        "expires_in",
        "token_type",
        "refresh_token",
        "scope",
    }
    # Within 30 minutes the old token can be used again (a lost answer can be retried) ...
    status, again = token_call(simulator, refresh_token="made-up-rt", **form)
    assert status == 200
    sim_clock.advance(minutes=31)
    # ... after that it is refused; the newest token still works.
    status, refused = token_call(simulator, refresh_token="made-up-rt", **form)
    assert (status, refused["error"]) == (400, "invalid_grant")
    status, _ = token_call(simulator, refresh_token=again["refresh_token"], **form)
    assert status == 200


def test_refresh_token_unused_for_60_days_expires(
    simulator: XeroSimulator, sim_clock: SimClock
) -> None:
    form = {"grant_type": "refresh_token", "client_id": "id", "client_secret": "secret"}
    _, first = token_call(simulator, refresh_token="made-up-rt", **form)
    sim_clock.advance(days=60)
    status, answer = token_call(simulator, refresh_token=first["refresh_token"], **form)
    assert (status, answer["error"]) == (400, "invalid_grant")


def test_refresh_failure_reaches_the_sdk(
    simulator: XeroSimulator, client: Client, tenant: str, sim_clock: SimClock
) -> None:
    client.accounting.get_contacts(tenant)
    simulator.add_fault(Fault("http_503", path_contains="/connect/token"))
    client.tokens.token["expires_at"] = 0.0  # float-ok
    with pytest.raises(ApiException) as caught:
        client.accounting.get_contacts(tenant)
    assert getattr(caught.value, "status", None) == 503


def test_token_endpoint_errors(simulator: XeroSimulator) -> None:
    status, answer = token_call(simulator, grant_type="refresh_token", refresh_token="x")
    assert (status, answer["error"]) == (400, "invalid_client")
    status, answer = token_call(
        simulator, grant_type="password", client_id="id", client_secret="secret"
    )
    assert (status, answer["error"]) == (400, "unsupported_grant_type")


def test_unknown_access_token_is_refused(simulator: XeroSimulator, tenant: str) -> None:
    response = urllib3.request(
        "GET",
        simulator.base_url + "/Contacts",
        headers={"Authorization": "Bearer invented", "xero-tenant-id": tenant},
    )
    assert response.status == 401
    assert response.json()["Detail"].startswith("TokenInvalid")


def test_connections_list_the_tenants_used(
    simulator: XeroSimulator, client: Client, tenant: str
) -> None:
    client.accounting.get_contacts(tenant)
    client.accounting.get_contacts("second-tenant")
    connections = IdentityApi(client.api_client, base_url=simulator.url).get_connections()
    assert [c.tenant_id for c in connections] == [tenant, "second-tenant"]
    assert {c.tenant_type for c in connections} == {"ORGANISATION"}
    raw = urllib3.request(
        "GET",
        simulator.connections_url,
        headers={"Authorization": f"Bearer {client.tokens.token['access_token']}"},
    )
    assert [c["tenantId"] for c in raw.json()] == [tenant, "second-tenant"]


def test_disconnected_tenant_is_forbidden(
    simulator: XeroSimulator, client: Client, tenant: str
) -> None:
    client.accounting.get_contacts(tenant)
    simulator.disconnect(tenant)
    with pytest.raises(HTTPStatusException) as caught:
        client.accounting.get_contacts(tenant)
    assert caught.value.status == 403
    assert simulator.requests[-1].json()["Title"] == "Forbidden"


def test_two_clients_with_their_own_tokens(
    simulator: XeroSimulator, make_client: Callable[..., Client], tenant: str
) -> None:
    first = make_client(simulator, refresh_token="rt-one")
    second = make_client(simulator, refresh_token="rt-two")
    first.accounting.create_contacts(tenant, Contacts(contacts=[Contact(name="Shared")]))
    names = [c.name for c in second.accounting.get_contacts(tenant).contacts]
    assert names == ["Shared"]
    assert first.tokens.token["access_token"] != second.tokens.token["access_token"]


def test_expire_token_fault_and_expire_access_tokens(
    simulator: XeroSimulator, accounting: AccountingApi, client: Client, tenant: str
) -> None:
    accounting.get_contacts(tenant)
    simulator.add_fault(Fault("expire_token"))
    with pytest.raises(HTTPStatusException) as caught:
        accounting.get_contacts(tenant)
    assert caught.value.status == 401
    client.api_client.refresh_oauth2_token()
    accounting.get_contacts(tenant)
    simulator.expire_access_tokens()
    with pytest.raises(HTTPStatusException):
        accounting.get_contacts(tenant)
