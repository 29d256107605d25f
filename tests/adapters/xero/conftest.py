"""Fixtures for the Xero simulator tests: a settable clock, a running simulator, SDK clients, and
validation of all their traffic against Xero's own OpenAPI file.

The client is the unmodified xero-python, pointed at the simulator the way ``vendors.md`` 2.1
describes (``AccountingApi(..., base_url=...)`` and the ``TokenApi.refresh_token_url`` class
attribute).

Every exchange with the Accounting API made through the ``simulator`` fixture is validated with
openapi-core against ``../shared/specs/xero/xero_accounting.yaml`` when the test ends (skipped
when the file is absent, a failure under ``CI``). Spec quirks and their workarounds:

* The file does not pass openapi-spec-validator (boolean ``default: "false"`` written as strings,
  e.g. ``Account.HasAttachments``), so openapi-core is built with ``spec_validator_cls=None``:
  requests and responses are still validated against the schemas, the file itself is not linted.
* xero-python sends the defaults of read-only fields in every request body
  (``HasAttachments: false``, ``HasErrors: false``, ``HasValidationErrors: false``), which the
  file marks ``readOnly`` and openapi-core refuses in requests. Requests are therefore validated
  against a copy of the file without ``readOnly``; responses against the file as it is.
* The ``OAuth2`` security scheme is not supported by openapi-core (it warns and accepts); the
  bearer token is the simulator's business and is checked by the token tests instead.
* Only the responses an operation declares are validated: the file models 200 and 400, not 401,
  403, 404, 429 or 5xx, whose shapes the error tests assert directly.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from arcore_xero.simulator import RequestRecord, XeroSimulator

xero_python = pytest.importorskip("xero_python")

from xero_python.accounting import AccountingApi  # noqa: E402
from xero_python.api_client import ApiClient  # noqa: E402
from xero_python.api_client.configuration import Configuration  # noqa: E402
from xero_python.api_client.oauth2 import OAuth2Token, TokenApi  # noqa: E402

SPECS = Path(__file__).resolve().parents[3].parent / "shared" / "specs" / "xero"
ACCOUNTING_SPEC = SPECS / "xero_accounting.yaml"
TENANT = "3f2a9e6c-5c4d-4a3b-9f1e-2d7c8b6a5e41"
SCOPE = ["offline_access", "accounting.transactions", "accounting.contacts", "accounting.settings"]


def spec_file(path: Path = ACCOUNTING_SPEC) -> Path:
    """``path`` under ``../shared/specs/xero``; skipped when absent, a failure under CI."""
    if not path.is_file():
        message = f"Xero OpenAPI file not found at {path} (../shared beside the repository)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@dataclass
class SimClock:
    """A clock the test moves by hand; the simulator never reads real time through it."""

    now: datetime = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class SpecValidator:
    """Validates recorded exchanges against ``xero_accounting.yaml`` with openapi-core."""

    def __init__(self, path: Path) -> None:
        import yaml
        from jsonschema_path import SchemaPath
        from openapi_core import OpenAPI
        from openapi_core.configurations import Config

        with path.open(encoding="utf-8") as handle:
            document = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        # The file fails openapi-spec-validator (string defaults of booleans): see module doc.
        config = Config(spec_validator_cls=None)
        self.api = OpenAPI(SchemaPath.from_dict(document), config=config)
        # The SDK sends read-only defaults (see module doc): requests are checked without them.
        self.request_api = OpenAPI(
            SchemaPath.from_dict(_without_read_only(document)), config=config
        )
        self.declared: dict[tuple[str, str], set[str]] = {}
        for route, item in document["paths"].items():
            for method, operation in item.items():
                if isinstance(operation, dict) and "responses" in operation:
                    self.declared[(route, method.upper())] = set(operation["responses"])
        self.checked = 0

    def problems(self, record: RequestRecord) -> list[str]:
        """What is wrong with one exchange (request and response); empty when valid."""
        from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
        from werkzeug.test import EnvironBuilder
        from werkzeug.wrappers import Request, Response

        found: list[str] = []
        headers = {k: v for k, v in record.headers.items() if k.lower() != "host"}
        builder = EnvironBuilder(
            method=record.method,
            base_url="https://api.xero.com",
            path=record.path,
            query_string=record.query,
            headers=headers,
            data=record.body or None,
        )
        request = WerkzeugOpenAPIRequest(Request(builder.get_environ()))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Unsupported scheme type" for OAuth2
            try:
                self.request_api.validate_request(request)
            except Exception as exc:
                found.append(f"request {record.method} {record.path}: {_explain(exc)}")
            if self._declares(record):
                response = WerkzeugOpenAPIResponse(
                    Response(
                        record.response_body,
                        status=record.status,
                        headers=record.response_headers,
                    )
                )
                try:
                    self.api.validate_response(request, response)
                except Exception as exc:
                    found.append(
                        f"response {record.status} to {record.method} {record.path}: "
                        f"{_explain(exc)}"
                    )
        self.checked += 1
        return found

    def _declares(self, record: RequestRecord) -> bool:
        route = _route_of(record.path)
        return str(record.status) in self.declared.get((route, record.method), set())


def _without_read_only(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_read_only(v) for k, v in node.items() if k != "readOnly"}
    if isinstance(node, list):
        return [_without_read_only(v) for v in node]
    return node


def _route_of(path: str) -> str:
    parts = path.removeprefix("/api.xro/2.0").split("/")
    templated = [
        part if i % 2 == 1 or i == 0 else "{" + _ID_NAMES.get(parts[i - 1], "id") + "}"
        for i, part in enumerate(parts)
    ]
    return "/".join(templated)


_ID_NAMES = {
    "Contacts": "ContactID",
    "Invoices": "InvoiceID",
    "CreditNotes": "CreditNoteID",
    "Payments": "PaymentID",
}


def _explain(exc: BaseException) -> str:
    reasons = [str(exc)]
    for inner in getattr(exc, "schema_errors", None) or []:
        reasons.append(str(getattr(inner, "message", inner)))
    cause = exc.__cause__
    while cause is not None:
        reasons.append(str(cause))
        for inner in getattr(cause, "schema_errors", None) or []:
            reasons.append(str(getattr(inner, "message", inner)))
        cause = cause.__cause__
    return " | ".join(reasons)[:2000]


@cache
def _validator(path: Path) -> SpecValidator:
    return SpecValidator(path)


@pytest.fixture(scope="session")
def spec_validator() -> SpecValidator:
    """The openapi-core validator of ``xero_accounting.yaml`` (skipped when absent)."""
    return _validator(spec_file())


@dataclass
class Traffic:
    """Which exchanges of a test are validated against the spec at its end."""

    exempt_ranges: list[tuple[int, int]] = field(default_factory=list)

    @contextlib.contextmanager
    def exempt(self, sim: XeroSimulator, reason: str) -> Iterator[None]:
        """Leave the requests sent inside the block unvalidated (deliberately invalid ones)."""
        assert reason, "say why the traffic is exempt"
        start = len(sim.requests)
        try:
            yield
        finally:
            self.exempt_ranges.append((start, len(sim.requests)))

    def selected(self, records: list[RequestRecord]) -> list[RequestRecord]:
        """The API exchanges to validate (answered, not exempt)."""
        return [
            record
            for index, record in enumerate(records)
            if record.path.startswith("/api.xro/2.0/")
            and record.status != 0
            and not any(start <= index < end for start, end in self.exempt_ranges)
        ]


@pytest.fixture(autouse=True)
def no_retry_after_sleeps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stop urllib3 from sleeping out ``Retry-After`` in real time.

    xero-python leaves urllib3's default ``Retry`` in place, which answers a 429 (or 503) that
    carries ``Retry-After`` by sleeping that many real seconds and retrying, up to 3 times. Tests
    never sleep for real, so the default here retries nothing and the SDK raises at once.
    """
    from urllib3.util.retry import Retry

    monkeypatch.setattr(Retry, "DEFAULT", Retry(3, respect_retry_after_header=False))


