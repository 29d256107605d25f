"""Hypothesis strategies for the arcore domain, shared by every test module.

One place for them, so every property test draws money, terms and documents the same way.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

from hypothesis import strategies as st

from arcore.documents import (
    Application,
    Contact,
    CreditMemo,
    Customer,
    CustomerDeposit,
    DebitMemo,
    DocumentBase,
    DocumentStatus,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentMethod,
    Refund,
    RemittanceLine,
)
from arcore.money import Money, minor_units
from arcore.terms import (
    MAX_DAYS,
    Discount,
    InstallmentRow,
    InstallmentTerms,
    NetTerms,
    ProxDiscount,
    ProxTerms,
)

# Currencies with 0, 2, 3 and 4 minor units: JPY, USD/EUR, KWD/BHD, CLF.
CURRENCIES = ("USD", "EUR", "JPY", "KWD", "BHD", "CLF", "GBP", "CHF")

currencies = st.sampled_from(CURRENCIES)

MAX_UNITS = 10**15  # a quadrillion minor units: beyond any receivable


def money(
    currency: str | st.SearchStrategy[str] | None = None,
    *,
    min_units: int = -MAX_UNITS,
    max_units: int = MAX_UNITS,
) -> st.SearchStrategy[Money]:
    """Quantized money (whole minor units) in ``currency`` (or any of :data:`CURRENCIES`)."""
    code_strategy: st.SearchStrategy[str]
    if currency is None:
        code_strategy = currencies
    elif isinstance(currency, str):
        code_strategy = st.just(currency)
    else:
        code_strategy = currency
    return st.builds(
        Money.from_minor_units,
        st.integers(min_value=min_units, max_value=max_units),
        code_strategy,
    )


def positive_money(
    currency: str | None = None, max_units: int = MAX_UNITS
) -> st.SearchStrategy[Money]:
    """Quantized money strictly above zero."""
    return money(currency, min_units=1, max_units=max_units)


def decimals(places: int = 6, limit: int = 10**12) -> st.SearchStrategy[Decimal]:
    """Finite decimals with up to ``places`` places and magnitude below ``limit``."""
    return st.decimals(
        min_value=-limit, max_value=limit, places=places, allow_nan=False, allow_infinity=False
    )


def unquantized_money(currency: str | None = None) -> st.SearchStrategy[Money]:
    """Money that may carry more places than the currency's minor unit (unit prices, rates)."""
    code_strategy = st.just(currency) if currency else currencies
    return st.builds(Money, decimals(), code_strategy)


def ratios(max_size: int = 12) -> st.SearchStrategy[list[Decimal]]:
    """Non-negative allocation ratios, not all zero."""
    return st.lists(
        st.decimals(min_value=0, max_value=1000, places=3, allow_nan=False, allow_infinity=False),
        min_size=1,
        max_size=max_size,
    ).filter(lambda rs: any(r > 0 for r in rs))


def exponent_of(code: str) -> int:
    """The minor-unit places of ``code`` (re-exported for tests that build amounts by hand)."""
    return minor_units(code)


# --- credit terms ------------------------------------------------------------------------
# Strategies for arcore.terms: every notation, within the bounds the models accept, and the
# document dates arcore promises to handle.


FIRST_DOCUMENT_DATE = date(1900, 1, 1)
LAST_DOCUMENT_DATE = date(9000, 12, 31)

document_dates = st.dates(min_value=FIRST_DOCUMENT_DATE, max_value=LAST_DOCUMENT_DATE)
"""Any date a document may carry: 1900-01-01 to 9000-12-31."""

term_days = st.integers(min_value=0, max_value=MAX_DAYS)
days_of_month = st.integers(min_value=1, max_value=31)

percents = st.one_of(
    st.sampled_from([Decimal(1), Decimal(2), Decimal("1.5"), Decimal("0.5"), Decimal(10)]),
    st.decimals(
        min_value=Decimal("0.0001"),
        max_value=Decimal("99.9999"),
        places=4,
        allow_nan=False,
        allow_infinity=False,
    ),
)
"""Discount percentages: 0 < p < 100, at most four places."""


