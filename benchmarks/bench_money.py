"""Money: parsing export amounts and largest-remainder allocation, against naive loops.

Baselines are what a spreadsheet macro or a quick script does: strip the grouping and the
symbol and call ``Decimal`` (no validation, no locales, no parentheses); split an amount by
flooring each share and dumping the leftover cents on the last part.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from arcore.money import Money, allocate, parse_amount

N_PARSE = 200_000
N_ALLOCATE = 20_000


def _timed(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def _row(case: str, items: int, ours: float, baseline: str, theirs: float) -> dict[str, Any]:
    return {
        "case": case,
        "items": items,
        "seconds": round(ours, 4),
        "per_second": items / ours,
        "baseline": {"name": baseline, "seconds": round(theirs, 4), "per_second": items / theirs},
        "ratio": round(theirs / ours, 3),  # > 1: arcore is faster than the baseline
    }


def run() -> list[dict[str, Any]]:
    rng = random.Random(20261125)
    cents = [rng.randrange(0, 10**11) for _ in range(N_PARSE)]
    texts = [f"${c // 100:,}.{c % 100:02d}" for c in cents]

    plain = [f"{c // 100}.{c % 100:02d}" for c in cents]

    def ours_parse() -> None:
        for text in texts:
            parse_amount(text)

    def naive_parse() -> None:
        for text in texts:
            Decimal(text.replace(",", "").replace("$", ""))

    def ours_parse_plain() -> None:
        for text in plain:
            parse_amount(text)

    def naive_parse_plain() -> None:
        for text in plain:
            Decimal(text)

    totals = [Money.from_minor_units(rng.randrange(1, 10**9), "USD") for _ in range(N_ALLOCATE)]
    ratios = [Decimal(1), Decimal(2), Decimal(3), Decimal(4)]

    def ours_allocate() -> None:
        for total in totals:
            allocate(total, ratios)

    def naive_allocate() -> None:
        weight = sum(ratios)
        for total in totals:
            cents = total.to_minor_units()
            parts = [cents * r // weight for r in ratios]
            parts[-1] += cents - sum(parts)
            [Money.from_minor_units(int(p), "USD") for p in parts]

    return [
        _row(
            "parse_amount plain (1234.56)",
            N_PARSE,
            _timed(ours_parse_plain),
            "Decimal(text)",
            _timed(naive_parse_plain),
        ),
        _row(
            "parse_amount", N_PARSE, _timed(ours_parse), "Decimal(str.replace)", _timed(naive_parse)
        ),
        _row(
            "allocate 4 parts",
            N_ALLOCATE,
            _timed(ours_allocate),
            "floor + remainder on last",
            _timed(naive_allocate),
        ),
    ]
