"""OAuth against the simulator: discovery, refresh with rotation, expiry on the clock, revoke."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from intuitlib.client import AuthClient
from intuitlib.exceptions import AuthClientError
from quickbooks.exceptions import AuthorizationException
from quickbooks.objects.customer import Customer

from arcore_quickbooks.simulator import Fault, QuickBooksSimulator


def auth_client(sim: QuickBooksSimulator) -> AuthClient:
    return AuthClient("any-id", "any-secret", "http://localhost/cb", sim.discovery_url)


def test_discovery_document_has_every_endpoint_intuit_oauth_reads(
    simulator: QuickBooksSimulator,
) -> None:
    auth = auth_client(simulator)

    assert auth.token_endpoint == f"{simulator.url}/oauth2/v1/tokens/bearer"
    assert auth.revoke_endpoint == f"{simulator.url}/oauth2/v1/tokens/revoke"
    assert auth.issuer_uri.startswith(simulator.url)
    assert auth.jwks_uri.startswith(simulator.url)
    assert auth.user_info_url.startswith(simulator.url)
    assert auth.auth_endpoint.startswith(simulator.url)


def test_made_up_refresh_token_is_accepted_and_rotated(simulator: QuickBooksSimulator) -> None:
    auth = auth_client(simulator)

    auth.refresh(refresh_token="never-seen-before")

    assert auth.access_token
    assert auth.expires_in == 3600
    assert auth.refresh_token != "never-seen-before"
    assert auth.x_refresh_token_expires_in > 0


def test_previous_refresh_token_is_valid_until_the_new_one_is_used(
    simulator: QuickBooksSimulator,
) -> None:
    auth = auth_client(simulator)
    auth.refresh(refresh_token="rt-0")
    first = auth.refresh_token

    auth.refresh(refresh_token="rt-0")  # the answer to the first refresh was "lost"
    second = auth.refresh_token
    auth.refresh(refresh_token=second)  # the new token is used: rt-0 is now spent

    with pytest.raises(AuthClientError) as caught:
        auth.refresh(refresh_token="rt-0")
    assert caught.value.status_code == 400
    assert b"invalid_grant" in caught.value.content
    assert first != second


def test_a_revoked_refresh_token_is_refused(simulator: QuickBooksSimulator) -> None:
    auth = auth_client(simulator)
    auth.refresh(refresh_token="rt-r")

    assert auth.revoke(token=auth.refresh_token) is True

    with pytest.raises(AuthClientError):
        auth.refresh()


def test_token_endpoint_requires_basic_client_authentication(
    simulator: QuickBooksSimulator,
) -> None:
    response = requests.post(
        f"{simulator.url}/oauth2/v1/tokens/bearer",
        data={"grant_type": "refresh_token", "refresh_token": "x"},
        timeout=5,
    )

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_api_without_bearer_is_401(simulator: QuickBooksSimulator, realm: str) -> None:
    response = requests.get(f"{simulator.api_url}/company/{realm}/customer/1", timeout=5)

    assert response.status_code == 401
    assert response.json()["Fault"]["Error"][0]["code"] == "3200"


def test_access_token_expires_after_an_hour_of_the_clock_then_refresh_works(
    simulator: QuickBooksSimulator, sim_clock: Any, qb: Any
) -> None:
    Customer.all(qb=qb)
    sim_clock.advance(seconds=3599)
    Customer.all(qb=qb)
    sim_clock.advance(seconds=1)

    with pytest.raises(AuthorizationException) as caught:
        Customer.all(qb=qb)
    assert caught.value.error_code == 401

    qb.auth_client.refresh()
    qb.refresh_token = qb._start_session()
    assert Customer.all(qb=qb) == []


def test_expire_access_tokens_makes_the_next_call_401(
    simulator: QuickBooksSimulator, qb: Any
) -> None:
    simulator.expire_access_tokens()

    with pytest.raises(AuthorizationException):
        Customer.all(qb=qb)

    qb.auth_client.refresh()
    qb._start_session()
    assert Customer.all(qb=qb) == []


def test_expire_token_fault_expires_only_the_token_used(
    simulator: QuickBooksSimulator, make_qb: Any
) -> None:
    first, second = make_qb(simulator, refresh_token="a"), make_qb(simulator, refresh_token="b")
    simulator.add_fault(Fault(kind="expire_token"))

    with pytest.raises(AuthorizationException):
        Customer.all(qb=first)
    with pytest.raises(AuthorizationException):
        Customer.all(qb=first)
    assert Customer.all(qb=second) == []


def test_any_realm_opens_an_empty_company(simulator: QuickBooksSimulator, make_qb: Any) -> None:
    qb = make_qb(simulator, realm="424242")

    assert Customer.count(qb=qb) == 0