def discounts(max_days: int = MAX_DAYS) -> st.SearchStrategy[Discount]:
    """A discount whose window is at most ``max_days`` long."""
    return st.builds(Discount, percent=percents, days=st.integers(0, max_days))


@st.composite
def net_terms(draw: st.DrawFn) -> NetTerms:
    """Due on receipt, Net N, X/D Net N, Net N EOM and X/D EOM Net N."""
    days = draw(term_days)
    discount = draw(st.none() | discounts(days))
    return NetTerms(days=days, eom=draw(st.booleans()), discount=discount)


@st.composite
def prox_terms(draw: st.DrawFn) -> ProxTerms:
    """Dth Prox, with or without cutoff and discount."""
    day = draw(days_of_month)
    discount = draw(st.none() | st.builds(ProxDiscount, percent=percents, day=st.integers(1, day)))
    return ProxTerms(day=day, cutoff=draw(st.none() | days_of_month), discount=discount)


@st.composite
def installment_terms(draw: st.DrawFn, max_rows: int = 6) -> InstallmentTerms:
    """Installment schedules whose shares (in hundredths of a percent) sum to 100 %."""
    count = draw(st.integers(1, max_rows))
    cuts = sorted(draw(st.sets(st.integers(1, 9_999), min_size=count - 1, max_size=count - 1)))
    bounds = [0, *cuts, 10_000]
    shares = [Decimal(hi - lo).scaleb(-2) for lo, hi in pairwise(bounds)]
    days = sorted(draw(st.lists(term_days, min_size=count, max_size=count)))
    rows = []
    for share, row_days in zip(shares, days, strict=True):
        discount = draw(st.none() | discounts(row_days))
        rows.append(InstallmentRow(share=share, days=row_days, discount=discount))
    return InstallmentTerms(rows=tuple(rows))


terms = st.one_of(net_terms(), prox_terms(), installment_terms())
"""Any valid credit terms."""


# --- documents ---------------------------------------------------------------------------
# Strategies for arcore.documents: customers, every document type in any status its lifecycle
# allows, and applications. Amounts are whole minor units, except unit prices, which may carry
# more places than the currency. Each strategy takes an optional currency so a test can draw
# documents that belong together.

identifiers = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,11}", fullmatch=True)
"""Ids, numbers and account codes: non-empty, no surrounding whitespace."""

external_ids = st.dictionaries(
    st.sampled_from(["quickbooks", "xero", "sage", "acumatica"]), identifiers, max_size=2
)
"""Accounting system name -> id."""

statuses = st.sampled_from(DocumentStatus)
"""Any status, whether or not a given document type may have it."""

payment_methods = st.sampled_from(PaymentMethod)

quantities = st.decimals(
    min_value=Decimal("0.001"), max_value=10**4, places=3, allow_nan=False, allow_infinity=False
)
"""Line quantities: positive, up to three places (hours, kilograms, units)."""

tax_rates = st.one_of(
    st.just(Decimal(0)),
    st.sampled_from([Decimal("8.25"), Decimal("7.5"), Decimal(20), Decimal("0.5")]),
    st.decimals(min_value=0, max_value=Decimal("99.999"), places=3),
)
"""Tax rates in percent, 0 <= rate < 100."""

DOCUMENT_MAX_UNITS = 10**12  # per amount; sums of a few stay far below MAX_UNITS


def _code(draw: st.DrawFn, currency: str | None) -> str:
    return draw(currencies) if currency is None else currency


def _status(draw: st.DrawFn, kind: type[DocumentBase]) -> DocumentStatus:
    return draw(st.sampled_from(sorted(kind.lifecycle)))


def unit_prices(currency: str) -> st.SearchStrategy[Money]:
    """Unit prices of zero or more, with up to six places whatever the currency."""
    amounts = st.decimals(min_value=0, max_value=10**6, places=6)
    return st.builds(Money, amounts, st.just(currency))


