"""Who paid: customers identified by remembered payer accounts, names and aliases.

The engine identifies a payment's customer from, in order: the customer named on the
payment; a payer bank account remembered for exactly one customer (the customer's own
``bank_accounts`` and what [`PayerMemory`][arcore.cashapp.PayerMemory] learnt from confirmed
proposals); the payer name equal, after [`name_key`][arcore.cashapp.text.name_key], to
exactly one customer's name or alias; then a fuzzy match of the name (rapidfuzz) clearly
ahead of the runner-up. Anything ambiguous identifies no one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from arcore.cashapp.text import name_key
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


class PayerIndex:
    """Customers by account and name, for identifying payers."""

    def __init__(self, customers: Iterable[Customer], memory: PayerMemory | None = None) -> None:
        """Index ``customers`` and what ``memory`` learnt."""
        self.customers: dict[str, Customer] = {}
        accounts: defaultdict[str, set[str]] = defaultdict(set)
        names: defaultdict[str, set[str]] = defaultdict(set)
        for customer in customers:
            self.customers[customer.id] = customer
            for account in customer.bank_accounts:
                accounts[_account_key(account)].add(customer.id)
            for name in (customer.name, *customer.aliases):
                if name_key(name):
                    names[name_key(name)].add(customer.id)
        memory = memory or PayerMemory()
        for account, customer_id in memory.accounts.items():
            accounts[account].add(customer_id)
        for name, customer_id in memory.names.items():
            names[name].add(customer_id)
        self._accounts = {k: next(iter(v)) for k, v in accounts.items() if len(v) == 1}
        self._names = {k: next(iter(v)) for k, v in names.items() if len(v) == 1}
        self._ambiguous_names = {k for k, v in names.items() if len(v) > 1}
        self._choices = list(names)
        self._owners = [names[k] for k in self._choices]

    def identify(
        self, payer_account: str, payer_name: str, *, cutoff: float, margin: float
    ) -> Identification | None:
        """The customer behind a payer account or name, if exactly one fits."""
        if payer_account.strip():
            found = self._accounts.get(_account_key(payer_account))
            if found is not None:
                return Identification(found, f"payer account {payer_account} is known", 0.99)
        key = name_key(payer_name)
        if not key or key in self._ambiguous_names:
            return None
        if key in self._names:
            return Identification(self._names[key], f"payer name {payer_name!r} is known", 0.96)
        best = process.extract(key, self._choices, scorer=fuzz.WRatio, limit=3, score_cutoff=cutoff)
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
