"""The built-in matching strategies, in the order of domain.md ("Cash application").

Each strategy looks at one payment in a [`MatchContext`][arcore.cashapp.MatchContext] and
either proposes (returns a [`Proposal`][arcore.cashapp.Proposal]) or passes (``None``) to
the next, in ``order``. The identification strategy only records who paid, for the
strategies after it. A plugin adds a strategy with the same shape through the
``arcore_register_matching_strategies`` hook; its ``order`` says where it runs (a lockbox
parser would run before 10).

Confidence, and why (a wrong automatic match is far worse than a missed one):

| evidence | confidence |
| --- | --- |
| remittance lines all found, amounts equal balances (or less an earned discount) | 0.99 |
| document numbers in the memo, amount equals their balances | 0.99 (0.97 with discounts) |
| identified customer (× its identification confidence), one item equals the amount | 0.97 |
| ... one item equals it less an earned discount; a one-edit number the amount confirms | 0.95 |
| ... a unique subset of its oldest items sums to the amount | 0.92 |
| anything ambiguous, a short or over pay, a third-party payer, a paid document | ≤ 0.8 |
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Final, Protocol

from rapidfuzz.distance import Levenshtein

from arcore.cashapp.book import OLDEST_FIRST, OpenBook
from arcore.cashapp.model import MatchConfig, MatchStatus, OpenDocument, Proposal, Proposed
from arcore.cashapp.payers import Identification, PayerIndex
from arcore.cashapp.text import number_key
from arcore.documents import Payment
from arcore.money import Money, minor_units
from arcore.terms import discount_available, discount_deadline

__all__ = [
    "BUILTIN_STRATEGIES",
    "DiscountedBalance",
    "ExactBalance",
    "Identify",
    "MatchContext",
    "NumbersInText",
    "Remittance",
    "Strategy",
    "SubsetSum",
    "Tolerance",
]


@dataclass
class MatchContext:
    """One payment being matched, with the open book and who paid (once identified)."""

    payment: Payment
    book: OpenBook
    payers: PayerIndex
    config: MatchConfig
    keys: set[str]
    units: int
    """The payment's amount in minor units."""
    identification: Identification | None = None
    notes: list[str] = field(default_factory=list)
    _open: tuple[str, list[OpenDocument]] | None = field(default=None, repr=False)
    _payer: tuple[Identification | None] | None = field(default=None, repr=False)
    _units: tuple[str, list[tuple[int, OpenDocument]]] | None = field(default=None, repr=False)

    @property
    def amount(self) -> Money:
        """The payment's amount."""
        return self.payment.amount

    def payer(self) -> Identification | None:
        """Who the payer account or name says paid (ignoring the documents); looked up once."""
        if self._payer is None:
            self._payer = (
                self.payers.identify(
                    self.payment.payer_account,
                    self.payment.payer_name,
                    cutoff=self.config.name_cutoff,
                    margin=self.config.name_margin,
                ),
            )
        return self._payer[0]

    def earned(self, document: OpenDocument) -> Money:
        """The discount the payment earns on ``document`` (whole, untouched documents only)."""
        zero = Money.zero(document.currency)
        if document.terms is None:
            return zero
        until = self.book.discount_until(document)
        if until is None or self.payment.received_date > until:
            return zero  # no window open: spare the terms arithmetic
        if self.book.left_of(document) != document.total:
            return zero
        return discount_available(
            document.terms,
            document.document_date,
            document.total,
            self.payment.received_date,
            tax=document.tax,
        )

    def open_items(self) -> list[OpenDocument]:
        """The identified customer's open items in the payment's currency, oldest first."""
        who = self.identification
        if who is None:
            return []
        if self._open is None or self._open[0] != who.customer_id:
            items = self.book.open_of(who.customer_id, self.amount.currency)
            self._open = (who.customer_id, items)
        return self._open[1]

    def open_units(self) -> list[tuple[int, OpenDocument]]:
        """``(balance in minor units, document)`` of the identified customer's open items.

        Unordered, as [`OpenBook.open_units`][arcore.cashapp.book.OpenBook.open_units] gives
        them; asked once per payment and customer (several strategies read them): do not
        change the list.
        """
        who = self.identification
        if who is None:
            return []
        if self._units is None or self._units[0] != who.customer_id:
            found = self.book.open_units(who.customer_id, self.payment.amount.currency)
            self._units = (who.customer_id, found)
        return self._units[1]

    def tolerance(self, due: Money) -> Money:
        """The short or over pay tolerated on ``due``."""
        percent = due.amount * self.config.tolerance_percent / 100
        return Money(min(percent, self.config.tolerance_max), due.currency).quantize()

    def propose(
        self,
        strategy: str,
        applications: Sequence[tuple[OpenDocument, Money, Money]],
        confidence: float,  # float-ok: a score
        reason: str,
        *,
        flags: Sequence[str] = (),
        customer_id: str | None = None,
        deduction: Money | None = None,
    ) -> Proposal:
        """A proposal applying ``(document, amount, discount)`` triples of this payment."""
        zero = Money.zero(self.amount.currency)
        applied = zero
        for _, amount, discount in applications:
            if not isinstance(amount, Money) or not isinstance(discount, Money):
                raise TypeError(f"applications take Money, not {amount!r} and {discount!r}")
            applied += amount
        proposed = tuple(  # validated: with parts already checked, cheaper than model_construct
            Proposed(
                document_id=document.document_id,
                number=document.number,
                amount=amount,
                discount=discount,
                write_off=zero,
            )
            for document, amount, discount in applications
        )
        if customer_id is None and applications:
            customer_id = applications[0][0].customer_id
        if not proposed:
            status = MatchStatus.UNAPPLIED if not flags else MatchStatus.REVIEW
        elif confidence >= self.config.threshold and _BLOCKING.isdisjoint(flags):
            status = MatchStatus.AUTO
        else:
            status = MatchStatus.REVIEW
        return Proposal(
            payment_id=self.payment.id,
            status=status,
            customer_id=customer_id,
            applications=proposed,
            unapplied=self.amount - applied,
            deduction=deduction or zero,
            confidence=round(min(max(confidence, 0.0), 1.0), 4),
            reason=reason,
            strategy=strategy,
            flags=tuple(flags),
        )


