"""Sync: an initial pull from the QuickBooks simulator, the rate limit, and an incremental pull.

What is measured, in one run, against ``arcore_quickbooks.simulator`` on 127.0.0.1 (real HTTP,
the unmodified python-quickbooks client) with the simulator and the engine sharing one
``FakeClock`` (nobody sleeps; the limiter's waits move the simulated time):

* **Initial pull**: N invoices, 0.4·N payments (each applied in full to one invoice) and N/50
  customers seeded into the simulator (``sim.seed``, stamped over simulated history), then
  ``SyncEngine.pull()`` into an empty SQLite file store, every record written through the
  ``Ledger``. Reported: the requests made (from ``sim.requests``) against the minimum
  possible (``ceil(objects / 1000)`` per entity, at least one, plus the discovery and token
  requests), the simulated time against the least time the 500 requests/minute limit forces
  for that many requests, 429s received, the wall time and records/s of the real work.
* **Rate-limit ceiling**: 1000-object pages make the initial pull far fewer requests than
  500 a minute, so the limit never binds there. To measure how close the engine's limiter
  runs to the ceiling, the same objects are listed again with 10-object pages (a full
  ``plan()``: listing only, no writes), so the limit binds: requests, simulated time,
  ``(requests per simulated minute) / 500`` (the target is ≥ 90 %; a sliding window lets the
  first 500 through at once, so a short run can exceed 100 %), the least time the limit
  forces ÷ the time taken, and the 429s the simulator answered (the limiter should keep
  them at zero).
* **Incremental pull**: 10 simulated minutes later, 1 % of the invoices and payments get a
  new memo in QuickBooks (edited in the simulator's store, as another user would); a new
  engine and adapter pull again. Reported: the requests (all CDC, one per entity read),
  records changed, wall time.

Size: ``ARCORE_BENCH_SYNC_INVOICES`` (default 50,000); payments 40 % of that.

**Xero** (``sync_xero``): the same three figures against ``arcore_xero.simulator`` and the
unmodified xero-python client, at Xero's limits: 100 objects a page and 60 requests a minute
per organisation (the simulator enforces them, and its remaining-limit headers). The minimum
is ``ceil(objects / 100)`` requests per entity read (customers, invoices, credit notes,
payments) plus the token requests; the ceiling listing uses 10-object pages so the 60/minute
limit binds for minutes of simulated time; the incremental pull follows 1 % of the invoices
getting a new reference in Xero (Xero payments cannot be edited, only reversed). Size:
``ARCORE_BENCH_SYNC_XERO_INVOICES`` (default 1,500: the 10-object listing then takes minutes of
simulated time at 60 a minute; the simulator's seeding copies its books on every object, so
seeding grows with the square of the size); payments 40 % of that. ``python
benchmarks/bench_sync.py --xero`` runs only Xero and writes ``results/sync_xero.json``.
"""

from __future__ import annotations

import json
import math
import os
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from arcore.adapter import Capabilities, Connection
from arcore.ledger import Ledger
from arcore.store import open_store
from arcore.sync import FakeClock, RetryPolicy, SyncEngine
from arcore.sync.tokens import StoreTokenStore
from arcore_quickbooks.adapter import QuickBooksAdapter
from arcore_quickbooks.plugin import CAPABILITIES
from arcore_quickbooks.simulator import QuickBooksSimulator
from arcore_xero.adapter import XeroAdapter
from arcore_xero.plugin import CAPABILITIES as XERO_CAPABILITIES
from arcore_xero.simulator import XeroSimulator

N_DEFAULT = 50_000
SEED = 20261125
REALM = "5550001"
COMPANY = "acme"
PAGE = 1000
LIMIT = 500  # requests per minute, QuickBooks' and the simulator's
SMALL_PAGE = 10
START = datetime(2026, 10, 20, tzinfo=UTC)


class SmallPages(QuickBooksAdapter):
    """The adapter declaring 10-object pages: the listing then needs many requests."""

    @property
    def capabilities(self) -> Capabilities:
        return CAPABILITIES.model_copy(update={"page_size": SMALL_PAGE})


