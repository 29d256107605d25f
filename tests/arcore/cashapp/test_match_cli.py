"""``arcore match``: the stateless mode on files, and the books mode with --post."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from arcore.cli import app
from arcore.ledger import Ledger
from arcore.store import open_store
from arcore.store.importer import import_files

CUSTOMERS = """\
customer_id,name,aliases,bank_accounts,parent_id,currency,terms,credit_limit
C1,Globex,Globex Corp,DE89370400440532013000,,USD,2/10 Net 30,
C2,Initech,,,,USD,Net 30,
"""
OPEN_ITEMS = """\
document_no,kind,customer_id,document_date,due_date,terms,currency,amount,open_amount
INV-1001,invoice,C1,2026-01-05,,,USD,1000.00,
INV-1002,invoice,C1,2026-01-20,,,USD,250.00,
INV-2001,invoice,C2,2026-01-10,,,USD,500.00,
INV-2002,invoice,C2,2026-01-11,,,USD,500.00,
INV-0999,invoice,C2,2025-12-01,,,USD,75.00,0
"""
PAYMENTS = """\
payment_id,received_date,amount,currency,payer_name,payer_account,reference,remittance,customer_id
P1,2026-01-14,980.00,USD,GLOBEX CORPORATION,,inv 1001,,
P2,2026-01-25,250.00,USD,Globex,,,,
P3,2026-01-26,500.00,USD,INITECH,,,,
P4,2026-01-27,75.00,USD,Initech,,INV-999,,
P5,2026-01-28,12.34,USD,Nobody Ltd,,,,
"""


def write(folder: Path) -> dict[str, Path]:
    files = {"customers": CUSTOMERS, "open_items": OPEN_ITEMS, "payments": PAYMENTS}
    paths = {}
    for name, text in files.items():
        paths[name] = folder / f"{name}.csv"
        paths[name].write_text(text, encoding="utf-8")
    return paths


def test_match_files_writes_one_row_per_application(tmp_path: Path) -> None:
    files = write(tmp_path)
    out = tmp_path / "proposals.csv"
    result = CliRunner().invoke(
        app,
        ["match", "--customers", str(files["customers"]), "--open-items",
         str(files["open_items"]), "--payments", str(files["payments"]), "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    got = {r["payment_id"]: r for r in rows}
    assert list(rows[0]) == [
        "payment_id", "status", "customer_id", "document_no", "applied_amount",
        "discount_amount", "writeoff_amount", "unapplied_amount", "confidence", "reason",
    ]  # fmt: skip
    # Number in the memo, amount = balance less the 2/10 discount earned on day 9.
    assert (got["P1"]["status"], got["P1"]["document_no"]) == ("auto", "INV-1001")
    assert (got["P1"]["applied_amount"], got["P1"]["discount_amount"]) == ("980.00", "20.00")
    # Known name, one item equal to the amount.
    assert (got["P2"]["status"], got["P2"]["document_no"]) == ("auto", "INV-1002")
    # Two items of 500.00: ambiguous, never automatic.
    assert got["P3"]["status"] == "review"
    # A second payment for a settled invoice goes to review, applied to nothing.
    assert (got["P4"]["status"], got["P4"]["document_no"]) == ("review", "")
    assert got["P4"]["unapplied_amount"] == "75.00"
    # Nobody and nothing: unapplied.
    assert (got["P5"]["status"], got["P5"]["customer_id"]) == ("unapplied", "")


def test_match_from_the_books_posts_auto_proposals(tmp_path: Path) -> None:
    files = write(tmp_path)
    url = f"sqlite:///{tmp_path / 'books.db'}"
    documents = tmp_path / "documents.csv"
    documents.write_text(OPEN_ITEMS, encoding="utf-8")
    with open_store(url) as store:
        import_files(
            store, "acme", customers=files["customers"], documents=documents,
            payments=files["payments"],
        )  # fmt: skip
    result = CliRunner().invoke(app, ["match", "--db", url, "--company", "acme", "--post"])
    assert result.exit_code == 0, result.output
    assert "auto (posted)" in result.output
    with open_store(url) as store:
        ledger = Ledger(store, "acme")
        assert ledger.document("INV-1001").status.value == "paid"
        assert ledger.document("INV-1002").status.value == "paid"
        assert ledger.document("INV-2001").status.value == "issued"
        # Posting again is harmless: the same idempotency keys.
    again = CliRunner().invoke(app, ["match", "--db", url, "--company", "acme", "--post"])
    assert again.exit_code == 0, again.output


def test_match_needs_files_or_a_store(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["match"])
    assert result.exit_code == 2