_BLOCKING: Final = frozenset({"third_party_payer", "already_settled", "ambiguous", "short_pay"})
"""Flags that keep a proposal from ``auto``, whatever its confidence."""


class Strategy(Protocol):
    """A matching strategy: ``propose`` a proposal for the payment, or pass with ``None``."""

    name: str
    order: int

    def propose(self, context: MatchContext) -> Proposal | None:
        """Propose applications for ``context.payment``, or ``None`` to pass."""
        ...


def _money(amount: Money) -> str:
    return f"{amount.amount:,} {amount.currency}"


def _numbers(documents: Sequence[OpenDocument]) -> str:
    return ", ".join(d.number for d in documents)


def _third_party(context: MatchContext, documents: Sequence[OpenDocument]) -> str | None:
    """Why the payer is not the documents' customer (nor its parent), if it is not."""
    payer = context.payer()
    if payer is None:
        return None
    for document in documents:
        owner = context.payers.customers.get(document.customer_id)
        parent = owner.parent_id if owner is not None else None
        if payer.customer_id not in (document.customer_id, parent):
            return (
                f"the payer looks like customer {payer.customer_id} ({payer.how}), but "
                f"{document.number} is customer {document.customer_id}'s"
            )
    return None


def _settle_exactly(
    context: MatchContext, documents: Sequence[OpenDocument]
) -> tuple[list[tuple[OpenDocument, Money, Money]], bool] | None:
    """Amount equals Σ balances (no discounts) or Σ balances less earned discounts."""
    zero = Money.zero(context.amount.currency)
    left = [context.book.left_of(d) for d in documents]
    if sum([context.book.units_of(d) for d in documents]) == context.units:  # Σ left == amount
        return [(d, owed, zero) for d, owed in zip(documents, left, strict=True)], False
    earned = [context.earned(d) for d in documents]
    if any(earned) and sum(left, zero) - sum(earned, zero) == context.amount:
        triples = [
            (d, owed - discount, discount)
            for d, owed, discount in zip(documents, left, earned, strict=True)
        ]
        return triples, True
    return None


