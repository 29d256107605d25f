"""The open items a run of the engine consumes: balances, and indexes to find them fast."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from arcore.cashapp.model import OpenDocument
from arcore.cashapp.text import number_key
from arcore.money import Money

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
        self._by_key: defaultdict[str, list[str]] = defaultdict(list)
        self._by_customer: defaultdict[str, list[str]] = defaultdict(list)
        for document in documents:
            self.documents[document.document_id] = document
            self.left[document.document_id] = document.balance
            self._by_key[number_key(document.number)].append(document.document_id)
            self._by_customer[document.customer_id].append(document.document_id)
        for ids in self._by_customer.values():
            ids.sort(key=lambda i: (self.documents[i].document_date, i))

    def by_key(self, key: str) -> list[OpenDocument]:
        """Documents whose number has ``key`` (settled ones included)."""
        return [self.documents[i] for i in self._by_key.get(key, ())]

    def open_of(self, customer_id: str, currency: str) -> list[OpenDocument]:
        """The customer's documents with something left, oldest first."""
        return [
            self.documents[i]
            for i in self._by_customer.get(customer_id, ())
            if self.left[i] and self.documents[i].currency == currency
        ]

    def keys_of(self, customer_id: str) -> dict[str, str]:
        """Number key → document id for the customer's documents."""
        return {
            number_key(self.documents[i].number): i for i in self._by_customer.get(customer_id, ())
        }

    def consume(self, document_id: str, settled: Money) -> None:
        """Take ``settled`` off what is left of a document."""
        self.left[document_id] = self.left[document_id] - settled
