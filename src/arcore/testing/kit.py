"""The conformance tests every adapter passes, as a base class to subclass in its own tests."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import ParamSpec, TypeVar

import pytest
from pydantic import BaseModel

from arcore.adapter import Adapter, Entity, Page, Record, Token
from arcore.documents import DocumentStatus
from arcore.errors import (
    RateLimitedError,
    StaleVersionError,
    TransientError,
    VendorAuthError,
    VendorError,
    VendorNotFoundError,
    VendorValidationError,
)
from arcore.plugins import plugin_manager
from arcore.testing.harness import FailureKind, VendorHarness

__all__ = [
    "EXPECTED_ERRORS",
    "AdapterConformance",
    "MemoryTokenStore",
    "assert_no_secrets",
]

EXPECTED_ERRORS: Mapping[FailureKind, type[VendorError]] = {
    "transient": TransientError,
    "disconnect": TransientError,
    "not_found": VendorNotFoundError,
    "validation": VendorValidationError,
    "auth": VendorAuthError,
}
"""The [`VendorError`][arcore.errors.VendorError] each injected failure must surface as."""

ENTITY_ORDER: tuple[Entity, ...] = (
    "customer",
    "term",
    "invoice",
    "debit_memo",
    "credit_memo",
    "payment",
    "refund",
    "customer_deposit",
)
"""The order the kit goes through entities (what others refer to first)."""

NO_SUCH_ID = "arcore-conformance-no-such-object"
"""An external id no vendor holds."""

_VENDOR_ASSIGNED = frozenset({"id", "company_id", "external_ids", "status"})
_E = TypeVar("_E", bound=BaseException)
_T = TypeVar("_T")
_P = ParamSpec("_P")


class MemoryTokenStore:
    """A [`TokenStore`][arcore.adapter.TokenStore] in memory that remembers every save.

    The kit's ``token_store`` fixture gives one; connect the adapter under test with it, so
    the token tests can see what the adapter saved.

    Attributes:
        saved: Every token saved, oldest first.
    """

    def __init__(self) -> None:
        self._tokens: dict[tuple[str, str], Token] = {}
        self.saved: list[Token] = []

    def load(self, system: str, tenant: str) -> Token | None:
        """The token last saved for ``system`` and ``tenant``."""
        return self._tokens.get((system, tenant))

    def save(self, system: str, tenant: str, token: Token) -> None:
        """Keep ``token``, replacing the last one, and remember it in ``saved``."""
        self._tokens[(system, tenant)] = token
        self.saved.append(token)

    def __repr__(self) -> str:
        return f"MemoryTokenStore(saves={len(self.saved)})"


def assert_no_secrets(secrets: Iterable[str], things: Iterable[object]) -> None:
    """Fail if any of ``secrets`` appears in the ``repr`` or ``str`` of any of ``things``.

    Raises:
        AssertionError: naming the kind of object that shows a secret (not the secret).
    """
    values = [secret for secret in secrets if secret]
    for thing in things:
        for text in (repr(thing), str(thing)):
            if any(secret in text for secret in values):
                raise AssertionError(f"a secret appears in the text of a {type(thing).__name__}")


def _key() -> str:
    return f"arcore-kit-{uuid.uuid4().hex}"


def _differences(sent: BaseModel, got: BaseModel, unkept: Iterable[str]) -> list[str]:
    if type(sent) is not type(got):
        return [f"sent a {type(sent).__name__}, got back a {type(got).__name__}"]
    ignored = _VENDOR_ASSIGNED | set(unkept)
    return [
        f"{name}: sent {getattr(sent, name)!r}, got back {getattr(got, name)!r}"
        for name in type(sent).model_fields
        if name not in ignored and getattr(sent, name) != getattr(got, name)
    ]


def _raised(
    kind: type[_E], doing: str, call: Callable[_P, object], *args: _P.args, **kwargs: _P.kwargs
) -> _E:
    """The ``kind`` error ``call(*args, **kwargs)`` raised; a clear failure if it raised none."""
    try:
        call(*args, **kwargs)
    except kind as error:
        return error
    raise AssertionError(f"{doing} should raise {kind.__name__}, and returned normally")


def _needs(call: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
    """Call a harness method; skip the test if the harness cannot do that."""
    try:
        return call(*args, **kwargs)
    except NotImplementedError as exc:
        pytest.skip(f"the vendor harness cannot do this: {exc or 'NotImplementedError'}")


class AdapterConformance:
    """The contract tests for one adapter; subclass it in the adapter's tests.

    pytest collects the inherited ``test_*`` methods in your subclass (name it ``Test...``).
    Provide two fixtures in it:

    - ``vendor``: a [`VendorHarness`][arcore.testing.VendorHarness] driving a running
      simulator or sandbox, fresh for each test;
    - ``adapter``: a connected adapter for that vendor, whose
      [`Connection`][arcore.adapter.Connection] uses the kit's ``token_store`` fixture (a
      [`MemoryTokenStore`][arcore.testing.MemoryTokenStore] holding the first tokens).

    Tests of a feature the adapter's capabilities do not declare are skipped, saying why.

    Attributes:
        system: The adapter's name; every ``VendorError`` it raises carries it.
        plugin: The module registering the adapter, to check that what it registers agrees
            with the adapter (``None``: not checked).
        voids: Entities whose objects the adapter voids.
        deletes: Entities whose objects the adapter deletes.
        unkept: Per entity, document fields the vendor does not keep (not compared in the
            round trip); each one is a loss worth documenting.
        page_size: The page size of the listing tests.
    """

    system: str = ""
    plugin: object | None = None
    voids: frozenset[Entity] = frozenset(
        {"invoice", "debit_memo", "credit_memo", "payment", "refund", "customer_deposit"}
    )
    deletes: frozenset[Entity] = frozenset()
    unkept: Mapping[Entity, frozenset[str]] = {}
    page_size: int = 2

    @pytest.fixture
    def token_store(self) -> MemoryTokenStore:
        """Where the adapter under test keeps its tokens: connect it with this one."""
        return MemoryTokenStore()

    # --- registration -------------------------------------------------------------------

    def test_registration_matches_the_adapter(self, adapter: Adapter) -> None:
        """The plugin registers the adapter under ``system`` with the same capabilities."""
        if self.plugin is None:
            pytest.skip("no plugin module given (set the class attribute 'plugin')")
        assert self.system, "set the class attribute 'system' to the adapter's name"
        info = plugin_manager(entry_points=False, plugins=[self.plugin]).adapter(self.system)
        assert info.capabilities == adapter.capabilities, (
            "the capabilities registered differ from the adapter's"
        )

    # --- round trip -----------------------------------------------------------------------

    def test_round_trip(self, adapter: Adapter, vendor: VendorHarness) -> None:
        """Create, get and update give back what was sent, for each entity read and written."""
        capabilities = adapter.capabilities
        entities = self._entities(capabilities.reads & capabilities.writes)
        if not entities:
            pytest.skip("the adapter writes no entity it also reads")
        for entity in entities:
            sent = _needs(vendor.sample, entity, 1)[0]
            created = adapter.create(sent, idempotency_key=_key())
            self._check_kept(entity, sent, created, "create")
            fetched = adapter.get(entity, str(created.external_id))
            self._check_kept(entity, sent, fetched, "get after create")
            assert fetched.version == created.version, (
                f"{entity}: get gives version {fetched.version!r}, create {created.version!r}"
            )
            edited = _needs(vendor.edit, fetched)
            updated = adapter.update(edited, idempotency_key=_key())
            self._check_kept(entity, edited, updated, "update")
            assert updated.version != fetched.version, f"{entity}: update kept the version"
            self._check_kept(entity, edited, adapter.get(entity, str(created.external_id)), "get")

    def test_void(self, adapter: Adapter, vendor: VendorHarness) -> None:
        """Voiding an object leaves it void in the vendor, with a new version."""
        entities = self._entities(adapter.capabilities.writes & self.voids)
        if not entities:
            pytest.skip("the adapter voids nothing (class attribute 'voids')")
        for entity in entities:
            created = adapter.create(_needs(vendor.sample, entity, 1)[0], idempotency_key=_key())
            voided = adapter.void(created, idempotency_key=_key())
            assert voided.version != created.version, f"{entity}: void kept the version"
            for record, step in (
                (voided, "void"),
                (adapter.get(entity, str(created.external_id)), "get"),
            ):
                assert record.document is not None, f"{entity}: {step} returned no document"
                status = getattr(record.document, "status", None)
                assert status == DocumentStatus.VOID, f"{entity}: after {step}, status {status}"

    def test_delete(self, adapter: Adapter, vendor: VendorHarness) -> None:
        """A deleted object is gone: getting it is ``VendorNotFoundError``."""
        entities = self._entities(adapter.capabilities.writes & self.deletes)
        if not entities:
            pytest.skip("the adapter deletes nothing (class attribute 'deletes')")
        for entity in entities:
            created = adapter.create(_needs(vendor.sample, entity, 1)[0], idempotency_key=_key())
            adapter.delete(created, idempotency_key=_key())
            deleted = str(created.external_id)
            _raised(
                VendorNotFoundError, f"getting a deleted {entity}", adapter.get, entity, deleted
            )

    def test_unknown_id_is_not_found(self, adapter: Adapter) -> None:
        """Getting an id the vendor does not hold is ``VendorNotFoundError``."""
        entity = self._entity(adapter.capabilities.reads, "reads")
        error = _raised(
            VendorNotFoundError, "getting an unknown id", adapter.get, entity, NO_SUCH_ID
        )
        self._check_error(error, "not found")

    # --- listing --------------------------------------------------------------------------

    def test_paging(self, adapter: Adapter, vendor: VendorHarness) -> None:
        """A full listing across several pages gives every object exactly once."""
        entity = self._entity(adapter.capabilities.reads, "reads")
        seeded = _needs(vendor.seed, entity, 2 * self.page_size + 1)
        pages = self._list(adapter, entity, None, vendor.count(entity))
        assert len(pages) >= 3, (
            f"{len(seeded)} objects came in {len(pages)} pages of {self.page_size}"
        )
        for page in pages:
            assert len(page.records) <= self.page_size, (
                f"a page of {len(page.records)} records; {self.page_size} were asked for"
            )
        ids = self._ids(pages)
        missing = {str(record.external_id) for record in seeded} - set(ids)
        assert not missing, f"objects missing from the listing: {sorted(missing)}"
        assert len(ids) == vendor.count(entity), (
            f"the listing gave {len(ids)} objects; the vendor holds {vendor.count(entity)}"
        )

    def test_incremental_cursor(self, adapter: Adapter, vendor: VendorHarness) -> None:
        """Listing from the last cursor gives the object changed since, and not the others."""
        if adapter.capabilities.incremental == "none":
            pytest.skip("the adapter declares no incremental listing")
        entity = self._entity(adapter.capabilities.reads, "reads")
        seeded = _needs(vendor.seed, entity, 3)
        pages = self._list(adapter, entity, None, vendor.count(entity))
        cursor = pages[-1].cursor
        assert cursor is not None, "the last page of a full listing has no cursor"
        changed = _needs(vendor.change_behind_adapter, seeded[1])
        since = self._list(adapter, entity, cursor, vendor.count(entity))
        ids = self._ids(since)
        assert ids == [changed.external_id], (
            f"listing since the cursor gave {ids}; only {changed.external_id} changed"
        )
        listed = since[-1].records[-1]
        assert listed.version == changed.version, (
            f"listed at version {listed.version!r}; the vendor holds {changed.version!r}"
        )
        after = self._ids(self._list(adapter, entity, since[-1].cursor, vendor.count(entity)))
        unchanged = {str(record.external_id) for record in seeded} - {str(changed.external_id)}
        assert not unchanged & set(after), "a listing from the newest cursor repeats old objects"

    # --- writes ---------------------------------------------------------------------------

    def test_idempotent_create(self, adapter: Adapter, vendor: VendorHarness) -> None:
        """The same create sent twice with one idempotency key makes one object."""
        entity = self._entity(adapter.capabilities.reads & adapter.capabilities.writes, "writes")
        sent = _needs(vendor.sample, entity, 1)[0]
        before, key = vendor.count(entity), _key()
        first = adapter.create(sent, idempotency_key=key)
        again = adapter.create(sent, idempotency_key=key)
        assert vendor.count(entity) == before + 1, (
            f"two creates with one idempotency key made {vendor.count(entity) - before} objects"
        )
        assert again.external_id == first.external_id, "the second create names another object"

    def test_stale_version(self, adapter: Adapter, vendor: VendorHarness) -> None:
        """An update carrying a version the vendor has moved past is ``StaleVersionError``."""
        entity = self._entity(adapter.capabilities.reads & adapter.capabilities.writes, "writes")
        record = _needs(vendor.seed, entity, 1)[0]
        _needs(vendor.change_behind_adapter, record)
        stale = _needs(vendor.edit, record)
        error = _raised(
            StaleVersionError,
            "an update with a stale version",
            adapter.update,
            stale,
            idempotency_key=_key(),
        )
        self._check_error(error, "stale version")

    # --- rate limits, tokens --------------------------------------------------------------

    def test_rate_limited(self, adapter: Adapter, vendor: VendorHarness) -> None:
        """A throttled request is ``RateLimitedError`` with the vendor's wait; the next succeeds.

        The adapter must not wait or retry itself: the sync engine does, on its clock.
        """
        entity = self._entity(adapter.capabilities.reads, "reads")
        wait = _needs(vendor.throttle, 1)
        error = _raised(
            RateLimitedError,
            "a throttled request",
            adapter.list_changes,
            entity,
            cursor=None,
            page_size=self.page_size,
        )
        self._check_error(error, "rate limited")
        assert error.retry_after == wait, (
            f"the vendor asked to wait {wait} s; the error says {error.retry_after}"
        )
        adapter.list_changes(entity, cursor=None, page_size=self.page_size)

    def test_token_refresh_mid_listing(
        self, adapter: Adapter, vendor: VendorHarness, token_store: MemoryTokenStore
    ) -> None:
        """The access token expires between two pages: the listing completes with a new token.

        The adapter may refresh by itself, or raise ``VendorAuthError`` and leave it to the
        sync engine, which calls ``refresh()`` once and repeats the call: the kit does the same.
        """
        entity = self._entity(adapter.capabilities.reads, "reads")
        _needs(vendor.seed, entity, 2 * self.page_size + 1)
        saves = len(token_store.saved)
        first = adapter.list_changes(entity, cursor=None, page_size=self.page_size)
        assert first.more, "the first page says no more follow"
        _needs(vendor.expire_token)
        try:
            second = adapter.list_changes(entity, cursor=first.cursor, page_size=self.page_size)
        except VendorAuthError:
            adapter.refresh()
            second = adapter.list_changes(entity, cursor=first.cursor, page_size=self.page_size)
        rest = [second]
        if second.more:
            rest += self._list(adapter, entity, second.cursor, vendor.count(entity))
        ids = self._ids([first, *rest])
        assert len(ids) == vendor.count(entity), "the listing did not complete after a refresh"
        assert len(token_store.saved) > saves, "no new token was saved in the token store"
        tokens = [token.access_token.get_secret_value() for token in token_store.saved]
        assert tokens[-1] not in tokens[:-1], "the token saved is not a new access token"
        issued = {
            value.get_secret_value()
            for token in token_store.saved
            for value in (token.access_token, token.refresh_token)
        }
        assert_no_secrets(
            vendor.secrets() | issued,
            [adapter, token_store, *token_store.saved, first, *rest, *first.records],
        )

    def test_refresh_saves_the_token(
        self, adapter: Adapter, vendor: VendorHarness, token_store: MemoryTokenStore
    ) -> None:
        """``refresh`` returns new tokens and saves them in the token store."""
        token = adapter.refresh()
        assert token_store.saved, "refresh saved nothing"
        assert token_store.saved[-1] == token, "refresh did not save the token it returned"
        assert_no_secrets(
            vendor.secrets()
            | {token.access_token.get_secret_value(), token.refresh_token.get_secret_value()},
            [adapter, token, token_store],
        )

    # --- webhooks -------------------------------------------------------------------------

    def test_webhook_known_vector_verifies(self, adapter: Adapter, vendor: VendorHarness) -> None:
        """The vendor's signed delivery verifies, whatever the case of the header names."""
        self._webhooks(adapter)
        body, headers = _needs(vendor.webhook, True)
        assert adapter.verify_webhook(body, headers), "a validly signed webhook was refused"
        lower = {name.lower(): value for name, value in headers.items()}
        assert adapter.verify_webhook(body, lower), "refused with lower-case header names"
        upper = {name.upper(): value for name, value in headers.items()}
        assert adapter.verify_webhook(body, upper), "refused with upper-case header names"

    def test_webhook_forgeries_are_refused(self, adapter: Adapter, vendor: VendorHarness) -> None:
        """A body changed by one byte, a wrong signature, a missing header: all refused."""
        self._webhooks(adapter)
        body, headers = _needs(vendor.webhook, True)
        forged_body, forged_headers = _needs(vendor.webhook, False)
        middle = len(body) // 2
        one_byte = body[:middle] + bytes([body[middle] ^ 0x01]) + body[middle + 1 :]
        wrong = {name: _changed(value) for name, value in headers.items()}
        for case, (what, sent) in {
            "a forged delivery": (forged_body, forged_headers),
            "a body changed by one byte": (one_byte, headers),
            "a wrong signature": (body, wrong),
            "no headers": (body, {}),
        }.items():
            assert not adapter.verify_webhook(what, sent), f"{case} was accepted"

    def test_webhook_parses_to_change_notices(
        self, adapter: Adapter, vendor: VendorHarness
    ) -> None:
        """A verified delivery parses into change notices of entities the adapter reads."""
        self._webhooks(adapter)
        body, _ = _needs(vendor.webhook, True)
        notices = adapter.parse_webhook(body)
        assert notices, "the delivery parsed into no change notice"
        for notice in notices:
            assert notice.entity in adapter.capabilities.reads, f"{notice.entity} is not read"
            assert notice.external_id, "a change notice without an external id"

    # --- errors ---------------------------------------------------------------------------

    @pytest.mark.parametrize("kind", list(EXPECTED_ERRORS))
    def test_errors_are_normalised(
        self, adapter: Adapter, vendor: VendorHarness, kind: FailureKind
    ) -> None:
        """Each vendor failure surfaces as its ``VendorError`` subclass, naming the system."""
        capabilities = adapter.capabilities
        entity = self._entity(capabilities.reads, "reads")
        expected, doing = EXPECTED_ERRORS[kind], f"a {kind} failure"
        if kind == "validation" and entity in capabilities.writes:
            sent = _needs(vendor.sample, entity, 1)[0]
            _needs(vendor.fail_next, kind)
            error = _raised(expected, doing, adapter.create, sent, idempotency_key=_key())
        else:
            existing = str(_needs(vendor.seed, entity, 1)[0].external_id)
            _needs(vendor.fail_next, kind)
            error = _raised(expected, doing, adapter.get, entity, existing)
        self._check_error(error, kind)
        assert_no_secrets(vendor.secrets(), [error, error.detail])

    # --- helpers --------------------------------------------------------------------------

    def _entities(self, entities: Iterable[Entity]) -> list[Entity]:
        chosen = set(entities)
        return [entity for entity in ENTITY_ORDER if entity in chosen]

    def _entity(self, entities: Iterable[Entity], what: str) -> Entity:
        found = self._entities(entities)
        if not found:
            pytest.skip(f"the adapter {what} no entity")
        return found[0]

    def _webhooks(self, adapter: Adapter) -> None:
        if not adapter.capabilities.webhooks:
            pytest.skip("the adapter declares no webhooks")

    def _check_kept(self, entity: Entity, sent: Record, got: Record, step: str) -> None:
        assert got.entity == entity, f"{step} of a {entity} returned a {got.entity}"
        assert got.external_id, f"{entity}: {step} returned no external id"
        assert got.version, f"{entity}: {step} returned no version (updates need one)"
        assert not got.deleted, f"{entity}: {step} returned a deleted record"
        assert sent.document is not None, f"{entity}: the harness sample has no document"
        assert got.document is not None, f"{entity}: {step} returned no document"
        assert got.document.id == got.external_id, (
            f"{entity}: {step}: the document's id {got.document.id!r} is not the external id"
        )
        assert getattr(got.document, "status", None) != DocumentStatus.VOID, f"{entity}: void"
        differences = _differences(sent.document, got.document, self.unkept.get(entity, ()))
        assert not differences, f"{entity}: {step} changed " + "; ".join(differences)
        if got.applications is not None:  # None: the vendor states them on other records
            assert got.applications == sent.applications, f"{entity}: {step} changed applications"

    def _check_error(self, error: VendorError, what: str) -> None:
        assert error.system, f"the {what} error does not say which system (its 'system')"
        if self.system:
            assert error.system == self.system, (
                f"the {what} error names system {error.system!r}, not {self.system!r}"
            )

    def _list(self, adapter: Adapter, entity: Entity, cursor: str | None, held: int) -> list[Page]:
        """Every page from ``cursor`` on; fails if the listing does not end."""
        limit = held // self.page_size + 3
        pages: list[Page] = []
        while len(pages) < limit:
            page = adapter.list_changes(entity, cursor=cursor, page_size=self.page_size)
            pages.append(page)
            for record in page.records:
                assert record.entity == entity, f"a listing of {entity} gave a {record.entity}"
            if not page.more:
                return pages
            assert page.cursor is not None, "a page says more follow but has no cursor"
            cursor = page.cursor
        raise AssertionError(
            f"the listing of {held} objects did not end after {limit} pages of "
            f"{self.page_size}: does the adapter lose its place between pages?"
        )

    def _ids(self, pages: Iterable[Page]) -> list[str | None]:
        ids = [record.external_id for page in pages for record in page.records]
        duplicates = sorted({str(i) for i in ids if ids.count(i) > 1})
        assert not duplicates, f"objects listed more than once: {duplicates}"
        return ids


def _changed(value: str) -> str:
    """``value`` with its last character replaced."""
    if not value:
        return "x"
    return value[:-1] + ("0" if value[-1] != "0" else "1")
