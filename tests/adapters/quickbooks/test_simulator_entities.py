"""Create, read, update, void and delete of every entity through the unmodified SDK."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from quickbooks.exceptions import (
    ObjectNotFoundException,
    QuickbooksException,
    UnsupportedException,
    ValidationException,
)
from quickbooks.objects.base import Ref
from quickbooks.objects.creditmemo import CreditMemo
from quickbooks.objects.customer import Customer
from quickbooks.objects.detailline import SalesItemLine, SalesItemLineDetail
from quickbooks.objects.invoice import Invoice
from quickbooks.objects.payment import Payment, PaymentLine
from quickbooks.objects.term import Term

from arcore_quickbooks.simulator import QuickBooksSimulator


def sales_line(amount: str) -> SalesItemLine:
    line = SalesItemLine()
    line.Amount = Decimal(amount)
    line.SalesItemLineDetail = SalesItemLineDetail()
    item = Ref()
    item.value = "1"
    line.SalesItemLineDetail.ItemRef = item
    return line


def new_customer(qb: Any, name: str = "Sunset Bakery") -> Customer:
    customer = Customer()
    customer.DisplayName = name
    return customer.save(qb=qb)


def new_invoice(qb: Any, customer: Customer, *amounts: str) -> Invoice:
    invoice = Invoice()
    invoice.CustomerRef = customer.to_ref()
    invoice.Line = [sales_line(a) for a in amounts]
    return invoice.save(qb=qb)


def new_credit_memo(qb: Any, customer: Customer, amount: str) -> CreditMemo:
    memo = CreditMemo()
    memo.CustomerRef = customer.to_ref()
    memo.Line = [sales_line(amount)]
    return memo.save(qb=qb)


def pay(qb: Any, customer: Customer, total: str, *applied: tuple[Any, str]) -> Payment:
    payment = Payment()
    payment.CustomerRef = customer.to_ref()
    payment.TotalAmt = Decimal(total)
    lines = []
    for document, amount in applied:
        line = PaymentLine()
        line.Amount = Decimal(amount)
        line.LinkedTxn = [document.to_linked_txn()]
        lines.append(line)
    payment.Line = lines
    return payment.save(qb=qb)


def test_customer_create_read_update(qb: Any, simulator: QuickBooksSimulator, realm: str) -> None:
    created = new_customer(qb)
    assert created.Id == "1"
    assert created.SyncToken == "0"

    read = Customer.get(created.Id, qb=qb)
    read.CompanyName = "Sunset Bakery Ltd"
    updated = read.save(qb=qb)

    assert updated.SyncToken == "1"
    assert simulator.objects(realm, "Customer")[0]["CompanyName"] == "Sunset Bakery Ltd"
    assert (
        updated.MetaData["CreateTime"] == created.MetaData["CreateTime"]
    )  # a dict: Customer has no MetaData class


def test_duplicate_customer_name_is_6240(qb: Any) -> None:
    new_customer(qb, "Same")

    with pytest.raises(QuickbooksException) as caught:
        new_customer(qb, "same")
    assert caught.value.error_code == 6240


def test_customers_cannot_be_deleted_only_deactivated(
    qb: Any, simulator: QuickBooksSimulator, realm: str
) -> None:
    customer = new_customer(qb)
    body = {"Id": customer.Id, "SyncToken": customer.SyncToken}

    with pytest.raises(UnsupportedException):
        qb.delete_object("Customer", json_dumps(body))
    customer.Active = False
    customer.save(qb=qb)
    assert Customer.all(qb=qb) == []
    assert len(Customer.where("Active IN (true, false)", qb=qb)) == 1


def json_dumps(body: dict[str, Any]) -> str:
    import json

    return json.dumps(body)


def test_term_create_read_update(qb: Any) -> None:
    term = Term()
    term.Name = "Net 30"
    term.DueDays = 30
    created = term.save(qb=qb)

    read = Term.get(created.Id, qb=qb)
    assert (read.Type, read.DueDays, read.Active) == ("STANDARD", 30, True)
    read.DueDays = 45
    assert read.save(qb=qb).DueDays == 45


def test_invoice_totals_and_due_date_from_terms(qb: Any) -> None:
    term = Term()
    term.Name = "Net 15"
    term.DueDays = 15
    term = term.save(qb=qb)
    customer = new_customer(qb)
    invoice = Invoice()
    invoice.CustomerRef = customer.to_ref()
    invoice.SalesTermRef = term.to_ref()
    invoice.TxnDate = "2026-03-01"
    invoice.Line = [sales_line("100.10"), sales_line("20.05")]
    saved = invoice.save(qb=qb)

    assert Decimal(str(saved.TotalAmt)) == Decimal("120.15")
    assert Decimal(str(saved.Balance)) == Decimal("120.15")
    assert saved.DueDate == "2026-03-16"
    assert saved.DocNumber == "1001"
    assert [line.Id for line in saved.Line[:2]] == ["1", "2"]
    assert saved.Line[-1].DetailType == "SubTotalLineDetail"
    assert saved.CustomerRef.name == "Sunset Bakery"


def test_bare_sdk_invoice_with_empty_string_fields_is_accepted(qb: Any) -> None:
    customer = new_customer(qb)
    invoice = Invoice()  # DueDate "", TxnDate "", TotalAmt "", SyncToken 0 (int)...
    invoice.CustomerRef = customer.to_ref()

    saved = invoice.save(qb=qb)

    assert saved.TotalAmt == 0
    assert saved.TxnDate == "2026-03-02"  # the simulator's clock, not the wall clock


def test_invoice_update_void_delete(qb: Any, simulator: QuickBooksSimulator, realm: str) -> None:
    customer = new_customer(qb)
    invoice = new_invoice(qb, customer, "50")
    invoice.Line = [sales_line("75")]
    updated = invoice.save(qb=qb)
    assert (updated.TotalAmt, updated.SyncToken) == (75, "1")

    voided = Invoice.get(invoice.Id, qb=qb)
    voided.void(qb=qb)
    after_void = Invoice.get(invoice.Id, qb=qb)
    assert (after_void.TotalAmt, after_void.Balance, after_void.PrivateNote) == (0, 0, "Voided")
    assert after_void.SyncToken == "2"

    after_void.delete(qb=qb)
    assert simulator.objects(realm, "Invoice") == []
    with pytest.raises(ObjectNotFoundException):
        Invoice.get(invoice.Id, qb=qb)


def test_stale_sync_token_is_5010(qb: Any) -> None:
    customer = new_customer(qb)
    invoice = new_invoice(qb, customer, "10")
    first = Invoice.get(invoice.Id, qb=qb)
    second = Invoice.get(invoice.Id, qb=qb)
    first.save(qb=qb)

    with pytest.raises(QuickbooksException) as caught:
        second.save(qb=qb)
    assert type(caught.value) is QuickbooksException
    assert caught.value.error_code == 5010
    assert caught.value.message == "Stale Object Error"


def test_sparse_update_keeps_the_other_fields(qb: Any, simulator: QuickBooksSimulator) -> None:
    customer = new_customer(qb)
    customer.CompanyName = "Kept"
    customer = Customer.get(customer.save(qb=qb).Id, qb=qb)
    body = {"Id": customer.Id, "SyncToken": customer.SyncToken, "sparse": True, "Notes": "VIP"}

    answer = qb.update_object("Customer", json_dumps(body))

    assert answer["Customer"]["CompanyName"] == "Kept"
    assert answer["Customer"]["Notes"] == "VIP"
    assert answer["Customer"]["SyncToken"] == "2"


def test_sync_token_may_be_sent_as_int_or_string(qb: Any) -> None:
    customer = new_customer(qb)
    body = {"Id": customer.Id, "SyncToken": 0, "sparse": True, "Notes": "int"}
    assert qb.update_object("Customer", json_dumps(body))["Customer"]["SyncToken"] == "1"
    body = {"Id": customer.Id, "SyncToken": "1", "sparse": True, "Notes": "str"}
    assert qb.update_object("Customer", json_dumps(body))["Customer"]["SyncToken"] == "2"


def test_payment_applies_to_invoice_and_credit_memo(
    qb: Any, simulator: QuickBooksSimulator, realm: str
) -> None:
    customer = new_customer(qb)
    invoice = new_invoice(qb, customer, "100")
    memo = new_credit_memo(qb, customer, "30")
    assert (memo.RemainingCredit, memo.Balance) == (30, 30)

    payment = pay(qb, customer, "80", (invoice, "100"), (memo, "30"))

    assert payment.UnappliedAmt == 10  # 80 received, 100 - 30 applied
    paid = Invoice.get(invoice.Id, qb=qb)
    assert paid.Balance == 0
    assert paid.SyncToken == "1"  # QBO changes the invoice when a payment is applied
    assert [(link.TxnId, link.TxnType) for link in paid.LinkedTxn] == [(payment.Id, "Payment")]
    assert CreditMemo.get(memo.Id, qb=qb).RemainingCredit == 0
    assert Customer.get(customer.Id, qb=qb).Balance == -10


def test_payment_void_and_delete_reopen_the_invoice(qb: Any) -> None:
    customer = new_customer(qb)
    invoice = new_invoice(qb, customer, "40")
    payment = pay(qb, customer, "40", (invoice, "40"))
    assert Invoice.get(invoice.Id, qb=qb).Balance == 0

    payment.void(qb=qb)
    voided = Payment.get(payment.Id, qb=qb)
    assert (voided.TotalAmt, voided.UnappliedAmt) == (0, 0)
    reopened = Invoice.get(invoice.Id, qb=qb)
    assert (reopened.Balance, reopened.LinkedTxn) == (40, [])

    second = pay(qb, customer, "15", (invoice, "15"))
    second.delete(qb=qb)
    assert Invoice.get(invoice.Id, qb=qb).Balance == 40


def test_credit_memo_update_and_delete(qb: Any, simulator: QuickBooksSimulator, realm: str) -> None:
    customer = new_customer(qb)
    memo = new_credit_memo(qb, customer, "12.50")
    memo.Line = [sales_line("20")]
    updated = memo.save(qb=qb)
    assert (updated.TotalAmt, updated.RemainingCredit) == (20, 20)

    CreditMemo.get(memo.Id, qb=qb).delete(qb=qb)
    assert simulator.objects(realm, "CreditMemo") == []


def test_overpaying_an_invoice_is_refused_and_nothing_changes(
    qb: Any, simulator: QuickBooksSimulator, realm: str
) -> None:
    customer = new_customer(qb)
    invoice = new_invoice(qb, customer, "10")

    with pytest.raises(QuickbooksException) as caught:
        pay(qb, customer, "20", (invoice, "20"))
    assert caught.value.error_code == 6000
    assert simulator.objects(realm, "Payment") == []
    assert Invoice.get(invoice.Id, qb=qb).Balance == 10


def test_payment_for_an_unknown_invoice_is_2500(qb: Any) -> None:
    customer = new_customer(qb)
    ghost = Invoice()
    ghost.Id = "999"

    with pytest.raises(ValidationException) as caught:
        pay(qb, customer, "5", (ghost, "5"))
    assert caught.value.error_code == 2500


def test_transaction_ids_share_one_sequence(qb: Any) -> None:
    customer = new_customer(qb)
    invoice = new_invoice(qb, customer, "1")
    memo = new_credit_memo(qb, customer, "1")
    payment = pay(qb, customer, "1")

    assert [invoice.Id, memo.Id, payment.Id] == ["1", "2", "3"]


def test_seed_and_metadata_follow_the_clock(
    simulator: QuickBooksSimulator, sim_clock: Any, realm: str
) -> None:
    customer = simulator.seed(realm, "Customer", {"DisplayName": "Seeded"})
    sim_clock.advance(minutes=5)
    invoice = simulator.seed(
        realm,
        "Invoice",
        {
            "CustomerRef": {"value": customer["Id"]},
            "Line": [
                {"Amount": "9.99", "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": {}}
            ],
        },
    )

    assert customer["MetaData"]["CreateTime"] == "2026-03-02T09:30:00+00:00"
    assert invoice["MetaData"]["LastUpdatedTime"] == "2026-03-02T09:35:00+00:00"
    assert invoice["TotalAmt"] == Decimal("9.99")
    assert simulator.objects(realm, "Customer")[0]["Balance"] == Decimal("9.99")


def test_read_modify_save_round_trips_keep_applications(qb: Any) -> None:
    customer = new_customer(qb)
    invoice = new_invoice(qb, customer, "100")
    payment = pay(qb, customer, "100", (invoice, "60"))

    read_payment = Payment.get(payment.Id, qb=qb)
    read_payment.PrivateNote = "cheque 12"
    saved_payment = read_payment.save(qb=qb)
    read_invoice = Invoice.get(invoice.Id, qb=qb)
    read_invoice.PrivateNote = "partly paid"
    saved_invoice = read_invoice.save(qb=qb)

    assert (saved_payment.UnappliedAmt, saved_payment.SyncToken) == (40, "1")
    assert saved_invoice.Balance == 40
    assert [link.TxnId for link in saved_invoice.LinkedTxn] == [payment.Id]


def test_money_goes_on_the_wire_exactly(
    qb: Any, simulator: QuickBooksSimulator, realm: str
) -> None:
    """No float between the simulator's Decimal and the client: 18 digits arrive as sent."""
    customer = simulator.seed(realm, "Customer", {"DisplayName": "Exact Co"})
    invoice = simulator.seed(
        realm,
        "Invoice",
        {
            "CustomerRef": {"value": customer["Id"]},
            "Line": [
                {
                    "Amount": "1234567890123456.78",
                    "DetailType": "SalesItemLineDetail",
                    "SalesItemLineDetail": {"ItemRef": {"value": "1"}},
                }
            ],
        },
    )
    answer = qb.process_request(
        "GET",
        f"{simulator.api_url}/company/{realm}/invoice/{invoice['Id']}",
        headers={"Accept": "application/json"},
        params={"minorversion": 75},
    )
    assert '"TotalAmt":1234567890123456.78' in answer.text
