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
    session.run("mypy", "--strict", "src/arcore")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation site, failing on any warning."""
    session.install("-e", ".", *_group("docs"))
    session.run("mkdocs", "build", "--strict", "--site-dir", f"{session.create_tmp()}/site")


@nox.session
def demo(session: nox.Session) -> None:
    """Run the main job end to end from the command line."""
    session.install("-e", ".[all]")
    session.run("arcore", "--version")
    session.run("arcore", "terms", "2/10 Net 30", "--date", "2026-01-31", "--amount", "1000.00")
    session.run("arcore", "terms", "Net 30 EOM", "--date", "2024-01-15", "--amount", "1,250.00")
    session.run(
        "arcore", "terms", "Net 10th Prox cutoff 25", "--date", "2026-01-26", "--amount", "500.00"
    )
    session.run(
        "arcore", "terms", "Installments 50% Net 30, 50% Net 60",
        "--date", "2026-05-31", "--amount", "1000.01", "--calendar", "US", "--json",
    )  # fmt: skip
    session.run("arcore", "adapters")
    # The books: import the example files (twice: the second run changes nothing).
    books = Path(session.create_tmp()) / "demo.db"
    books.unlink(missing_ok=True)
    files = [f"--{kind}=docs/examples/{kind}.csv" for kind in _IMPORT_FILES]
    for _ in range(2):
        session.run("arcore", "import", f"--db=sqlite:///{books}", "--company=demo", *files)
    session.run("arcore", "backup", f"--db=sqlite:///{books}", f"--to={books}.bak", "--overwrite")


_IMPORT_FILES = ("customers", "documents", "payments", "applications")


@nox.session
def bench(session: nox.Session) -> None:
    """Run the benchmarks, each against its baseline, writing JSON to benchmarks/results/."""
    session.install("-e", ".[all]")
    session.run("python", "benchmarks/run.py", *session.posargs)
