"""Store invariants under random sequences of payments, allocations and reversals."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from arcore_xero.simulator.store import ListQuery, Store, due_date
from arcore_xero.simulator.wire import XeroError

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
CENTS = st.integers(min_value=1, max_value=20_000).map(lambda c: Decimal(c) / 100)

actions = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), st.integers(0, 2), CENTS),
        st.tuples(st.just("allocate"), st.integers(0, 2), CENTS),
        st.tuples(st.just("refund"), st.just(0), CENTS),
        st.tuples(st.just("reverse"), st.integers(0, 20), st.just(Decimal(0))),
    ),
    max_size=25,
)


def books_with_documents(totals: list[Decimal], credit: Decimal) -> tuple[Store, str]:
    store = Store(lambda: NOW)
    tenant = store.tenant("t")
    contact = store.seed(tenant, "Contacts", {"Name": "Acme"})
    for total in totals:
        store.write(
            tenant,
            "Invoices",
            [
                {
                    "Type": "ACCREC",
                    "Contact": {"ContactID": contact["ContactID"]},
                    "LineItems": [{"Description": "x", "UnitAmount": str(total)}],
                    "DueDate": "2026-04-01",
                    "Status": "AUTHORISED",
                }
            ],
            create_only=True,
            summarize_errors=True,
        )
    store.write(
        tenant,
        "CreditNotes",
        [
            {
                "Type": "ACCRECCREDIT",
                "Contact": {"ContactID": contact["ContactID"]},
                "LineItems": [{"Description": "c", "UnitAmount": str(credit)}],
                "Status": "AUTHORISED",
            }
        ],
        create_only=True,
        summarize_errors=True,
    )
    return store, "t"


@settings(max_examples=60, deadline=None)
@given(st.lists(CENTS, min_size=3, max_size=3), CENTS, actions)
def test_amounts_stay_consistent_and_failed_writes_change_nothing(
    totals: list[Decimal], credit: Decimal, steps: list[tuple[str, int, Decimal]]
) -> None:
    store, tenant_id = books_with_documents(totals, credit)
    tenant = store.tenant(tenant_id)
    invoices = store.list_objects(tenant, "Invoices", ListQuery())[0]
    credit_id = store.list_objects(tenant, "CreditNotes", ListQuery())[0][0]["CreditNoteID"]
    for action, index, amount in steps:
        before = store.list_objects(tenant, "Invoices", ListQuery())[0]
        try:
            if action == "pay":
                store.write(
                    tenant,
                    "Payments",
                    [
                        {
                            "Invoice": {"InvoiceID": invoices[index]["InvoiceID"]},
                            "Account": {"Code": "090"},
                            "Amount": str(amount),
                        }
                    ],
                    create_only=True,
                    summarize_errors=True,
                )
            elif action == "allocate":
                store.allocate(
                    tenant,
                    credit_id,
                    [{"Invoice": {"InvoiceID": invoices[index]["InvoiceID"]}, "Amount": amount}],
                    summarize_errors=True,
                )
            elif action == "refund":
                store.write(
                    tenant,
                    "Payments",
                    [
                        {
                            "CreditNote": {"CreditNoteID": credit_id},
                            "Account": {"Code": "090"},
                            "Amount": str(amount),
                        }
                    ],
                    create_only=True,
                    summarize_errors=True,
                )
            else:
                payments = store.list_objects(tenant, "Payments", ListQuery())[0]
                if payments:
                    chosen = payments[index % len(payments)]
                    store.delete_payment(tenant, chosen["PaymentID"], {"Status": "DELETED"})
        except XeroError as exc:
            refused: int | None = exc.status
        else:
            refused = None
        if refused is not None:
            assert refused == 400
            assert store.list_objects(tenant, "Invoices", ListQuery())[0] == before
        check_invariants(store, tenant_id)


def check_invariants(store: Store, tenant_id: str) -> None:
    tenant = store.tenant(tenant_id)
    payments = store.list_objects(tenant, "Payments", ListQuery())[0]
    live = [p for p in payments if p["Status"] != "DELETED"]
    for invoice in store.list_objects(tenant, "Invoices", ListQuery())[0]:
        paid = sum(
            (p["Amount"] for p in live if p["Invoice"]["InvoiceID"] == invoice["InvoiceID"]),
            Decimal(0),
        )
        credited = sum((c["AppliedAmount"] for c in invoice["CreditNotes"]), Decimal(0))
        assert invoice["AmountPaid"] == paid
        assert invoice["AmountCredited"] == credited
        assert invoice["AmountDue"] == invoice["Total"] - paid - credited
        assert invoice["AmountDue"] >= 0
        assert (invoice["Status"] == "PAID") == (invoice["AmountDue"] == 0)
    (credit,) = store.list_objects(tenant, "CreditNotes", ListQuery())[0]
    allocated = sum((a["Amount"] for a in credit["Allocations"]), Decimal(0))
    refunded = sum((p["Amount"] for p in credit["Payments"]), Decimal(0))
    assert credit["RemainingCredit"] == credit["Total"] - allocated - refunded
    assert credit["RemainingCredit"] >= 0
    assert (credit["Status"] == "PAID") == (credit["RemainingCredit"] == 0)


@given(
    st.dates(min_value=datetime(2000, 1, 1).date(), max_value=datetime(2100, 1, 1).date()),
    st.integers(min_value=1, max_value=31),
    st.sampled_from(
        ["DAYSAFTERBILLDATE", "DAYSAFTERBILLMONTH", "OFCURRENTMONTH", "OFFOLLOWINGMONTH"]
    ),
)
def test_due_date_rules(issued: object, day: int, kind: str) -> None:
    from datetime import date, timedelta

    assert isinstance(issued, date)
    due = due_date(issued, {"Day": day, "Type": kind})
    if kind == "DAYSAFTERBILLDATE":
        assert due == issued + timedelta(days=day)
    elif kind == "DAYSAFTERBILLMONTH":
        assert due.month != issued.month or due.year != issued.year
        assert (due - timedelta(days=day)).month == issued.month
    elif kind == "OFCURRENTMONTH":
        assert (due.year, due.month) == (issued.year, issued.month)
        assert due.day == day or due.day < day
    else:
        following = (issued.replace(day=1) + timedelta(days=32)).replace(day=1)
        assert (due.year, due.month) == (following.year, following.month)
        assert due.day == day or due.day < day
