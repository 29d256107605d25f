"""arcore's adapter conformance kit, run on the Xero adapter against the simulator."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar, cast

import pytest

pytest.importorskip("xero_python")

from adapters.xero.xero_harness import Clock, XeroHarness, adapter
from arcore.adapter import Adapter, Capabilities, Entity
from arcore.documents import Payment
from arcore.errors import VendorValidationError
from arcore.testing import AdapterConformance, MemoryTokenStore, VendorHarness
from arcore_xero import plugin
from arcore_xero.adapter import XeroAdapter
from arcore_xero.simulator import XeroSimulator


class _PaymentsNotUpdated:
    """The adapter, declaring payments not written: the kit's round trip then leaves them out.

    A Xero payment cannot be changed, only reversed, so the kit's "update gives back what
    was sent" cannot hold for it; ``test_payment_round_trip`` checks the rest for payments.
    """

    def __init__(self, adapter: XeroAdapter) -> None:
        self._adapter = adapter

    @property
    def capabilities(self) -> Capabilities:
        declared = self._adapter.capabilities
        return declared.model_copy(update={"writes": declared.writes - {"payment"}})

    def __getattr__(self, name: str) -> Any:
        return getattr(self._adapter, name)


class TestXeroConformance(AdapterConformance):
    system = "xero"
    plugin = plugin
    # Xero voids invoices and credit notes and reverses payments; it deletes nothing arcore
    # writes (drafts are deleted by voiding them).
    voids = frozenset({"invoice", "credit_memo", "payment"})
    deletes = frozenset()
    # What Xero does not keep (see docs/how-to/xero.md): a customer's aliases, parent, credit
    # limit, bank accounts and tax exemption; a payment's method and memo.
    unkept: ClassVar[Mapping[Entity, frozenset[str]]] = {
        "customer": frozenset(
            {"aliases", "parent_id", "credit_limit", "bank_accounts", "tax_exempt"}
        ),
        "payment": frozenset({"method", "memo"}),
    }
    page_size = 2

    @pytest.fixture
    def clock(self) -> Clock:
        return Clock()

    @pytest.fixture
    def simulator(self, clock: Clock) -> Iterator[XeroSimulator]:
        with XeroSimulator(port=0, clock=clock) as sim:
            yield sim

    @pytest.fixture
    def vendor(self, simulator: XeroSimulator, clock: Clock) -> XeroHarness:
        return XeroHarness(simulator, clock)

    def test_round_trip(self, adapter: Adapter, vendor: VendorHarness) -> None:
        """The kit's round trip for customers, invoices and credit notes (payments below)."""
        assert isinstance(adapter, XeroAdapter)
        super().test_round_trip(cast(Adapter, _PaymentsNotUpdated(adapter)), vendor)

    def test_payment_round_trip(self, adapter: XeroAdapter, vendor: XeroHarness) -> None:
        """A payment comes back from create and get as sent; changing it is refused."""
        (sent,) = vendor.sample("payment", 1)
        created = adapter.create(sent, idempotency_key="kit-payment-create")
        self._check_kept("payment", sent, created, "create")
        fetched = adapter.get("payment", str(created.external_id))
        self._check_kept("payment", sent, fetched, "get after create")
        assert fetched.version == created.version
        assert isinstance(fetched.document, Payment)
        changed = fetched.document.model_copy(update={"reference": "another reference"})
        with pytest.raises(VendorValidationError, match="cannot change payment"):
            adapter.update(
                fetched.model_copy(update={"document": changed}), idempotency_key="kit-upd"
            )
        # What Xero does not keep is no change at all: nothing is sent, nothing refused.
        unkept = fetched.document.model_copy(update={"memo": "not kept by Xero"})
        assert adapter.update(
            fetched.model_copy(update={"document": unkept}), idempotency_key="kit-upd-2"
        ) == adapter.get("payment", str(created.external_id))

    @pytest.fixture
    def adapter(
        self, simulator: XeroSimulator, clock: Clock, token_store: MemoryTokenStore
    ) -> XeroAdapter:
        return adapter(simulator, token_store, clock)
