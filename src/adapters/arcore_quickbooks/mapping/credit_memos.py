"""QuickBooks ``CreditMemo`` ⇄ arcore [`CreditMemo`][arcore.documents.CreditMemo].

| QuickBooks | arcore |
| --- | --- |
| ``DocNumber`` (else ``Id``), ``TxnDate`` | ``number``, ``document_date`` |
| ``CustomerRef``, ``CurrencyRef`` | ``customer_id``, ``currency`` |
| ``TotalAmt`` | ``amount`` (tax included) |
| ``TxnTaxDetail.TotalTax`` | ``tax`` |
| ``RemainingCredit`` (else ``Balance``) vs ``TotalAmt`` | ``status`` (how much is applied) |
| ``PrivateNote`` "Voided..." | ``status`` void |
| ``PrivateNote``, ``CustomerMemo`` | ``memo``, ``reason`` |

QuickBooks does not list on a credit memo what it was applied to (the application is a line of
a ``Payment`` with ``TxnType: CreditMemo``), so ``applications`` is ``None`` here: not stated.
Writing, the credit becomes one ``SalesItemLineDetail`` line of ``amount - tax`` on the
configured item, and ``TxnTaxDetail.TotalTax`` carries the tax. A voided memo with a zero
total becomes a deleted record (arcore's credit memo amount must be positive, and QuickBooks
no longer states what it was).
"""

from __future__ import annotations

from arcore.adapter import Record
from arcore.documents import CreditMemo
from arcore_quickbooks.mapping.common import (
    JSON,
    MappingContext,
    QuickBooksMappingError,
    as_date,
    as_money,
    currency_of,
    ref,
    ref_value,
    sync_token,
    updated_at,
)
from arcore_quickbooks.mapping.invoices import DEFAULT_ITEM_ID, is_voided, status_from_balance

__all__ = ["credit_memo_to_record", "record_to_credit_memo"]


def _memo_text(obj: JSON, key: str) -> str:
    value = obj.get(key)
    if isinstance(value, dict):
        value = value.get("value")
    return str(value or "")


def credit_memo_to_record(obj: JSON, context: MappingContext) -> Record:
    """A QuickBooks ``CreditMemo`` as a ``credit_memo`` record."""
    memo_id = str(obj["Id"])
    version, changed = sync_token(obj), updated_at(obj)
    if obj.get("status") == "Deleted":
        return Record(entity="credit_memo", external_id=memo_id, updated_at=changed, deleted=True)
    currency = currency_of(obj, context)
    amount = as_money(obj.get("TotalAmt") or 0, currency, "TotalAmt")
    if not amount and is_voided(obj):
        return Record(
            entity="credit_memo",
            external_id=memo_id,
            version=version,
            updated_at=changed,
            deleted=True,
        )
    issued = as_date(obj.get("TxnDate"))
    customer_id = ref_value(obj, "CustomerRef")
    if issued is None or customer_id is None:
        raise QuickBooksMappingError(
            f"credit memo {memo_id} has no TxnDate or CustomerRef", field="TxnDate"
        )
    tax_detail = obj.get("TxnTaxDetail") or {}
    memo = CreditMemo(
        company_id=context.company_id,
        id=memo_id,
        external_ids={"quickbooks": memo_id},
        currency=currency,
        customer_id=customer_id,
        number=str(obj.get("DocNumber") or memo_id),
        document_date=issued,
        amount=amount,
        tax=as_money(tax_detail.get("TotalTax") or 0, currency, "TotalTax"),
        memo=_memo_text(obj, "PrivateNote"),
        reason=_memo_text(obj, "CustomerMemo"),
    )
    remaining = "RemainingCredit" if obj.get("RemainingCredit") not in (None, "") else "Balance"
    status = status_from_balance(obj, amount, remaining)
    return Record(
        entity="credit_memo",
        external_id=memo_id,
        version=version,
        updated_at=changed,
        document=memo.model_copy(update={"status": status}),
        applications=None,  # QuickBooks states them on payments (see module docstring)
    )


def record_to_credit_memo(
    record: Record, context: MappingContext, *, item_id: str = DEFAULT_ITEM_ID
) -> JSON:
    """The QuickBooks ``CreditMemo`` body for a ``credit_memo`` record."""
    memo = record.document
    if not isinstance(memo, CreditMemo):
        raise QuickBooksMappingError(
            "a credit memo record must hold a CreditMemo", field="document"
        )
    net = memo.subtotal
    body: JSON = {
        "DocNumber": memo.number,
        "TxnDate": memo.document_date.isoformat(),
        "CustomerRef": ref(memo.customer_id),
        "CurrencyRef": ref(memo.currency),
        "Line": [
            {
                "LineNum": 1,
                "Description": memo.reason or memo.memo or memo.number,
                "Amount": net.amount,
                "DetailType": "SalesItemLineDetail",
                "SalesItemLineDetail": {
                    "ItemRef": ref(item_id),
                    "Qty": 1,
                    "UnitPrice": net.amount,
                    "TaxCodeRef": ref("TAX" if memo.tax else "NON"),
                },
            }
        ],
        "TxnTaxDetail": {"TotalTax": memo.tax.amount},
        "TotalAmt": memo.amount.amount,
    }
    if memo.memo:
        body["PrivateNote"] = memo.memo
    if memo.reason:
        body["CustomerMemo"] = {"value": memo.reason}
    if record.external_id is not None:
        body["Id"] = record.external_id
    if record.version is not None:
        body["SyncToken"] = record.version
    return body
