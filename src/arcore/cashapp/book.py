"""The open items a run of the engine consumes: balances, and indexes to find them fast."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from arcore.cashapp.model import OpenDocument
from arcore.cashapp.text import number_key
from arcore.money import Money
from arcore.terms import InstallmentTerms, discount_deadline

__all__ = ["OpenBook"]


class OpenBook:
    """Open documents by id, number key and customer, with what is left of each balance.

    Proposals consume balances (:meth:`consume`), so a document settled by one payment is
    not offered to the next.
    """

    def __init__(self, documents: Iterable[OpenDocument]) -> None:
        """Index ``documents``."""
        self.documents: dict[str, OpenDocument] = {}
        self.left: dict[str, Money] = {}
        self.units: dict[str, int] = {}  # what is left, in minor units (for sums)
        self._by_key: defaultdict[str, list[str]] = defaultdict(list)
        self._by_customer: defaultdict[str, list[str]] = defaultdict(list)
        self._discount_until: dict[str, date | None] = {}
        self._open: dict[str, list[str]] = {}
        for document in documents:
            self.documents[document.document_id] = document
            self.left[document.document_id] = document.balance
            self.units[document.document_id] = document.balance.to_minor_units()
            self._by_key[number_key(document.number)].append(document.document_id)
            self._by_customer[document.customer_id].append(document.document_id)
        for ids in self._by_customer.values():
            ids.sort(key=lambda i: (self.documents[i].document_date, i))

    def by_key(self, key: str) -> list[OpenDocument]:
        """Documents whose number has ``key`` (settled ones included)."""
        return [self.documents[i] for i in self._by_key.get(key, ())]

    def open_of(self, customer_id: str, currency: str) -> list[OpenDocument]:
        """The customer's documents with something left, oldest first."""
        ids = self._open.get(customer_id)
        if ids is None:
            ids = self._by_customer.get(customer_id, [])
        ids = [i for i in ids if self.left[i]]
        self._open[customer_id] = ids  # settled ones are not looked at again
        documents = [self.documents[i] for i in ids]
        return [d for d in documents if d.currency == currency]

    def keys_of(self, customer_id: str) -> dict[str, str]:
        """Number key → document id for the customer's documents."""
        return {
            number_key(self.documents[i].number): i for i in self._by_customer.get(customer_id, ())
        }

    def consume(self, document_id: str, settled: Money) -> None:
        """Take ``settled`` off what is left of a document."""
        before = self.left[document_id]
        self.left[document_id] = before - settled
        self.units[document_id] = self.left[document_id].to_minor_units()
        if not before and self.left[document_id]:  # reopened: look at the customer's afresh
            self._open.pop(self.documents[document_id].customer_id, None)

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
