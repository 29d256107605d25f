"""Who paid: customers identified by remembered payer accounts, names and aliases.

The engine identifies a payment's customer from, in order: the customer named on the
payment; a payer bank account remembered for exactly one customer (the customer's own
``bank_accounts`` and what [`PayerMemory`][arcore.cashapp.PayerMemory] learnt from confirmed
proposals); the payer name (without what banks print before it, ``PAYMENT FROM``...) equal,
after [`name_key`][arcore.cashapp.text.name_key], to exactly one customer's name or alias, or
the same words in another order, or the start of exactly one customer's name as banks cut it
(15 characters or more, not ending in a cut legal form that alone tells two customers apart);
then a fuzzy match of the name (rapidfuzz, among the names sharing a word or the start of
one) clearly ahead of the runner-up. Anything ambiguous identifies no one.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from rapidfuzz import fuzz, process

from arcore.cashapp.text import LEGAL_WORDS, name_key
from arcore.documents import Customer

__all__ = ["Identification", "PayerIndex", "PayerMemory"]


@dataclass
class PayerMemory:
    """What people confirmed: payer accounts and names seen paying for a customer."""

    accounts: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    def learn(self, customer_id: str, *, payer_account: str = "", payer_name: str = "") -> None:
        """Remember that ``payer_account`` / ``payer_name`` paid for ``customer_id``."""
        if payer_account.strip():
            self.accounts[_account_key(payer_account)] = customer_id
        if name_key(payer_name):
            self.names[name_key(payer_name)] = customer_id


@dataclass(frozen=True)
class Identification:
    """A customer identified, how, and how sure (0..1)."""

    customer_id: str
    how: str
    confidence: float  # float-ok: a score, not money


def _account_key(account: str) -> str:
    return "".join(account.split()).upper()


_BANK_PREFIX: Final = re.compile(
    r"^\s*(?:(?:ACH|WIRE|PMT|PAYMENT|TRANSFER|CREDIT|DEPOSIT|REMITTANCE)\s+)*(?:FROM|BY)\s+",
    re.IGNORECASE,
)
"""What banks print before the payer's name: ``PAYMENT FROM``, ``ACH PMT FROM``, ``WIRE FROM``."""

_ANSWERS: Final = 100_000
"""How many answers of ``identify`` are remembered (payers pay again and again)."""

_TRUNCATED: Final = 15
"""The shortest payer name read as a bank's truncation of a longer customer name."""


def _printed(name: str) -> str:
    """A name as a bank prints it: upper case, punctuation as single spaces."""
    return " ".join(re.sub(r"[^0-9A-Z]+", " ", name.upper()).split())


def _blocks(key: str) -> set[str]:
    """The words of a name key, and their first four letters: a fuzzy match shares one.

    Comparing a payer name with the names that share a word or a word's start (a typo
    rarely hits the first letters of every word) instead of with every customer's keeps
    identification fast with tens of thousands of customers.
    """
    words = [word for word in key.split() if len(word) >= 3] or key.split()
    return {*words, *(f"{word[:4]}…" for word in words)}


def _words(key: str) -> str:
    return " ".join(sorted(key.split()))


