"""Reports: aging, collection KPIs, customer statements, and their exports.

Everything here reads the ledger (or exported CSV files) and writes nothing back.
"""

from __future__ import annotations

from arcore.reports.model import AgingBasis, AgingReport, AgingRow, Bucket, KpiReport, Kpis, buckets

__all__ = ["AgingBasis", "AgingReport", "AgingRow", "Bucket", "KpiReport", "Kpis", "buckets"]
