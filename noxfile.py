"""Sessions: tests, lint, typecheck, docs, demo and bench. Run ``nox -s tests``."""

from __future__ import annotations

from pathlib import Path

import nox

nox.needs_version = ">=2024.10.9"
nox.options.sessions = ["tests", "lint", "typecheck", "docs"]
nox.options.default_venv_backend = "venv"
nox.options.error_on_external_run = True

PYPROJECT = nox.project.load_toml("pyproject.toml")


def _group(name: str) -> list[str]:
    return list(nox.project.dependency_groups(PYPROJECT, name))


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite (pytest + hypothesis) with every extra installed."""
    session.install("-e", ".[all]", *_group("test"))
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Check style and formatting with ruff."""
    session.install(*_group("lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """Type-check the sources with mypy --strict."""
    session.install("-e", ".[all]", *_group("typecheck"))
    session.run(
        "mypy",
        "--strict",
        "src/arcore",
        "src/adapters/arcore_quickbooks",
        "src/adapters/arcore_xero",
    )


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation site, failing on any warning."""
    session.install("-e", ".", *_group("docs"))
    session.run("mkdocs", "build", "--strict", "--site-dir", f"{session.create_tmp()}/site")


@nox.session
def demo(session: nox.Session) -> None:
    """The main job end to end, on the embedded SQLite store, into demo-output/.

    A sample company's customers and invoices are imported, a camt.053 bank statement is
    read, its credits become payments, cash application posts the certain matches, and
    the aging, the KPIs, a PDF statement and an XLSX aging report come out.
    """
    session.install("-e", ".")
    out = Path("demo-output")
    inputs = out / "input"
    books = out / "demo.db"
    for stale in (books, books.with_name("demo.db-wal"), books.with_name("demo.db-shm")):
        stale.unlink(missing_ok=True)
    db, company = f"--db=sqlite:///{books}", "--company=demo"
    session.run("arcore", "--version")
    session.run("arcore", "terms", "2/10 Net 30", "--date", "2026-11-02", "--amount", "1000.00")
    # The sample company: customers and invoices (some paid before November, as history).
    session.run("python", "docs/examples/demo_data.py", str(inputs))
    session.run(
        "arcore", "import", db, company,
        f"--customers={inputs / 'customers.csv'}", f"--documents={inputs / 'documents.csv'}",
    )  # fmt: skip
    # November's bank statement: its credits become payments; cash application posts
    # what it is sure of and leaves the rest for a person (proposals.csv).
    session.run("arcore", "bank", "import", str(inputs / "statement.xml"), db, company)
    session.run("arcore", "deposits", "verify", db, company, "--date=2026-11-24")
    session.run("arcore", "match", db, company, "--post", f"--out={out / 'proposals.csv'}")
    # What the AR team reads: aging, KPIs against the targets, a statement, an aging workbook.
    session.run("arcore", "aging", db, company, "--as-of=2026-11-30")
    session.run("arcore", "kpis", db, company, "--from=2026-11-01", "--to=2026-11-30")
    session.run("arcore", "aging", db, company, "--as-of=2026-11-30", f"--out={out / 'aging.xlsx'}")
    session.run(
        "arcore", "statement", db, company, "--customer=C001", "--from=2026-11-01",
        "--to=2026-11-30", "--style=balance-forward", f"--out={out / 'statement-C001.pdf'}",
    )  # fmt: skip
    # Importing the same files again changes nothing; a backup to end the day.
    session.run(
        "arcore", "import", db, company,
        f"--customers={inputs / 'customers.csv'}", f"--documents={inputs / 'documents.csv'}",
    )  # fmt: skip
    session.run("arcore", "backup", db, f"--to={out / 'demo.db.bak'}", "--overwrite")
    session.log(f"Written: {', '.join(sorted(p.name for p in out.iterdir() if p.is_file()))}")


@nox.session
def bench(session: nox.Session) -> None:
    """Run the benchmarks, each against its baseline, writing JSON to benchmarks/results/."""
    session.install("-e", ".[all]", *_group("bench"))
    session.run("python", "benchmarks/run.py", *session.posargs)