def _discount_words(context: MatchContext, documents: Sequence[OpenDocument]) -> str:
    parts = []
    for document in documents:
        if document.terms is None:
            continue
        deadline = discount_deadline(document.terms, document.document_date)
        if deadline is not None:
            parts.append(f"the {document.terms} discount earned until {deadline}")
    return "; less " + ", ".join(parts) if parts else ""


class Remittance:
    """1. Remittance advice lists the documents: apply as listed, flag what differs."""

    name = "remittance"
    order = 10

    def propose(self, context: MatchContext) -> Proposal | None:
        """Apply the payment's remittance lines to the documents they name."""
        lines = context.payment.remittance
        if not lines:
            return None
        zero = Money.zero(context.amount.currency)
        applications: list[tuple[OpenDocument, Money, Money]] = []
        flags: list[str] = []
        notes: list[str] = []
        deduction = zero
        for line in lines:
            found = [
                d
                for d in context.book.by_key(number_key(line.document_number))
                if d.currency == context.amount.currency
            ]
            if len(found) != 1:
                flags.append("unknown_document" if not found else "ambiguous")
                notes.append(f"{line.document_number} {'unknown' if not found else 'ambiguous'}")
                continue
            document = found[0]
            owed = context.book.left_of(document)
            if not owed:
                flags.append("already_settled")
                notes.append(f"{document.number} is already settled")
                continue
            discount = line.discount if line.discount is not None else zero
            earned = context.earned(document)
            if line.amount + discount == owed and discount <= earned:
                applications.append((document, line.amount, discount))
                notes.append(f"{document.number} {_money(line.amount)} as listed")
            elif line.amount == owed - earned and earned:
                applications.append((document, line.amount, earned))
                notes.append(f"{document.number} less the earned discount {_money(earned)}")
            elif line.amount < owed:
                applications.append((document, line.amount, zero))
                deduction += owed - line.amount
                flags.append("short_pay")
                notes.append(f"{document.number} paid {_money(line.amount)} of {_money(owed)}")
            else:
                applications.append((document, owed, zero))
                flags.append("overpayment")
                notes.append(
                    f"{document.number} listed at {_money(line.amount)}, owes {_money(owed)}"
                )
        applied = sum((amount for _, amount, _ in applications), zero)
        if applied > context.amount:
            flags.append("remittance_exceeds_payment")
            return context.propose(
                self.name,
                [],
                0.3,
                f"remittance lists {_money(applied)}, more than the payment",
                flags=flags,
            )
        if applied != context.amount and "overpayment" not in flags:
            flags.append("remittance_differs")
        party = _third_party(context, [d for d, _, _ in applications])
        if party:
            flags.append("third_party_payer")
            notes.append(party)
        confidence = 0.99 if not flags else 0.7
        return context.propose(
            self.name,
            applications,
            confidence,
            "remittance: " + "; ".join(notes),
            flags=flags,
            deduction=deduction,
        )


class NumbersInText(Remittance):
    """2. Document numbers found in the reference or memo text."""

    name = "numbers_in_text"
    order = 20

    def propose(self, context: MatchContext) -> Proposal | None:
        """Apply to the documents whose numbers the memo names, when the amount confirms it."""
        currency = context.amount.currency
        named: list[OpenDocument] = []
        settled: list[OpenDocument] = []
        for key in sorted(context.keys):
            found = [d for d in context.book.by_key(key) if d.currency == currency]
            if len(found) != 1:
                continue  # unknown, or the same number at several customers: not evidence
            (named if context.book.units_of(found[0]) else settled).append(found[0])
        named.sort(key=lambda d: (d.document_date, d.document_id))
        if not named:
            if settled:
                return context.propose(
                    self.name,
                    [],
                    0.3,
                    f"{_numbers(settled)} found in memo, but already settled: a second payment?",
                    flags=["already_settled"],
                    customer_id=settled[0].customer_id,
                )
            return None
        where = f"{_numbers(named)} found in memo"
        party = _third_party(context, named)
        flags = ["third_party_payer"] if party else []
        exact = _settle_exactly(context, named)
        if exact is not None:
            triples, discounted = exact
            reason = f"{where}; amount equals {'their' if len(named) > 1 else 'its'} balance"
            if discounted:
                reason += _discount_words(context, named)
            if party:
                reason += f"; {party}"
            return context.propose(
                self.name, triples, 0.97 if discounted else 0.99, reason, flags=flags
            )
        if len(named) == 1:
            tolerated = _within_tolerance(context, named[0], self.name, where, flags)
            if tolerated is not None:
                return tolerated
        return None  # the amount does not confirm the numbers: let the customer's items speak


