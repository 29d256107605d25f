from __future__ import annotations

from decimal import Decimal

import pytest

from adapters.quickbooks.qbo_fixtures import entity
from arcore.adapter import NamedTerms, Record
from arcore.terms import Discount, NetTerms, ProxDiscount, ProxTerms, parse_terms
from arcore_quickbooks.mapping.common import QuickBooksMappingError
from arcore_quickbooks.mapping.terms import record_to_term, term_to_record


def _named(record: Record) -> NamedTerms:
    assert isinstance(record.document, NamedTerms)
    return record.document


def test_standard_term_both_ways() -> None:
    source = {
        "Id": "3",
        "SyncToken": "0",
        "Name": "2% 10 Net 30",
        "Active": True,
        "Type": "STANDARD",
        "DueDays": 30,
        "DiscountPercent": Decimal("2"),
        "DiscountDays": 10,
    }
    record = term_to_record(source)
    named = _named(record)
    assert named.terms == NetTerms(days=30, discount=Discount(percent=2, days=10))
    assert (named.id, named.name, named.active) == ("3", "2% 10 Net 30", True)
    body = record_to_term(record)
    for key in ("Id", "SyncToken", "Name", "Active", "Type", "DueDays", "DiscountDays"):
        assert body[key] == source[key], key
    assert body["DiscountPercent"] == Decimal(2)


def test_date_driven_term_both_ways() -> None:
    named = NamedTerms(
        id="7",
        name="Net 25th Prox",
        terms=ProxTerms(day=25, discount=ProxDiscount(percent=Decimal("1.5"), day=10)),
    )
    body = record_to_term(Record(entity="term", external_id="7", version="2", document=named))
    assert (body["Type"], body["DayOfMonthDue"], body["DiscountDayOfMonth"]) == (
        "DATE_DRIVEN",
        25,
        10,
    )
    assert _named(term_to_record(body)) == named


def test_real_date_driven_term() -> None:
    named = _named(term_to_record(entity("fetch_term_by_id.xml", "Term")))
    # DayOfMonthDue 1; its discount day (3) falls after the due day, which arcore refuses.
    assert named.terms == ProxTerms(day=1)
    assert named.name == "TermForV3Testing-1373590184130"


def test_installment_terms_cannot_be_written() -> None:
    named = NamedTerms(
        id="1", name="Split", terms=parse_terms("Installments 50% Net 30, 50% Net 60")
    )
    with pytest.raises(QuickBooksMappingError, match="installment"):
        record_to_term(Record(entity="term", external_id=None, document=named))
