"""Push: core objects to the vendor through the outbox; stale versions and the policies."""

from __future__ import annotations

import json

import pytest
from fake_adapter import FakeAdapter, FakeVendor
from sqlalchemy import select
from sync_data import COMPANY, credit_memo, customer, invoice, payment, usd

from arcore.adapter import Applied
from arcore.documents import DocumentStatus
from arcore.ledger import Ledger
from arcore.money import Money
from arcore.store import SqlStore
from arcore.store.schema import sync_outbox
from arcore.sync import FakeClock, SyncEngine, list_conflicts
from arcore.sync.conflicts import ConflictPolicy


def _engine(
    store: SqlStore, adapter: FakeAdapter, clock: FakeClock, policy: ConflictPolicy = "hold"
) -> SyncEngine:
    return SyncEngine(store, COMPANY, adapter, system="fakebooks", clock=clock, policy=policy)


def core_books(ledger: Ledger) -> None:
    """Two customers, two invoices, a payment applied to both."""
    for id, name in (("c-1", "Initech"), ("c-2", "Umbrella")):
        ledger.add_customer(customer(id, name, company=COMPANY), actor="t", idempotency_key=id)
    for id, who, amount in (
        ("i-1", "c-1", "100.00"),
        ("i-2", "c-1", "40.00"),
        ("i-3", "c-2", "9.99"),
    ):
        ledger.issue(invoice(id, who, amount, company=COMPANY), actor="t", idempotency_key=id)
    ledger.record_payment(
        payment("p-1", "c-1", "120.00", company=COMPANY), actor="t", idempotency_key="p-1"
    )
    on = payment("p-1", "c-1", "1.00").received_date
    ledger.apply("p-1", "i-1", usd("100.00"), on=on, actor="t", idempotency_key="a-1")
    ledger.apply("p-1", "i-2", usd("20.00"), on=on, actor="t", idempotency_key="a-2")


def _outbox(store: SqlStore) -> list[dict[str, str]]:
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(
                sync_outbox.c.idempotency_key,
                sync_outbox.c.operation,
                sync_outbox.c.state,
                sync_outbox.c.core_id,
            )
        ).mappings()
        return [dict(row) for row in rows]


def test_push_creates_every_core_object_once_with_references_in_vendor_ids(
    books: SqlStore, ledger: Ledger, vendor: FakeVendor, adapter: FakeAdapter, clock: FakeClock
) -> None:
    core_books(ledger)

    report = _engine(books, adapter, clock).push()

    assert report.ok, report.failures
    assert report.of("push", "customer").created == 2
    assert report.of("push", "invoice").created == 3
    assert report.of("push", "payment").created == 1
    assert report.of("push", "payment").updated == 0  # its applications went with the create
    customers = {r.document.name: r.external_id for r in vendor.live("customer")}  # type: ignore[union-attr]
    invoices = {r.document.number: r for r in vendor.live("invoice")}  # type: ignore[union-attr]
    assert invoices["INV-i-1"].document.customer_id == customers["Initech"]  # type: ignore[union-attr]
    (paid,) = vendor.live("payment")
    applied = {a.target_id: a.amount for a in paid.applications}
    assert applied == {
        invoices["INV-i-1"].external_id: usd("100.00"),
        invoices["INV-i-2"].external_id: usd("20.00"),
    }


def test_every_write_carries_the_key_stored_in_the_outbox_before_the_call(
    books: SqlStore, ledger: Ledger, vendor: FakeVendor, adapter: FakeAdapter, clock: FakeClock
) -> None:
    core_books(ledger)

    _engine(books, adapter, clock).push()

    rows = _outbox(books)
    assert len(rows) == 6  # 2 customers, 3 invoices, 1 payment with its applications
    assert {row["state"] for row in rows} == {"done"}
    assert {row["idempotency_key"] for row in rows} == set(vendor.replies)


def test_a_second_push_sends_nothing_and_a_pull_after_it_changes_nothing(
    books: SqlStore, ledger: Ledger, vendor: FakeVendor, adapter: FakeAdapter, clock: FakeClock
) -> None:
    core_books(ledger)
    _engine(books, adapter, clock).push()
    sent = len(vendor.replies)

    report = _engine(books, adapter, clock).run()

    assert len(vendor.replies) == sent
    assert report.ok
    assert all(c.created == c.updated == c.deleted == 0 for _, _, c in report.rows())