@pytest.fixture
def traffic() -> Traffic:
    return Traffic()


@pytest.fixture
def sim_clock() -> SimClock:
    return SimClock()


def validate_traffic(sim: XeroSimulator, traffic: Traffic) -> None:
    """Fail with every spec violation in the simulator's traffic (skip when the spec is absent)."""
    if not ACCOUNTING_SPEC.is_file() and not os.environ.get("CI"):
        return
    validator = _validator(spec_file())
    problems = [p for r in traffic.selected(sim.requests) for p in validator.problems(r)]
    if problems:
        pytest.fail("traffic does not match xero_accounting.yaml:\n" + "\n".join(problems))


@pytest.fixture
def simulator(sim_clock: SimClock, traffic: Traffic) -> Iterator[XeroSimulator]:
    """A running simulator on the test's clock; its traffic is validated against the spec."""
    with XeroSimulator(clock=sim_clock) as sim:
        yield sim
        validate_traffic(sim, traffic)


@dataclass
class TokenStore:
    """The token getter/saver pair an application gives xero-python."""

    token: dict[str, Any]
    saved: list[dict[str, Any]] = field(default_factory=list)

    def get(self) -> dict[str, Any]:
        return dict(self.token)

    def save(self, token: dict[str, Any]) -> None:
        self.saved.append(dict(token))
        self.token = dict(token)


