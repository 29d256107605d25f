"""The collector's worklist: which accounts to work today, in order, and what to do next.

Each account's priority in a currency is a score (exact decimals):

``score = past due x urgency``, ``urgency = (1 + oldest days past due / 30) x (1 + broken
promises / 2) x (1 + risk)``

where ``past due`` is the amount past due in that currency (major units) and ``risk`` runs
from 0 (no concern) to 1 (worst), taken from the credit behavioural score when there is one.

Amounts of different currencies are never compared (no rates are assumed):

* within a currency, the highest score comes first (ties by customer id); scores are
  compared exactly, before they are rounded to cents for display;
* across currencies, the lists of each currency are merged: the next account is the one,
  among the next of each currency, with the highest urgency (ties by currency, then id);
* a customer owing in several currencies takes the first place any of them gives it, and
  its ``score`` is that currency's (``ranked_in``).

With one currency this is simply the highest score first.

The next action is the first that applies of:

1. a follow-up agreed earlier falls due (``follow up``);
2. a promise to pay was broken and nobody has talked to the customer since (``call``);
3. a payment plan missed an installment (``call``);
4. a promise or plan is running (``wait``);
5. a dispute is open (``chase dispute``);
6. a call task of the dunning run is due (``call``);
7. otherwise, an amount is past due (``call``).

>>> from decimal import Decimal
>>> from datetime import date
>>> from arcore.money import Money
>>> facts = AccountFacts(customer_id="c-1", name="Globex", past_due=Money("1000.00", "USD"),
...     oldest_days=45, broken_promises=1)
>>> score(facts)
Decimal('3750.00')
>>> urgency(facts)
Decimal('3.75')
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from fractions import Fraction

from pydantic import BaseModel, ConfigDict, Field

from arcore.money import Money

__all__ = ["AccountFacts", "WorkItem", "next_action", "score", "urgency", "worklist"]

_CENT = Decimal("0.01")


class AccountFacts(BaseModel):
    """What the worklist needs to know about one customer on the day."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    customer_id: str
    """The customer."""
    name: str
    """Its name."""
    collector: str | None = None
    """Who works the account."""
    past_due: Money
    """The amount past due in the customer's own currency (undisputed and disputed alike)."""
    other_past_due: tuple[Money, ...] = ()
    """The amounts past due in other currencies, one per currency, by currency code."""
    oldest_days: int = 0
    """Days past due of the oldest past-due item."""
    broken_promises: int = Field(default=0, ge=0)
    """Promises broken in the last year."""
    risk: Decimal = Field(default=Decimal(0), ge=0, le=1)
    """0 (no concern) to 1 (worst)."""
    follow_up: date | None = None
    """The follow-up date of the latest interaction, if one was agreed."""
    follow_up_note: str = ""
    """That interaction's outcome."""
    broken_promise_unanswered: str | None = None
    """A promise broken since the last contact: its description."""
    broken_plan: str | None = None
    """A payment plan that missed an installment: its id."""
    running: str | None = None
    """A promise or plan still being kept: its description."""
    open_dispute: str | None = None
    """An open dispute: its description."""
    call_task: str | None = None
    """A call task of the dunning run due today or earlier."""


class WorkItem(BaseModel):
    """One line of the worklist."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rank: int
    """1 for the account to work first."""
    customer_id: str
    """The customer."""
    name: str
    """Its name."""
    collector: str | None
    """Who works the account."""
    past_due: Money
    """The amount past due in the customer's own currency."""
    other_past_due: tuple[Money, ...] = ()
    """The amounts past due in other currencies, by currency code."""
    oldest_days: int
    """Days past due of the oldest item."""
    broken_promises: int
    """Promises broken in the last year."""
    risk: Decimal
    """0 to 1."""
    score: Decimal
    """The priority score in ``ranked_in`` (see the module documentation)."""
    ranked_in: str
    """The currency whose list gave the account its place."""
    next_action: str
    """What to do."""


def urgency(facts: AccountFacts) -> Decimal:
    """How pressing the account is whatever the amount: days, broken promises and risk."""
    days = Decimal(max(facts.oldest_days, 0))
    return (1 + days / 30) * (1 + Decimal(facts.broken_promises) / 2) * (1 + facts.risk)