def invoice_lines(currency: str) -> st.SearchStrategy[InvoiceLine]:
    """Invoice lines priced in ``currency``."""
    return st.builds(
        InvoiceLine,
        description=st.text(max_size=20),
        quantity=quantities,
        unit_price=unit_prices(currency),
        tax_rate=tax_rates,
        revenue_account=st.none() | st.sampled_from(["4000", "4100", "4200"]),
    )


@st.composite
def invoices(draw: st.DrawFn, currency: str | None = None) -> Invoice:
    """Invoices of one to six lines, any terms, either tax rounding, in any allowed status."""
    code = _code(draw, currency)
    lines = draw(st.lists(invoice_lines(code), min_size=1, max_size=6))
    if not any(line.amount for line in lines):  # an invoice is for a positive total
        lines[0] = lines[0].model_copy(
            update={"quantity": Decimal(1), "unit_price": Money(1, code)}
        )
    document_date = draw(document_dates)
    terms_drawn = draw(terms)
    due = None
    if not isinstance(terms_drawn, InstallmentTerms) and draw(st.booleans()):
        due = document_date + timedelta(days=draw(st.integers(0, 365)))
    return Invoice(
        company_id=draw(identifiers),
        id=draw(identifiers),
        external_ids=draw(external_ids),
        customer_id=draw(identifiers),
        currency=code,
        status=_status(draw, Invoice),
        disputed=draw(st.booleans()),
        number=draw(identifiers),
        document_date=document_date,
        terms=terms_drawn,
        lines=tuple(lines),
        tax_rounding=draw(st.sampled_from(["line", "document"])),
        due_date=due,
    )


@st.composite
def debit_memos(draw: st.DrawFn, currency: str | None = None) -> DebitMemo:
    """Debit memos with any terms, optionally pointing at what they correct."""
    code = _code(draw, currency)
    return DebitMemo(
        company_id=draw(identifiers),
        id=draw(identifiers),
        customer_id=draw(identifiers),
        currency=code,
        status=_status(draw, DebitMemo),
        number=draw(identifiers),
        document_date=draw(document_dates),
        amount=draw(positive_money(code, DOCUMENT_MAX_UNITS)),
        terms=draw(terms),
        account=draw(st.none() | identifiers),
        corrects=draw(st.none() | identifiers),
        reason=draw(st.text(max_size=20)),
    )


@st.composite
def credit_memos(draw: st.DrawFn, currency: str | None = None) -> CreditMemo:
    """Credit memos whose tax is between zero and the amount."""
    code = _code(draw, currency)
    units = draw(st.integers(1, DOCUMENT_MAX_UNITS))
    return CreditMemo(
        company_id=draw(identifiers),
        id=draw(identifiers),
        customer_id=draw(identifiers),
        currency=code,
        status=_status(draw, CreditMemo),
        disputed=draw(st.booleans()),
        number=draw(identifiers),
        document_date=draw(document_dates),
        amount=Money.from_minor_units(units, code),
        tax=Money.from_minor_units(draw(st.integers(0, units)), code),
        corrects=draw(st.none() | identifiers),
        reason=draw(st.text(max_size=20)),
    )


def remittance_lines(currency: str) -> st.SearchStrategy[RemittanceLine]:
    """Remittance lines: a payment (or a deducted credit, negative) against a number."""
    amounts = money(currency, min_units=-DOCUMENT_MAX_UNITS, max_units=DOCUMENT_MAX_UNITS)
    return st.builds(
        RemittanceLine,
        document_number=identifiers,
        amount=amounts.filter(bool),
        discount=st.none() | money(currency, min_units=0, max_units=DOCUMENT_MAX_UNITS),
    )


