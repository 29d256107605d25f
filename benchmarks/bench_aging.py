"""Aging (issue 5): arcore's aging as of a past date next to DuckDB and pandas, same data.

What is compared, in one run, on one seeded data set written in arcore's import formats
(``customers.csv``, ``documents.csv``, ``payments.csv``, ``applications.csv``):

* N documents (about 85 % invoices, 5 % debit memos, 10 % credit memos) over N/20
  customers, dated through 2025; invoices and debit memos carry a due date, or terms, or
  neither (then the customer's terms apply); one in ten has an ``open_amount`` below its
  amount (settled before the import); about 2·N applications (applied amount, some with a
  discount or a write-off) dated from the document date to about eight months later, so some are
  after the as-of date, and many documents are paid in part.
* The table every contender computes: as of each date of ``AS_OF_DATES`` (a month end,
  2025-09-30, and the middle of that month, 2025-09-17), by due date, per currency and
  customer, the open balance in the buckets ``current`` (not yet due),
  ``1-30``, ``31-60``, ``61-90``, ``91+`` and the total, in integer minor units; rows whose
  buckets are all zero left out. A document counts if dated on or before the date, with its
  ``open_amount`` (its ``amount`` when empty) less the applications (applied + discount +
  write-off) dated on or before it; credit memos are negative and aged by their
  document date. All contenders' tables are checked equal (the run fails if not).

Contenders:

* **arcore store**: ``aging_from_store`` on a SQLite file store (WAL) into which
  ``import_files`` imported the four files once (the import is timed and reported on its
  own, not as part of the aging), then closed month by month as a company closes its books
  (``Ledger.close_period`` through each month end before the last posting; each close is
  timed and reported). What it returns is an ``AgingReport``: a row per customer of
  ``Money`` amounts, built in Python (6 decimals and a model per row).
* **arcore table**: the same aging from the same closed store as plain rows of minor
  units per customer and bucket (``arcore.reports.history.store_aged_balances``): what
  DuckDB and pandas return, and the fair pairing with them.
* **arcore store, books not closed**: ``aging_from_store`` on the same store before the
  closes: every posting up to the date is read.
* **arcore files**: ``aging_from_csv`` on documents.csv, applications.csv and
  customers.csv (every row checked as the importer checks it).
* **DuckDB, from files**: one SQL query over ``read_csv`` of the same files with explicit
  column types; **DuckDB, loaded**: the same query over the same data already in DuckDB
  tables (loading not timed). DuckDB uses its default threads (both cores here).
* **pandas, from files**: ``read_csv`` (C engine, explicit dtypes) + merge/groupby;
  **pandas, loaded**: the same on DataFrames already read (reading not timed). Amounts go
  through float64 once and are rounded to integer cents straight away (exact at these sizes).

The baselines are told what arcore works out itself: the net days of each terms text
(``NET_DAYS``; the generator checks them against ``arcore.terms.due_date``).

What is left out, so all contenders compute the same thing: arcore's aging from the store
also counts unapplied payments and deposits as negative items, which CSV files do not carry.
The data set has none as of any date: every payment is applied in full on the day it is
received, so the store's unapplied cash is always zero (the store path still runs its query
for it). The documents are in one currency (USD).

Times are the best of ``ARCORE_BENCH_REPEAT`` runs (default 3 at 500,000 documents or more,
else 5), wall clock (``perf_counter``) with the process CPU time (``process_time``, all
threads) of the same run next to it: another benchmark may share the two cores.

Memory: each contender runs once more in its own child process, which reports its peak
resident memory (``VmHWM`` of ``/proc/self/status``: the interpreter, the libraries, the data
loaded for the "loaded" variants and the computation; not ``ru_maxrss``, which on Linux a
child inherits from the parent that started it). For the arcore contenders a second child
reports the ``tracemalloc`` peak of the aging call alone (``tracemalloc`` slows Python down,
so that run is not timed).

Results: one row per as-of date and pairing (arcore's table, report and unclosed store
against the loaded baselines; arcore from the files against the baselines that read the
files too), ``ratio`` = baseline seconds ÷ arcore seconds, so the targets are
``ratio >= 0.5`` against DuckDB and ``>= 1`` against pandas; every contender's figures are
under ``contenders``. The closest pairing for the store is DuckDB on loaded tables (both
query data already in a database).

Size: ``ARCORE_BENCH_DOCUMENTS`` (default 1,000,000) documents; applications about 2×,
customers documents/20. The issue's targets: arcore ≤ 2× DuckDB's time, faster than pandas,
peak memory ≤ 1 GB.
"""

