"""The fault campaign of the sync engine, vendor-neutral: each adapter runs it with its simulator.

One seeded run builds books on both sides (customers, invoices, a credit memo and payments
with applications: arcore's side here in ``seed_core``, the vendor's in the adapter's test),
plans random faults in the simulator, and kills the "process" at a random vendor call (before
the call, or after it returned); then it starts a new adapter and a new engine on the same
store and token store and runs again until a run completes. Afterwards the two sides agree
exactly (the adapter's test says how its vendor is compared), and one more run changes nothing.

The simulator and the engine share one ``FakeClock``: nothing sleeps for real. Runs: 200 under
``CI`` or with ``ARCORE_CAMPAIGN_RUNS`` set (to that number, 200 if it is not one), else 25.
"""

from __future__ import annotations

import os
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from arcore.adapter import Connection, Entity, Page, Record
from arcore.documents import CreditMemo, Customer, Invoice, InvoiceLine, Payment
from arcore.ledger import Ledger
from arcore.money import Money
from arcore.store import SqlStore
from arcore.sync import FakeClock, RetryPolicy, SyncEngine
from arcore.sync.tokens import StoreTokenStore

__all__ = [
    "COMPANY",
    "RUNS",
    "Killed",
    "Killer",
    "SyncCampaign",
    "core_applied",
    "killable",
    "mappings_of",
    "runs",
    "seed_core",
    "usd",
]

COMPANY = "acme"


def runs() -> int:
    """How many seeds a campaign runs: ``ARCORE_CAMPAIGN_RUNS``, 200 under CI, else 25."""
    given = os.environ.get("ARCORE_CAMPAIGN_RUNS", "")
    if given.isdigit():
        return int(given)
    return 200 if given or os.environ.get("CI") else 25


RUNS = runs()


class Killed(BaseException):
    """The process died here (nothing but the test catches it)."""


@dataclass
class Killer:
    """Kills the run at vendor call number ``at``: before it, or once a call from ``at`` on
    has returned (a call that raised, a fault, is retried: the kill waits for one that got
    through)."""

    at: int | None
    after: bool = False
    calls: int = 0

    def tick(self, where: str, *, after: bool) -> None:
        if not after:
            self.calls += 1
        if self.at is None or after != self.after:
            return
        if self.calls == self.at or (after and self.calls > self.at):
            self.at = None
            raise Killed(f"{'after' if after else 'before'} {where}")


_A = TypeVar("_A")


def killable(base: type[_A]) -> type[_A]:
    """A subclass of the adapter class ``base`` whose process is killed at one of its calls.

    It is built ``cls(connection, clock=..., killer=Killer(...))``; ``list_changes``, ``get``,
    ``create``, ``update`` and ``apply`` tick the killer before and after the real call (the
    adapter's own calls to its ``get`` tick it too, as a real process would die there).
    """

    class KilledAdapter(base):  # type: ignore[valid-type,misc]
        """The real adapter, with the process killed at one of its calls."""

        def __init__(self, connection: Connection, *, clock: Any, killer: Killer) -> None:
            super().__init__(connection, clock=clock)
            self.killer = killer

        def _around(self, name: str, call: Any, *args: Any, **kwargs: Any) -> Any:
            self.killer.tick(name, after=False)
            result = call(*args, **kwargs)
            self.killer.tick(name, after=True)
            return result

        def list_changes(self, entity: Entity, *, cursor: str | None, page_size: int) -> Page:
            return self._around(  # type: ignore[no-any-return]
                "list_changes", super().list_changes, entity, cursor=cursor, page_size=page_size
            )

        def get(self, entity: Entity, external_id: str) -> Record:
            return self._around("get", super().get, entity, external_id)  # type: ignore[no-any-return]

        def create(self, record: Record, *, idempotency_key: str) -> Record:
            return self._around(  # type: ignore[no-any-return]
                "create", super().create, record, idempotency_key=idempotency_key
            )

        def update(self, record: Record, *, idempotency_key: str) -> Record:
            return self._around(  # type: ignore[no-any-return]
                "update", super().update, record, idempotency_key=idempotency_key
            )

        def apply(self, record: Record, applications: Any, *, idempotency_key: str) -> Record:
            return self._around(  # type: ignore[no-any-return]
                "apply", super().apply, record, applications, idempotency_key=idempotency_key
            )

    KilledAdapter.__name__ = f"Killed{base.__name__}"
    return KilledAdapter  # type: ignore[return-value]


