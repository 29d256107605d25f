"""Pull: vendor objects into the ledger, references mapped, cursors kept, re-runs idempotent."""

from __future__ import annotations

from fake_adapter import FakeAdapter, FakeVendor
from sqlalchemy import func, select
from sync_data import COMPANY, credit_memo, customer, invoice, payment, usd

from arcore.adapter import Applied, NamedTerms
from arcore.documents import DocumentStatus, Invoice
from arcore.ledger import Ledger
from arcore.store import SqlStore
from arcore.store.schema import journal_entries, sync_cursors
from arcore.sync import FakeClock, SyncEngine, list_conflicts, resolve_conflict
from arcore.terms import parse_terms


def _engine(
    store: SqlStore, adapter: FakeAdapter, clock: FakeClock, **options: object
) -> SyncEngine:
    return SyncEngine(store, COMPANY, adapter, system="fakebooks", clock=clock, **options)  # type: ignore[arg-type]


def _vendor_books(vendor: FakeVendor) -> None:
    """Two customers (one the other's parent), three invoices, a credit memo, a payment."""
    vendor.add("term", NamedTerms(id="T1", name="Net 30", terms=parse_terms("Net 30")))
    vendor.add("customer", customer("C1", "Globex"))
    vendor.add("customer", customer("C2", "Globex West", parent_id="C1"))
    vendor.add("invoice", invoice("I1", "C1", "100.00"))
    vendor.add("invoice", invoice("I2", "C1", "50.00"))
    vendor.add("invoice", invoice("I3", "C2", "70.00"))
    vendor.add(
        "credit_memo",
        credit_memo("M1", "C2", "20.00", corrects="I3"),
        applications=[Applied(target_id="I3", amount=usd("20.00"))],
    )
    vendor.add(
        "payment",
        payment("P1", "C1", "120.00"),
        applications=[
            Applied(target_id="I1", amount=usd("100.00")),
            Applied(target_id="I2", amount=usd("20.00")),
        ],
    )


def _journal_size(store: SqlStore) -> int:
    with store.engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(journal_entries)) or 0


def test_a_full_pull_writes_every_object_with_core_ids_and_mapped_references(
    books: SqlStore, ledger: Ledger, vendor: FakeVendor, adapter: FakeAdapter, clock: FakeClock
) -> None:
    _vendor_books(vendor)

    report = _engine(books, adapter, clock).pull()

    assert report.ok, report.failures
    assert {entity: counts.created for (_, entity), counts in report.counts.items()} == {
        "term": 1,
        "customer": 2,
        "invoice": 3,
        "credit_memo": 1,
        "payment": 1,
    }
    west = ledger.customer("fakebooks-customer-C2")
    assert west.parent_id == "fakebooks-customer-C1"
    assert west.external_ids == {"fakebooks": "C2"}
    first = ledger.document("fakebooks-invoice-I1")
    assert isinstance(first, Invoice)
    assert first.customer_id == "fakebooks-customer-C1"
    assert first.status is DocumentStatus.PAID
    assert ledger.document("fakebooks-invoice-I2").status is DocumentStatus.PARTIALLY_PAID
    assert ledger.document_balance("fakebooks-invoice-I3") == usd("50.00")
    assert ledger.balance("fakebooks-customer-C1") == {"USD": usd("30.00")}


def test_listing_pages_through_every_page(
    books: SqlStore, vendor: FakeVendor, adapter: FakeAdapter, clock: FakeClock
) -> None:
    _vendor_books(vendor)  # three invoices on pages of two

    _engine(books, adapter, clock).pull()

    # One listing per page: term 1, customer 1 (+1 empty after a full page), invoice 2, memo 1,
    # payment 1.
    assert vendor.requests.count("list_changes") == 6


def test_a_rerun_changes_nothing(
    books: SqlStore, ledger: Ledger, vendor: FakeVendor, adapter: FakeAdapter, clock: FakeClock
) -> None:
    _vendor_books(vendor)
    _engine(books, adapter, clock).pull()
    entries = _journal_size(books)

    again = _engine(books, adapter, clock).pull()
    full = _engine(books, adapter, clock).pull(full=True)

    assert _journal_size(books) == entries
    for report in (again, full):
        assert report.ok
        assert all(c.created == c.updated == c.deleted == 0 for _, _, c in report.rows())
    assert sum(c.unchanged for _, _, c in full.rows()) == 8