@cache
def _most_tolerated(tolerance_max: Decimal, currency: str) -> int:
    """``tolerance_max`` in minor units of ``currency``, rounded up."""
    return math.ceil(tolerance_max.scaleb(minor_units(currency)))


def _within_tolerance(
    context: MatchContext,
    document: OpenDocument,
    strategy: str,
    where: str,
    flags: list[str],
) -> Proposal | None:
    if abs(context.book.units_of(document) - context.units) > _most_tolerated(
        context.config.tolerance_max, context.amount.currency
    ):
        return None  # beyond any tolerance: spare computing this one's
    owed = context.book.left_of(document)
    difference = owed - context.amount
    if abs(difference.amount) > context.tolerance(owed).amount:
        return None
    zero = Money.zero(owed.currency)
    if difference.amount > 0:
        return context.propose(
            strategy,
            [(document, context.amount, zero)],
            0.75,
            f"{where}; short by {_money(difference)} (left open as a deduction to investigate)",
            flags=[*flags, "short_pay"],
            deduction=difference,
        )
    return context.propose(
        strategy,
        [(document, owed, zero)],
        0.8,
        f"{where}; overpaid by {_money(-difference)} (left unapplied)",
        flags=[*flags, "overpayment"],
    )


class Identify:
    """3. Identify the customer: named on the payment, payer account, payer name, numbers."""

    name = "identify"
    order = 30

    def propose(self, context: MatchContext) -> Proposal | None:
        """Record who paid in the context; never proposes."""
        if context.payment.customer_id is not None:
            context.identification = Identification(
                context.payment.customer_id, "customer given on the payment", 1.0
            )
            return None
        context.identification = context.payer()
        if context.identification is None:
            owners = {
                d.customer_id
                for key in context.keys
                for d in context.book.by_key(key)
                if d.currency == context.amount.currency
            }
            if len(owners) == 1:
                context.identification = Identification(
                    owners.pop(), "document numbers in the memo", 0.9
                )
        return None


class ExactBalance:
    """4a. One of the customer's open items equals the amount (or is named one edit off)."""

    name = "exact_balance"
    order = 40

    def propose(self, context: MatchContext) -> Proposal | None:
        """Apply to the one item whose balance is the amount."""
        who = context.identification
        if who is None:
            return None
        equal = context.book.open_at(who.customer_id, context.amount.currency, context.units)
        zero = Money.zero(context.amount.currency)
        if len(equal) == 1:
            near = _near_miss(context, equal)
            reason = (
                f"customer {who.customer_id} ({who.how}); "
                f"{equal[0].number}'s balance equals the amount"
            )
            if near:
                reason += f"; {near}"
            return context.propose(
                self.name, [(equal[0], context.amount, zero)], 0.97 * who.confidence, reason
            )
        if len(equal) > 1:
            named = [d for d in equal if _near_miss(context, [d])]
            if len(named) == 1:
                return context.propose(
                    self.name,
                    [(named[0], context.amount, zero)],
                    0.95 * who.confidence,
                    f"customer {who.customer_id} ({who.how}); {_near_miss(context, named)}, and "
                    "its balance equals the amount",
                )
            return context.propose(
                self.name,
                [(equal[0], context.amount, zero)],
                0.5,
                f"customer {who.customer_id} ({who.how}); {len(equal)} items of "
                f"{_money(context.amount)} ({_numbers(equal)}): the oldest is suggested",
                flags=["ambiguous"],
            )
        return None