def usd(text: str) -> Money:
    return Money(text, "USD")


def _invoice(id: str, customer_id: str, amount: str) -> Invoice:
    return Invoice(
        company_id=COMPANY,
        id=id,
        customer_id=customer_id,
        currency="USD",
        number=f"A-{id}",
        document_date=date(2026, 10, 1),
        terms="Net 30",
        lines=[InvoiceLine(description="Hours", quantity=Decimal(1), unit_price=usd(amount))],
    )


def seed_core(store: SqlStore, rng: random.Random, *, unapplied: bool = True) -> None:
    """arcore's side: 2 customers, 3 invoices, a credit memo applied, 2 payments applied.

    With ``unapplied`` the second payment (30.00) keeps 5.00 unapplied; without it (a vendor
    with no unapplied payments, Xero) it is 25.00, all applied.
    """
    ledger = Ledger(store, COMPANY)
    ledger.open_books("Acme Inc.", actor="t", idempotency_key="open")
    for id, name in (("c-initech", "Initech"), ("c-hooli", "Hooli")):
        customer = Customer(company_id=COMPANY, id=id, name=name, currency="USD")
        ledger.add_customer(customer, actor="t", idempotency_key=id)
    amounts = [f"{rng.randint(50, 900)}.{rng.randint(0, 99):02d}" for _ in range(3)]
    owners = ("c-initech", "c-initech", "c-hooli")
    for n, (owner, amount) in enumerate(zip(owners, amounts, strict=True), 1):
        ledger.issue(_invoice(f"i-{n}", owner, amount), actor="t", idempotency_key=f"i-{n}")
    memo = CreditMemo(
        company_id=COMPANY,
        id="cm-1",
        customer_id="c-hooli",
        currency="USD",
        number="ACM-1",
        document_date=date(2026, 10, 2),
        amount=usd("10.00"),
    )
    ledger.issue(memo, actor="t", idempotency_key="cm-1")
    on = date(2026, 10, 3)
    ledger.apply("cm-1", "i-3", usd("10.00"), on=on, actor="t", idempotency_key="a-cm")
    second = "30.00" if unapplied else "25.00"
    for id, owner, total in (("p-1", "c-initech", amounts[0]), ("p-2", "c-hooli", second)):
        payment = Payment(
            company_id=COMPANY,
            id=id,
            customer_id=owner,
            currency="USD",
            received_date=on,
            amount=usd(total),
            method="check",
        )
        ledger.record_payment(payment, actor="t", idempotency_key=id)
    ledger.apply("p-1", "i-1", usd(amounts[0]), on=on, actor="t", idempotency_key="a-1")
    ledger.apply("p-2", "i-3", usd("25.00"), on=on, actor="t", idempotency_key="a-2")


def mappings_of(store: SqlStore, system: str) -> Any:
    """The engine's mapping table for ``system`` (indexed by core and external id)."""
    return store.sync_state(COMPANY, system).mappings()


def core_applied(ledger: Ledger, mappings: Any, source_id: str) -> dict[str, Money]:
    """The live applications of a core payment or credit memo, by invoice external id."""
    applied: dict[str, Money] = {}
    for record in ledger.applications(source_id):
        if record.reversal_entry_id is not None or record.application.source_id != source_id:
            continue
        target = mappings.by_core("invoice", record.application.target_id)
        assert target is not None
        applied[target.external_id] = record.application.amount
    return applied


