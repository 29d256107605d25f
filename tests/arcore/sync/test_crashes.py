"""Crash at any point of a sync, restart, and the books and the vendor still agree exactly.

Every step that changes something is a crash point: each vendor call (before the vendor
does anything, and after it committed a write but before the answer arrives), each ledger
command (before and after its commit), and each write of the engine's own state (outbox
row, mapping, cursor, outbox done). A run is killed at one of them (``Killed``, which
nothing catches); a new engine (a restarted process) runs again; at the end no object
exists twice in the vendor, none is missing in either place, and one more run changes
nothing.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fake_adapter import FakeAdapter, FakeVendor, Faults, Killed
from sync_data import customer, invoice, payment, usd

from arcore.adapter import Applied
from arcore.errors import TransientError
from arcore.ledger import Ledger
from arcore.store import SqlStore
from arcore.sync import FakeClock, RetryPolicy, SyncEngine

_STATE_WRITES = ("save_mappings", "save_cursor", "finish", "add_pending")
_LEDGER_COMMANDS = ("add_customer", "issue", "record_payment", "apply", "unapply", "void")


class Killer:
    """Counts crash points and kills the run at point number ``at`` (never: ``None``)."""

    def __init__(self, at: int | None) -> None:
        self.at = at
        self.points = 0

    def tick(self, where: str) -> None:
        self.points += 1
        if self.at is not None and self.points == self.at:
            raise Killed(where)


class CrashingAdapter(FakeAdapter):
    """The fake adapter with a crash point before every call and after every write."""

    def __init__(self, vendor: FakeVendor, killer: Killer, faults: Faults) -> None:
        super().__init__(vendor, faults=faults)
        self.killer = killer

    def _enter(self, operation: str) -> None:
        self.killer.tick(f"before {operation}")
        super()._enter(operation)

    def _write(self, operation: str, key: str, work: Callable[[], Any]) -> Any:
        result = super()._write(operation, key, work)
        self.killer.tick(f"after the vendor committed {operation}")
        return result


def _patched_engine(
    books: SqlStore,
    company: str,
    vendor: FakeVendor,
    killer: Killer,
    monkeypatch: pytest.MonkeyPatch,
    faults: Faults,
) -> SyncEngine:
    engine = SyncEngine(
        books,
        company,
        CrashingAdapter(vendor, killer, faults),
        system="fakebooks",
        clock=FakeClock(),
        retry=RetryPolicy(max_attempts=4, rng=random.Random(0)),
    )
    for name in _STATE_WRITES:
        original = getattr(engine.state, name)

        def crashing(
            *args: Any, _original: Any = original, _name: str = name, **kwargs: Any
        ) -> Any:
            killer.tick(f"before {_name}")
            return _original(*args, **kwargs)

        setattr(engine.state, name, crashing)
    for name in _LEDGER_COMMANDS:
        command = getattr(engine.ledger, name)

        def wrapped(*args: Any, _command: Any = command, _name: str = name, **kwargs: Any) -> Any:
            killer.tick(f"before ledger {_name}")
            result = _command(*args, **kwargs)
            killer.tick(f"after ledger {_name} committed")
            return result

        setattr(engine.ledger, name, wrapped)
    return engine


def _scenario(books: SqlStore, company: str) -> FakeVendor:
    """Objects on both sides: the vendor's to pull, the core's to push."""
    vendor = FakeVendor()
    vendor.add("customer", customer("C1", "Globex"))
    vendor.add("invoice", invoice("I1", "C1", "100.00"))
    vendor.add("invoice", invoice("I2", "C1", "50.00"))
    vendor.add("invoice", invoice("I3", "C1", "25.00"))
    vendor.add("payment", payment("P1", "C1", "120.00"), applications=[
        Applied(target_id="I1", amount=usd("100.00")), Applied(target_id="I2", amount=usd("20.00"))
    ])  # fmt: skip
    ledger = Ledger(books, company)
    ledger.open_books(company, actor="t", idempotency_key="open")
    ledger.add_customer(customer("c-1", "Initech", company=company), actor="t", idempotency_key="c")
    for id, amount in (("i-1", "80.00"), ("i-2", "30.00"), ("i-3", "12.34")):
        ledger.issue(invoice(id, "c-1", amount, company=company), actor="t", idempotency_key=id)
    ledger.record_payment(
        payment("p-1", "c-1", "90.00", company=company), actor="t", idempotency_key="p"
    )
    on = payment("p-1", "c-1", "1.00").received_date
    ledger.apply("p-1", "i-1", usd("80.00"), on=on, actor="t", idempotency_key="a1")
    ledger.apply("p-1", "i-2", usd("10.00"), on=on, actor="t", idempotency_key="a2")
    return vendor


def _converged(books: SqlStore, company: str, vendor: FakeVendor) -> None:
    ledger = Ledger(books, company)
    # No duplicate in the vendor: 2 customers, 6 invoices, 2 payments, numbers unique.
    assert len(vendor.live("customer")) == 2
    numbers = [r.document.number for r in vendor.live("invoice")]  # type: ignore[union-attr]
    assert sorted(numbers) == sorted(set(numbers))
    assert len(numbers) == 6
    assert len(vendor.live("payment")) == 2
    # Nothing lost in the core: every vendor object is mapped to one core object.
    mappings = books.sync_state(company, "fakebooks").mappings()
    for entity in ("customer", "invoice", "payment"):
        records = vendor.live(entity)  # type: ignore[arg-type]
        cores = {mappings.by_external(entity, r.external_id or "").core_id for r in records}  # type: ignore[union-attr,arg-type]
        assert len(cores) == len(records), entity
        for core_id in cores:
            if entity == "customer":
                ledger.customer(core_id)
            else:
                ledger.document(core_id)
    # Applications agree on both sides.
    for record in vendor.live("payment"):
        mapped = mappings.by_external("payment", record.external_id or "")
        assert mapped is not None
        core = {
            mappings.by_core("invoice", a.application.target_id).external_id: a.application.amount  # type: ignore[union-attr]
            for a in ledger.applications(mapped.core_id)
            if a.reversal_entry_id is None
        }
        assert core == {a.target_id: a.amount for a in record.applications}
    assert ledger.balance("fakebooks-customer-C1") == {"USD": usd("55.00")}
    assert ledger.balance("c-1") == {"USD": usd("32.34")}


def _run_until_done(
    books: SqlStore,
    company: str,
    vendor: FakeVendor,
    crash_points: Iterator[int | None],
    monkeypatch: pytest.MonkeyPatch,
    faults: Faults,
) -> int:
    crashes = 0
    for at in crash_points:
        with monkeypatch.context() as patch:
            engine = _patched_engine(books, company, vendor, Killer(at), patch, faults)
            try:
                report = engine.run()
            except Killed:
                crashes += 1
                continue
        assert report.ok, report.failures
        return crashes
    raise AssertionError("never finished")


def test_a_crash_at_every_point_then_a_rerun_converges(
    books: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    company = "probe"
    probe = _scenario(books, company)
    killer = Killer(None)
    with monkeypatch.context() as patch:
        assert _patched_engine(books, company, probe, killer, patch, Faults()).run().ok
    total = killer.points
    assert total > 50
    for at in range(1, total + 1):
        company = f"crash-{at}"
        vendor = _scenario(books, company)
        crashes = _run_until_done(books, company, vendor, iter([at, None]), monkeypatch, Faults())
        assert crashes == 1
        _converged(books, company, vendor)
        again = SyncEngine(
            books, company, FakeAdapter(vendor), system="fakebooks", clock=FakeClock()
        ).run()
        assert again.ok, at
        assert all(c.created == c.updated == c.deleted == 0 for _, _, c in again.rows()), at


@pytest.mark.parametrize("seed", range(6))
def test_seeded_campaign_of_crashes_and_transient_faults(
    books: SqlStore, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    rng = random.Random(seed)
    company = f"seed-{seed}"
    vendor = _scenario(books, company)
    plan = {
        (operation, rng.randint(1, 4)): (
            rng.choice(["before", "after_commit"]),
            lambda: TransientError("503", system="fakebooks"),
        )
        for operation in ("create", "apply", "list_changes", "update")
    }
    crash_points = iter([rng.randint(1, 70) for _ in range(rng.randint(1, 4))] + [None])

    _run_until_done(books, company, vendor, crash_points, monkeypatch, Faults(plan=plan))  # type: ignore[arg-type]

    _converged(books, company, vendor)