def test_an_incremental_pull_reads_only_what_changed_since_the_cursor(
    books: SqlStore, ledger: Ledger, vendor: FakeVendor, adapter: FakeAdapter, clock: FakeClock
) -> None:
    _vendor_books(vendor)
    _engine(books, adapter, clock).pull()
    with books.engine.connect() as connection:
        before = dict(
            connection.execute(select(sync_cursors.c.entity, sync_cursors.c.cursor)).all()
        )
    vendor.add("invoice", invoice("I4", "C2", "30.00"))
    vendor.change("customer", "C1", document=customer("C1", "Globex Corporation"))

    report = _engine(books, adapter, clock).pull()

    assert report.of("pull", "invoice").created == 1
    assert report.of("pull", "customer").updated == 1
    assert sum(c.unchanged for _, _, c in report.rows()) == 0  # nothing old was re-read
    assert ledger.customer("fakebooks-customer-C1").name == "Globex Corporation"
    assert ledger.document_balance("fakebooks-invoice-I4") == usd("30.00")
    with books.engine.connect() as connection:
        after = dict(connection.execute(select(sync_cursors.c.entity, sync_cursors.c.cursor)).all())
    assert int(after["invoice"]) > int(before["invoice"])
    assert int(after["customer"]) > int(before["customer"])


def test_a_vendor_void_voids_the_core_document(
    books: SqlStore, ledger: Ledger, vendor: FakeVendor, adapter: FakeAdapter, clock: FakeClock
) -> None:
    vendor.add("customer", customer("C1", "Globex"))
    vendor.add("invoice", invoice("I1", "C1", "100.00"))
    _engine(books, adapter, clock).pull()
    voided = invoice("I1", "C1", "100.00").model_copy(update={"status": DocumentStatus.VOID})
    vendor.change("invoice", "I1", document=voided)

    report = _engine(books, adapter, clock).pull()

    assert report.of("pull", "invoice").deleted == 1
    assert ledger.document("fakebooks-invoice-I1").status is DocumentStatus.VOID
    assert ledger.balance("fakebooks-customer-C1") == {}


def test_a_new_payment_application_in_the_vendor_is_applied_in_the_core(
    books: SqlStore, ledger: Ledger, vendor: FakeVendor, adapter: FakeAdapter, clock: FakeClock
) -> None:
    vendor.add("customer", customer("C1", "Globex"))
    vendor.add("invoice", invoice("I1", "C1", "100.00"))
    vendor.add("payment", payment("P1", "C1", "100.00"))
    _engine(books, adapter, clock).pull()
    vendor.change("payment", "P1", applications=(Applied(target_id="I1", amount=usd("60.00")),))

    report = _engine(books, adapter, clock).pull()

    assert report.of("pull", "payment").updated == 1
    assert ledger.document_balance("fakebooks-invoice-I1") == usd("40.00")


def test_a_changed_amount_on_an_issued_invoice_is_held_then_resolved(
    books: SqlStore, ledger: Ledger, vendor: FakeVendor, adapter: FakeAdapter, clock: FakeClock
) -> None:
    vendor.add("customer", customer("C1", "Globex"))
    vendor.add("invoice", invoice("I1", "C1", "100.00"))
    _engine(books, adapter, clock, policy="vendor_wins").pull()
    vendor.change("invoice", "I1", document=invoice("I1", "C1", "120.00"))

    held = _engine(books, adapter, clock, policy="vendor_wins").pull()

    assert held.of("pull", "invoice").conflicts == 1
    assert "never rewritten" in held.conflicts[0].reason
    assert ledger.document_balance("fakebooks-invoice-I1") == usd("100.00")
    (conflict,) = list_conflicts(books, COMPANY, "fakebooks")
    assert conflict.vendor_version == "1"
    assert conflict.core_data is not None
    assert "100.00" in conflict.core_data
    assert conflict.vendor_data is not None
    assert "120.00" in conflict.vendor_data

    # A person posts the correction in arcore and accepts the vendor's version.
    ledger.issue(
        invoice("fix-1", "fakebooks-customer-C1", "20.00", company=COMPANY, number="ADJ-1"),
        actor="ana",
        idempotency_key="fix-1",
    )
    resolve_conflict(
        books,
        COMPANY,
        "fakebooks",
        "invoice",
        "fakebooks-invoice-I1",
        "vendor_wins",
        at=clock.now(),
    )
    resolved = _engine(books, adapter, clock).pull()

    assert resolved.ok
    assert list_conflicts(books, COMPANY, "fakebooks") == []
    assert _engine(books, adapter, clock).pull(full=True).ok


