"""The open items a run of the engine consumes: balances, and indexes to find them fast."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from itertools import compress
from operator import attrgetter
from typing import Final, TypeVar, cast

from arcore.cashapp.model import OpenDocument
from arcore.cashapp.text import number_key
from arcore.money import Money
from arcore.terms import InstallmentTerms, Terms, discount_deadline

__all__ = ["OLDEST_FIRST", "OpenBook"]

_K = TypeVar("_K", str, int)
OLDEST_FIRST: Final = attrgetter("document_date", "document_id")
"""Sort key: the oldest document first (then by id)."""

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


_TERMS: Final = attrgetter("terms")
_CURRENCY: Final = attrgetter("currency")
_BALANCE: Final = attrgetter("balance")


def _discard(index: dict[_K, _OneOrMore], key: _K, document: OpenDocument) -> None:
    found = index.get(key)
    if found is document:
        del index[key]
    elif isinstance(found, list):
        rest = [d for d in found if d is not document]
        index[key] = rest[0] if len(rest) == 1 else rest


class _Units(dict[str, int]):
    """Document id → what is left of its balance in minor units, each worked out when asked.

    ``consume`` stores what it changes; an untouched document's balance is converted at its
    first lookup (most never are).
    """

    def __init__(self, documents: _ById) -> None:
        super().__init__()
        self._documents = documents

    def __missing__(self, document_id: str) -> int:
        units = self[document_id] = self._documents.get()[document_id].balance.to_minor_units()
        return units


class _ById:
    """The documents by id, indexed when first asked (the engine never needs to).

    Shared by the book and its ``units`` without a reference cycle: a book must be freed as
    soon as it is dropped, not by a later pass of the cyclic garbage collector.
    """

    __slots__ = ("_by_customer", "_found")

    def __init__(self, by_customer: dict[str, list[OpenDocument]]) -> None:
        self._by_customer = by_customer
        self._found: dict[str, OpenDocument] | None = None

    def get(self) -> dict[str, OpenDocument]:
        """The index, built at the first call."""
        if self._found is None:
            self._found = {
                document.document_id: document
                for documents in self._by_customer.values()
                for document in documents
            }
        return self._found


class _Customer:
    """One customer's open items by balance, and what is known of its documents as a whole.

    Built when the customer is first asked about (before anything of theirs is consumed), in
    the order the documents were given: indexing a million documents reads each once, and
    what a customer's documents hold is read with them, when a payment is theirs.
    """

    __slots__ = ("amounts", "currency", "documents", "shared", "sorted", "terms")

    def __init__(self, documents: list[OpenDocument]) -> None:
        self.documents = documents
        self.amounts: dict[int, _OneOrMore] = {}  # balance in minor units → open items
        self.shared: set[int] = set()  # balances several of the open items share (rare)
        # The currency of every document (None: several currencies), and their terms.
        self.currency: str | None = documents[0].currency if documents else ""
        self.terms: dict[int, Terms] = {}
        self.sorted = False  # documents oldest first
        # Read column by column with the C-level map (no Python step per document) where
        # the customer's documents are plain: one currency, balances in whole minor units.
        if self.currency:
            terms = list(map(_TERMS, documents))
            self.terms = dict(zip(map(id, terms), terms, strict=True))
            self.terms.pop(id(None), None)
            if len(set(map(_CURRENCY, documents))) == 1:
                balances = list(map(_BALANCE, documents))
                units = Money.many_to_minor_units(balances, self.currency)
                pairs = list(compress(zip(units, documents, strict=True), units))
                self.amounts = dict(pairs)
                if len(self.amounts) == len(pairs):  # no balance shared: as below
                    return
                self.amounts = {}
        amounts, last_terms = self.amounts, None
        self.terms = {}
        for document in documents:
            if document.currency != self.currency:
                self.currency = None
            terms_ = document.terms
            if terms_ is not last_terms and terms_ is not None:
                self.terms[id(terms_)] = last_terms = terms_
            left = document.balance.to_minor_units()
            if left and amounts.setdefault(left, document) is not document:
                self.shared.add(left)
                _add(amounts, left, document)

    def note_shared(self, *balances: int) -> None:
        """Note whether several open items share each of ``balances`` (after a change)."""
        for balance in balances:
            if isinstance(self.amounts.get(balance), list):
                self.shared.add(balance)
            else:
                self.shared.discard(balance)


_NOBODY: Final = _Customer([])
"""A customer without documents."""


class OpenBook:
    """Open documents by id, number key and customer, with what is left of each balance.

    Balances are kept in minor units (``units``), so the strategies compare and add integers;
    [`left`][arcore.cashapp.book.OpenBook.left] gives one as money. Proposals consume balances
    ([`consume`][arcore.cashapp.book.OpenBook.consume]), so a document settled by one payment is
    not offered to the next.
    """

    def __init__(self, documents: Iterable[OpenDocument]) -> None:
        """Index ``documents`` (each ``document_id`` once, as the ledger has them).

        A customer's balances are read when the customer is first asked about: a balance
        with more places than its currency allows raises ``InvalidAmountError`` then.
        """
        self._by_customer: dict[str, list[OpenDocument]] = {}
        self._by_id = _ById(self._by_customer)
        self.units: dict[str, int] = _Units(self._by_id)
        self._left: dict[str, Money] = {}  # balances changed by consume()
        self._by_key: dict[str, _OneOrMore] = {}
        self._customers: dict[str, _Customer] = {}  # built when first asked
        self._open: dict[tuple[str, str], list[OpenDocument]] = {}
        self._gone: dict[tuple[str, str], set[int]] = {}  # settled since, to drop from _open
        self._discount_until: dict[str, date | None] = {}
        self._largest: dict[str, int] = {}
        by_key, by_customer = self._by_key, self._by_customer
        # A million times: every lookup counts. Nothing is indexed by id (the engine holds
        # the documents it works on; `documents` builds that index if asked), and a
        # customer's balances are indexed when a payment is theirs (`_customer`).
        for document in documents:
            key = number_key(document.number)
            if by_key.setdefault(key, document) is not document:
                _add(by_key, key, document)
            theirs = by_customer.get(document.customer_id)
            if theirs is None:
                by_customer[document.customer_id] = [document]
            else:
                theirs.append(document)

    def _customer(self, customer_id: str) -> _Customer:
        """The customer's index, built at the first call."""
        found = self._customers.get(customer_id)
        if found is None:
            documents = self._by_customer.get(customer_id)
            if documents is None:
                return _NOBODY
            found = self._customers[customer_id] = _Customer(documents)
        return found

    @property
    def documents(self) -> dict[str, OpenDocument]:
        """The documents by id (indexed at the first call)."""
        return self._by_id.get()

    def left(self, document_id: str) -> Money:
        """What is left of a document's balance."""
        found = self._left.get(document_id)
        return self.documents[document_id].balance if found is None else found

    def left_of(self, document: OpenDocument) -> Money:
        """What is left of ``document``'s balance: `left` for a document at hand."""
        found = self._left.get(document.document_id)
        return document.balance if found is None else found

    def units_of(self, document: OpenDocument) -> int:
        """What is left of ``document``'s balance, in minor units."""
        found = self.units.get(document.document_id)
        return document.balance.to_minor_units() if found is None else found

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
        gone = self._gone.pop((customer_id, currency), None)
        if found is not None and gone:
            found = self._open[(customer_id, currency)] = [d for d in found if id(d) not in gone]
        if found is None:
            customer = self._customer(customer_id)
            documents = customer.documents
            if not customer.sorted and documents:
                documents.sort(key=OLDEST_FIRST)
                customer.sorted = True
            units_of = self.units_of
            found = [d for d in documents if units_of(d) and d.currency == currency]
            self._open[(customer_id, currency)] = found
        return found

    def open_units(self, customer_id: str, currency: str) -> list[tuple[int, OpenDocument]]:
        """``(balance in minor units, document)`` of the customer's open documents, unordered.

        Cheaper than [`open_of`][arcore.cashapp.book.OpenBook.open_of] when the order does
        not matter (nothing is sorted).
        """
        customer = self._customer(customer_id)
        amounts = customer.amounts
        if customer.currency is not None:
            # One currency (the rule): the index is the answer, and not one document need
            # be read (reading them is what costs, with a million).
            if customer.currency != currency:
                return []
            shared = customer.shared
            if not shared:
                return list(amounts.items())  # type: ignore[arg-type]  # no lists: checked
            listed = [(units, d) for units, d in amounts.items() if units not in shared]
            for units in [units for units in amounts if units in shared]:
                listed += [(units, d) for d in cast(list[OpenDocument], amounts[units])]
            return listed  # type: ignore[return-value]  # the documents alone: checked
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
        found = self._customer(customer_id).amounts.get(units)
        if found is None:
            return []
        if isinstance(found, list):
            return sorted((d for d in found if d.currency == currency), key=OLDEST_FIRST)
        return [found] if found.currency == currency else []

    def consume(self, document_id: str, settled: Money, *, number: str | None = None) -> None:
        """Take ``settled`` off what is left of a document.

        With the document's ``number``, it is found by it (no index by id is needed).
        """
        document = self._find(document_id, number)
        left = self.left_of(document) - settled
        self._left[document_id] = left
        was, now = self.units_of(document), left.to_minor_units()
        self.units[document_id] = now
        customer = self._customer(document.customer_id)
        amounts = customer.amounts
        if was:
            _discard(amounts, was, document)
        if now:
            _add(amounts, now, document)
        customer.note_shared(was, now)
        key = (document.customer_id, document.currency)
        if key in self._open:
            if not now:  # settled: it leaves the customer's open items (at the next look)
                self._gone.setdefault(key, set()).add(id(document))
            elif not was:  # reopened: it joins them again, in date order
                del self._open[key]
                self._gone.pop(key, None)

    def _find(self, document_id: str, number: str | None) -> OpenDocument:
        if number is not None:
            for document in self.by_key(number_key(number)):
                if document.document_id == document_id:
                    return document
        return self.documents[document_id]

    def largest_discount(self, customer_id: str) -> int:
        """The largest discount percent any of the customer's documents offers, rounded up."""
        found = self._largest.get(customer_id)
        if found is None:
            terms = self._customer(customer_id).terms.values()
            found = self._largest[customer_id] = math.ceil(
                max(map(_largest_percent, terms), default=0)
            )
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
