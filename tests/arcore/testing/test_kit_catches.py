"""The kit catches bad adapters: each one below breaks one promise, and the test meant for it fails.

Each bad adapter is the DemoBooks example with one mistake integrators really make. The kit's
test methods are called directly (a kit test "fails" when it raises anything but a skip); one
test runs the whole kit under pytest to show the failure lands on the right test and only there.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any
from urllib.request import Request

import pytest
import requests

import arcore_demobooks.client
from arcore.adapter import Capabilities, Connection, Entity, Page, Record
from arcore.errors import RateLimitedError
from arcore.testing import EXPECTED_ERRORS, AdapterConformance, FailureKind, MemoryTokenStore
from arcore_demobooks.adapter import CAPABILITIES, DemoBooksAdapter
from arcore_demobooks.client import DemoBooksClient
from arcore_demobooks.harness import DemoBooksHarness
from arcore_demobooks.simulator import DemoBooksServer

pytest_plugins = ["pytester"]


class Kit(AdapterConformance):
    system = "demobooks"


KIT = Kit()


@pytest.fixture
def vendor() -> Iterator[DemoBooksHarness]:
    with DemoBooksServer() as server:
        yield DemoBooksHarness(server)


@pytest.fixture
def token_store() -> MemoryTokenStore:
    return MemoryTokenStore()


@pytest.fixture
def connect(
    vendor: DemoBooksHarness, token_store: MemoryTokenStore
) -> Callable[[type[DemoBooksAdapter]], DemoBooksAdapter]:
    return lambda adapter: adapter(vendor.connection(token_store))


def fails(test: Callable[[], None]) -> BaseException:
    """What a kit test raised: an assertion, or the error the adapter let through."""
    try:
        test()
    except pytest.skip.Exception as skipped:
        pytest.fail(f"the kit skipped instead of failing: {skipped}")
    except Exception as failure:
        return failure
    pytest.fail("the kit passed a bad adapter")


# --- the bad adapters --------------------------------------------------------------------------


class NewKeyPerAttempt(DemoBooksAdapter):
    """Makes up its own idempotency key, so a retried create makes a second object."""

    def create(self, record: Record, *, idempotency_key: str) -> Record:
        return super().create(record, idempotency_key=uuid.uuid4().hex)


class ForgetsTheHighWaterMark(DemoBooksAdapter):
    """Ends a listing without a cursor, so every sync is a full one."""

    def list_changes(self, entity: Entity, *, cursor: str | None, page_size: int) -> Page:
        page = super().list_changes(entity, cursor=cursor, page_size=page_size)
        return page if page.more else page.model_copy(update={"cursor": None})


class RestartsEveryListing(DemoBooksAdapter):
    """Ignores the cursor it is given: page one, again and again."""

    def list_changes(self, entity: Entity, *, cursor: str | None, page_size: int) -> Page:
        return super().list_changes(entity, cursor=None, page_size=page_size)


class OverwritesBlindly(DemoBooksAdapter):
    """Updates with whatever version the vendor holds now, overwriting others' changes."""

    def update(self, record: Record, *, idempotency_key: str) -> Record:
        current = self.get(record.entity, str(record.external_id))
        fresh = record.model_copy(update={"version": current.version})
        return super().update(fresh, idempotency_key=idempotency_key)


class WaitsOutRateLimits(DemoBooksAdapter):
    """Retries a throttled request itself, behind the engine's back (and its clock)."""

    def list_changes(self, entity: Entity, *, cursor: str | None, page_size: int) -> Page:
        try:
            return super().list_changes(entity, cursor=cursor, page_size=page_size)
        except RateLimitedError:
            return super().list_changes(entity, cursor=cursor, page_size=page_size)


class ShowsItsToken(DemoBooksAdapter):
    """Puts the access token in its repr, and so in every log line that prints it."""

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self.connection = connection

    def __repr__(self) -> str:
        token = self.connection.token_store.load("demobooks", self.connection.tenant)
        assert token is not None
        return f"ShowsItsToken(token={token.access_token.get_secret_value()!r})"


class TrustsAnySignature(DemoBooksAdapter):
    """Checks that the signature header is there, not that it is right."""

    def verify_webhook(self, body: bytes, headers: Mapping[str, str]) -> bool:
        return any(name.lower() == "x-demobooks-signature" for name in headers)