class PayerIndex:
    """Customers by account and name, for identifying payers."""

    def __init__(self, customers: Iterable[Customer], memory: PayerMemory | None = None) -> None:
        """Index ``customers`` and what ``memory`` learnt."""
        self.customers: dict[str, Customer] = {}
        accounts: defaultdict[str, set[str]] = defaultdict(set)
        names: defaultdict[str, set[str]] = defaultdict(set)
        words: defaultdict[str, set[str]] = defaultdict(set)
        printed: list[tuple[str, str]] = []
        for customer in customers:
            self.customers[customer.id] = customer
            for account in customer.bank_accounts:
                accounts[_account_key(account)].add(customer.id)
            for name in (customer.name, *customer.aliases):
                if name_key(name):
                    names[name_key(name)].add(customer.id)
                    words[_words(name_key(name))].add(customer.id)
                printed.append((_printed(name), customer.id))
        memory = memory or PayerMemory()
        for account, customer_id in memory.accounts.items():
            accounts[account].add(customer_id)
        for name, customer_id in memory.names.items():
            names[name].add(customer_id)
        self._accounts = {k: next(iter(v)) for k, v in accounts.items() if len(v) == 1}
        self._names = {k: next(iter(v)) for k, v in names.items() if len(v) == 1}
        self._ambiguous_names = {k for k, v in names.items() if len(v) > 1}
        self._words = {k: next(iter(v)) for k, v in words.items() if len(v) == 1}
        self._printed = sorted(printed)
        self._answers: dict[tuple[str, str, float, float], Identification | None] = {}
        self._choices = list(names)
        self._owners = [names[k] for k in self._choices]
        self._blocks: defaultdict[str, set[int]] = defaultdict(set)
        for index, choice in enumerate(self._choices):
            for block in _blocks(choice):
                self._blocks[block].add(index)

    def identify(
        self,
        payer_account: str,
        payer_name: str,
        *,
        cutoff: float,  # float-ok: a score, not money
        margin: float,  # float-ok: a score, not money
    ) -> Identification | None:
        """The customer behind a payer account or name, if exactly one fits (remembered)."""
        asked = (payer_account, payer_name, cutoff, margin)
        if asked not in self._answers:
            if len(self._answers) >= _ANSWERS:
                self._answers.clear()
            self._answers[asked] = self._identify(
                payer_account, payer_name, cutoff=cutoff, margin=margin
            )
        return self._answers[asked]

    def _identify(
        self,
        payer_account: str,
        payer_name: str,
        *,
        cutoff: float,  # float-ok: a score, not money
        margin: float,  # float-ok: a score, not money
    ) -> Identification | None:
        if payer_account.strip():
            found = self._accounts.get(_account_key(payer_account))
            if found is not None:
                return Identification(found, f"payer account {payer_account} is known", 0.99)
        payer_name = _BANK_PREFIX.sub("", payer_name)
        key = name_key(payer_name)
        if not key or key in self._ambiguous_names:
            return None
        if key in self._names:
            return Identification(self._names[key], f"payer name {payer_name!r} is known", 0.96)
        if _words(key) in self._words:
            return Identification(
                self._words[_words(key)],
                f"payer name {payer_name!r} is known, words reordered",
                0.95,
            )
        truncated = self._truncation_of(_printed(payer_name))
        if truncated is not None and self._legal_form_told(_printed(payer_name), truncated[1]):
            return Identification(
                truncated[1], f"payer name {payer_name!r} is {truncated[0]!r} cut short", 0.95
            )
        candidates = set().union(*(self._blocks.get(block, ()) for block in _blocks(key)))
        best = process.extract(
            key,
            {index: self._choices[index] for index in candidates},
            scorer=fuzz.WRatio,
            limit=3,
            score_cutoff=cutoff,
        )
        if not best:
            return None
        name, score, index = best[0]
        owners = self._owners[index]
        rivals = [
            other_index
            for _, other_score, other_index in best[1:]
            if score - other_score < margin and self._owners[other_index] != owners
        ]
        if len(owners) != 1 or rivals:
            return None
        customer_id = next(iter(owners))
        confidence = 0.80 + 0.15 * (score - cutoff) / max(100 - cutoff, 1)
        return Identification(
            customer_id, f"payer name {payer_name!r} resembles {name!r} ({score:.0f})", confidence
        )

    def _truncation_of(self, printed: str) -> tuple[str, str] | None:
        """The one customer (name, id) whose printed name starts with ``printed``, if one."""
        if len(printed) < _TRUNCATED:
            return None
        start = bisect.bisect_left(self._printed, (printed, ""))
        found: dict[str, str] = {}
        for name, customer_id in itertools.islice(self._printed, start, None):  # no copy
            if not name.startswith(printed) or len(found) > 1:
                break
            found[customer_id] = name
        if len(found) != 1:
            return None
        customer_id, name = next(iter(found.items()))
        return name, customer_id

    def _legal_form_told(self, printed: str, customer_id: str) -> bool:
        """False if the cut falls in a legal form that alone tells ``customer_id`` apart.

        ``ACME CORPORA`` is a cut of ``Acme Corporation Ltd`` but may as well be ``Acme Corp``
        written out: when the last, cut word starts a legal-form word, the words before it
        must name ``customer_id`` alone (or no customer).
        """
        *stem, last = printed.split()
        if not any(word.startswith(last) for word in LEGAL_WORDS):
            return True
        key = name_key(" ".join(stem))
        if key in self._ambiguous_names:
            return False
        return self._names.get(key, customer_id) == customer_id