from __future__ import annotations

import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _memory import peak_rss_mb

N_DEFAULT = 1_000_000
SEED = 20261205
COMPANY = "bench"
START = date(2025, 1, 1)
AS_OF_DATES = (date(2025, 9, 30), date(2025, 9, 17))  # a month end and the middle of a month
EDGES = (30, 60, 90)
BANDS = ("current", "1-30", "31-60", "61-90", "91+")
NET_DAYS = {"Net 30": 30, "Net 45": 45, "2/10 Net 30": 30, "Net 60": 60, "Net 15": 15}
CUSTOMER_TERMS = ("Net 30", "Net 45", "2/10 Net 30", "Net 60")
DOCUMENT_TERMS = ("Net 15", "Net 30", "Net 60")
DUCKDB_TARGET = 0.5  # arcore's time ≤ 2 × DuckDB's
PANDAS_TARGET = 1.0  # faster than pandas
MEMORY_TARGET_MB = 1024

Table = dict[tuple[str, str], tuple[int, ...]]
"""(currency, customer_id) → minor units per bucket: what every contender returns."""


# --- the input files ---------------------------------------------------------------------


def _cents(units: int) -> str:
    return f"{units // 100}.{units % 100:02d}"


def _pay_day(customer_day: int, earliest: date) -> date:
    """The customer's first pay day (day ``customer_day`` of a month) on or after ``earliest``."""
    day = earliest.replace(day=customer_day)
    if day < earliest:
        month = earliest.month % 12 + 1
        day = day.replace(year=earliest.year + (month == 1), month=month)
    return day


