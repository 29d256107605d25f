"""CSV import (issue 3): arcore's ``import_files`` against plain ``sqlite3`` ``executemany``.

What is compared, in one run:

* **arcore**: ``import_files`` of generated, seeded CSV files (1,000 customers, N invoices,
  N/2 payments each remitting two invoices, N applications) into a fresh SQLite file store
  opened with ``open_store`` (WAL, ``synchronous=NORMAL``). Two calls, so two transactions:
  customers + documents + payments, then applications. Everything the importer does is timed:
  reading and checking the CSV rows, posting the journal entries, the look-ups, the document
  status updates and the over-application check. The import runs in a child process so that
  its peak resident memory (``VmHWM``) is its own.
* **baseline**: a fresh SQLite file with the same tables and indexes (``metadata.create_all``
  on a plain SQLAlchemy engine: no triggers), the same PRAGMAs (WAL, ``synchronous=NORMAL``),
  one transaction per phase, into which plain ``sqlite3`` ``executemany`` inserts *exactly the
  rows arcore wrote* (method ``readback``): each table's rows are selected from arcore's
  database in chunks of 5,000 and only the ``executemany`` calls and the ``COMMIT`` are timed.
  That is the floor: no parsing, no checking, no look-ups, no updates.

``items`` are CSV rows read; ``ratio`` is arcore rows/s ÷ baseline rows/s on the same items
(so baseline seconds ÷ arcore seconds); the issue's target is ``ratio >= 0.5``.

Memory: the child's peak RSS for an import of N/10 rows and of N rows, next to a child that
only opens a store and imports nothing (the interpreter, SQLAlchemy, arcore). Streaming
means the two peaks are about equal.

Size: ``ARCORE_BENCH_ROWS`` (default 1,000,000) documents and applications.
"""

from __future__ import annotations

import csv
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _memory import peak_rss_mb

from arcore.csvfiles import COLUMNS

N_DEFAULT = 1_000_000
N_CUSTOMERS = 1_000
CHUNK = 5_000
SEED = 20261203
COMPANY = "bench"
TARGET = 0.5
BASE_DAY = date(2025, 1, 1)
APPLICATION = "application"  # arcore.ledger.journal.EntryKind.APPLICATION.value


# --- the input files ---------------------------------------------------------------------


def _cents(units: int) -> str:
    return f"{units // 100}.{units % 100:02d}"