class RequestsClient(DemoBooksClient):
    """Sends with requests and lets its exceptions out, as a first draft often does."""

    def _exchange(self, request: Request) -> dict[str, Any]:
        response = requests.request(
            request.get_method(),
            request.full_url,
            data=request.data,
            headers=dict(request.header_items()),
            timeout=10,
        )
        response.raise_for_status()
        answer: dict[str, Any] = response.json(parse_float=Decimal)
        return answer


class LetsRequestsErrorsOut(DemoBooksAdapter):
    """Raises raw ``requests`` exceptions, so the engine cannot tell a retry from a refusal."""

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self._client = RequestsClient(connection)


class KeepsTokensToItself(DemoBooksAdapter):
    """Refreshes into a private token store: the next run starts with a dead refresh token."""

    def __init__(self, connection: Connection) -> None:
        private = MemoryTokenStore()
        first = connection.token_store.load(connection.system, connection.tenant)
        assert first is not None
        private.save(connection.system, connection.tenant, first)
        super().__init__(connection.model_copy(update={"token_store": private}))


class NoRefreshClient(DemoBooksClient):
    def call(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        return self._send(method, path, body, headers or {})


class LeavesRefreshToTheEngine(DemoBooksAdapter):
    """Raises ``VendorAuthError`` on an expired token (not a bad adapter: the engine refreshes)."""

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self._client = NoRefreshClient(connection)


class NoIncrementalNoWebhooks(DemoBooksAdapter):
    """Declares full listings only and no webhooks (not a bad adapter: a smaller one)."""

    @property
    def capabilities(self) -> Capabilities:
        return CAPABILITIES.model_copy(update={"incremental": "none", "webhooks": False})


def read_amounts_through_floats(body: bytes) -> dict[str, Any]:
    """``json.loads`` without ``parse_float=Decimal``, then ``Decimal`` of the float."""
    data: dict[str, Any] = json.loads(body or b"{}", parse_float=lambda text: Decimal(float(text)))
    return data


# --- the kit fails each of them ----------------------------------------------------------------

Connect = Callable[[type[DemoBooksAdapter]], DemoBooksAdapter]


def test_an_adapter_making_up_keys_fails_the_idempotency_test(
    connect: Connect, vendor: DemoBooksHarness
) -> None:
    failure = fails(lambda: KIT.test_idempotent_create(connect(NewKeyPerAttempt), vendor))
    assert isinstance(failure, AssertionError)
    assert "made 2 objects" in str(failure)


def test_amounts_read_through_floats_fail_the_round_trip(
    connect: Connect, vendor: DemoBooksHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(arcore_demobooks.client, "parse_json", read_amounts_through_floats)
    failure = fails(lambda: KIT.test_round_trip(connect(DemoBooksAdapter), vendor))
    assert isinstance(failure, AssertionError)
    assert "credit_limit: sent Money('1234567890123456.78', 'USD')" in str(failure)


def test_an_adapter_without_a_final_cursor_fails_the_incremental_test(
    connect: Connect, vendor: DemoBooksHarness
) -> None:
    failure = fails(lambda: KIT.test_incremental_cursor(connect(ForgetsTheHighWaterMark), vendor))
    assert "has no cursor" in str(failure)


@pytest.mark.parametrize("test", ["test_paging", "test_incremental_cursor"])
def test_an_adapter_ignoring_the_cursor_fails_the_listing_tests(
    connect: Connect, vendor: DemoBooksHarness, test: str
) -> None:
    failure = fails(lambda: getattr(KIT, test)(connect(RestartsEveryListing), vendor))
    assert isinstance(failure, AssertionError)
    assert "did not end" in str(failure) or "more than once" in str(failure)


def test_an_adapter_overwriting_blindly_fails_the_stale_version_test(
    connect: Connect, vendor: DemoBooksHarness
) -> None:
    failure = fails(lambda: KIT.test_stale_version(connect(OverwritesBlindly), vendor))
    assert "should raise StaleVersionError" in str(failure)


def test_an_adapter_retrying_itself_fails_the_rate_limit_test(
    connect: Connect, vendor: DemoBooksHarness
) -> None:
    failure = fails(lambda: KIT.test_rate_limited(connect(WaitsOutRateLimits), vendor))
    assert "should raise RateLimitedError" in str(failure)


def test_an_adapter_showing_its_token_fails_the_token_test(
    connect: Connect, vendor: DemoBooksHarness, token_store: MemoryTokenStore
) -> None:
    adapter = connect(ShowsItsToken)
    failure = fails(lambda: KIT.test_token_refresh_mid_listing(adapter, vendor, token_store))
    assert str(failure) == "a secret appears in the text of a ShowsItsToken"


@pytest.mark.parametrize("test", ["test_token_refresh_mid_listing", "test_refresh_saves_the_token"])
def test_an_adapter_keeping_tokens_to_itself_fails_the_token_tests(
    connect: Connect, vendor: DemoBooksHarness, token_store: MemoryTokenStore, test: str
) -> None:
    adapter = connect(KeepsTokensToItself)
    failure = fails(lambda: getattr(KIT, test)(adapter, vendor, token_store))
    assert isinstance(failure, AssertionError)
    assert "saved" in str(failure) or "save" in str(failure)


def test_an_adapter_leaving_the_refresh_to_the_engine_passes(
    connect: Connect, vendor: DemoBooksHarness, token_store: MemoryTokenStore
) -> None:
    KIT.test_token_refresh_mid_listing(connect(LeavesRefreshToTheEngine), vendor, token_store)


def test_an_adapter_trusting_any_signature_fails_the_forgery_test(
    connect: Connect, vendor: DemoBooksHarness
) -> None:
    failure = fails(
        lambda: KIT.test_webhook_forgeries_are_refused(connect(TrustsAnySignature), vendor)
    )
    assert "was accepted" in str(failure)


@pytest.mark.parametrize("kind", list(EXPECTED_ERRORS))
def test_raw_requests_errors_fail_the_error_test(
    connect: Connect, vendor: DemoBooksHarness, kind: FailureKind
) -> None:
    adapter = connect(LetsRequestsErrorsOut)
    failure = fails(lambda: KIT.test_errors_are_normalised(adapter, vendor, kind))
    assert isinstance(failure, requests.RequestException)


@pytest.mark.parametrize(
    ("test", "reason"),
    [
        ("test_incremental_cursor", "declares no incremental listing"),
        ("test_webhook_known_vector_verifies", "declares no webhooks"),
        ("test_webhook_forgeries_are_refused", "declares no webhooks"),
        ("test_webhook_parses_to_change_notices", "declares no webhooks"),
    ],
)
def test_undeclared_features_are_skipped_with_the_reason(
    connect: Connect, vendor: DemoBooksHarness, test: str, reason: str
) -> None:
    with pytest.raises(pytest.skip.Exception, match=reason):
        getattr(KIT, test)(connect(NoIncrementalNoWebhooks), vendor)


def test_the_kit_run_by_pytest_fails_exactly_the_test_for_the_mistake(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_bad="""
        import uuid
        import pytest
        from arcore.testing import AdapterConformance, MemoryTokenStore
        from arcore_demobooks import plugin
        from arcore_demobooks.adapter import DemoBooksAdapter
        from arcore_demobooks.harness import DemoBooksHarness
        from arcore_demobooks.simulator import DemoBooksServer

        class NewKeyPerAttempt(DemoBooksAdapter):
            def create(self, record, *, idempotency_key):
                return super().create(record, idempotency_key=uuid.uuid4().hex)

        class TestBad(AdapterConformance):
            system = "demobooks"
            plugin = plugin

            @pytest.fixture
            def vendor(self):
                with DemoBooksServer() as server:
                    yield DemoBooksHarness(server)

            @pytest.fixture
            def adapter(self, vendor, token_store):
                return NewKeyPerAttempt(vendor.connection(token_store))
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-rfs")
    result.assert_outcomes(passed=18, failed=1, skipped=1)
    result.stdout.fnmatch_lines(["FAILED test_bad.py::TestBad::test_idempotent_create - *"])
    result.stdout.fnmatch_lines(["SKIPPED * the adapter deletes nothing*"])


def test_the_kit_module_is_not_imported_by_arcore() -> None:
    import subprocess
    import sys

    code = (
        "import sys, arcore, arcore.plugins, arcore.adapter; print('arcore.testing' in sys.modules)"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "False"