def test_a_core_change_is_pushed_as_an_update_and_a_void_as_a_void(
    books: SqlStore, ledger: Ledger, vendor: FakeVendor, adapter: FakeAdapter, clock: FakeClock
) -> None:
    core_books(ledger)
    _engine(books, adapter, clock).push()
    ledger.add_customer(
        customer("c-2", "Umbrella Corp", company=COMPANY), actor="t", idempotency_key="c-2b"
    )
    ledger.void("i-3", on=invoice("x", "x", "1").document_date, actor="t", idempotency_key="v-3")

    report = _engine(books, adapter, clock).push()

    assert report.of("push", "customer").updated == 1
    assert report.of("push", "invoice").deleted == 1
    names = sorted(r.document.name for r in vendor.live("customer"))  # type: ignore[union-attr]
    assert names == ["Initech", "Umbrella Corp"]
    (voided,) = [r for r in vendor.live("invoice") if r.document.number == "INV-i-3"]  # type: ignore[union-attr]
    assert voided.document.status is DocumentStatus.VOID  # type: ignore[union-attr]


def _both_changed(
    ledger: Ledger,
    vendor: FakeVendor,
    adapter: FakeAdapter,
    books: SqlStore,
    clock: FakeClock,
    policy: ConflictPolicy,
) -> SyncEngine:
    core_books(ledger)
    _engine(books, adapter, clock).push()
    (initech,) = [r for r in vendor.live("customer") if r.document.name == "Initech"]  # type: ignore[union-attr]
    assert initech.external_id is not None
    assert initech.document is not None
    vendor.change(
        "customer",
        initech.external_id,
        document=initech.document.model_copy(update={"name": "Initech (vendor)"}),
    )
    ledger.add_customer(
        customer("c-1", "Initech (core)", company=COMPANY), actor="t", idempotency_key="c-1b"
    )
    return _engine(books, adapter, clock, policy)


def _vendor_name(vendor: FakeVendor, ext_names: set[str]) -> str:
    return next(r.document.name for r in vendor.live("customer") if r.document.name in ext_names)  # type: ignore[union-attr]


def test_a_stale_version_is_held_with_both_versions_under_hold(
    books: SqlStore, ledger: Ledger, vendor: FakeVendor, adapter: FakeAdapter, clock: FakeClock
) -> None:
    engine = _both_changed(ledger, vendor, adapter, books, clock, "hold")

    report = engine.push()

    assert report.of("push", "customer").conflicts == 1
    (conflict,) = list_conflicts(books, COMPANY, "fakebooks")
    assert "Initech (core)" in (conflict.core_data or "")
    assert "Initech (vendor)" in (conflict.vendor_data or "")
    assert ledger.customer("c-1").name == "Initech (core)"
    assert _vendor_name(vendor, {"Initech (vendor)", "Initech (core)"}) == "Initech (vendor)"
    # Held objects are skipped until resolved.
    assert _engine(books, adapter, clock).push().of("push", "customer").conflicts == 1


def test_a_stale_version_under_core_wins_overwrites_the_vendor(
    books: SqlStore, ledger: Ledger, vendor: FakeVendor, adapter: FakeAdapter, clock: FakeClock
) -> None:
    engine = _both_changed(ledger, vendor, adapter, books, clock, "core_wins")

    report = engine.push()

    assert report.ok
    assert _vendor_name(vendor, {"Initech (vendor)", "Initech (core)"}) == "Initech (core)"
    assert ledger.customer("c-1").name == "Initech (core)"


def test_a_stale_version_under_vendor_wins_takes_the_vendor_version(
    books: SqlStore, ledger: Ledger, vendor: FakeVendor, adapter: FakeAdapter, clock: FakeClock
) -> None:
    engine = _both_changed(ledger, vendor, adapter, books, clock, "vendor_wins")

    report = engine.push()

    assert report.ok
    assert ledger.customer("c-1").name == "Initech (vendor)"
    assert _vendor_name(vendor, {"Initech (vendor)", "Initech (core)"}) == "Initech (vendor)"
    assert _engine(books, adapter, clock).run().ok


