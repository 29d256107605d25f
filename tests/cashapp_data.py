"""Seeded, noisy cash-application data with the true answer for every payment.

``scenario_set(n_payments, n_customers, n_items, seed)`` builds customers (names from word
lists, some near-duplicates such as ``Acme Corp`` / ``Acme Corporation Ltd``, parents with
subsidiaries, factors), open documents (``n_items`` in all, most of them background noise) and
payments, each made by one labelled scenario. For each payment a [`Truth`][Truth] says what a
careful clerk would do: ``certain`` payments have one right automatic application
(``applications``: document id → (amount, discount)); the others must *not* be applied
automatically (review or unapplied; ``applications`` is None).

Used by ``tests/arcore/cashapp/test_quality.py`` and ``benchmarks/bench_cashapp.py``.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from arcore.cashapp import OpenDocument
from arcore.documents import Customer, Payment, RemittanceLine
from arcore.money import Money
from arcore.terms import Terms, parse_terms

__all__ = [
    "SCENARIOS",
    "Dataset",
    "Score",
    "Truth",
    "is_correct",
    "report",
    "scenario_set",
    "score",
]

COMPANY = "acme"
CURRENCY = "USD"
START = date(2025, 9, 1)
DISCOUNT_TERMS: Terms = parse_terms("2/10 Net 30")
NET_TERMS: Terms = parse_terms("Net 30")

_FIRST = [
    "Acme",
    "Blue",
    "Red",
    "Green",
    "North",
    "South",
    "East",
    "West",
    "Silver",
    "Golden",
    "Iron",
    "Stone",
    "Oak",
    "Pine",
    "Maple",
    "Cedar",
    "Harbor",
    "River",
    "Lake",
    "Summit",
    "Valley",
    "Prairie",
    "Coastal",
    "Atlas",
    "Apex",
    "Pioneer",
    "Liberty",
    "Eagle",
    "Falcon",
    "Granite",
    "Crystal",
    "Sunrise",
    "Evergreen",
    "Highland",
    "Lakeside",
    "Meadow",
    "Orchard",
    "Redwood",
    "Sapphire",
    "Keystone",
    "Beacon",
    "Cascade",
    "Frontier",
    "Heritage",
    "Horizon",
    "Crescent",
    "Vertex",
    "Zenith",
    "Nova",
    "Polar",
    "Metro",
    "Union",
    "Central",
    "Allied",
    "United",
    "Premier",
    "Royal",
    "Imperial",
    "Midland",
    "Bayside",
    "Hillcrest",
    "Riverside",
    "Westfield",
    "Northgate",
    "Brookfield",
    "Fairview",
    "Greenfield",
    "Oakridge",
    "Stonebridge",
    "Ironwood",
    "Copper",
    "Bright",
    "Swift",
    "Noble",
    "Sterling",
    "Titan",
    "Trident",
    "Orion",
    "Vega",
    "Lynx",
    "Bison",
    "Condor",
    "Mustang",
    "Cobalt",
]
_SECOND = [
    "Ridge",
    "Point",
    "Bay",
    "Creek",
    "Field",
    "Hill",
    "Rock",
    "Star",
    "Wave",
    "Bridge",
    "Gate",
    "Park",
    "Forest",
    "Mill",
    "Spring",
    "Port",
    "Crest",
    "Brook",
    "Stone",
    "Wood",
    "Line",
    "Path",
    "Peak",
    "Shore",
    "Works",
    "Source",
    "Link",
    "Way",
    "Tech",
    "Labs",
    "Dynamics",
]
_TRADE = [
    "Logistics",
    "Foods",
    "Plastics",
    "Metals",
    "Electric",
    "Builders",
    "Supply",
    "Distributors",
    "Pharma",
    "Textiles",
    "Hardware",
    "Motors",
    "Software",
    "Systems",
    "Packaging",
    "Chemicals",
    "Furniture",
    "Printing",
    "Marine",
    "Aviation",
    "Farms",
    "Dairy",
    "Bakery",
    "Brewing",
    "Medical",
    "Dental",
    "Freight",
    "Lumber",
    "Paper",
    "Glass",
    "Steel",
    "Tools",
    "Energy",
    "Solar",
    "Mining",
    "Outfitters",
    "Apparel",
    "Beverages",
    "Imports",
    "Exports",
    "Trading",
    "Industries",
    "Services",
]
_LEGAL = ("Inc", "Inc.", "LLC", "Ltd", "Corp", "Corporation", "Co.", "Company", "GmbH", "PLC", "")
_PEOPLE = [
    "JOHN SMITH",
    "MARIA GARCIA",
    "WEI CHEN",
    "AHMED KHAN",
    "OLGA PETROVA",
    "JAMES O'NEIL",
    "PRIYA PATEL",
    "LUCAS MOREAU",
    "SOFIA ROSSI",
    "KENJI TANAKA",
    "FATIMA NASSER",
    "ERIK LARSEN",
    "ANA SOUZA",
]
_NOISE = ("", "ACH CREDIT", "PAYMENT", "CCD", "WIRE IN", "REMIT", "THANK YOU", "AP PAYMENT")


@dataclass(frozen=True)
class Truth:
    """What should happen to one payment.

    ``certain``: the right answer is an automatic application, exactly ``applications``
    (document id → (amount, discount)). Otherwise the payment must go to review or stay
    unapplied and ``applications`` is None.
    """

    payment_id: str
    scenario: str
    certain: bool
    customer_id: str | None
    applications: dict[str, tuple[Money, Money]] | None


@dataclass
class Dataset:
    """Customers, open documents, payments and the truth per payment id."""

    customers: list[Customer]
    documents: list[OpenDocument]
    payments: list[Payment]
    truth: dict[str, Truth]

    def scenarios(self) -> Counter[str]:
        """How many payments each scenario made."""
        return Counter(t.scenario for t in self.truth.values())


@dataclass
class _Cust:
    id: str
    name: str
    accounts: list[str]
    terms: Terms
    parent_id: str | None = None
    kind: str = "regular"  # regular, twin (near-duplicate name), parent, sub, factor
    twin: str | None = None
    amounts: set[int] = field(default_factory=set)
    aliases: tuple[str, ...] = ()


@dataclass
class _Doc:
    id: str
    number: str
    customer: _Cust
    day: date
    cents: int
    balance: int


def _money(cents: int) -> Money:
    return Money.from_minor_units(cents, CURRENCY)


class _Builder:
    def __init__(self, n_customers: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.customers: list[_Cust] = []
        self.docs: list[_Doc] = []
        self.payments: list[Payment] = []
        self.truth: dict[str, Truth] = {}
        self.numbers: set[str] = set()
        self.typos: set[str] = set()
        # Above 200000: a date in a memo (12/30/25 → 123025) is not also an invoice number.
        self._next_number = 200_000 + self.rng.randrange(50_000)
        self._names: set[str] = set()
        self._accounts = 0
        self._build_customers(max(n_customers, 20))
        self.regular = [c for c in self.customers if c.kind == "regular"]
        self.twins = [c for c in self.customers if c.kind == "twin"]
        self.subs = [c for c in self.customers if c.kind == "sub"]
        self.factors = [c for c in self.customers if c.kind == "factor"]

    # --- customers ---------------------------------------------------------------------------

    def _core(self) -> str:
        rng = self.rng
        while True:
            words = [rng.choice(_FIRST)]
            if rng.random() < 0.6:
                words.append(rng.choice(_SECOND))
            words.append(rng.choice(_TRADE))
            core = " ".join(words)
            if core.upper() not in self._names:
                self._names.add(core.upper())
                return core

    def _account(self) -> str:
        self._accounts += 1
        return f"{self.rng.randrange(10**8, 10**9)}-{self._accounts:07d}"

    def _customer(self, name: str, kind: str, **extra: object) -> _Cust:
        rng = self.rng
        accounts = [self._account() for _ in range(rng.choice((0, 1, 1, 2)))]
        terms = DISCOUNT_TERMS if rng.random() < 0.4 else NET_TERMS
        cust = _Cust(f"C{len(self.customers):06d}", name, accounts, terms, kind=kind)
        for key, value in extra.items():
            setattr(cust, key, value)
        if not cust.accounts and kind in ("factor", "parent"):
            cust.accounts = [self._account()]
        self.customers.append(cust)
        return cust

    def _build_customers(self, n: int) -> None:
        rng = self.rng
        while len(self.customers) < n:
            roll = rng.random()
            core = self._core()
            if roll < 0.04 and n - len(self.customers) >= 2:
                # "Acme Corp" / "Acme Corporation Ltd": the same words, another legal form.
                a = self._customer(f"{core} Corp", "twin")
                b = self._customer(f"{core} Corporation Ltd", "twin")
                a.twin, b.twin = b.id, a.id
            elif roll < 0.07 and n - len(self.customers) >= 3:
                parent = self._customer(f"{core} Holdings {rng.choice(_LEGAL[:6])}", "parent")
                for region in rng.sample(("East", "West", "North", "South", "Central"), 2):
                    self._customer(
                        f"{core} {region} {rng.choice(_LEGAL[:6])}", "sub", parent_id=parent.id
                    )
            elif roll < 0.08:
                self._customer(f"{core.split()[0]} Capital Factoring LLC", "factor")
            else:
                legal = rng.choice(_LEGAL)
                name = f"{core} {legal}".strip()
                cust = self._customer(name, "regular")
                if rng.random() < 0.1:
                    cust.aliases = ("".join(w[0] for w in core.split()) + " " + core.split()[-1],)

    # --- documents -----------------------------------------------------------------------------

    def _amount(self, cust: _Cust, low: int = 5_000, high: int = 2_500_000) -> int:
        while True:
            cents = self.rng.randrange(low, high)
            discounted = cents - (cents * 2 + 50) // 100
            if cents not in cust.amounts and discounted not in cust.amounts:
                cust.amounts.update((cents, discounted))
                return cents

    def _number(self) -> str:
        self._next_number += self.rng.randrange(1, 4)
        while str(self._next_number) in self.typos:
            self._next_number += 1
        number = f"INV-{self._next_number}"
        self.numbers.add(str(self._next_number))
        return number

    def doc(
        self, cust: _Cust, day: date, cents: int | None = None, balance: int | None = None
    ) -> _Doc:
        cents = self._amount(cust) if cents is None else cents
        doc = _Doc(
            f"D{len(self.docs):07d}",
            self._number(),
            cust,
            day,
            cents,
            cents if balance is None else balance,
        )
        self.docs.append(doc)
        return doc

    def day(self) -> date:
        return START + timedelta(days=self.rng.randrange(0, 150))

    # --- payments ------------------------------------------------------------------------------

    def pay(
        self,
        scenario: str,
        cents: int,
        received: date,
        *,
        reference: str = "",
        payer: str = "",
        account: str = "",
        remittance: tuple[RemittanceLine, ...] = (),
        truth: dict[str, tuple[int, int]] | None = None,
        customer: _Cust | None = None,
    ) -> str:
        payment_id = f"P{len(self.payments):07d}"
        self.payments.append(
            Payment(
                company_id=COMPANY,
                id=payment_id,
                currency=CURRENCY,
                received_date=received,
                amount=_money(cents),
                method=self.rng.choice(("ach", "wire", "check")),
                reference=reference,
                payer_name=payer,
                payer_account=account,
                remittance=remittance,
            )
        )
        applications = (
            None
            if truth is None
            else {doc_id: (_money(a), _money(d)) for doc_id, (a, d) in truth.items()}
        )
        self.truth[payment_id] = Truth(
            payment_id,
            scenario,
            truth is not None,
            customer.id if customer is not None else None,
            applications,
        )
        return payment_id

    def noise(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.2:
            return f"TRACE {rng.randrange(10**14, 10**15)}"
        if roll < 0.3:
            when = self.day()
            return f"{rng.choice(_NOISE)} {when:%m/%d/%y}".strip()
        return rng.choice(_NOISE)

    def bank_name(self, cust: _Cust) -> str:
        """The name as banks print it."""
        return cust.name.upper().replace(".", "")

    def variant_name(self, cust: _Cust) -> tuple[str, str]:
        rng = self.rng
        upper = cust.name.upper()
        words = upper.replace(".", "").split()
        legal = {w.upper().rstrip(".") for w in _LEGAL if w}
        core = [w for w in words if w not in legal]
        kind = rng.choice(("upper", "truncated", "legal", "payment_from", "reordered", "punct"))
        if kind == "truncated" and len(upper) > 18:
            cut = rng.randrange(18, min(22, len(upper)) + 1)
            return kind, upper[:cut].rstrip()
        if kind == "legal":
            return kind, " ".join(core) + " " + rng.choice(("INC", "LLC", "LTD", "CO", "CORP"))
        if kind == "payment_from":
            return kind, "PAYMENT FROM " + upper
        if kind == "reordered" and len(core) >= 2:
            return kind, " ".join([core[-1], *core[:-1]])
        if kind == "punct":
            return kind, ", ".join(core) + "."
        return "upper", upper


# --- scenarios -----------------------------------------------------------------------------


def _payer(b: _Builder, cust: _Cust, *, with_account: float = 0.3) -> tuple[str, str]:
    account = ""
    if cust.accounts and b.rng.random() < with_account:
        account = b.rng.choice(cust.accounts)
    return b.bank_name(cust), account


def _after(b: _Builder, day: date, low: int = 12, high: int = 60) -> date:
    return day + timedelta(days=b.rng.randrange(low, high))


def _any(b: _Builder) -> _Cust:
    pool = b.twins if b.twins and b.rng.random() < 0.05 else b.regular
    return b.rng.choice(pool)


def _written(b: _Builder, number: str) -> str:
    digits = number.removeprefix("INV-")
    return b.rng.choice(
        (
            f"INV{digits}",
            f"inv {digits}",
            f"#{digits}",
            digits,
            f"INV-0{digits}",
            f"Invoice 00{digits}",
            f"inv no. {digits}",
            f"INV {digits[:3]}-{digits[3:]}",
            f"Inv # {digits}",
            f"INV - {digits}",
            f"inv.{digits}",
        )
    )


def exact_number(b: _Builder) -> None:
    cust = _any(b)
    doc = b.doc(cust, b.day())
    name, account = _payer(b, cust)
    ref = f"{b.noise()} {doc.number}".strip()
    b.pay(
        "exact_number",
        doc.cents,
        _after(b, doc.day),
        reference=ref,
        payer=name,
        account=account,
        truth={doc.id: (doc.cents, 0)},
        customer=cust,
    )


def number_variant(b: _Builder) -> None:
    cust = _any(b)
    doc = b.doc(cust, b.day())
    ref = f"{_written(b, doc.number)} {b.noise()}".strip()
    payer = b.rng.choice(("", b.bank_name(cust), b.variant_name(cust)[1]))
    b.pay(
        "number_variant",
        doc.cents,
        _after(b, doc.day),
        reference=ref,
        payer=payer,
        truth={doc.id: (doc.cents, 0)},
        customer=cust,
    )


def number_typo(b: _Builder) -> None:
    cust = b.rng.choice(b.regular)
    doc = b.doc(cust, b.day())
    digits = doc.number.removeprefix("INV-")
    while True:
        i = b.rng.randrange(len(digits))
        typo = digits[:i] + b.rng.choice("0123456789") + digits[i + 1 :]
        if typo != digits and typo not in b.numbers:
            b.typos.add(typo)  # never issued later either
            break
    name, account = _payer(b, cust)
    b.pay(
        "number_typo",
        doc.cents,
        _after(b, doc.day),
        reference=f"INV {typo}",
        payer=name,
        account=account,
        truth={doc.id: (doc.cents, 0)},
        customer=cust,
    )


def _line(b: _Builder, doc: _Doc, received: date) -> tuple[RemittanceLine, int, int]:
    discount = 0
    if doc.customer.terms is DISCOUNT_TERMS and received <= doc.day + timedelta(days=10):
        discount = (doc.cents * 2 + 50) // 100  # 2 % of the total, rounded half up
    number = doc.number if b.rng.random() < 0.6 else _written(b, doc.number).replace("#", "")
    line = RemittanceLine(
        document_number=number.strip(),
        amount=_money(doc.cents - discount),
        discount=_money(discount) if discount and b.rng.random() < 0.5 else None,
    )
    return line, doc.cents - discount, discount


def remittance(b: _Builder, lines: int, scenario: str) -> None:
    cust = _any(b)
    day = b.day()
    docs = [b.doc(cust, day - timedelta(days=b.rng.randrange(0, 20))) for _ in range(lines)]
    received = _after(b, day, 2, 40)
    remit = [_line(b, d, received) for d in docs]
    name, account = _payer(b, cust)
    b.pay(
        scenario,
        sum(a for _, a, _ in remit),
        received,
        reference=b.noise(),
        payer=name,
        account=account,
        remittance=tuple(line for line, _, _ in remit),
        truth={d.id: (a, disc) for d, (_, a, disc) in zip(docs, remit, strict=True)},
        customer=cust,
    )


def combined(b: _Builder) -> None:
    cust = b.rng.choice(b.regular)
    day = b.day()
    docs = [
        b.doc(cust, day - timedelta(days=b.rng.randrange(0, 30)))
        for _ in range(b.rng.randrange(2, 5))
    ]
    name, account = _payer(b, cust, with_account=0.5)
    b.pay(
        "combined_no_remittance",
        sum(d.cents for d in docs),
        _after(b, day),
        reference=b.noise(),
        payer=name,
        account=account,
        truth={d.id: (d.cents, 0) for d in docs},
        customer=cust,
    )


def discount_earned(b: _Builder) -> None:
    cust = b.rng.choice([c for c in b.regular[:400] if c.terms is DISCOUNT_TERMS] or b.regular)
    doc = b.doc(cust, b.day())
    received = doc.day + timedelta(days=b.rng.randrange(0, 11))
    discount = (doc.cents * 2 + 50) // 100
    with_number = b.rng.random() < 0.5
    name, account = _payer(b, cust, with_account=0.5)
    b.pay(
        "discount_earned",
        doc.cents - discount,
        received,
        reference=_written(b, doc.number) if with_number else b.noise(),
        payer=name,
        account=account,
        truth={doc.id: (doc.cents - discount, discount)},
        customer=cust,
    )


def discount_not_earned(b: _Builder) -> None:
    cust = b.rng.choice([c for c in b.regular[:400] if c.terms is DISCOUNT_TERMS] or b.regular)
    doc = b.doc(cust, b.day())
    name, account = _payer(b, cust)
    b.pay(
        "discount_not_earned",
        doc.cents,
        _after(b, doc.day, 11, 50),
        reference=_written(b, doc.number) if b.rng.random() < 0.5 else b.noise(),
        payer=name,
        account=account,
        truth={doc.id: (doc.cents, 0)},
        customer=cust,
    )


def discount_taken_late(b: _Builder) -> None:
    cust = b.rng.choice([c for c in b.regular[:400] if c.terms is DISCOUNT_TERMS] or b.regular)
    doc = b.doc(cust, b.day())
    name, account = _payer(b, cust)
    b.pay(
        "discount_taken_late",
        doc.cents - (doc.cents * 2 + 50) // 100,
        _after(b, doc.day, 15, 50),
        reference=_written(b, doc.number),
        payer=name,
        account=account,
        customer=cust,
    )


def short_pay(b: _Builder) -> None:
    cust = _any(b)
    doc = b.doc(cust, b.day())
    short = b.rng.randrange(100, max(101, doc.cents // 20))
    name, account = _payer(b, cust)
    b.pay(
        "short_pay",
        doc.cents - short,
        _after(b, doc.day),
        reference=_written(b, doc.number) if b.rng.random() < 0.7 else b.noise(),
        payer=name,
        account=account,
        customer=cust,
    )


def overpay(b: _Builder) -> None:
    cust = _any(b)
    doc = b.doc(cust, b.day())
    over = b.rng.randrange(100, max(101, doc.cents // 50))
    name, account = _payer(b, cust)
    b.pay(
        "overpay",
        doc.cents + over,
        _after(b, doc.day),
        reference=_written(b, doc.number) if b.rng.random() < 0.7 else b.noise(),
        payer=name,
        account=account,
        customer=cust,
    )


def duplicate_amounts(b: _Builder) -> None:
    cust = b.rng.choice(b.regular)
    first = b.doc(cust, b.day())
    b.doc(cust, first.day + timedelta(days=b.rng.randrange(1, 20)), first.cents)
    name, account = _payer(b, cust)
    b.pay(
        "duplicate_amounts",
        first.cents,
        _after(b, first.day, 25, 60),
        reference=b.noise(),
        payer=name,
        account=account,
        customer=cust,
    )


def name_variant(b: _Builder, with_account: bool) -> None:
    cust = b.rng.choice([c for c in b.regular if c.accounts] if with_account else b.regular)
    doc = b.doc(cust, b.day())
    kind, payer = b.variant_name(cust)
    b.pay(
        "name_variant_account" if with_account else f"name_{kind}",
        doc.cents,
        _after(b, doc.day),
        reference=b.noise(),
        payer=payer,
        account=b.rng.choice(cust.accounts) if with_account else "",
        truth={doc.id: (doc.cents, 0)},
        customer=cust,
    )


def twin_name(b: _Builder) -> None:
    """'ACME CORP' pays, 'Acme Corp' and 'Acme Corporation Ltd' both have the amount open."""
    if not b.twins:
        return unknown_payer(b)
    cust = b.rng.choice(b.twins)
    twin = next(c for c in b.twins if c.id == cust.twin)
    doc = b.doc(cust, b.day())
    if doc.cents not in twin.amounts:
        b.doc(twin, doc.day - timedelta(days=3), doc.cents)
    b.pay(
        "twin_name",
        doc.cents,
        _after(b, doc.day),
        reference=b.noise(),
        payer=b.variant_name(cust)[1],
        customer=cust,
    )
    return None


def unknown_payer(b: _Builder) -> None:
    b.pay(
        "unknown_payer",
        b.rng.randrange(5_000, 2_500_000),
        b.day() + timedelta(days=30),
        reference=b.rng.choice(_NOISE),
        payer=b.rng.choice(_PEOPLE),
    )


def already_paid(b: _Builder) -> None:
    cust = _any(b)
    day = b.day()
    doc = b.doc(cust, day, balance=0)
    name, account = _payer(b, cust)
    b.pay(
        "already_paid",
        doc.cents,
        _after(b, day),
        reference=_written(b, doc.number),
        payer=name,
        account=account,
        customer=cust,
    )


def paid_twice(b: _Builder) -> None:
    cust = _any(b)
    doc = b.doc(cust, b.day())
    name, account = _payer(b, cust)
    first = _after(b, doc.day)
    for scenario, received in (
        ("paid_twice_first", first),
        ("paid_twice", first + timedelta(days=b.rng.randrange(1, 15))),
    ):
        b.pay(
            scenario,
            doc.cents,
            received,
            reference=doc.number,
            payer=name,
            account=account,
            truth={doc.id: (doc.cents, 0)} if scenario == "paid_twice_first" else None,
            customer=cust,
        )


def third_party(b: _Builder, factor: bool) -> None:
    owner = b.rng.choice(b.regular)
    doc = b.doc(owner, b.day())
    pool = b.factors if factor and b.factors else b.regular
    payer = b.rng.choice([c for c in pool if c.id != owner.id and c.accounts] or pool)
    b.pay(
        "factor" if factor else "third_party",
        doc.cents,
        _after(b, doc.day),
        reference=_written(b, doc.number),
        payer=b.bank_name(payer),
        account=b.rng.choice(payer.accounts) if payer.accounts else "",
        customer=owner,
    )


def parent_pays(b: _Builder) -> None:
    if not b.subs:
        return exact_number(b)
    sub = b.rng.choice(b.subs)
    parent = next(c for c in b.customers if c.id == sub.parent_id)
    siblings = [c for c in b.subs if c.parent_id == parent.id]
    day = b.day()
    docs = [b.doc(s, day - timedelta(days=b.rng.randrange(0, 10))) for s in siblings]
    received = _after(b, day)
    if b.rng.random() < 0.5:
        doc = docs[0]
        b.pay(
            "parent_pays",
            doc.cents,
            received,
            reference=_written(b, doc.number),
            payer=b.bank_name(parent),
            account=b.rng.choice(parent.accounts),
            truth={doc.id: (doc.cents, 0)},
            customer=doc.customer,
        )
        return None
    remit = [_line(b, d, received) for d in docs]
    b.pay(
        "parent_pays_several",
        sum(a for _, a, _ in remit),
        received,
        reference=b.noise(),
        payer=b.bank_name(parent),
        account=b.rng.choice(parent.accounts),
        remittance=tuple(line for line, _, _ in remit),
        truth={d.id: (a, disc) for d, (_, a, disc) in zip(docs, remit, strict=True)},
        customer=docs[0].customer,
    )
    return None


SCENARIOS: dict[str, tuple[float, Callable[[_Builder], None]]] = {
    "exact_number": (10, exact_number),
    "number_variant": (10, number_variant),
    "number_typo": (4, number_typo),
    "remittance_single": (6, lambda b: remittance(b, 1, "remittance_single")),
    "remittance_multi": (6, lambda b: remittance(b, b.rng.randrange(2, 6), "remittance_multi")),
    "combined_no_remittance": (5, combined),
    "discount_earned": (6, discount_earned),
    "discount_not_earned": (4, discount_not_earned),
    "discount_taken_late": (2, discount_taken_late),
    "short_pay": (4, short_pay),
    "overpay": (3, overpay),
    "duplicate_amounts": (3, duplicate_amounts),
    "name_variant": (10, lambda b: name_variant(b, False)),
    "name_variant_account": (6, lambda b: name_variant(b, True)),
    "twin_name": (2, twin_name),
    "unknown_payer": (4, unknown_payer),
    "already_paid": (3, already_paid),
    "paid_twice": (2, paid_twice),
    "third_party": (2, lambda b: third_party(b, False)),
    "factor": (1, lambda b: third_party(b, True)),
    "parent_pays": (3, parent_pays),
}
"""Scenario name → (weight, generator). Labels in the truth may be finer (``name_truncated``)."""


def scenario_set(n_payments: int, n_customers: int, n_items: int, seed: int) -> Dataset:
    """A seeded data set: ``n_payments`` payments, ``n_customers`` customers, ``n_items`` documents.

    ``n_items`` is a target: the scenarios' own documents come first, then background open
    items (spread over the regular customers, amounts unique per customer) up to it.
    """
    b = _Builder(n_customers, seed)
    names = list(SCENARIOS)
    weights = [SCENARIOS[n][0] for n in names]
    while len(b.payments) < n_payments:
        name = b.rng.choices(names, weights)[0]
        SCENARIOS[name][1](b)
    del b.payments[n_payments:]
    background = b.regular + b.subs + b.twins
    while len(b.docs) < n_items:
        b.doc(b.rng.choice(background), b.day())
    kept = {p.id for p in b.payments}
    customers = [
        Customer(
            company_id=COMPANY,
            id=c.id,
            name=c.name,
            aliases=c.aliases,
            parent_id=c.parent_id,
            currency=CURRENCY,
            terms=c.terms,
            bank_accounts=tuple(c.accounts),
        )
        for c in b.customers
    ]
    documents = [
        OpenDocument.model_construct(
            document_id=d.id,
            number=d.number,
            customer_id=d.customer.id,
            currency=CURRENCY,
            document_date=d.day,
            due_date=d.day + timedelta(days=30),
            balance=_money(d.balance),
            total=_money(d.cents),
            tax=None,
            terms=d.customer.terms,
            disputed=False,
        )
        for d in b.docs
    ]
    truth = {k: v for k, v in b.truth.items() if k in kept}
    return Dataset(customers, documents, b.payments, truth)


@dataclass
class Score:
    """Payment-level precision and recall of automatic matches, per scenario and overall."""

    auto: int = 0
    correct: int = 0
    certain: int = 0
    payments: int = 0
    wrong: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        """Correct automatic matches ÷ automatic matches (1.0 when there are none)."""
        return self.correct / self.auto if self.auto else 1.0

    @property
    def recall(self) -> float:
        """Correct automatic matches ÷ payments with a certain answer (1.0 when none)."""
        return self.correct / self.certain if self.certain else 1.0


def is_correct(truth: Truth, applications: dict[str, tuple[Money, Money]]) -> bool:
    """An automatic ``applications`` is right only if it equals the certain truth exactly."""
    return truth.certain and truth.applications == applications


def score(
    truth: dict[str, Truth], auto: dict[str, dict[str, tuple[Money, Money]] | None]
) -> dict[str, Score]:
    """Scores per scenario (and ``"all"``); ``auto[payment_id]`` is None when not automatic."""
    scores: dict[str, Score] = {"all": Score()}
    for payment_id, expected in truth.items():
        applied = auto.get(payment_id)
        for key in (expected.scenario, "all"):
            s = scores.setdefault(key, Score())
            s.payments += 1
            s.certain += expected.certain
            if applied is not None:
                s.auto += 1
                if is_correct(expected, applied):
                    s.correct += 1
                else:
                    s.wrong.append(payment_id)
            elif expected.certain:
                s.missed.append(payment_id)
    return scores


def report(scores: dict[str, Score]) -> str:
    """A table of the scores, one scenario a line."""
    lines = [f"{'scenario':26} {'n':>6} {'certain':>7} {'auto':>6} {'prec':>7} {'recall':>7}"]
    for name in sorted(scores, key=lambda n: (n == "all", n)):
        s = scores[name]
        lines.append(
            f"{name:26} {s.payments:6} {s.certain:7} {s.auto:6} {s.precision:7.4f} {s.recall:7.4f}"
        )
    return "\n".join(lines)