def score(facts: AccountFacts, amount: Money | None = None) -> Decimal:
    """The account's priority for ``amount`` (default: its past due in its own currency)."""
    owed = facts.past_due if amount is None else amount
    return (owed.amount * urgency(facts)).quantize(_CENT)


def next_action(facts: AccountFacts, *, as_of: date) -> str:
    """The next thing to do on the account; see the module documentation."""
    if facts.follow_up is not None and facts.follow_up <= as_of:
        return f"follow up (agreed for {facts.follow_up}): {facts.follow_up_note}".rstrip(": ")
    if facts.broken_promise_unanswered:
        return f"call: {facts.broken_promise_unanswered} was broken"
    if facts.broken_plan:
        return f"call: payment plan {facts.broken_plan} missed an installment"
    if facts.running:
        return f"wait: {facts.running}"
    if facts.open_dispute:
        return f"chase dispute {facts.open_dispute}"
    if facts.call_task:
        return f"call: {facts.call_task}"
    owed = [m for m in (facts.past_due, *facts.other_past_due) if m.amount > 0]
    amounts = " + ".join(str(m) for m in owed) if owed else str(facts.past_due)
    return f"call about {amounts} past due ({facts.oldest_days} days)"


def worklist(
    accounts: Iterable[AccountFacts], *, as_of: date, collector: str | None = None
) -> list[WorkItem]:
    """Rank the accounts with something past due or a follow-up due, for one collector or all.

    >>> quiet = AccountFacts(customer_id="c-2", name="Initech", past_due=Money("0.00", "USD"))
    >>> worklist([quiet], as_of=date(2026, 3, 2))
    []
    """
    chosen = [
        a
        for a in accounts
        if (collector is None or a.collector == collector)
        and (_owes(a) or (a.follow_up is not None and a.follow_up <= as_of))
    ]
    return [
        WorkItem(
            rank=rank,
            customer_id=a.customer_id,
            name=a.name,
            collector=a.collector,
            past_due=a.past_due,
            other_past_due=a.other_past_due,
            oldest_days=a.oldest_days,
            broken_promises=a.broken_promises,
            risk=a.risk,
            score=score(a, amount),
            ranked_in=amount.currency,
            next_action=next_action(a, as_of=as_of),
        )
        for rank, (a, amount) in enumerate(_ranked(chosen), start=1)
    ]


def _owes(facts: AccountFacts) -> bool:
    return facts.past_due.amount > 0 or any(m.amount > 0 for m in facts.other_past_due)


def _exact(facts: AccountFacts) -> Fraction:
    """The urgency as an exact fraction: ranking never depends on rounding."""
    days = Fraction(max(facts.oldest_days, 0), 30)
    return (1 + days) * (1 + Fraction(facts.broken_promises, 2)) * (1 + Fraction(facts.risk))


def _ranked(accounts: list[AccountFacts]) -> list[tuple[AccountFacts, Money]]:
    """Each account once, with the amount that placed it (see the module documentation)."""
    per_currency: dict[str, list[tuple[AccountFacts, Money]]] = {}
    for a in accounts:
        owed = [m for m in (a.past_due, *a.other_past_due) if m.amount > 0] or [a.past_due]
        for amount in owed:
            per_currency.setdefault(amount.currency, []).append((a, amount))
    queues = [
        sorted(entries, key=lambda e: (-_exact(e[0]) * Fraction(e[1].amount), e[0].customer_id))
        for _currency, entries in sorted(per_currency.items())
    ]
    placed: set[str] = set()
    ranked: list[tuple[AccountFacts, Money]] = []
    heads = [0] * len(queues)
    while True:
        best: tuple[Fraction, str, str] | None = None
        best_queue = -1
        for index, queue in enumerate(queues):
            while heads[index] < len(queue) and queue[heads[index]][0].customer_id in placed:
                heads[index] += 1
            if heads[index] == len(queue):
                continue
            a, amount = queue[heads[index]]
            key = (-_exact(a), amount.currency, a.customer_id)
            if best is None or key < best:
                best, best_queue = key, index
        if best is None:
            return ranked
        entry = queues[best_queue][heads[best_queue]]
        placed.add(entry[0].customer_id)
        ranked.append(entry)