def _near_miss(context: MatchContext, documents: Sequence[OpenDocument]) -> str:
    """Words for a memo number one edit away from a document's (unique), or ''."""
    for document in documents:
        key = number_key(document.number)
        close = [k for k in context.keys if k != key and Levenshtein.distance(k, key) == 1]
        if len(close) == 1:
            return f"memo says {close[0]}, one edit from {document.number}"
    return ""


class DiscountedBalance:
    """4b. One open item equals the amount less the discount the payment earned."""

    name = "discounted_balance"
    order = 50

    def propose(self, context: MatchContext) -> Proposal | None:
        """Apply to the one item whose balance less its earned discount is the amount."""
        who = context.identification
        if who is None:
            return None
        most = context.book.largest_discount(who.customer_id)
        if not most:
            return None
        # A discount of at most `most` % (rounded to the cent) leaves at least this much:
        # left × (100 − most) ≤ 100 × (amount + 1 cent).
        least = 100 * (context.units + 1)
        matches = []
        for left, document in context.open_units():
            if left <= context.units or left * (100 - most) > least:
                continue  # no discount its terms offer brings it down to the amount
            earned = context.earned(document)
            if earned and context.book.left_of(document) - earned == context.amount:
                matches.append((document, earned))
        if len(matches) != 1:
            return None
        document, earned = matches[0]
        return context.propose(
            self.name,
            [(document, context.amount, earned)],
            0.95 * who.confidence,
            f"customer {who.customer_id} ({who.how}); amount equals {document.number}'s balance"
            + _discount_words(context, [document]),
        )


_CHANCE = 0.01
"""The most a combination of open items may be expected to hit an amount by chance."""


class SubsetSum:
    """4c. A unique subset of the customer's oldest open items sums to the amount."""

    name = "subset_sum"
    order = 60

    def propose(self, context: MatchContext) -> Proposal | None:
        """Apply to the unique combination of items that adds up to the amount."""
        who = context.identification
        if who is None:
            return None
        # Unordered while it can be: only a customer with more open items than the search
        # looks at needs them oldest first, to search its oldest.
        found = context.open_units()
        if len(found) < 2:
            return None
        target = context.units
        zero = Money.zero(context.amount.currency)
        if sum(units for units, _ in found) == target:
            items = sorted((d for _, d in found), key=OLDEST_FIRST)
            return context.propose(
                self.name,
                [(d, context.book.left_of(d), zero) for d in items],
                0.93 * who.confidence,
                f"customer {who.customer_id} ({who.how}); amount equals all {len(items)} open "
                f"items ({_numbers(items)})",
            )
        if len(found) > context.config.subset_items:
            window = context.open_items()[: context.config.subset_items]
            # Their balances are in `found` already: reading each document again costs.
            balances = {id(d): units for units, d in found}
            units = [
                balances[id(d)] if id(d) in balances else context.book.units_of(d) for d in window
            ]
        else:
            window = [d for _, d in found]
            units = [units for units, _ in found]
        # Combinations of k items among the customer's: when so many that one could hit the
        # amount by chance, uniqueness proves little (a short pay coinciding with three
        # unrelated invoices), so such sizes are not searched: nothing they find could be
        # applied without a person, and the search is what costs.
        largest = max(
            (
                k
                for k in range(2, context.config.subset_size + 1)
                if math.comb(len(window), k) / max(target, 1) <= _CHANCE
            ),
            default=0,
        )
        if largest < 2:
            return None
        solutions = [
            sorted((window[i] for i in solution), key=OLDEST_FIRST)
            for solution in _subsets(units, target, largest)
        ]
        if not solutions:
            return None
        chosen = min(solutions, key=lambda docs: [OLDEST_FIRST(d) for d in docs])
        triples = [(d, context.book.left_of(d), zero) for d in chosen]
        if len(solutions) > 1:
            return context.propose(
                self.name,
                triples,
                0.5,
                f"customer {who.customer_id} ({who.how}); several combinations of open items "
                f"sum to {_money(context.amount)}: the older of the first two found "
                f"({_numbers(chosen)}) is suggested",
                flags=["ambiguous"],
            )
        if len(found) > len(window):
            # Unique among the oldest items only: another combination may hide beyond them.
            return context.propose(
                self.name,
                triples,
                0.6,
                f"customer {who.customer_id} ({who.how}); {_numbers(chosen)} sum to the amount, "
                f"among the {len(window)} oldest of {len(found)} open items",
                flags=["ambiguous"],
            )
        return context.propose(
            self.name,
            triples,
            0.95 * who.confidence,
            f"customer {who.customer_id} ({who.how}); {_numbers(chosen)} are the only open "
            "items that sum to the amount",
        )