def _next_month(day: date, months: int) -> date:
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1)


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` in ``parts`` positive pieces."""
    cuts = sorted(rng.sample(range(1, total), parts - 1)) if parts > 1 else []
    bounds = [0, *cuts, total]
    return [b - a for a, b in pairwise(bounds)]


def write_csvs(folder: Path, n: int, seed: int = SEED) -> dict[str, Any]:
    """Write the four files for ``n`` documents; return their paths and row counts.

    Customers are written one at a time with their documents, payments and applications, so
    nothing but one customer's rows is held. A customer pays on one day of the month; each
    payment is the sum of what it applies that day, and is applied in full that day.
    """
    from arcore.csvfiles import COLUMNS
    from arcore.terms import due_date, parse_terms

    for text, days in NET_DAYS.items():  # what the baselines are told, checked against arcore
        for day in (START, date(2025, 2, 28), date(2025, 12, 31)):
            assert due_date(parse_terms(text), day) == day + timedelta(days=days), text

    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    customers = max(n // 20, 1)
    paths = {k: folder / f"{k}.csv" for k in ("customers", "documents", "payments", "applications")}
    counts = dict.fromkeys(paths, 0)
    handles = {k: p.open("w", newline="", encoding="utf-8") for k, p in paths.items()}
    try:
        out = {k: csv.writer(h) for k, h in handles.items()}
        for kind in paths:
            out[kind].writerow(COLUMNS[kind])
        written = 0
        for c in range(customers):
            customer = f"C{c:06d}"
            terms = CUSTOMER_TERMS[c % len(CUSTOMER_TERMS)]
            out["customers"].writerow([customer, f"Customer {c}", "", "", "", "USD", terms, ""])
            counts["customers"] += 1
            docs = n // customers + (1 if c < n % customers else 0)
            pay_day = 1 + c % 28
            paid: dict[date, int] = {}
            applications: list[tuple[str, date, int, int, int]] = []
            for _ in range(docs):
                number = f"D{written:08d}"
                written += 1
                dated = START + timedelta(days=rng.randrange(365))
                roll = rng.random()
                kind = "invoice" if roll < 0.85 else "debit_memo" if roll < 0.90 else "credit_memo"
                amount = rng.randrange(1_000, 500_000)
                opened = amount
                open_text = ""
                if rng.random() < 0.1:
                    opened = rng.randrange(0, amount)
                    open_text = _cents(opened)
                due_text = terms_text = ""
                if kind != "credit_memo":
                    roll = rng.random()
                    if roll < 0.6:
                        due_text = (
                            dated + timedelta(days=rng.choice((15, 30, 45, 60)))
                        ).isoformat()
                    elif roll < 0.85:
                        terms_text = rng.choice(DOCUMENT_TERMS)
                out["documents"].writerow(
                    [number, kind, customer, dated.isoformat(), due_text, terms_text, "USD",
                     _cents(amount), open_text]
                )  # fmt: skip
                counts["documents"] += 1
                if kind == "credit_memo" or opened < 5:
                    continue
                parts = rng.choices((0, 1, 2, 3, 4), weights=(10, 15, 30, 30, 15))[0]
                if not parts:
                    continue
                settled = opened if rng.random() < 0.6 else rng.randrange(parts, opened + 1)
                day = _pay_day(pay_day, dated + timedelta(days=rng.randrange(0, 45)))
                for piece in _split(settled, parts, rng):
                    discount = write_off = 0
                    if piece > 200 and rng.random() < 0.1:
                        discount = rng.randrange(1, piece // 10)
                    if piece > 200 and rng.random() < 0.05:
                        write_off = rng.randrange(1, piece // 10)
                    applied = piece - discount - write_off
                    applications.append((number, day, applied, discount, write_off))
                    paid[day] = paid.get(day, 0) + applied
                    day = _next_month(day, rng.choice((1, 1, 2)))
            for day, units in sorted(paid.items()):
                pay_id = f"P{c:06d}-{day:%Y%m%d}"
                out["payments"].writerow(
                    [pay_id, day.isoformat(), _cents(units), "USD", f"Customer {c}", "", "",
                     "", customer]
                )  # fmt: skip
                counts["payments"] += 1
            for number, day, applied, discount, write_off in applications:
                out["applications"].writerow(
                    [f"P{c:06d}-{day:%Y%m%d}", number, day.isoformat(), _cents(applied),
                     _cents(discount) if discount else "", _cents(write_off) if write_off else ""]
                )  # fmt: skip
                counts["applications"] += 1
    finally:
        for handle in handles.values():
            handle.close()
    return {"paths": paths, "rows": counts}


# --- the contenders ----------------------------------------------------------------------


def _report_table(report: Any) -> Table:
    """An ``AgingReport`` as a ``Table``, its totals checked against its rows."""
    table: Table = {}
    totals: dict[str, list[int]] = {}
    for row in report.rows:
        units = tuple(m.to_minor_units() for m in row.amounts)
        assert sum(units) == row.total.to_minor_units()
        table[row.currency, row.customer_id] = units
        into = totals.setdefault(row.currency, [0] * len(units))
        for band, value in enumerate(units):
            into[band] += value
    for currency, total in report.totals.items():
        assert tuple(totals[currency]) == tuple(m.to_minor_units() for m in total.amounts)
    return table


def arcore_store(folder: Path, db: Path, as_of: date) -> Callable[[], Any]:
    from arcore.reports.aging import aging_from_store
    from arcore.store import open_store

    store = open_store(f"sqlite:///{db}")
    return lambda: aging_from_store(store, COMPANY, as_of, edges=EDGES)


def arcore_table(folder: Path, db: Path, as_of: date) -> Callable[[], Any]:
    from arcore.reports.history import store_aged_balances
    from arcore.store import open_store

    store = open_store(f"sqlite:///{db}")
    return lambda: store_aged_balances(store, COMPANY, as_of, edges=EDGES)


def arcore_files(folder: Path, db: Path, as_of: date) -> Callable[[], Any]:
    from arcore.reports.aging import aging_from_csv

    return lambda: aging_from_csv(
        folder / "documents.csv",
        folder / "applications.csv",
        as_of=as_of,
        edges=EDGES,
        customers=folder / "customers.csv",
    )


_DUCK_TYPES = {
    "customers": {"customer_id": "VARCHAR", "terms": "VARCHAR"},
    "documents": {
        "document_no": "VARCHAR",
        "kind": "VARCHAR",
        "customer_id": "VARCHAR",
        "document_date": "DATE",
        "due_date": "DATE",
        "terms": "VARCHAR",
        "currency": "VARCHAR",
        "amount": "DECIMAL(18,2)",
        "open_amount": "DECIMAL(18,2)",
    },
    "applications": {
        "payment_id": "VARCHAR",
        "document_no": "VARCHAR",
        "applied_date": "DATE",
        "applied_amount": "DECIMAL(18,2)",
        "discount_amount": "DECIMAL(18,2)",
        "writeoff_amount": "DECIMAL(18,2)",
    },
}


def _duck_read(folder: Path, kind: str) -> str:
    from arcore.csvfiles import COLUMNS

    types = {c: _DUCK_TYPES[kind].get(c, "VARCHAR") for c in COLUMNS[kind]}
    columns = ", ".join(f"'{c}': '{t}'" for c, t in types.items())
    return f"read_csv('{folder / kind}.csv', header = true, columns = {{{columns}}})"


def _duck_query(customers: str, documents: str, applications: str, day: date) -> str:
    terms = ", ".join(f"('{text}', {days})" for text, days in NET_DAYS.items())
    banded = ", ".join(
        f"SUM(CASE WHEN band = {i} THEN units ELSE 0 END)::BIGINT" for i in range(len(BANDS))
    )
    any_nonzero = " OR ".join(
        f"SUM(CASE WHEN band = {i} THEN units ELSE 0 END) <> 0" for i in range(len(BANDS))
    )
    as_of = f"DATE '{day.isoformat()}'"
    return f"""
    WITH net(terms, days) AS (VALUES {terms}),
    applied AS (
        SELECT document_no,
               SUM(CAST((applied_amount + COALESCE(discount_amount, 0)
                         + COALESCE(writeoff_amount, 0)) * 100 AS BIGINT)) AS units
        FROM {applications} WHERE applied_date <= {as_of} GROUP BY document_no
    ),
    items AS (
        SELECT d.currency, d.customer_id,
               (CASE WHEN d.kind = 'credit_memo' THEN -1 ELSE 1 END)
               * (CAST(COALESCE(d.open_amount, d.amount) * 100 AS BIGINT)
                  - COALESCE(a.units, 0)) AS units,
               {as_of} - (CASE WHEN d.kind = 'credit_memo' THEN d.document_date
                          ELSE COALESCE(d.due_date, d.document_date + n.days) END) AS days
        FROM {documents} d
        LEFT JOIN {customers} c ON c.customer_id = d.customer_id
        LEFT JOIN net n ON n.terms = COALESCE(NULLIF(d.terms, ''), c.terms)
        LEFT JOIN applied a ON a.document_no = d.document_no
        WHERE d.document_date <= {as_of}
    ),
    bands AS (
        SELECT currency, customer_id, units,
               CASE WHEN days <= 0 THEN 0 WHEN days <= 30 THEN 1 WHEN days <= 60 THEN 2
                    WHEN days <= 90 THEN 3 ELSE 4 END AS band
        FROM items WHERE units <> 0
    )
    SELECT currency, customer_id, {banded} FROM bands
    GROUP BY currency, customer_id HAVING {any_nonzero}
    """


def duckdb_files(folder: Path, db: Path, as_of: date) -> Callable[[], Any]:
    import duckdb

    connection = duckdb.connect()
    files = (_duck_read(folder, k) for k in ("customers", "documents", "applications"))
    sql = _duck_query(*files, as_of)
    return lambda: connection.execute(sql).fetchall()


def duckdb_loaded(folder: Path, db: Path, as_of: date) -> Callable[[], Any]:
    import duckdb

    connection = duckdb.connect()
    for kind in ("customers", "documents", "applications"):
        connection.execute(f"CREATE TABLE {kind} AS SELECT * FROM {_duck_read(folder, kind)}")
    sql = _duck_query("customers", "documents", "applications", as_of)
    return lambda: connection.execute(sql).fetchall()


def _pandas_read(folder: Path) -> dict[str, Any]:
    import pandas as pd

    def cents(column: Any) -> Any:
        return (column.fillna(0.0) * 100).round().astype("int64")

    customers = pd.read_csv(
        folder / "customers.csv", usecols=["customer_id", "terms"], dtype=str, keep_default_na=False
    )
    documents = pd.read_csv(
        folder / "documents.csv",
        usecols=["document_no", "kind", "customer_id", "document_date", "due_date", "terms",
                 "currency", "amount", "open_amount"],
        dtype={"document_no": str, "kind": str, "customer_id": str, "document_date": str,
               "due_date": str, "terms": str, "currency": str, "amount": "float64",
               "open_amount": "float64"},
    )  # fmt: skip
    documents["document_date"] = pd.to_datetime(documents["document_date"], format="%Y-%m-%d")
    documents["due_date"] = pd.to_datetime(documents["due_date"], format="%Y-%m-%d")
    documents["open_units"] = cents(documents["open_amount"].fillna(documents["amount"]))
    applications = pd.read_csv(
        folder / "applications.csv",
        usecols=["document_no", "applied_date", "applied_amount", "discount_amount",
                 "writeoff_amount"],
        dtype={"document_no": str, "applied_date": str, "applied_amount": "float64",
               "discount_amount": "float64", "writeoff_amount": "float64"},
    )  # fmt: skip
    applications["applied_date"] = pd.to_datetime(applications["applied_date"], format="%Y-%m-%d")
    applications["units"] = (
        cents(applications["applied_amount"])
        + cents(applications["discount_amount"])
        + cents(applications["writeoff_amount"])
    )
    return {"customers": customers, "documents": documents, "applications": applications}


def _pandas_aging(frames: dict[str, Any], day: date) -> Any:
    import numpy as np
    import pandas as pd

    as_of = pd.Timestamp(day)
    apps = frames["applications"]
    applied = (
        apps.loc[apps["applied_date"] <= as_of, ["document_no", "units"]]
        .groupby("document_no", sort=False)["units"]
        .sum()
    )
    docs = frames["documents"]
    docs = docs.loc[docs["document_date"] <= as_of]
    customer_terms = frames["customers"].set_index("customer_id")["terms"]
    terms = docs["terms"].fillna(docs["customer_id"].map(customer_terms))
    net = pd.to_timedelta(terms.map(NET_DAYS), unit="D")
    credit = (docs["kind"] == "credit_memo").to_numpy()
    due = docs["due_date"].fillna(docs["document_date"] + net)
    reference = np.where(credit, docs["document_date"], due)
    days = (as_of - pd.DatetimeIndex(reference)).days.to_numpy()
    settled = docs["document_no"].map(applied).fillna(0).astype("int64").to_numpy()
    units = np.where(credit, -1, 1) * (docs["open_units"].to_numpy() - settled)
    band = np.searchsorted(np.array(EDGES), np.maximum(days, 0), side="left") + (days > 0)
    items = pd.DataFrame(
        {
            "currency": docs["currency"].to_numpy(),
            "customer_id": docs["customer_id"].to_numpy(),
            "band": band,
            "units": units,
        }
    )
    items = items.loc[items["units"] != 0]
    table = items.pivot_table(
        index=["currency", "customer_id"],
        columns="band",
        values="units",
        aggfunc="sum",
        fill_value=0,
    ).reindex(columns=range(len(BANDS)), fill_value=0)
    return table.loc[(table != 0).any(axis=1)]


def pandas_files(folder: Path, db: Path, as_of: date) -> Callable[[], Any]:
    return lambda: _pandas_aging(_pandas_read(folder), as_of)


def pandas_loaded(folder: Path, db: Path, as_of: date) -> Callable[[], Any]:
    frames = _pandas_read(folder)
    return lambda: _pandas_aging(frames, as_of)


def _bands_table(rows: Any) -> Table:
    return {(currency, customer): tuple(bands) for currency, customer, bands in rows}


def _tuples_table(rows: Any) -> Table:
    return {(r[0], r[1]): tuple(int(v) for v in r[2:]) for r in rows}


def _pandas_table(frame: Any) -> Table:
    return {
        (currency, customer): tuple(int(v) for v in values)
        for (currency, customer), values in zip(frame.index, frame.to_numpy().tolist(), strict=True)
    }


Make = Callable[[Path, Path, date], Callable[[], Any]]
CONTENDERS: dict[str, tuple[Make, Callable[[Any], Table]]] = {
    "arcore_unclosed": (arcore_store, _report_table),  # measured before the closes
    "arcore_table": (arcore_table, _bands_table),
    "arcore_store": (arcore_store, _report_table),
    "arcore_files": (arcore_files, _report_table),
    "duckdb_files": (duckdb_files, _tuples_table),
    "duckdb_loaded": (duckdb_loaded, _tuples_table),
    "pandas_files": (pandas_files, _pandas_table),
    "pandas_loaded": (pandas_loaded, _pandas_table),
}
NAMES = {
    "arcore_unclosed": "arcore aging_from_store (SQLite), books not closed",
    "arcore_table": "arcore store_aged_balances (SQLite, closed monthly): minor units",
    "arcore_store": "arcore aging_from_store (SQLite, closed monthly): AgingReport",
    "arcore_files": "arcore aging_from_csv",
    "duckdb_files": "DuckDB from files (read_csv)",
    "duckdb_loaded": "DuckDB, data loaded in tables",
    "pandas_files": "pandas from files (read_csv)",
    "pandas_loaded": "pandas, data loaded in DataFrames",
}


# --- measuring -----------------------------------------------------------------------------


def _best(job: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """Best wall time of ``repeat`` runs, the CPU time of that run, and its result."""
    best: tuple[float, float, Any] | None = None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = job()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        if best is None or wall < best[0]:
            best = (wall, cpu, result)
    assert best is not None
    return best


def _child(name: str, folder: str, db: str, day: str, traced: str) -> None:
    """Run one contender once; print its peak RSS (and tracemalloc peak if ``traced``)."""
    make, _ = CONTENDERS[name]
    job = make(Path(folder), Path(db), date.fromisoformat(day))
    result: dict[str, Any] = {}
    if traced == "1":
        tracemalloc.start()
        job()
        result["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    else:
        job()
    result["maxrss_mb"] = peak_rss_mb()
    print(json.dumps(result))


def _run_child(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _import_child(folder: str, db: str) -> None:
    """Import the files into ``db``; print the seconds and the peak RSS."""
    from arcore.store import open_store
    from arcore.store.importer import import_files

    source = Path(folder)
    with open_store(f"sqlite:///{db}") as store:
        started = time.perf_counter()
        report = import_files(
            store,
            COMPANY,
            customers=source / "customers.csv",
            documents=source / "documents.csv",
            payments=source / "payments.csv",
            applications=source / "applications.csv",
        )
        seconds = time.perf_counter() - started
    rss = peak_rss_mb()
    print(json.dumps({"seconds": seconds, "imported": report.imported, "maxrss_mb": rss}))


def _close_months(db: Path) -> list[dict[str, Any]]:
    """Close the books month by month through the last month end before the last posting."""
    from sqlalchemy import func, select

    from arcore.ledger import Ledger
    from arcore.store import open_store
    from arcore.store.schema import postings

    closes = []
    with open_store(f"sqlite:///{db}") as store:
        with store.engine.connect() as connection:
            last = connection.scalar(select(func.max(postings.c.entry_date)))
        ledger = Ledger(store, COMPANY)
        month_end = _next_month(START, 1) - timedelta(days=1)
        while _next_month(month_end.replace(day=1), 1) <= last:
            started = time.perf_counter()
            ledger.close_period(month_end, actor="bench", idempotency_key=f"close:{month_end}")
            seconds = time.perf_counter() - started
            closes.append({"through": month_end.isoformat(), "seconds": round(seconds, 3)})
            month_end = _next_month(month_end.replace(day=1), 2) - timedelta(days=1)
    return closes


def _measure(
    name: str, folder: Path, db: Path, day: date, repeat: int
) -> tuple[dict[str, Any], Table]:
    make, to_table = CONTENDERS[name]
    wall, cpu, result = _best(make(folder, db, day), repeat)
    table = to_table(result)
    del result
    memory = _run_child("--child", name, str(folder), str(db), day.isoformat(), "0")
    timing = {
        "name": NAMES[name],
        "seconds": round(wall, 3),
        "cpu_seconds": round(cpu, 3),
        "memory_peak_rss_mb": round(memory["maxrss_mb"], 1),
    }
    if name.startswith("arcore"):
        traced = _run_child("--child", name, str(folder), str(db), day.isoformat(), "1")
        timing["memory_tracemalloc_peak_mb"] = round(traced["tracemalloc_peak_mb"], 1)
    return timing, table


PAIRINGS = (
    ("arcore_table", "duckdb_loaded", DUCKDB_TARGET),
    ("arcore_table", "pandas_loaded", PANDAS_TARGET),
    ("arcore_store", "duckdb_loaded", DUCKDB_TARGET),
    ("arcore_store", "pandas_loaded", PANDAS_TARGET),
    ("arcore_unclosed", "duckdb_loaded", DUCKDB_TARGET),
    ("arcore_unclosed", "pandas_loaded", PANDAS_TARGET),
    ("arcore_files", "duckdb_files", DUCKDB_TARGET),
    ("arcore_files", "pandas_files", PANDAS_TARGET),
)


def run() -> list[dict[str, Any]]:
    n = int(os.environ.get("ARCORE_BENCH_DOCUMENTS", N_DEFAULT))
    repeat = int(os.environ.get("ARCORE_BENCH_REPEAT", 3 if n >= 500_000 else 5))
    out = []
    with tempfile.TemporaryDirectory(prefix="arcore-bench-aging-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        data = write_csvs(folder, n)
        generated = time.perf_counter() - started
        db = folder / "arcore.db"
        imported = _run_child("--import", str(folder), str(db))
        timings: dict[date, dict[str, dict[str, Any]]] = {day: {} for day in AS_OF_DATES}
        tables: dict[date, dict[str, Table]] = {day: {} for day in AS_OF_DATES}
        for day in AS_OF_DATES:  # before the closes
            timings[day]["arcore_unclosed"], tables[day]["arcore_unclosed"] = _measure(
                "arcore_unclosed", folder, db, day, repeat
            )
        closes = _close_months(db)
        db_mb = sum(p.stat().st_size for p in folder.glob("arcore.db*")) / 2**20
        for day in AS_OF_DATES:
            for name in CONTENDERS:
                if name != "arcore_unclosed":
                    timings[day][name], tables[day][name] = _measure(name, folder, db, day, repeat)

    rows_in = data["rows"]
    items = rows_in["documents"] + rows_in["applications"]
    for day in AS_OF_DATES:
        reference = tables[day]["duckdb_files"]
        for name, table in tables[day].items():
            if table != reference:
                differ = sorted(k for k in reference.keys() | table.keys()
                                if reference.get(k) != table.get(k))  # fmt: skip
                raise AssertionError(
                    f"{name}'s aging as of {day} differs from DuckDB's for {len(differ)} rows, "
                    "e.g. " + ", ".join(f"{k}: {table.get(k)} vs {reference.get(k)}"
                                        for k in differ[:3])
                )  # fmt: skip
        totals = [sum(units[band] for units in reference.values()) for band in range(len(BANDS))]
        common = {
            "documents": rows_in["documents"],
            "applications": rows_in["applications"],
            "payments": rows_in["payments"],
            "customers": rows_in["customers"],
            "as_of": day.isoformat(),
            "aging_rows": len(reference),
            "aging_totals_minor_units": dict(zip(BANDS, totals, strict=True)),
            "all_equal": True,
            "repeat": repeat,
            "generate_seconds": round(generated, 3),
            "import_seconds": round(imported["seconds"], 3),
            "import_peak_rss_mb": round(imported["maxrss_mb"], 1),
            "closes": closes,
            "close_seconds_total": round(sum(c["seconds"] for c in closes), 3),
            "store_file_mb": round(db_mb, 1),
            "contenders": timings[day],
            "memory_target_mb": MEMORY_TARGET_MB,
            "memory_method": "child process per contender: peak RSS (VmHWM) after one run "
            "(the 'loaded' variants include the loaded data); tracemalloc peak of the aging "
            "call alone for arcore, in another child",
        }
        for ours, theirs, target in PAIRINGS:
            mine, base = timings[day][ours], timings[day][theirs]
            ratio = base["seconds"] / mine["seconds"]
            out.append(
                {
                    "case": f"aging as of {day}, {ours} vs {theirs}".replace("_", " "),
                    "items": items,
                    "seconds": mine["seconds"],
                    "per_second": items / mine["seconds"],
                    "baseline": {**base, "per_second": items / base["seconds"]},
                    "ratio": round(ratio, 3),
                    "cpu_ratio": round(base["cpu_seconds"] / mine["cpu_seconds"], 3),
                    "target": target,
                    "meets_target": ratio >= target,
                    "meets_memory_target": mine["memory_peak_rss_mb"] <= MEMORY_TARGET_MB,
                    **common,
                }
            )
    return out


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(*sys.argv[2:7])
    elif sys.argv[1:2] == ["--import"]:
        _import_child(*sys.argv[2:4])
    else:
        for row in run():
            print(
                json.dumps(
                    {k: v for k, v in row.items() if k not in ("contenders", "closes")}, indent=2
                )
            )