def _line(amount: Decimal) -> dict[str, Any]:
    return {
        "Amount": amount,
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {"ItemRef": {"value": "1"}, "Qty": 1, "UnitPrice": amount},
    }


def seed(sim: QuickBooksSimulator, clock: FakeClock, n: int) -> dict[str, int]:
    """Customers, invoices and payments over simulated history (a second per 20 objects)."""
    rng = random.Random(SEED)
    customers = [
        sim.seed(REALM, "Customer", {"DisplayName": f"Customer {c:05d}"})["Id"]
        for c in range(max(1, n // 50))
    ]
    invoices: list[tuple[str, str, Decimal]] = []
    for i in range(n):
        if i % 20 == 0:
            clock.advance(1)
        customer = customers[i % len(customers)]
        amount = Decimal(rng.randrange(1_000, 500_000)) / 100
        obj = {
            "CustomerRef": {"value": customer},
            "DocNumber": f"B{i:07d}",
            "TxnDate": "2026-09-01",
            "Line": [_line(amount)],
        }
        invoices.append((sim.seed(REALM, "Invoice", obj)["Id"], customer, amount))
    payments = int(n * 0.4)
    for p in range(payments):
        if p % 20 == 0:
            clock.advance(1)
        invoice, customer, amount = invoices[p]
        line = {"Amount": amount, "LinkedTxn": [{"TxnId": invoice, "TxnType": "Invoice"}]}
        obj = {"CustomerRef": {"value": customer}, "TxnDate": "2026-09-15", "TotalAmt": amount}
        sim.seed(REALM, "Payment", {**obj, "Line": [line]})
    return {"customer": len(customers), "invoice": n, "payment": payments, "term": 0}


def _connection(sim: QuickBooksSimulator, tokens: StoreTokenStore) -> Connection:
    return Connection(
        system="quickbooks",
        tenant=REALM,
        settings={
            "client_id": "arcore-bench",
            "environment": sim.discovery_url,
            "redirect_uri": "http://localhost/callback",
            "api_url": sim.api_url,
            "company_id": COMPANY,
        },
        secrets={
            "client_secret": SecretStr("bench-secret"),
            "refresh_token": SecretStr("bench-refresh-token"),
        },
        token_store=tokens,
    )


def _kinds(records: list[Any]) -> dict[str, int]:
    def kind(path: str) -> str:
        if "/oauth2/" in path or "well-known" in path:
            return "auth"
        if path.endswith("/cdc"):
            return "cdc"
        if path.endswith("/query"):
            return "query"
        return "other"

    return dict(Counter(kind(r.path) for r in records))


def _forced_seconds(requests: int) -> int:
    """The least simulated time ``requests`` calls take under 500 per sliding minute."""
    return 60 * max(0, (requests - 1) // LIMIT)


def run() -> list[dict[str, Any]]:
    n = int(os.environ.get("ARCORE_BENCH_SYNC_INVOICES", N_DEFAULT))
    os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"  # loopback http:// to the simulator
    clock = FakeClock(START)
    with (
        QuickBooksSimulator(port=0, clock=clock.now) as sim,
        tempfile.TemporaryDirectory(prefix="arcore-bench-sync-") as tmp,
        open_store(f"sqlite:///{Path(tmp) / 'books.db'}") as store,
    ):
        started = time.perf_counter()
        counts = seed(sim, clock, n)
        seeded = time.perf_counter() - started
        clock.advance(600)
        Ledger(store, COMPANY).open_books("Acme Inc.", actor="bench", idempotency_key="open")
        tokens = StoreTokenStore(store, COMPANY, clock=clock)
        connection = _connection(sim, tokens)

        def engine(adapter: QuickBooksAdapter) -> SyncEngine:
            return SyncEngine(
                store,
                COMPANY,
                adapter,
                system="quickbooks",
                clock=clock,
                retry=RetryPolicy(rng=random.Random(SEED)),
            )

        # --- initial pull ---------------------------------------------------------------
        before, t0 = len(sim.requests), clock.now()
        started, cpu = time.perf_counter(), time.process_time()
        report = engine(QuickBooksAdapter(connection, clock=clock.now)).pull()
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        made = sim.requests[before:]
        simulated = (clock.now() - t0).total_seconds()
        pulled = sum(c.created for d, _, c in report.rows() if d == "pull")
        entities = {"term": 0, "credit_memo": 0, **counts}
        minimum_api = sum(max(1, math.ceil(k / PAGE)) for k in entities.values())
        kinds = _kinds(made)
        initial = {
            "records_pulled": pulled,
            "failures": len(report.failures),
            "requests": len(made),
            "requests_by_kind": kinds,
            "requests_minimum": minimum_api + kinds.get("auth", 0),
            "requests_minimum_api": minimum_api,
            "http_429": sum(r.status == 429 for r in made),
            "simulated_seconds": simulated,
            "simulated_seconds_forced_by_limit": _forced_seconds(len(made)),
            "wall_seconds": round(wall, 2),
            "cpu_seconds": round(cpu, 2),
            "records_per_second": round(pulled / wall, 1),
        }
        print(json.dumps({"initial": initial}), file=sys.stderr)

        # --- the rate-limit ceiling: the same listing with 10-object pages ---------------
        before, t0 = len(sim.requests), clock.now()
        started = time.perf_counter()
        plan = engine(SmallPages(connection, clock=clock.now)).plan(full=True, push=False)
        listing_wall = time.perf_counter() - started
        made = [r for r in sim.requests[before:] if "/v3/" in r.path]
        simulated = (clock.now() - t0).total_seconds()
        forced = _forced_seconds(len(made))
        ceiling = {
            "page_size": SMALL_PAGE,
            "objects_listed": len(plan.changes) + pulled,  # planned changes + unchanged
            "requests": len(made),
            "http_429": sum(r.status == 429 for r in made),
            "simulated_seconds": simulated,
            "simulated_seconds_forced_by_limit": forced,
            "fraction_of_ceiling": round(len(made) / (simulated / 60) / LIMIT, 3)
            if simulated
            else None,
            "forced_over_taken": round(forced / simulated, 3) if simulated else None,
            "wall_seconds": round(listing_wall, 2),
        }
        print(json.dumps({"ceiling": ceiling}), file=sys.stderr)

        # --- incremental pull after 1 % changed -------------------------------------------
        clock.advance(600)
        changed = 0
        for entity, total in (("Invoice", n), ("Payment", int(n * 0.4))):
            objects = sim.objects(REALM, entity)
            for obj in random.Random(SEED).sample(objects, max(1, total // 100)):
                body = {
                    "Id": obj["Id"],
                    "SyncToken": obj["SyncToken"],
                    "sparse": True,
                    "PrivateNote": "changed in QuickBooks",
                }
                # Another QuickBooks user's edit: straight into the simulator's store, so it
                # is not counted among the engine's requests.
                sim._store.write(REALM, entity, body, None, None)
                changed += 1
        clock.advance(600)
        before = len(sim.requests)
        started = time.perf_counter()
        report = engine(QuickBooksAdapter(connection, clock=clock.now)).pull()
        wall = time.perf_counter() - started
        made = sim.requests[before:]
        incremental = {
            "objects_changed": changed,
            "records_listed": sum(
                c.created + c.updated + c.deleted + c.unchanged + c.conflicts + c.failures
                for d, _, c in report.rows()
                if d == "pull"
            ),
            "failures": len(report.failures),
            "requests": len(made),
            "requests_by_kind": _kinds(made),
            "wall_seconds": round(wall, 2),
        }
        print(json.dumps({"incremental": incremental}), file=sys.stderr)

    quickbooks = rows(
        {
            "name": "sync_quickbooks",
            "size": {"invoices": n, "payments": int(n * 0.4), "customers": counts["customer"]},
            "seed_seconds": round(seeded, 2),
            "initial_pull": initial,
            "rate_limit_ceiling": ceiling,
            "incremental_pull": incremental,
        }
    )
    return quickbooks + xero_rows(run_xero())


def rows(detail: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows ``run.py`` tabulates, each with its baseline, and every figure beside them.

    * initial pull: records/s (wall) against what the rate limit would allow at 1000-object
      pages (500 × 1000 records a minute);
    * 10-object listing: requests per simulated second against the ceiling (500/60);
    * incremental: records/s (wall) against the initial pull's.
    """
    initial = detail["initial_pull"]
    ceiling = detail["rate_limit_ceiling"]
    incremental = detail["incremental_pull"]
    allowed = LIMIT * PAGE / 60
    rate = ceiling["requests"] / ceiling["simulated_seconds"] if ceiling["simulated_seconds"] else 0
    incremental_rate = incremental["records_listed"] / max(incremental["wall_seconds"], 0.01)
    return [
        {
            "case": "initial pull (records, wall)",
            "items": initial["records_pulled"],
            "per_second": initial["records_per_second"],
            "baseline": {"name": "500 req/min × 1000/page", "per_second": allowed},
            "ratio": round(initial["records_per_second"] / allowed, 4),
            **detail,
        },
        {
            "case": "listing at 10/page (requests, simulated)",
            "items": ceiling["requests"],
            "per_second": round(rate, 3),
            "baseline": {"name": "500 requests/min ceiling", "per_second": LIMIT / 60},
            "ratio": round(rate / (LIMIT / 60), 3),
        },
        {
            "case": "incremental after 1 % changed (records, wall)",
            "items": incremental["records_listed"],
            "per_second": round(incremental_rate, 1),
            "baseline": {"name": "initial pull", "per_second": initial["records_per_second"]},
            "ratio": round(incremental_rate / initial["records_per_second"], 2),
        },
    ]


# --- Xero --------------------------------------------------------------------------------

XERO_N_DEFAULT = 1500
XERO_TENANT = "2b3c4d5e-6f70-4a81-9b2c-3d4e5f607182"
XERO_PAGE = 100
XERO_LIMIT = 60  # requests per minute per organisation, Xero's and the simulator's


class XeroSmallPages(XeroAdapter):
    """The Xero adapter declaring 10-object pages: the listing then needs many requests."""

    @property
    def capabilities(self) -> Capabilities:
        return XERO_CAPABILITIES.model_copy(update={"page_size": SMALL_PAGE})


def seed_xero(sim: XeroSimulator, clock: FakeClock, n: int) -> dict[str, int]:
    """Contacts, authorised invoices and their payments over simulated history."""
    rng = random.Random(SEED)
    contacts = [
        sim.seed(XERO_TENANT, "Contacts", {"Name": f"Customer {c:05d}"})["ContactID"]
        for c in range(max(1, n // 50))
    ]
    invoices: list[tuple[str, Decimal]] = []
    for i in range(n):
        if i % 20 == 0:
            clock.advance(1)
        amount = Decimal(rng.randrange(1_000, 500_000)) / 100
        obj = {
            "Type": "ACCREC",
            "Contact": {"ContactID": contacts[i % len(contacts)]},
            "InvoiceNumber": f"B{i:07d}",
            "Date": "2026-09-01",
            "DueDate": "2026-10-01",
            "Status": "AUTHORISED",
            "LineItems": [{"Description": "Work", "Quantity": 1, "UnitAmount": amount}],
        }
        invoices.append((sim.seed(XERO_TENANT, "Invoices", obj)["InvoiceID"], amount))
    payments = int(n * 0.4)
    for p in range(payments):
        if p % 20 == 0:
            clock.advance(1)
        invoice, amount = invoices[p]
        obj = {
            "Invoice": {"InvoiceID": invoice},
            "Account": {"Code": "090"},
            "Date": "2026-09-15",
            "Amount": amount,
        }
        sim.seed(XERO_TENANT, "Payments", obj)
    return {"customer": len(contacts), "invoice": n, "payment": payments, "credit_memo": 0}


def _xero_connection(sim: XeroSimulator, tokens: StoreTokenStore) -> Connection:
    return Connection(
        system="xero",
        tenant=XERO_TENANT,
        settings={
            "client_id": "arcore-bench",
            "api_url": sim.base_url,
            "identity_url": sim.token_url,
            "company_id": COMPANY,
        },
        secrets={
            "client_secret": SecretStr("bench-secret"),
            "refresh_token": SecretStr("bench-refresh-token"),
        },
        token_store=tokens,
    )


def _xero_api(records: list[Any]) -> list[Any]:
    return [r for r in records if r.path.startswith("/api.xro/2.0/")]


def _xero_forced_seconds(requests: int) -> int:
    """The least simulated time ``requests`` calls take under 60 per sliding minute."""
    return 60 * max(0, (requests - 1) // XERO_LIMIT)


def run_xero() -> dict[str, Any]:
    """The three figures against the Xero simulator (see the module documentation)."""
    n = int(os.environ.get("ARCORE_BENCH_SYNC_XERO_INVOICES", XERO_N_DEFAULT))
    clock = FakeClock(START)
    with (
        XeroSimulator(port=0, clock=clock.now) as sim,
        tempfile.TemporaryDirectory(prefix="arcore-bench-sync-xero-") as tmp,
        open_store(f"sqlite:///{Path(tmp) / 'books.db'}") as store,
    ):
        started = time.perf_counter()
        counts = seed_xero(sim, clock, n)
        seeded = time.perf_counter() - started
        clock.advance(600)
        Ledger(store, COMPANY).open_books("Acme Inc.", actor="bench", idempotency_key="open")
        tokens = StoreTokenStore(store, COMPANY, clock=clock)
        connection = _xero_connection(sim, tokens)

        def engine(adapter: XeroAdapter) -> SyncEngine:
            return SyncEngine(
                store,
                COMPANY,
                adapter,
                system="xero",
                clock=clock,
                retry=RetryPolicy(rng=random.Random(SEED)),
            )

        # --- initial pull ---------------------------------------------------------------
        before, t0 = len(sim.requests), clock.now()
        started, cpu = time.perf_counter(), time.process_time()
        report = engine(XeroAdapter(connection, clock=clock.now)).pull()
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        made = sim.requests[before:]
        api = _xero_api(made)
        simulated = (clock.now() - t0).total_seconds()
        pulled = sum(c.created for d, _, c in report.rows() if d == "pull")
        minimum_api = sum(max(1, math.ceil(k / XERO_PAGE)) for k in counts.values())
        auth = len(made) - len(api)
        initial = {
            "records_pulled": pulled,
            "failures": len(report.failures),
            "requests": len(made),
            "requests_api": len(api),
            "requests_minimum": minimum_api + auth,
            "requests_minimum_api": minimum_api,
            "http_429": sum(r.status == 429 for r in made),
            "simulated_seconds": simulated,
            "simulated_seconds_forced_by_limit": _xero_forced_seconds(len(api)),
            "wall_seconds": round(wall, 2),
            "cpu_seconds": round(cpu, 2),
            "records_per_second": round(pulled / wall, 1),
        }
        print(json.dumps({"xero_initial": initial}), file=sys.stderr)

        # --- the rate-limit ceiling: the same listing with 10-object pages ---------------
        clock.advance(60)  # a fresh minute, so the window starts empty
        before, t0 = len(sim.requests), clock.now()
        started = time.perf_counter()
        plan = engine(XeroSmallPages(connection, clock=clock.now)).plan(full=True, push=False)
        listing_wall = time.perf_counter() - started
        made = _xero_api(sim.requests[before:])
        simulated = (clock.now() - t0).total_seconds()
        forced = _xero_forced_seconds(len(made))
        ceiling = {
            "page_size": SMALL_PAGE,
            "objects_listed": len(plan.changes) + pulled,
            "requests": len(made),
            "http_429": sum(r.status == 429 for r in made),
            "simulated_seconds": simulated,
            "simulated_seconds_forced_by_limit": forced,
            "fraction_of_ceiling": round(len(made) / (simulated / 60) / XERO_LIMIT, 3)
            if simulated
            else None,
            "forced_over_taken": round(forced / simulated, 3) if simulated else None,
            "wall_seconds": round(listing_wall, 2),
        }
        print(json.dumps({"xero_ceiling": ceiling}), file=sys.stderr)

        # --- incremental pull after 1 % of the invoices changed ---------------------------
        clock.advance(600)
        # Paid invoices cannot be edited in Xero: the unpaid ones get the new reference.
        invoices = [o for o in sim.objects(XERO_TENANT, "Invoices") if o["Status"] == "AUTHORISED"]
        changed = 0
        for obj in random.Random(SEED).sample(invoices, max(1, n // 100)):
            # Another Xero user's edit (a POST /Invoices/{id} as Xero takes it), straight into
            # the simulator's store, so it is not counted among the engine's requests.
            with sim._lock:
                sim._store.write(
                    sim._tenant(XERO_TENANT),
                    "Invoices",
                    [{"InvoiceID": obj["InvoiceID"], "Reference": "changed in Xero"}],
                    create_only=False,
                    summarize_errors=True,
                    path_id=obj["InvoiceID"],
                )
            changed += 1
        clock.advance(600)
        before = len(sim.requests)
        started = time.perf_counter()
        report = engine(XeroAdapter(connection, clock=clock.now)).pull()
        wall = time.perf_counter() - started
        made = sim.requests[before:]
        incremental = {
            "objects_changed": changed,
            "records_listed": sum(
                c.created + c.updated + c.deleted + c.unchanged + c.conflicts + c.failures
                for d, _, c in report.rows()
                if d == "pull"
            ),
            "failures": len(report.failures),
            "requests": len(made),
            "requests_api": len(_xero_api(made)),
            "wall_seconds": round(wall, 2),
        }
        print(json.dumps({"xero_incremental": incremental}), file=sys.stderr)

    return {
        "name": "sync_xero",
        "size": {"invoices": n, "payments": int(n * 0.4), "customers": counts["customer"]},
        "seed_seconds": round(seeded, 2),
        "initial_pull": initial,
        "rate_limit_ceiling": ceiling,
        "incremental_pull": incremental,
    }


def xero_rows(detail: dict[str, Any]) -> list[dict[str, Any]]:
    """The Xero rows, as ``rows`` makes them for QuickBooks, at 60 requests × 100 a minute."""
    initial = detail["initial_pull"]
    ceiling = detail["rate_limit_ceiling"]
    incremental = detail["incremental_pull"]
    allowed = XERO_LIMIT * XERO_PAGE / 60
    rate = ceiling["requests"] / ceiling["simulated_seconds"] if ceiling["simulated_seconds"] else 0
    incremental_rate = incremental["records_listed"] / max(incremental["wall_seconds"], 0.01)
    return [
        {
            "case": "xero: initial pull (records, wall)",
            "items": initial["records_pulled"],
            "per_second": initial["records_per_second"],
            "baseline": {"name": "60 req/min × 100/page", "per_second": allowed},
            "ratio": round(initial["records_per_second"] / allowed, 4),
            **detail,
        },
        {
            "case": "xero: listing at 10/page (requests, simulated)",
            "items": ceiling["requests"],
            "per_second": round(rate, 3),
            "baseline": {"name": "60 requests/min ceiling", "per_second": XERO_LIMIT / 60},
            "ratio": round(rate / (XERO_LIMIT / 60), 3),
        },
        {
            "case": "xero: incremental after 1 % changed (records, wall)",
            "items": incremental["records_listed"],
            "per_second": round(incremental_rate, 1),
            "baseline": {"name": "initial pull", "per_second": initial["records_per_second"]},
            "ratio": round(incremental_rate / initial["records_per_second"], 2),
        },
    ]


if __name__ == "__main__":
    if "--xero" in sys.argv:
        import platform

        started = time.perf_counter()
        xero = xero_rows(run_xero())
        report = {
            "benchmark": "sync_xero",
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "machine": platform.machine(),
            "seconds": round(time.perf_counter() - started, 3),
            "results": xero,
        }
        out = Path(__file__).parent / "results" / "sync_xero.json"
        out.write_text(json.dumps(report, indent=2) + "\n")
        print(json.dumps(xero[0], indent=2))
    else:
        print(json.dumps(run()[0], indent=2))
