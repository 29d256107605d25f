"""Reports: aging, collection KPIs, customer statements, and their exports.

Everything here reads the ledger (or exported CSV files) and writes nothing back.
"""

from __future__ import annotations

from arcore.reports.aging import (
    age,
    age_balances,
    aging_from_csv,
    aging_from_store,
    in_currency,
)
from arcore.reports.kpis import (
    DEFAULT_TARGETS,
    Comparison,
    Target,
    TargetResult,
    check_targets,
    kpis_from_csv,
    kpis_from_history,
    kpis_from_store,
)
from arcore.reports.model import AgingBasis, AgingReport, AgingRow, Bucket, KpiReport, Kpis, buckets

__all__ = [
    "DEFAULT_TARGETS",
    "AgingBasis",
    "AgingReport",
    "AgingRow",
    "Bucket",
    "Comparison",
    "KpiReport",
    "Kpis",
    "Target",
    "TargetResult",
    "age",
    "age_balances",
    "aging_from_csv",
    "aging_from_store",
    "buckets",
    "check_targets",
    "in_currency",
    "kpis_from_csv",
    "kpis_from_history",
    "kpis_from_store",
]
