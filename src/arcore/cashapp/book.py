"""The open items a run of the engine consumes: balances, and indexes to find them fast."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from operator import attrgetter
from typing import Final, TypeVar

from arcore.cashapp.model import OpenDocument
from arcore.cashapp.text import number_key
from arcore.money import Money
from arcore.terms import InstallmentTerms, Terms, discount_deadline

__all__ = ["OpenBook"]

_K = TypeVar("_K", str, int)
_OLDEST_FIRST = attrgetter("document_date", "document_id")

_OneOrMore = OpenDocument | list[OpenDocument]
"""One document, or a list when several share a key (few): a million small lists would cost
the garbage collector more than the lookups."""


def _add(index: dict[_K, _OneOrMore], key: _K, document: OpenDocument) -> None:
    found = index.setdefault(key, document)
    if found is not document:
        if isinstance(found, list):
            found.append(document)
        else:
            index[key] = [found, document]


def _largest_percent(terms: Terms | None) -> Decimal:
    """The largest discount percent ``terms`` offer (0 without a discount)."""
    if isinstance(terms, InstallmentTerms):
        return max((row.discount.percent for row in terms.rows if row.discount), default=_NONE)
    if terms is None or terms.discount is None:
        return _NONE
    return terms.discount.percent


_NONE: Final = Decimal(0)


def _discard(index: dict[_K, _OneOrMore], key: _K, document: OpenDocument) -> None:
    found = index.get(key)
    if found is document:
        del index[key]
    elif isinstance(found, list):
        rest = [d for d in found if d is not document]
        index[key] = rest[0] if len(rest) == 1 else rest


class OpenBook:
    """Open documents by id, number key and customer, with what is left of each balance.

    Balances are kept in minor units (``units``), so the strategies compare and add integers;
    [`left`][arcore.cashapp.book.OpenBook.left] gives one as money. Proposals consume balances
    ([`consume`][arcore.cashapp.book.OpenBook.consume]), so a document settled by one payment is
    not offered to the next.
    """

    def __init__(self, documents: Iterable[OpenDocument]) -> None:
        """Index ``documents``."""
        self.documents: dict[str, OpenDocument] = {}
        self.units: dict[str, int] = {}
        self._left: dict[str, Money] = {}  # balances changed by consume()
        self._by_key: dict[str, _OneOrMore] = {}
        self._by_customer: dict[str, list[OpenDocument]] = {}
        self._amounts: dict[str, dict[int, _OneOrMore]] = {}  # customer → balance → open items
        self._sorted: set[str] = set()
        self._open: dict[tuple[str, str], list[OpenDocument]] = {}
        self._discount_until: dict[str, date | None] = {}
        self._largest: dict[str, int] = {}
        by_id, units, by_key = self.documents, self.units, self._by_key
        by_customer, by_amount = self._by_customer, self._amounts
        for document in documents:  # a million times: every lookup counts
            by_id[document.document_id] = document
            left = units[document.document_id] = document.balance.to_minor_units()
            key = number_key(document.number)
            if by_key.setdefault(key, document) is not document:
                _add(by_key, key, document)
            theirs = by_customer.get(document.customer_id)
            if theirs is None:
                theirs = by_customer[document.customer_id] = []
                by_amount[document.customer_id] = {}
            theirs.append(document)
            if left:
                amounts = by_amount[document.customer_id]
                if amounts.setdefault(left, document) is not document:
                    _add(amounts, left, document)

    def left(self, document_id: str) -> Money:
        """What is left of a document's balance."""
        found = self._left.get(document_id)
        return self.documents[document_id].balance if found is None else found

    def by_key(self, key: str) -> list[OpenDocument]:
        """Documents whose number has ``key`` (settled ones included)."""
        found = self._by_key.get(key)
        if found is None:
            return []
        return found if isinstance(found, list) else [found]

    def open_of(self, customer_id: str, currency: str) -> list[OpenDocument]:
        """The customer's documents in ``currency`` with something left, oldest first.

        The list is cached (and kept up to date by ``consume``): do not change it.
        """
        found = self._open.get((customer_id, currency))
        if found is None:
            documents = self._by_customer.get(customer_id, [])
            if customer_id not in self._sorted:
                documents.sort(key=_OLDEST_FIRST)
                self._sorted.add(customer_id)
            units = self.units
            found = [d for d in documents if units[d.document_id] and d.currency == currency]
            self._open[(customer_id, currency)] = found
        return found

    def open_units(self, customer_id: str, currency: str) -> list[tuple[int, OpenDocument]]:
        """``(balance in minor units, document)`` of the customer's open documents, unordered.

        Cheaper than [`open_of`][arcore.cashapp.book.OpenBook.open_of] when the order does
        not matter (nothing is sorted).
        """
        amounts = self._amounts.get(customer_id, {})
        found = [
            (units, d)
            for units, d in amounts.items()
            if not isinstance(d, list) and d.currency == currency
        ]
        if len(found) < len(amounts):  # a balance documents share (rare), or other currencies
            found += [
                (units, d)
                for units, shared in amounts.items()
                if isinstance(shared, list)
                for d in shared
                if d.currency == currency
            ]
        return found

    def open_at(self, customer_id: str, currency: str, units: int) -> list[OpenDocument]:
        """The customer's open documents whose balance is ``units`` minor units, oldest first."""
        found = self._amounts.get(customer_id, {}).get(units)
        if found is None:
            return []
        if isinstance(found, list):
            return sorted((d for d in found if d.currency == currency), key=_OLDEST_FIRST)
        return [found] if found.currency == currency else []

    def consume(self, document_id: str, settled: Money) -> None:
        """Take ``settled`` off what is left of a document."""
        document = self.documents[document_id]
        left = self.left(document_id) - settled
        self._left[document_id] = left
        was, now = self.units[document_id], left.to_minor_units()
        self.units[document_id] = now
        amounts = self._amounts[document.customer_id]
        if was:
            _discard(amounts, was, document)
        if now:
            _add(amounts, now, document)
        key = (document.customer_id, document.currency)
        if key in self._open:
            if not now:  # settled: it leaves the customer's open items
                self._open[key] = [d for d in self._open[key] if d is not document]
            elif not was:  # reopened: it joins them again, in date order
                del self._open[key]

    def largest_discount(self, customer_id: str) -> int:
        """The largest discount percent any of the customer's documents offers, rounded up."""
        found = self._largest.get(customer_id)
        if found is None:
            percents = [_largest_percent(d.terms) for d in self._by_customer.get(customer_id, ())]
            found = self._largest[customer_id] = math.ceil(max(percents, default=0))
        return found

    def discount_until(self, document: OpenDocument) -> date | None:
        """The last day a discount of ``document`` can be earned (None: it has none); cached."""
        key = document.document_id
        if key not in self._discount_until:
            terms = document.terms
            if terms is None:
                until = None
            elif isinstance(terms, InstallmentTerms):
                until = date.max if any(row.discount for row in terms.rows) else None
            else:
                until = discount_deadline(terms, document.document_date)
            self._discount_until[key] = until
        return self._discount_until[key]