def test_a_reference_to_an_unknown_object_is_a_failure_and_the_rest_goes_on(
    books: SqlStore, ledger: Ledger, vendor: FakeVendor, adapter: FakeAdapter, clock: FakeClock
) -> None:
    vendor.add("customer", customer("C1", "Globex"))
    vendor.add("invoice", invoice("I1", "C9", "100.00"))
    vendor.add("invoice", invoice("I2", "C1", "100.00"))

    report = _engine(books, adapter, clock).pull()

    (failure,) = report.failures
    assert failure.external_id == "I1"
    assert "C9" in failure.reason
    assert report.of("pull", "invoice").created == 1


def test_progress_is_reported_per_entity(
    books: SqlStore, vendor: FakeVendor, adapter: FakeAdapter, clock: FakeClock
) -> None:
    _vendor_books(vendor)
    seen: list[tuple[str, str, int, int | None]] = []

    _engine(books, adapter, clock, progress=lambda *event: seen.append(event)).pull()

    assert ("pull", "invoice", 3, 3) in seen
    assert ("pull", "invoice", 2, None) in seen


def test_a_memo_edit_in_the_vendor_is_taken_without_touching_the_issued_invoice(
    books: SqlStore, ledger: Ledger, vendor: FakeVendor, adapter: FakeAdapter, clock: FakeClock
) -> None:
    vendor.add("customer", customer("C1", "Globex"))
    vendor.add("invoice", invoice("I1", "C1", "100.00"))
    _engine(books, adapter, clock).pull()
    edited = invoice("I1", "C1", "100.00").model_copy(update={"memo": "PO 4711"})
    vendor.change("invoice", "I1", document=edited)

    report = _engine(books, adapter, clock).pull()

    assert report.ok
    assert report.of("pull", "invoice").unchanged == 1
    assert ledger.document("fakebooks-invoice-I1").memo == ""
    assert _engine(books, adapter, clock).pull(full=True).of("pull", "invoice").unchanged == 1


def test_under_core_wins_a_vendor_amount_change_is_overwritten_by_the_next_push(
    books: SqlStore, ledger: Ledger, vendor: FakeVendor, adapter: FakeAdapter, clock: FakeClock
) -> None:
    vendor.add("customer", customer("C1", "Globex"))
    vendor.add("invoice", invoice("I1", "C1", "100.00"))
    _engine(books, adapter, clock).pull()
    vendor.change("invoice", "I1", document=invoice("I1", "C1", "120.00"))

    report = _engine(books, adapter, clock, policy="core_wins").run()

    assert report.ok
    assert report.of("push", "invoice").updated == 1
    (kept,) = vendor.live("invoice")
    assert isinstance(kept.document, Invoice)
    assert kept.document.total == usd("100.00")
    assert ledger.document_balance("fakebooks-invoice-I1") == usd("100.00")


def test_a_vendor_deletion_voids_an_open_document_and_holds_a_paid_one(
    books: SqlStore, ledger: Ledger, vendor: FakeVendor, adapter: FakeAdapter, clock: FakeClock
) -> None:
    vendor.add("customer", customer("C1", "Globex"))
    vendor.add("invoice", invoice("I1", "C1", "100.00"))
    vendor.add("invoice", invoice("I2", "C1", "50.00"))
    vendor.add(
        "payment",
        payment("P1", "C1", "50.00"),
        applications=[Applied(target_id="I2", amount=usd("50.00"))],
    )
    _engine(books, adapter, clock).pull()
    for external_id in ("I1", "I2"):
        vendor.change("invoice", external_id, deleted=True, document=None)

    report = _engine(books, adapter, clock).pull()

    assert report.of("pull", "invoice").deleted == 1
    assert report.of("pull", "invoice").conflicts == 1
    assert ledger.document("fakebooks-invoice-I1").status is DocumentStatus.VOID
    assert ledger.document("fakebooks-invoice-I2").status is DocumentStatus.PAID
    assert "unapply" in report.conflicts[0].reason.lower()
