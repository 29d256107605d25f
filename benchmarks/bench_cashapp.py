"""Cash application: arcore's ``match`` against two simple matchers, on the same noisy payments.

What is compared, in one run, on one seeded data set from ``tests/cashapp_data.py`` (N
payments of ~28 labelled scenarios against 10·N open items over N/5 customers, with the true
answer per payment):

* **arcore**: ``arcore.cashapp.match`` with the default ``MatchConfig`` (threshold 0.9). The
  time includes indexing the open items and customers (``OpenBook``, ``PayerIndex``), which
  is also reported on its own (what ``OpenBook`` does up front: number keys and documents by
  customer; a customer's balances are indexed inside ``match``, when a payment is first
  theirs). Only ``auto`` proposals count as matches.
* **exact_reference**: a payment is applied to the document whose number appears verbatim
  (a whitespace-separated word) in the reference, if what is left of its balance equals the
  amount. Nothing else.
* **fifo**: the customer whose name equals the payer name exactly (ignoring case only:
  banks print names in capitals); its open items are paid
  oldest first until the amount is used up (the rest stays unapplied).

Both baselines take payments in received-date order and consume balances, like arcore.

Quality is measured at the payment level against the truth: an automatic match is correct
only if its applications (documents, amounts, discounts) equal the true ones exactly; one
made for a payment that must go to review or stay unapplied is wrong. ``precision`` =
correct ÷ automatic; ``recall`` = correct ÷ payments with a certain answer.

Time: process CPU time (``time.process_time``) of one run, steady when other work shares the
machine; the wall time of arcore's run is reported beside it. arcore's time is the call to
``match``; turning its proposals into what the scoring reads comes after the clock stops
(with a million generated documents alive, that bookkeeping costs seconds of garbage
collection that are the benchmark's, not the matcher's).

Memory: in a child process that generates the data, the peak of what ``match`` allocates
(``tracemalloc``, started after generating: the indexes, the proposals, everything) and the
child's peak resident memory (``VmHWM``; the generated data counts in it).

Size: ``ARCORE_BENCH_PAYMENTS`` (default 100,000) payments; 10× open items; payments/5
customers. Target: 10,000 payments/s on one core.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tracemalloc
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _memory import peak_rss_mb

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "tests"))

from arcore.cashapp import MatchStatus, OpenBook, PayerIndex, Proposal, match  # noqa: E402
from arcore.money import Money  # noqa: E402
from cashapp_data import Dataset, Score, scenario_set, score  # noqa: E402

N_DEFAULT = 100_000
SEED = 20261125
TARGET = 10_000

Applied = dict[str, dict[str, tuple[Money, Money]] | None]


def _data(n: int) -> Dataset:
    return scenario_set(n, max(n // 5, 20), n * 10, SEED)


# --- the matchers --------------------------------------------------------------------------


def arcore_match(data: Dataset) -> list[Proposal]:
    return match(data.payments, data.documents, data.customers)


def arcore_applied(proposals: list[Proposal]) -> Applied:
    """What arcore applied automatically, as the scoring reads it (not timed)."""
    return {
        p.payment_id: (
            {a.document_id: (a.amount, a.discount) for a in p.applications}
            if p.status is MatchStatus.AUTO
            else None
        )
        for p in proposals
    }


def exact_reference(data: Dataset) -> Applied:
    by_number = {d.number: d for d in data.documents}
    left = {d.document_id: d.balance for d in data.documents}
    result: Applied = {}
    for payment in sorted(data.payments, key=lambda p: (p.received_date, p.id)):
        result[payment.id] = None
        for word in payment.reference.split():
            document = by_number.get(word)
            if document is not None and left[document.document_id] == payment.amount:
                left[document.document_id] = payment.amount - payment.amount
                zero = Money.zero(payment.currency)
                result[payment.id] = {document.document_id: (payment.amount, zero)}
                break
    return result


def fifo(data: Dataset) -> Applied:
    by_name: dict[str, str] = {}
    for customer in data.customers:
        by_name.setdefault(customer.name.casefold(), customer.id)
    items: defaultdict[str, list[str]] = defaultdict(list)
    for document in sorted(data.documents, key=lambda d: (d.document_date, d.document_id)):
        items[document.customer_id].append(document.document_id)
    left = {d.document_id: d.balance.to_minor_units() for d in data.documents}
    result: Applied = {}
    for payment in sorted(data.payments, key=lambda p: (p.received_date, p.id)):
        customer_id = by_name.get(payment.payer_name.casefold())
        result[payment.id] = None
        if customer_id is None:
            continue
        rest = payment.amount.to_minor_units()
        applied: dict[str, tuple[Money, Money]] = {}
        zero = Money.zero(payment.currency)
        for document_id in items[customer_id]:
            if rest == 0:
                break
            take = min(rest, left[document_id])
            if take > 0:
                left[document_id] -= take
                rest -= take
                applied[document_id] = (Money.from_minor_units(take, payment.currency), zero)
        result[payment.id] = applied or None
    return result


# --- measuring -----------------------------------------------------------------------------


def _timed(
    matcher: Any, data: Dataset, applied: Any = None
) -> tuple[float, float, dict[str, Score]]:
    """Wall seconds, process CPU seconds (steady when other work shares the machine), scores.

    ``applied`` turns the matcher's result into what the scoring reads, after the clock
    stops (the baselines return it directly).
    """
    wall, cpu = time.perf_counter(), time.process_time()
    result = matcher(data)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return wall, cpu, score(data.truth, result if applied is None else applied(result))


def _quality(scores: dict[str, Score]) -> dict[str, Any]:
    overall = scores["all"]
    return {
        "precision": round(overall.precision, 4),
        "recall": round(overall.recall, 4),
        "auto": overall.auto,
        "correct": overall.correct,
        "certain": overall.certain,
    }


def _per_scenario(scores: dict[str, Score]) -> dict[str, dict[str, Any]]:
    return {
        name: {
            "payments": s.payments,
            "certain": s.certain,
            "auto": s.auto,
            "precision": round(s.precision, 4),
            "recall": round(s.recall, 4),
        }
        for name, s in sorted(scores.items())
    }


def _child(n: int) -> None:
    """Generate the data, then match it: print peak RSS before and after, and the time."""
    data = _data(n)
    tracemalloc.start()
    proposals = match(data.payments, data.documents, data.customers)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del proposals
    print(json.dumps({"match_peak_mb": peak / 2**20, "maxrss_mb": peak_rss_mb()}))


def _memory(n: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(n)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def run() -> list[dict[str, Any]]:
    n = int(os.environ.get("ARCORE_BENCH_PAYMENTS", N_DEFAULT))
    started = time.perf_counter()
    data = _data(n)
    generated = time.perf_counter() - started
    started = time.process_time()
    OpenBook(data.documents)
    PayerIndex(data.customers)
    indexing = time.process_time() - started

    ours_wall, ours, our_scores = _timed(arcore_match, data, arcore_applied)
    memory = _memory(n)
    common = {
        "payments": n,
        "open_items": len(data.documents),
        "customers": len(data.customers),
        "generate_seconds": round(generated, 3),
        "time_method": "process CPU time (time.process_time) of one run; wall time alongside",
        "arcore_wall_seconds": round(ours_wall, 3),
        "arcore_index_seconds": round(indexing, 3),
        "arcore_payments_per_second_without_indexing": n / max(ours - indexing, 1e-9),
        "arcore": _quality(our_scores),
        "target_per_second": TARGET,
        "meets_target": n / ours >= TARGET,
        "memory_method": "child process: tracemalloc peak of match (started after generating "
        "the data); peak resident memory (VmHWM) of the whole child",
        "memory_match_peak_mb": round(memory["match_peak_mb"], 1),
        "memory_child_maxrss_mb": round(memory["maxrss_mb"], 1),
    }
    rows = []
    for name, matcher in (("exact_reference", exact_reference), ("fifo", fifo)):
        _, theirs, their_scores = _timed(matcher, data)
        rows.append(
            {
                "case": f"match {n:,} payments vs {name}",
                "items": n,
                "seconds": round(ours, 3),
                "per_second": n / ours,
                "baseline": {
                    "name": name,
                    "seconds": round(theirs, 3),
                    "per_second": n / theirs,
                    **_quality(their_scores),
                },
                "ratio": round(theirs / ours, 3),
                **common,
                "baseline_per_scenario": _per_scenario(their_scores),
            }
        )
    rows[0]["arcore_per_scenario"] = _per_scenario(our_scores)
    return rows


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(int(sys.argv[2]))
    else:
        for row in run():
            summary = {k: v for k, v in row.items() if not k.endswith("per_scenario")}
            print(json.dumps(summary, indent=2))
