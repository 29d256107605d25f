"""Run every benchmark in this folder and write its results as JSON to benchmarks/results/.

Each ``bench_*.py`` module has a ``run() -> list[dict]`` that times arcore and a baseline on the
same input in the same process. Benchmarks are not tests: they assert nothing about time; they
report, next to each figure, the baseline's figure and the ratio between them.

Usage: ``python benchmarks/run.py [NAME ...]`` (default: all).
"""

from __future__ import annotations

import importlib.util
import json
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

HERE = Path(__file__).parent
RESULTS = HERE / "results"


def _load(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(names: list[str]) -> None:
    console = Console()
    RESULTS.mkdir(exist_ok=True)
    for path in sorted(HERE.glob("bench_*.py")):
        name = path.stem.removeprefix("bench_")
        if names and name not in names:
            continue
        console.print(f"[bold]{name}[/]")
        started = time.perf_counter()
        rows = _load(path).run()
        report = {
            "benchmark": name,
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "machine": platform.machine(),
            "seconds": round(time.perf_counter() - started, 3),
            "results": rows,
        }
        out = RESULTS / f"{name}.json"
        out.write_text(json.dumps(report, indent=2) + "\n")
        table = Table(title=f"{name} → {out}")
        for column in ("case", "items", "arcore items/s", "baseline", "baseline items/s", "ratio"):
            table.add_column(column)
        for row in rows:
            table.add_row(
                row["case"],
                f"{row['items']:,}",
                f"{row['per_second']:,.0f}",
                row["baseline"]["name"],
                f"{row['baseline']['per_second']:,.0f}",
                f"{row['ratio']:.2f}",
            )
        console.print(table)


if __name__ == "__main__":
    main(sys.argv[1:])