class SyncCampaign:
    """One seeded run: a store and engines started one after another, against one vendor.

    A vendor's campaign subclasses it: ``adapter`` makes the killable adapter, ``vendor_writes``
    lists the writes the simulator received since a mark, ``assert_converged`` compares the
    two sides.
    """

    system = ""

    def __init__(
        self, store: SqlStore, clock: FakeClock, seed: int, connection: Connection
    ) -> None:
        self.store = store
        self.clock = clock
        self.seed = seed
        self.connection = connection
        self.failures: list[object] = []

    @staticmethod
    def token_store(store: SqlStore, clock: FakeClock) -> StoreTokenStore:
        """The engine's token store in ``store`` (the connection's)."""
        return StoreTokenStore(store, COMPANY, clock=clock)

    def adapter(self, killer: Killer) -> Any:
        """A new adapter on ``self.connection`` that dies where ``killer`` says."""
        raise NotImplementedError

    def request_count(self) -> int:
        """How many requests the simulator has answered (a mark for ``vendor_writes``)."""
        raise NotImplementedError

    def vendor_writes(self, since: int) -> Sequence[object]:
        """The writes the simulator received after mark ``since``."""
        raise NotImplementedError

    def assert_converged(self) -> None:
        """Fail unless the vendor and arcore hold the same books."""
        raise NotImplementedError

    def engine(self, killer: Killer, attempt: int) -> SyncEngine:
        """A new process: a new adapter and engine on the same store and token store."""
        return SyncEngine(
            self.store,
            COMPANY,
            self.adapter(killer),
            system=self.system,
            clock=self.clock,
            retry=RetryPolicy(rng=random.Random(self.seed * 1000 + attempt)),
        )

    def run_until_done(self, rng: random.Random) -> tuple[int, int]:
        """Kill 1-3 runs at random calls, then run until one completes; (kills, runs)."""
        kills = rng.randint(1, 3)
        # Every run lists its entities first, so the first kill (at call 1-5) always happens;
        # later ones fall anywhere in the pull or the push (or never, if the run is shorter).
        killers = [Killer(rng.randint(1, 5), after=rng.random() < 0.5)]
        killers += [Killer(rng.randint(1, 30), after=rng.random() < 0.5) for _ in range(kills - 1)]
        killed = runs = 0
        self.failures = []
        for attempt in range(12):
            killer = killers[attempt] if attempt < len(killers) else Killer(None)
            runs += 1
            try:
                report = self.engine(killer, attempt).run()
            except Killed:
                killed += 1
                continue
            if report.ok:
                return killed, runs
            self.failures.append((report.failures, report.conflicts))
            # Retries ran out on a faulted call: the pending write or listing goes next run.
        raise AssertionError(f"seed {self.seed}: no run completed in {runs}: {self.failures}")

    def quiet_run(self) -> list[tuple[str, str, Any]]:
        """One more run (no faults, no kill): it writes nothing on either side.

        Returns the report's rows that count something other than ``unchanged``.
        """
        before = self.request_count()
        entries = sum(1 for _ in Ledger(self.store, COMPANY).journal())
        report = self.engine(Killer(None), 99).run()
        assert report.ok, report.failures
        assert list(self.vendor_writes(before)) == []
        assert sum(1 for _ in Ledger(self.store, COMPANY).journal()) == entries
        return [(d, e, c) for d, e, c in report.rows() if c.created or c.updated or c.deleted]

    def check(self, rng: random.Random) -> None:
        """Run until done (killed at least once), compare, then a quiet run and compare again."""
        killed, _ = self.run_until_done(rng)
        assert killed >= 1
        self.assert_converged()
        # The run after a push pulls back the vendor's echo of it, and reports nothing.
        assert self.quiet_run() == []
        self.assert_converged()