def write_csvs(folder: Path, n: int, seed: int = SEED) -> dict[str, Path]:
    """Write customers, documents, payments and applications CSVs for ``n`` invoices.

    Invoices ``2j`` and ``2j+1`` belong to the same customer and are both paid by payment
    ``j``: the first in full, the second in part (every tenth with a 1.00 discount), so the
    statuses come out mixed. Rows are written as they are generated (nothing held).
    """
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths = {
        kind: folder / f"{kind}.csv"
        for kind in ("customers", "documents", "payments", "applications")
    }
    with paths["customers"].open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(COLUMNS["customers"])
        for c in range(N_CUSTOMERS):
            terms = ("Net 30", "2/10 Net 30", "Net 60")[c % 3]
            out.writerow(
                [f"C{c:05d}", f"Customer {c}", f"Cust {c}", "", "", "USD", terms, "100000.00"]
            )
    with (
        paths["documents"].open("w", newline="", encoding="utf-8") as docs_file,
        paths["payments"].open("w", newline="", encoding="utf-8") as pays_file,
        paths["applications"].open("w", newline="", encoding="utf-8") as apps_file,
    ):
        docs, pays, apps = csv.writer(docs_file), csv.writer(pays_file), csv.writer(apps_file)
        docs.writerow(COLUMNS["documents"])
        pays.writerow(COLUMNS["payments"])
        apps.writerow(COLUMNS["applications"])
        for j in range((n + 1) // 2):
            customer = f"C{j % N_CUSTOMERS:05d}"
            day = BASE_DAY + timedelta(days=j % 300)
            paid_day = (day + timedelta(days=20)).isoformat()
            pay_id = f"P{j:07d}"
            remittance: list[str] = []
            paid_total = 0
            for i in (2 * j, 2 * j + 1):
                if i >= n:
                    break
                number = f"INV-{i:07d}"
                amount = rng.randrange(1_000, 1_000_000)
                docs.writerow(
                    [number, "invoice", customer, day.isoformat(), "", "", "USD", _cents(amount)]
                )
                discount = 0
                if i % 2 == 0:
                    applied = amount
                elif i % 10 == 1:
                    applied, discount = amount - 100, 100
                else:
                    applied = amount // 2
                paid_total += applied
                remittance.append(f"{number}:{_cents(applied)}")
                shown = _cents(discount) if discount else ""
                apps.writerow([pay_id, number, paid_day, _cents(applied), shown])
            pays.writerow(
                [
                    pay_id,
                    paid_day,
                    _cents(paid_total),
                    "USD",
                    f"Customer {j % N_CUSTOMERS}",
                    f"ACCT{j % N_CUSTOMERS:05d}",
                    f"REF{j}",
                    ";".join(remittance),
                    customer,
                ]
            )
    return paths


# --- the arcore import, in a child process -------------------------------------------------


def _child(csv_dir: str, db: str, phases: str) -> None:
    """Import the files in ``csv_dir`` into ``db``; print seconds per phase and peak RSS."""
    from arcore.store import open_store
    from arcore.store.importer import import_files

    folder = Path(csv_dir)
    result: dict[str, Any] = {}
    store = open_store(f"sqlite:///{db}")
    try:
        if "1" in phases:
            started = time.perf_counter()
            report = import_files(
                store,
                COMPANY,
                customers=folder / "customers.csv",
                documents=folder / "documents.csv",
                payments=folder / "payments.csv",
            )
            result["documents_seconds"] = time.perf_counter() - started
            result["documents_imported"] = report.imported
        if "2" in phases:
            started = time.perf_counter()
            report = import_files(store, COMPANY, applications=folder / "applications.csv")
            result["applications_seconds"] = time.perf_counter() - started
            result["applications_imported"] = report.imported
    finally:
        store.close()
    result["maxrss_mb"] = peak_rss_mb()
    print(json.dumps(result))


def _run_child(csv_dir: Path, db: Path, phases: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(csv_dir), str(db), phases],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the baseline --------------------------------------------------------------------------


def _baseline_db(path: Path) -> sqlite3.Connection:
    from sqlalchemy import create_engine

    from arcore.store.schema import metadata

    engine = create_engine(f"sqlite:///{path}")
    metadata.create_all(engine)  # the same tables and indexes; no triggers
    engine.dispose()
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    return connection


def _phase_queries(phase: int) -> list[tuple[str, str]]:
    """(table, SELECT of arcore's rows for that table written in ``phase``), in rowid order."""
    join = (
        "SELECT p.* FROM postings p JOIN journal_entries j "
        "ON j.company_id = p.company_id AND j.id = p.entry_id WHERE j.kind {op} ? "
        "ORDER BY p.rowid"
    )
    if phase == 1:
        return [
            ("companies", "SELECT * FROM companies"),
            ("customers", "SELECT * FROM customers ORDER BY rowid"),
            ("journal_entries", "SELECT * FROM journal_entries WHERE kind != ? ORDER BY rowid"),
            ("postings", join.format(op="!=")),
            ("documents", "SELECT * FROM documents ORDER BY rowid"),
        ]
    return [
        ("journal_entries", "SELECT * FROM journal_entries WHERE kind = ? ORDER BY rowid"),
        ("postings", join.format(op="=")),
        ("applications", "SELECT * FROM applications ORDER BY rowid"),
    ]


def _copy_phase(
    source: sqlite3.Connection, target: sqlite3.Connection, phase: int
) -> tuple[float, dict[str, int]]:
    """Insert arcore's rows of ``phase`` into ``target``; time only the inserts and COMMIT."""
    seconds = 0.0
    counts: dict[str, int] = {}
    target.execute("BEGIN IMMEDIATE")
    for table, query in _phase_queries(phase):
        params = (APPLICATION,) if "?" in query else ()
        cursor = source.execute(query, params)
        width = len(cursor.description)
        sql = f"INSERT INTO {table} VALUES ({', '.join(['?'] * width)})"
        counts[table] = 0
        while rows := cursor.fetchmany(CHUNK):
            started = time.perf_counter()
            target.executemany(sql, rows)
            seconds += time.perf_counter() - started
            counts[table] += len(rows)
    started = time.perf_counter()
    target.execute("COMMIT")
    seconds += time.perf_counter() - started
    return seconds, counts


# --- the benchmark -------------------------------------------------------------------------


def _row(
    case: str,
    items: int,
    ours: float,
    theirs: float,
    db_rows: int,
    extra: dict[str, Any],
) -> dict[str, Any]:
    ratio = theirs / ours  # = (items/ours) / (items/theirs)
    return {
        "case": case,
        "items": items,
        "seconds": round(ours, 3),
        "per_second": items / ours,
        "baseline": {
            "name": "sqlite3 executemany (same rows, readback)",
            "seconds": round(theirs, 3),
            "per_second": items / theirs,
        },
        "ratio": round(ratio, 3),
        "target": TARGET,
        "meets_target": ratio >= TARGET,
        "db_rows_written": db_rows,
        "db_rows_per_second": db_rows / ours,
        "baseline_db_rows_per_second": db_rows / theirs,
        "baseline_method": (
            "readback: arcore's rows SELECTed in chunks of 5,000 from its database and "
            "executemany-inserted into a same-schema SQLite file (WAL, synchronous=NORMAL, "
            "one transaction per phase); only executemany + COMMIT timed"
        ),
        **extra,
    }


def run() -> list[dict[str, Any]]:
    n = int(os.environ.get("ARCORE_BENCH_ROWS", N_DEFAULT))
    small = max(n // 10, 2)
    with tempfile.TemporaryDirectory(prefix="arcore-bench-import-") as tmp:
        folder = Path(tmp)
        write_csvs(folder / "large", n)
        payments = (n + 1) // 2

        timed = _run_child(folder / "large", folder / "arcore.db", "12")
        source = sqlite3.connect(folder / "arcore.db")
        target = _baseline_db(folder / "baseline.db")
        base1, counts1 = _copy_phase(source, target, 1)
        base2, counts2 = _copy_phase(source, target, 2)
        source.close()
        target.close()
        for name in ("arcore.db", "baseline.db"):  # free the disk before the memory runs
            for suffix in ("", "-wal", "-shm"):
                (folder / (name + suffix)).unlink(missing_ok=True)

        write_csvs(folder / "small", small)
        at_small = _run_child(folder / "small", folder / "small.db", "12")
        empty = folder / "empty"
        empty.mkdir()
        at_zero = _run_child(empty, folder / "empty.db", "")

    memory = {
        "memory_method": "peak resident memory (VmHWM) of a child process running the import",
        "memory_rows_small": small,
        "memory_rows_large": n,
        "memory_peak_idle_mb": round(at_zero["maxrss_mb"], 1),
        "memory_peak_small_mb": round(at_small["maxrss_mb"], 1),
        "memory_peak_large_mb": round(timed["maxrss_mb"], 1),
    }
    docs_s, apps_s = timed["documents_seconds"], timed["applications_seconds"]
    rows1, rows2 = sum(counts1.values()), sum(counts2.values())
    return [
        _row(
            f"import {n:,} documents + {payments:,} payments + {N_CUSTOMERS:,} customers",
            N_CUSTOMERS + n + payments,
            docs_s,
            base1,
            rows1,
            {
                "documents_per_second": n / docs_s,
                "db_rows": counts1,
                "imported": timed["documents_imported"],
                **memory,
            },
        ),
        _row(
            f"import {n:,} applications",
            n,
            apps_s,
            base2,
            rows2,
            {
                "applications_per_second": n / apps_s,
                "db_rows": counts2,
                "imported": timed["applications_imported"],
                **memory,
            },
        ),
        _row(
            f"import and post {n:,} documents + {n:,} applications (both phases)",
            2 * n,
            docs_s + apps_s,
            base1 + base2,
            rows1 + rows2,
            {"note": "items count documents and applications only", **memory},
        ),
    ]


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(*sys.argv[2:5])
    else:
        print(json.dumps(run(), indent=2))