@st.composite
def payments(draw: st.DrawFn, currency: str | None = None) -> Payment:
    """Payments, identified or not, with or without remittance advice."""
    code = _code(draw, currency)
    return Payment(
        company_id=draw(identifiers),
        id=draw(identifiers),
        customer_id=draw(st.none() | identifiers),
        currency=code,
        status=_status(draw, Payment),
        received_date=draw(document_dates),
        amount=draw(positive_money(code, DOCUMENT_MAX_UNITS)),
        method=draw(payment_methods),
        reference=draw(st.text(max_size=20)),
        payer_name=draw(st.text(max_size=20)),
        payer_account=draw(st.text(max_size=12)),
        remittance=tuple(draw(st.lists(remittance_lines(code), max_size=4))),
        deposit_id=draw(st.none() | identifiers),
    )


@st.composite
def customer_deposits(draw: st.DrawFn, currency: str | None = None) -> CustomerDeposit:
    """Customer deposits (prepayments)."""
    code = _code(draw, currency)
    return CustomerDeposit(
        company_id=draw(identifiers),
        id=draw(identifiers),
        customer_id=draw(identifiers),
        currency=code,
        status=_status(draw, CustomerDeposit),
        received_date=draw(document_dates),
        amount=draw(positive_money(code, DOCUMENT_MAX_UNITS)),
        method=draw(payment_methods),
        reference=draw(st.text(max_size=20)),
    )


@st.composite
def refunds(draw: st.DrawFn, currency: str | None = None) -> Refund:
    """Refunds of a payment's, credit memo's or deposit's credit."""
    code = _code(draw, currency)
    return Refund(
        company_id=draw(identifiers),
        id=draw(identifiers),
        customer_id=draw(identifiers),
        currency=code,
        status=_status(draw, Refund),
        document_date=draw(document_dates),
        amount=draw(positive_money(code, DOCUMENT_MAX_UNITS)),
        method=draw(payment_methods),
        refunds=draw(identifiers),
    )


@st.composite
def applications(draw: st.DrawFn, currency: str | None = None) -> Application:
    """Applications of a source to another target; amount, discount, write-off not all zero."""
    code = _code(draw, currency)
    parts = draw(
        st.tuples(*[st.integers(0, DOCUMENT_MAX_UNITS)] * 3).filter(lambda units: any(units))
    )
    source = draw(identifiers)
    return Application(
        company_id=draw(identifiers),
        id=draw(identifiers),
        external_ids=draw(external_ids),
        source_id=source,
        target_id=draw(identifiers.filter(lambda target: target != source)),
        applied_date=draw(document_dates),
        amount=Money.from_minor_units(parts[0], code),
        discount=Money.from_minor_units(parts[1], code),
        write_off=Money.from_minor_units(parts[2], code),
    )


contacts = st.builds(
    Contact,
    name=identifiers,
    email=st.none() | st.just("ap@example.com"),
    phone=st.none() | st.just("+1 555 0100"),
    role=st.sampled_from(["", "accounts payable", "controller"]),
)
"""Contacts without a preferred channel (a channel needs its address; tested by hand)."""


@st.composite
def customers(draw: st.DrawFn, currency: str | None = None) -> Customer:
    """Customers, tax-exempt ones with a certificate, and never their own parent."""
    code = _code(draw, currency)
    customer_id = draw(identifiers)
    exempt = draw(st.booleans())
    return Customer(
        company_id=draw(identifiers),
        id=customer_id,
        name=draw(identifiers),
        aliases=tuple(draw(st.lists(identifiers, max_size=3))),
        parent_id=draw(st.none() | identifiers.filter(lambda parent: parent != customer_id)),
        currency=code,
        terms=draw(terms),
        credit_limit=draw(st.none() | money(code, min_units=0, max_units=DOCUMENT_MAX_UNITS)),
        contacts=tuple(draw(st.lists(contacts, max_size=2))),
        bank_accounts=tuple(draw(st.lists(identifiers, max_size=2))),
        tax_exempt=exempt,
        resale_certificate=draw(identifiers) if exempt else None,
        external_ids=draw(external_ids),
    )


receivable_documents = st.one_of(invoices(), debit_memos(), credit_memos())
"""Invoices, debit memos and credit memos."""

documents = st.one_of(receivable_documents, payments(), customer_deposits(), refunds())
"""Any document with a status."""
