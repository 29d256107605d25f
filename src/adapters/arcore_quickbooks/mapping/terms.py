"""QuickBooks ``Term`` ⇄ [`NamedTerms`][arcore.adapter.NamedTerms].

* ``Type: STANDARD`` with ``DueDays``, ``DiscountPercent``, ``DiscountDays``:
  ``NetTerms(days, discount=Discount(percent, days))``
* ``Type: DATE_DRIVEN`` with ``DayOfMonthDue``, ``DiscountPercent``, ``DiscountDayOfMonth``:
  ``ProxTerms(day, discount=ProxDiscount(percent, day))``

QuickBooks date-driven terms ("due by day N; due the next month if issued within M days of
the due date") and arcore's prox terms ("day N of the next month; after the cutoff, of the
month after") are not the same rule: ``DueNextMonthDays`` has no exact arcore equivalent and is
not mapped, and a discount day after the due day (which arcore's ``ProxTerms`` refuses) is
dropped with a logged warning. ``InstallmentTerms`` have no QuickBooks equivalent.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from arcore.adapter import NamedTerms, Record
from arcore.terms import Discount, InstallmentTerms, NetTerms, ProxDiscount, ProxTerms, Terms
from arcore_quickbooks.mapping.common import (
    JSON,
    QuickBooksMappingError,
    as_bool,
    as_decimal,
    as_int,
    sync_token,
    updated_at,
)

__all__ = ["record_to_term", "term_to_record", "terms_from_term"]

_log = logging.getLogger(__name__)


def _percent(obj: JSON) -> Decimal | None:
    percent = obj.get("DiscountPercent")
    if percent in (None, ""):
        return None
    value = as_decimal(percent, "DiscountPercent")
    return value if value else None


def terms_from_term(obj: JSON) -> Terms:
    """The arcore terms a QuickBooks ``Term`` object means.

    >>> str(terms_from_term({"Type": "STANDARD", "DueDays": 30, "DiscountPercent": 2,
    ...                      "DiscountDays": 10}))
    '2/10 Net 30'
    """
    percent = _percent(obj)
    if obj.get("DayOfMonthDue") not in (None, "") or obj.get("Type") == "DATE_DRIVEN":
        day = as_int(obj.get("DayOfMonthDue", 1), "DayOfMonthDue")
        discount = None
        if percent is not None and obj.get("DiscountDayOfMonth") not in (None, ""):
            discount_day = as_int(obj["DiscountDayOfMonth"], "DiscountDayOfMonth")
            if discount_day <= day:
                discount = ProxDiscount(percent=percent, day=discount_day)
            else:
                _log.warning(
                    "QuickBooks term %s: discount day %s after due day %s dropped",
                    obj.get("Id"),
                    discount_day,
                    day,
                )
        return ProxTerms(day=day, discount=discount)
    days = as_int(obj.get("DueDays", 0), "DueDays")
    net_discount = None
    if percent is not None:
        discount_days = as_int(obj.get("DiscountDays", 0), "DiscountDays")
        net_discount = Discount(percent=percent, days=discount_days)
    return NetTerms(days=days, discount=net_discount)


def term_to_record(obj: JSON) -> Record:
    """A QuickBooks ``Term`` as a ``term`` record of [`NamedTerms`][arcore.adapter.NamedTerms]."""
    term_id = str(obj["Id"])
    if obj.get("status") == "Deleted":
        return Record(entity="term", external_id=term_id, updated_at=updated_at(obj), deleted=True)
    named = NamedTerms(
        id=term_id,
        name=str(obj.get("Name") or term_id),
        terms=terms_from_term(obj),
        active=as_bool(obj.get("Active"), default=True),
    )
    return Record(
        entity="term",
        external_id=term_id,
        version=sync_token(obj),
        updated_at=updated_at(obj),
        document=named,
    )


def record_to_term(record: Record) -> JSON:
    """The QuickBooks ``Term`` body for a ``term`` record.

    Raises:
        QuickBooksMappingError: the record holds no terms, or installment terms (QuickBooks
            has no such term) or end-of-month net terms.
    """
    named = record.document
    if not isinstance(named, NamedTerms):
        raise QuickBooksMappingError("a term record must hold NamedTerms", field="document")
    terms = named.terms
    body: JSON = {"Name": named.name, "Active": named.active}
    if isinstance(terms, NetTerms):
        if terms.eom:
            raise QuickBooksMappingError(
                f"QuickBooks has no end-of-month net terms like {terms}",
                hint="Use a QuickBooks date-driven term and prox terms instead",
                field="terms",
                value=str(terms),
            )
        body["Type"] = "STANDARD"
        body["DueDays"] = terms.days
        if terms.discount is not None:
            body["DiscountPercent"] = terms.discount.percent
            body["DiscountDays"] = terms.discount.days
    elif isinstance(terms, ProxTerms):
        body["Type"] = "DATE_DRIVEN"
        body["DayOfMonthDue"] = terms.day
        if terms.discount is not None:
            body["DiscountPercent"] = terms.discount.percent
            body["DiscountDayOfMonth"] = terms.discount.day
    else:
        assert isinstance(terms, InstallmentTerms)
        raise QuickBooksMappingError(
            f"QuickBooks has no installment terms like {terms}",
            field="terms",
            value=str(terms),
        )
    if record.external_id is not None:
        body["Id"] = record.external_id
    if record.version is not None:
        body["SyncToken"] = record.version
    return body