def test_a_refused_object_is_a_failure_and_the_rest_is_pushed(
    books: SqlStore, ledger: Ledger, vendor: FakeVendor, clock: FakeClock
) -> None:
    from fake_adapter import Faults

    from arcore.errors import VendorValidationError

    core_books(ledger)
    faults = Faults(
        plan={
            ("create", 3): (
                "before",
                lambda: VendorValidationError(
                    "bad", system="fakebooks", detail="Line 1: amount required"
                ),
            )
        }
    )
    report = _engine(books, FakeAdapter(vendor, faults=faults), clock).push()

    refused, unresolved = report.failures
    assert "Line 1: amount required" in refused.reason
    assert refused.core_id == "i-1"
    assert unresolved.core_id == "p-1"  # its application to i-1 waits for i-1
    assert "i-1" in unresolved.reason
    assert len(vendor.live("invoice")) == 2
    assert {row["state"] for row in _outbox(books) if row["core_id"] == "i-1"} == {"failed"}
    _ = Money, json


def test_a_write_lost_in_a_crash_is_resent_with_the_same_key_and_not_duplicated(
    books: SqlStore, ledger: Ledger, vendor: FakeVendor, clock: FakeClock
) -> None:
    from fake_adapter import Faults, Killed

    ledger.add_customer(customer("c-1", "Initech", company=COMPANY), actor="t", idempotency_key="c")
    faults = Faults(plan={("create", 1): ("after_commit", lambda: Killed("power cut"))})
    with pytest.raises(Killed):
        _engine(books, FakeAdapter(vendor, faults=faults), clock).push()
    (pending,) = _outbox(books)
    assert pending["state"] == "pending"
    assert list(vendor.replies) == [pending["idempotency_key"]]  # the vendor has it already

    report = _engine(books, FakeAdapter(vendor), clock).push()

    assert report.of("push", "customer").created == 1
    assert len(vendor.live("customer")) == 1
    assert _outbox(books) == [{**pending, "state": "done"}]
    assert vendor.requests.count("create") == 2  # sent twice, carried out once


def test_a_credit_memo_and_its_application_are_pushed(
    books: SqlStore, ledger: Ledger, vendor: FakeVendor, adapter: FakeAdapter, clock: FakeClock
) -> None:
    ledger.add_customer(customer("c-1", "Initech", company=COMPANY), actor="t", idempotency_key="c")
    ledger.issue(invoice("i-1", "c-1", "100.00", company=COMPANY), actor="t", idempotency_key="i")
    memo = credit_memo("m-1", "c-1", "15.00", corrects="i-1", company=COMPANY)
    ledger.issue(memo, actor="t", idempotency_key="m")
    ledger.apply("m-1", "i-1", usd("15.00"), on=memo.document_date, actor="t", idempotency_key="a")

    report = _engine(books, adapter, clock).push()

    assert report.ok, report.failures
    (pushed,) = vendor.live("credit_memo")
    (target,) = vendor.live("invoice")
    assert pushed.document.corrects == target.external_id  # type: ignore[union-attr]
    assert pushed.applications == (
        Applied(target_id=target.external_id or "", amount=usd("15.00")),
    )


def test_a_void_the_adapter_cannot_send_is_a_failure_saying_what_to_do(
    books: SqlStore, ledger: Ledger, vendor: FakeVendor, clock: FakeClock
) -> None:
    from fake_adapter import CAPABILITIES

    core_books(ledger)
    cannot_void = FakeAdapter(
        vendor, capabilities=CAPABILITIES.model_copy(update={"voids": frozenset()})
    )
    _engine(books, cannot_void, clock).push()
    ledger.void("i-3", on=invoice("x", "x", "1").document_date, actor="t", idempotency_key="v-3")

    report = _engine(books, cannot_void, clock).push()

    (failure,) = report.failures
    assert failure.core_id == "i-3"
    assert "cannot void" in failure.reason
    assert "by hand" in failure.reason