def made_up_token(refresh_token: str = "made-up-refresh-token") -> dict[str, Any]:
    """A token set a newcomer invents: already expired, so the SDK refreshes it first."""
    return {
        "access_token": "made-up-access-token",
        "refresh_token": refresh_token,
        "expires_in": 1800,
        "expires_at": 1.0,  # float-ok: xero-python stores epoch seconds
        "token_type": "Bearer",
        "scope": list(SCOPE),
    }


@dataclass
class Client:
    """An SDK client bound to one simulator."""

    accounting: AccountingApi
    api_client: ApiClient
    tokens: TokenStore


def connect(sim: XeroSimulator, refresh_token: str = "made-up-refresh-token") -> Client:
    """An unmodified xero-python client with made-up credentials, as a newcomer would write it.

    The caller must have pointed ``TokenApi.refresh_token_url`` at the simulator (the
    ``point_token_api`` fixture does).
    """
    tokens = TokenStore(made_up_token(refresh_token))
    config = Configuration()
    # Configuration(...) hands back a copy of the first instance ever built in the process (its
    # metaclass keeps a default), so arguments given later are ignored: set the token after.
    config.oauth2_token = OAuth2Token(client_id="made-up-client-id", client_secret="made-up-secret")
    api_client = ApiClient(
        config,
        pool_threads=1,
        oauth2_token_getter=tokens.get,
        oauth2_token_saver=tokens.save,
    )
    return Client(AccountingApi(api_client, base_url=sim.base_url), api_client, tokens)


@pytest.fixture
def point_token_api(simulator: XeroSimulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point xero-python's token endpoint (a class attribute) at the simulator."""
    monkeypatch.setattr(TokenApi, "refresh_token_url", simulator.token_url)
    monkeypatch.setattr(TokenApi, "revoke_token_url", simulator.revoke_url)


@pytest.fixture
def make_client(point_token_api: None) -> Callable[..., Client]:
    """``make_client(sim, refresh_token=...)``: another SDK client."""
    return connect


@pytest.fixture
def client(simulator: XeroSimulator, point_token_api: None) -> Client:
    return connect(simulator)


@pytest.fixture
def accounting(client: Client) -> AccountingApi:
    return client.accounting


@pytest.fixture
def tenant() -> str:
    return TENANT