def _subsets(units: list[int], target: int, largest: int) -> list[tuple[int, ...]]:
    """Index tuples of 2 to ``largest`` (at most 5) items summing to ``target`` (stops at two).

    Meet in the middle: every combination is a head (its first items) and a tail (its last
    item, or last two for 4 and 5 items), the tail found by the sum still missing: n²/2
    steps for n items up to 3 items, n³/6 for 5 instead of n⁵/120. Smaller combinations
    first, each in index (oldest-first) order.
    """
    n = len(units)
    at: dict[int, list[int]] = {}
    for i, unit in enumerate(units):
        at.setdefault(unit, []).append(i)
    amounts = at.keys()
    found: list[tuple[int, ...]] = []
    # Most searches find nothing: ``isdisjoint`` over a ``map`` tells so without a Python
    # step per item (or per pair), and only a hit is looked at item by item, in order.
    if not amounts.isdisjoint(map(target.__sub__, units)):
        for i in range(n):
            found += [(i, k) for k in at.get(target - units[i], ()) if k > i]
    if len(found) > 1 or largest < 3:
        return found[:2]
    for i in range(n - 2):
        rest = target - units[i]
        if amounts.isdisjoint(map(rest.__sub__, units[i + 1 :])):
            continue
        for j in range(i + 1, n):
            if rest - units[j] in at:
                found += [(i, j, k) for k in at[rest - units[j]] if k > j]
        if len(found) > 1:
            return found[:2]
    if largest < 4:
        return found
    pairs: dict[int, list[tuple[int, int]]] = {}
    for i, j in itertools.combinations(range(n), 2):
        pairs.setdefault(units[i] + units[j], []).append((i, j))
    for size in range(4, min(largest, 5) + 1):
        for head in itertools.combinations(range(n), size - 2):
            missing = target - sum(units[i] for i in head)
            found += [(*head, *tail) for tail in pairs.get(missing, ()) if tail[0] > head[-1]]
            if len(found) > 1:
                return found[:2]
    return found


class Tolerance:
    """5. Within a tolerance of the oldest item: a short pay (deduction) or an overpayment."""

    name = "tolerance"
    order = 70

    def propose(self, context: MatchContext) -> Proposal | None:
        """Propose, for review, the oldest item the amount nearly equals."""
        who = context.identification
        if who is None:
            return None
        where = f"customer {who.customer_id} ({who.how}); amount near {{}}'s balance"
        most = _most_tolerated(context.config.tolerance_max, context.amount.currency)
        near = [
            document for left, document in context.open_units() if abs(left - context.units) <= most
        ]
        for document in sorted(near, key=OLDEST_FIRST):
            proposal = _within_tolerance(
                context, document, self.name, where.format(document.number), []
            )
            if proposal is not None:
                return proposal
        return None


BUILTIN_STRATEGIES: tuple[Strategy, ...] = (
    Remittance(),
    NumbersInText(),
    Identify(),
    ExactBalance(),
    DiscountedBalance(),
    SubsetSum(),
    Tolerance(),
)
"""arcore's strategies, in the order they run."""


def strategies_from(registered: dict[str, object]) -> list[Strategy]:
    """The strategies plugins registered (``Plugins.matching_strategies()``), in order."""
    strategies: list[Strategy] = []
    for name, strategy in registered.items():
        if not callable(getattr(strategy, "propose", None)) or not hasattr(strategy, "order"):
            raise TypeError(f"matching strategy {name!r} has no propose() or no order")
        strategies.append(strategy)  # type: ignore[arg-type]
    return sorted(strategies, key=lambda s: s.order)
