"""The accounts-receivable documents, as immutable data.

Customers, invoices, debit and credit memos, payments, customer deposits, refunds and the
applications that settle one document against another are frozen pydantic models. Nothing here
posts, stores or remembers anything: the ledger builds on these models, and every change is a
new model (``transition`` returns a copy with the new status; corrections are new documents).

Money fields are [`Money`][arcore.money.Money] in the document's currency (another currency
is refused); quantities and rates are ``Decimal`` (a float is refused); amounts that are
amounts of money changing hands are whole minor units, and positive where that is their
meaning: a credit memo's amount is positive, its effect on the balance negative
(:func:`effect_sign`). Only a unit price may carry more places than its currency.

Invoice totals are exact: each line's amount is quantity × unit price rounded half up to the
currency's minor unit; tax is rounded per line (the default) or once for the whole document.

>>> from datetime import date
>>> invoice = Invoice(
...     company_id="acme", id="inv-1042", customer_id="c-7", currency="USD",
...     number="INV-1042", document_date=date(2026, 1, 31), terms="2/10 Net 30",
...     lines=[InvoiceLine(description="Widget", quantity=Decimal(3),
...                        unit_price=Money("19.99", "USD"), tax_rate=Decimal("8.25"))],
... )
>>> invoice.subtotal, invoice.tax_total, invoice.total
(Money('59.97', 'USD'), Money('4.95', 'USD'), Money('64.92', 'USD'))
>>> invoice.due_dates()
(datetime.date(2026, 3, 2),)
>>> issued = transition(transition(invoice, DocumentStatus.APPROVED), DocumentStatus.ISSUED)
>>> transition(issued, status_for_balance(Money("30.00", "USD"), issued.total)).status
<DocumentStatus.PARTIALLY_PAID: 'partially_paid'>

## The status lifecycle

Every document has a status, changed only by :func:`transition` along the tables below; the
``disputed`` flag is separate (:func:`with_dispute`), because a dispute does not change where a
document is in its life. A document's *balance* is what is left of it: the open balance of an
invoice, debit memo or credit memo, the unapplied remainder of a payment or deposit. The
"paid" statuses describe that balance, whoever settled it: ``partially_paid`` means partly
settled (by payments, credits, discounts or write-offs), ``paid`` fully settled, and for a
credit memo, payment or deposit they read "partly applied" and "fully applied".
:func:`status_for_balance` gives the status a balance implies.

Invoices, debit memos and credit memos ([`TRANSITIONS`][arcore.documents.TRANSITIONS]):

| from | to |
| --- | --- |
| draft | approved, void |
| approved | issued, draft, void |
| issued | partially_paid, paid, written_off, void |
| partially_paid | paid, issued, written_off |
| paid | partially_paid, issued |
| written_off | issued, partially_paid |
| void | (none: final) |

Why: approval is its own step (segregation of duties), and as nothing is posted before issue,
approval may be withdrawn (``approved → draft``) and a draft or approved document voided (so its
number is accounted for). An issued document is settled in part or in full, its balance written
off, or voided (a reversal entry). An unapply (a misapplied or bounced payment) reopens a
settled document: ``partially_paid``/``paid → issued``/``partially_paid``. A recovery of a
written-off debt first reverses the write-off, reinstating the balance (``written_off →
issued``/``partially_paid``); the money then arrives as an ordinary payment. ``void`` is final:
a voided document is never reused.

Deliberately absent: voiding anything that has applications (unapply first, so no
application is left pointing at a void document); ``paid → written_off`` (nothing is left to
write off); ``written_off → paid`` (a recovery goes through the reinstated balance, so the
trail shows both steps); ``draft → issued`` (the ledger may approve and issue in one command,
but the lifecycle records both); and staying put (``issued → issued`` is not a transition:
compare with the current status before calling :func:`transition`).

Payments and customer deposits ([`RECEIPT_TRANSITIONS`][arcore.documents.RECEIPT_TRANSITIONS])
follow the same table without the approval step: money already received needs no approval, so
a draft (keyed in, not yet posted) goes straight to ``issued`` (posted, nothing applied).
``written_off`` is a small unapplied remainder written off to income; ``void`` a payment that
bounced or was entered in error, after its applications are unapplied.

Refunds ([`REFUND_TRANSITIONS`][arcore.documents.REFUND_TRANSITIONS]) send money out, so they
keep the approval step and have no balance: ``draft → approved → issued`` (paid out), with
``void`` from any of those (an issued refund is voided when the cheque is returned or never
cashed), and ``approved → draft`` to withdraw approval.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Annotated, Any, ClassVar, Final, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import core_schema

from arcore.calendars import BusinessCalendar
from arcore.errors import (
    ConflictError,
    CurrencyMismatchError,
    IllegalTransitionError,
    InvalidAmountError,
    ValidationError,
)
from arcore.money import DEFAULT_ROUNDING, Money, normalize_currency, to_decimal
from arcore.terms import (
    DEFAULT_POLICY,
    Installment,
    InstallmentTerms,
    NetTerms,
    Terms,
    TermsPolicy,
    schedule,
)

__all__ = [
    "RECEIPT_TRANSITIONS",
    "REFUND_TRANSITIONS",
    "TRANSITIONS",
    "Application",
    "Contact",
    "CreditMemo",
    "Customer",
    "CustomerDeposit",
    "DebitMemo",
    "Document",
    "DocumentBase",
    "DocumentStatus",
    "Invoice",
    "InvoiceLine",
    "Payment",
    "PaymentMethod",
    "ReceivableDocument",
    "Refund",
    "RemittanceLine",
    "check_tax_exemption",
    "effect_sign",
    "status_for_balance",
    "transition",
    "with_dispute",
]


# --- statuses and their lifecycle ----------------------------------------------------------


class DocumentStatus(StrEnum):
    """Where a document is in its life; see the tables in the module documentation."""

    DRAFT = "draft"
    """Being prepared; nothing posted."""
    APPROVED = "approved"
    """Approved for issue; nothing posted yet."""
    ISSUED = "issued"
    """Posted, with its whole balance open (nothing settled or applied)."""
    PARTIALLY_PAID = "partially_paid"
    """Posted, part of its balance settled (or, for a credit or payment, applied)."""
    PAID = "paid"
    """Posted, its balance fully settled (or, for a credit or payment, fully applied)."""
    VOID = "void"
    """Cancelled (a reversal entry once posted); final."""
    WRITTEN_OFF = "written_off"
    """The balance left was written off (bad debt, or a small balance)."""


_S = DocumentStatus

TRANSITIONS: Final[Mapping[DocumentStatus, frozenset[DocumentStatus]]] = MappingProxyType(
    {
        _S.DRAFT: frozenset({_S.APPROVED, _S.VOID}),
        _S.APPROVED: frozenset({_S.ISSUED, _S.DRAFT, _S.VOID}),
        _S.ISSUED: frozenset({_S.PARTIALLY_PAID, _S.PAID, _S.WRITTEN_OFF, _S.VOID}),
        _S.PARTIALLY_PAID: frozenset({_S.PAID, _S.ISSUED, _S.WRITTEN_OFF}),
        _S.PAID: frozenset({_S.PARTIALLY_PAID, _S.ISSUED}),
        _S.WRITTEN_OFF: frozenset({_S.ISSUED, _S.PARTIALLY_PAID}),
        _S.VOID: frozenset(),
    }
)
"""Legal status changes of invoices, debit memos and credit memos: status → allowed targets."""

RECEIPT_TRANSITIONS: Final[Mapping[DocumentStatus, frozenset[DocumentStatus]]] = MappingProxyType(
    {
        _S.DRAFT: frozenset({_S.ISSUED, _S.VOID}),
        _S.ISSUED: frozenset({_S.PARTIALLY_PAID, _S.PAID, _S.WRITTEN_OFF, _S.VOID}),
        _S.PARTIALLY_PAID: frozenset({_S.PAID, _S.ISSUED, _S.WRITTEN_OFF}),
        _S.PAID: frozenset({_S.PARTIALLY_PAID, _S.ISSUED}),
        _S.WRITTEN_OFF: frozenset({_S.ISSUED, _S.PARTIALLY_PAID}),
        _S.VOID: frozenset(),
    }
)
"""Legal status changes of payments and customer deposits (no ``approved``)."""

REFUND_TRANSITIONS: Final[Mapping[DocumentStatus, frozenset[DocumentStatus]]] = MappingProxyType(
    {
        _S.DRAFT: frozenset({_S.APPROVED, _S.VOID}),
        _S.APPROVED: frozenset({_S.ISSUED, _S.DRAFT, _S.VOID}),
        _S.ISSUED: frozenset({_S.VOID}),
        _S.VOID: frozenset(),
    }
)
"""Legal status changes of refunds (draft, approved, issued, void; no balance to settle)."""

# A dispute is raised by the customer about something they were sent.
_DISPUTABLE: Final = frozenset({_S.ISSUED, _S.PARTIALLY_PAID, _S.PAID, _S.WRITTEN_OFF})


class PaymentMethod(StrEnum):
    """How money was received or paid out."""

    CHECK = "check"
    """A paper cheque."""
    CARD = "card"
    """A credit or debit card (usually settled in batches, net of fees)."""
    ACH = "ach"
    """An ACH or other domestic bank transfer."""
    WIRE = "wire"
    """A wire transfer (fees may be deducted on the way)."""
    CASH = "cash"
    """Notes and coins."""
    OTHER = "other"
    """Anything else, or not known (payments imported from a file that does not say)."""


# --- field types ---------------------------------------------------------------------------


def _identifier(value: str) -> str:
    if not value or value != value.strip():
        raise ValidationError(
            f"{value!r} is not an identifier",
            hint="Give a non-empty id without leading or trailing spaces",
            value=value,
        )
    return value


Identifier = Annotated[str, AfterValidator(_identifier)]
"""A non-empty id, name or number without leading or trailing whitespace."""

Currency = Annotated[str, AfterValidator(normalize_currency)]
"""An ISO 4217 code with a minor unit, stored upper-case."""


def _exact(field: str) -> BeforeValidator:
    # The same gate as money: Decimal, int or a decimal string; a float is refused.
    return BeforeValidator(lambda value: to_decimal(value, field=field))


Quantity = Annotated[Decimal, _exact("quantity"), Field(gt=0)]
"""A line's quantity: a positive decimal (never a float)."""

TaxRate = Annotated[Decimal, _exact("tax_rate"), Field(ge=0, lt=100)]
"""A tax rate in percent, 0 <= rate < 100 (``Decimal("8.25")`` for 8.25 %)."""


def _quantized(value: Money, field: str) -> None:
    if not value.is_quantized():
        raise InvalidAmountError(
            f"{value} has more places than {value.currency} allows",
            hint="Round the amount to the currency's minor unit; only unit prices may carry more",
            field=field,
            value=value,
        )


def _positive_amount(value: Money, info: ValidationInfo) -> Money:
    _quantized(value, str(info.field_name))
    if value.amount <= 0:
        raise InvalidAmountError(
            f"{value} is not a positive amount",
            hint="Give the amount as a positive number; the document type says which way it goes",
            field=info.field_name,
            value=value,
        )
    return value


def _non_negative_amount(value: Money, info: ValidationInfo) -> Money:
    _quantized(value, str(info.field_name))
    if value.amount < 0:
        raise InvalidAmountError(
            f"{value} is negative",
            hint="Give zero or a positive amount",
            field=info.field_name,
            value=value,
        )
    return value


PositiveAmount = Annotated[Money, AfterValidator(_positive_amount)]
"""Money above zero, in whole minor units."""

NonNegativeAmount = Annotated[Money, AfterValidator(_non_negative_amount)]
"""Money of zero or more, in whole minor units."""


def _zero_in_document_currency(data: dict[str, Any]) -> Money:
    return Money.zero(data["currency"])


def _check_currency(value: object, info: ValidationInfo) -> object:
    """Refuse a ``Money`` field in another currency than the model's ``currency`` field."""
    currency = info.data.get("currency")
    if isinstance(value, Money) and currency is not None and value.currency != currency:
        raise CurrencyMismatchError(
            f"{info.field_name} is in {value.currency}, the document in {currency}",
            hint="Give every amount of a document in the document's currency",
            field=info.field_name,
            value=value,
        )
    return value


class _FrozenMapping(Mapping[str, str]):
    """An immutable, hashable ``str → str`` mapping; validated from and dumped as a JSON object."""

    __slots__ = ("_data",)
    _data: dict[str, str]

    def __init__(self, data: Mapping[str, str] | None = None) -> None:
        object.__setattr__(self, "_data", dict(data or {}))

    def __getitem__(self, key: str) -> str:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        return hash(frozenset(self._data.items()))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("external ids are immutable")

    def __repr__(self) -> str:
        return repr(self._data)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """Validate from any mapping of non-blank strings; dump as a plain dict."""
        name = core_schema.no_info_after_validator_function(
            _identifier, core_schema.str_schema(strict=True)
        )
        return core_schema.no_info_after_validator_function(
            cls,
            core_schema.dict_schema(name, name),
            serialization=core_schema.plain_serializer_function_ser_schema(dict),
        )


ExternalIds = Annotated[Mapping[str, str], _FrozenMapping]
"""Accounting system name → that system's id of the record (``{"quickbooks": "1045"}``).

Immutable and hashable once validated, like the model that holds it."""

_NO_EXTERNAL_IDS: Final = _FrozenMapping()


# --- customers -----------------------------------------------------------------------------

_EMAIL: Final = re.compile(r"[^@\s]+@[^@\s]+")


class Contact(BaseModel):
    """A person to reach at a customer, and how they prefer to be reached.

    >>> Contact(name="Ana Ruiz", email="ap@example.com", preferred_channel="email").role
    ''
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Identifier
    """The contact's name."""
    email: str | None = None
    """Email address, if known."""
    phone: str | None = None
    """Phone number as written, if known (also used for SMS)."""
    role: str = ""
    """What they do for the customer (``"accounts payable"``...)."""
    preferred_channel: Literal["email", "phone", "letter", "sms"] | None = None
    """How they prefer to be contacted; the matching address must be given."""

    @field_validator("email")
    @classmethod
    def _email_shape(cls, value: str | None) -> str | None:
        if value is not None and not _EMAIL.fullmatch(value):
            raise ValidationError(
                f"{value!r} is not an email address",
                hint="Write it like 'ap@example.com'",
                field="email",
                value=value,
            )
        return value

    @field_validator("phone")
    @classmethod
    def _phone_not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValidationError("the phone number is blank", hint="Leave it out", field="phone")
        return value

    @model_validator(mode="after")
    def _reachable_by_preferred_channel(self) -> Contact:
        needed = {"email": "email", "phone": "phone", "sms": "phone"}.get(
            self.preferred_channel or ""
        )
        if needed is not None and getattr(self, needed) is None:
            raise ValidationError(
                f"preferred channel {self.preferred_channel!r} needs a {needed}",
                hint=f"Give the contact's {needed} or choose another channel",
                field=needed,
            )
        return self


class Customer(BaseModel):
    """Someone who owes the company money, with what is needed to bill and collect.

    >>> Customer(company_id="acme", id="c-7", name="Blue Ox Ltd", currency="usd").terms
    NetTerms(kind='net', days=30, eom=False, discount=None)
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    company_id: Identifier
    """The company (legal entity) whose customer this is; nothing crosses companies."""
    id: Identifier
    """The customer's id within the company."""
    name: Identifier
    """The name invoices are addressed to."""
    aliases: tuple[Identifier, ...] = ()
    """Other names payments arrive under (trading names, abbreviations), for cash application."""
    parent_id: Identifier | None = None
    """The parent customer (a head office paying for its branches), if any."""
    currency: Currency
    """The currency the customer is billed in."""
    terms: Terms = NetTerms(days=30)
    """Default credit terms of the customer's invoices (text such as ``"Net 30"`` accepted)."""
    credit_limit: NonNegativeAmount | None = None
    """The most the customer may owe, in its currency; None means no limit is set."""
    contacts: tuple[Contact, ...] = ()
    """People to reach, in order of preference."""
    bank_accounts: tuple[Identifier, ...] = ()
    """Bank accounts the customer has paid from, remembered to identify its payments."""
    tax_exempt: bool = False
    """The customer buys for resale (or is otherwise exempt): its invoices carry no tax."""
    resale_certificate: str | None = Field(default=None, validate_default=True)
    """Reference of the resale (exemption) certificate on file; required when tax-exempt."""
    external_ids: ExternalIds = _NO_EXTERNAL_IDS
    """The customer's id in each accounting system it is synchronised with."""

    @field_validator("credit_limit")
    @classmethod
    def _limit_in_customer_currency(cls, value: Money | None, info: ValidationInfo) -> object:
        return _check_currency(value, info)

    @field_validator("parent_id")
    @classmethod
    def _not_own_parent(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and value == info.data.get("id"):
            raise ValidationError(
                f"customer {value!r} cannot be its own parent",
                hint="Leave parent_id empty for a top-level customer",
                field="parent_id",
                value=value,
            )
        return value

    @field_validator("resale_certificate")
    @classmethod
    def _certificate_when_exempt(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("tax_exempt") and (value is None or not value.strip()):
            raise ValidationError(
                "a tax-exempt customer needs a resale certificate reference",
                hint="Give resale_certificate, or set tax_exempt to false",
                field="resale_certificate",
                value=value,
            )
        return value


# --- the documents -------------------------------------------------------------------------


class DocumentBase(BaseModel):
    """What every document has: company, id, external ids, currency, status and dispute flag.

    Subclasses set ``lifecycle``, the table of legal status changes their status follows, and
    add ``customer_id`` (optional only on a payment not yet identified).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    lifecycle: ClassVar[Mapping[DocumentStatus, frozenset[DocumentStatus]]] = TRANSITIONS
    """The legal status changes of this kind of document."""

    company_id: Identifier
    """The company (legal entity) the document belongs to."""
    id: Identifier
    """The document's id, unique within the company."""
    external_ids: ExternalIds = _NO_EXTERNAL_IDS
    """The document's id in each accounting system it is synchronised with."""
    currency: Currency
    """The document's currency; every amount on it is in this currency."""
    status: DocumentStatus = DocumentStatus.DRAFT
    """Where the document is in its life; change it with :func:`transition`."""
    disputed: bool = False
    """The customer contests the document (see :func:`with_dispute`); not a status."""
    memo: str = ""
    """Free text for people."""

    @field_validator("*")
    @classmethod
    def _in_document_currency(cls, value: object, info: ValidationInfo) -> object:
        return _check_currency(value, info)

    @field_validator("status")
    @classmethod
    def _status_in_lifecycle(cls, value: DocumentStatus) -> DocumentStatus:
        if value not in cls.lifecycle:
            raise ValidationError(
                f"a {cls.__name__} cannot be {value.value}",
                hint=f"Use one of: {', '.join(sorted(cls.lifecycle))}",
                field="status",
                value=value.value,
            )
        return value


def _check_due_override(terms: Terms, document_date: date, due: date | None) -> None:
    if due is None:
        return
    if isinstance(terms, InstallmentTerms):
        raise ValidationError(
            "an explicit due date cannot replace an installment schedule",
            hint="Leave due_date empty, or give single-payment terms",
            field="due_date",
            value=due,
        )
    if due < document_date:
        raise ValidationError(
            f"due date {due.isoformat()} is before the document date {document_date.isoformat()}",
            hint="Check the dates",
            field="due_date",
            value=due,
        )


def _installments(
    terms: Terms,
    document_date: date,
    total: Money,
    tax: Money | None,
    due: date | None,
    policy: TermsPolicy,
    calendar: BusinessCalendar | None,
) -> tuple[Installment, ...]:
    rows = schedule(terms, document_date, total, tax=tax, policy=policy, calendar=calendar)
    if due is None:
        return rows
    (row,) = rows  # an override comes only with single-payment terms (validated)
    deadline = row.discount_deadline
    if deadline is not None and deadline > due:
        deadline = due  # a discount window never ends after the due date
    return (row.model_copy(update={"due_date": due, "discount_deadline": deadline}),)


class InvoiceLine(BaseModel):
    """One line of an invoice: quantity × unit price, its tax rate and its revenue account.

    >>> line = InvoiceLine(description="Hours", quantity=Decimal("1.5"),
    ...                    unit_price=Money("33.333", "USD"), tax_rate=Decimal(10))
    >>> line.amount, line.tax
    (Money('50.00', 'USD'), Money('5.00', 'USD'))
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    description: str
    """What was sold."""
    quantity: Quantity
    """How many, a positive decimal (``Decimal("1.5")`` hours)."""
    unit_price: Money
    """Price of one unit, zero or more; may carry more places than the currency."""
    tax_rate: TaxRate = Decimal(0)
    """Sales tax in percent of the line amount."""
    revenue_account: Identifier | None = None
    """The revenue account credited; None means the company's default revenue account."""

    @field_validator("unit_price")
    @classmethod
    def _price_not_negative(cls, value: Money) -> Money:
        if value.amount < 0:
            raise InvalidAmountError(
                f"unit price {value} is negative",
                hint="Give reductions as a credit memo, not as a negative line",
                field="unit_price",
                value=value,
            )
        return value

    @property
    def currency(self) -> str:
        """The currency of the unit price."""
        return self.unit_price.currency

    @property
    def amount(self) -> Money:
        """Quantity × unit price, rounded half up to the currency's minor unit."""
        return (self.unit_price * self.quantity).quantize(DEFAULT_ROUNDING)

    @property
    def exact_tax(self) -> Money:
        """The line's tax before rounding: the rounded amount × the rate."""
        return self.amount * self.tax_rate.scaleb(-2)

    @property
    def tax(self) -> Money:
        """The line's tax rounded half up to the minor unit (what per-line rounding adds up)."""
        return self.exact_tax.quantize(DEFAULT_ROUNDING)


def _sum(amounts: Iterable[Money], currency: str) -> Money:
    total = Money.zero(currency)
    for amount in amounts:
        total += amount
    return total


class Invoice(DocumentBase):
    """A bill for goods or services; it raises the customer's balance by its total.

    Totals are properties, worked out exactly from the lines each time (the model stores only
    what was given): ``subtotal`` is the sum of the rounded line amounts, ``tax_total`` the sum
    of the rounded line taxes (``tax_rounding="line"``) or the sum of the exact line taxes
    rounded once (``"document"``), and ``total = subtotal + tax_total``.
    """

    lifecycle: ClassVar[Mapping[DocumentStatus, frozenset[DocumentStatus]]] = TRANSITIONS

    kind: Literal["invoice"] = "invoice"
    """Discriminator of the [`Document`][arcore.documents.Document] union."""
    customer_id: Identifier
    """The customer billed."""
    number: Identifier
    """The document number printed on the invoice (``"INV-1042"``)."""
    document_date: date
    """The invoice date, from which the terms count."""
    terms: Terms
    """Credit terms (text such as ``"2/10 Net 30"`` accepted)."""
    lines: tuple[InvoiceLine, ...] = Field(min_length=1)
    """What was sold, one line per item."""
    tax_rounding: Literal["line", "document"] = "line"
    """Round tax per line, then add (``line``), or add exact taxes and round once."""
    due_date: date | None = None
    """An explicit due date replacing the one the terms give; None means from the terms."""

    @field_validator("lines")
    @classmethod
    def _lines_in_currency(
        cls, lines: tuple[InvoiceLine, ...], info: ValidationInfo
    ) -> tuple[InvoiceLine, ...]:
        currency = info.data.get("currency")
        for number, line in enumerate(lines, start=1):
            if currency is not None and line.currency != currency:
                raise CurrencyMismatchError(
                    f"line {number} is priced in {line.currency}, the invoice in {currency}",
                    hint="Give every line's unit price in the invoice currency",
                    field="lines",
                    value=line.unit_price,
                )
        return lines

    @model_validator(mode="after")
    def _total_and_due_date(self) -> Invoice:
        if self.total.amount <= 0:
            raise InvalidAmountError(
                f"the invoice total is {self.total}",
                hint="An invoice must be for a positive total",
                field="lines",
                value=self.total,
            )
        _check_due_override(self.terms, self.document_date, self.due_date)
        return self

    @property
    def subtotal(self) -> Money:
        """The sum of the rounded line amounts, before tax."""
        return _sum((line.amount for line in self.lines), self.currency)

    @property
    def tax_total(self) -> Money:
        """The invoice's tax, rounded per line or once per document (``tax_rounding``)."""
        if self.tax_rounding == "line":
            return _sum((line.tax for line in self.lines), self.currency)
        exact = _sum((line.exact_tax for line in self.lines), self.currency)
        return exact.quantize(DEFAULT_ROUNDING)

    @property
    def total(self) -> Money:
        """What the customer owes: subtotal + tax total."""
        return self.subtotal + self.tax_total

    def installments(
        self, *, policy: TermsPolicy = DEFAULT_POLICY, calendar: BusinessCalendar | None = None
    ) -> tuple[Installment, ...]:
        """Return the payment schedule: due dates, amounts and discounts, summing to the total.

        From [`schedule`][arcore.terms.schedule] with the invoice's terms, date, total and tax.
        With an explicit ``due_date`` there is one row due on it (never rolled to a business
        day: it is the date the document states), and a discount window is cut at it.
        """
        return _installments(
            self.terms,
            self.document_date,
            self.total,
            self.tax_total,
            self.due_date,
            policy,
            calendar,
        )

    def due_dates(
        self, *, policy: TermsPolicy = DEFAULT_POLICY, calendar: BusinessCalendar | None = None
    ) -> tuple[date, ...]:
        """Return the due date of each installment (one date for single-payment terms)."""
        return tuple(row.due_date for row in self.installments(policy=policy, calendar=calendar))

    def revenue_by_account(self, default_account: str) -> dict[str, Money]:
        """Return the revenue to credit per account (line amounts, before tax).

        Lines without a revenue account go to ``default_account``. The amounts add up to the
        subtotal; the tax (``tax_total``) goes to sales tax payable.

        >>> from datetime import date
        >>> usd = lambda text: Money(text, "USD")
        >>> invoice = Invoice(company_id="acme", id="i-1", customer_id="c-1", currency="USD",
        ...     number="INV-1", document_date=date(2026, 1, 1), terms="Net 30", lines=[
        ...         InvoiceLine(description="A", quantity=Decimal(1), unit_price=usd("10.00")),
        ...         InvoiceLine(description="B", quantity=Decimal(2), unit_price=usd("2.50"),
        ...                     revenue_account="4100"),
        ...         InvoiceLine(description="C", quantity=Decimal(1), unit_price=usd("1.00"))])
        >>> {account: str(amount) for account, amount in invoice.revenue_by_account("4000").items()}
        {'4000': '11.00 USD', '4100': '5.00 USD'}
        """
        revenue: dict[str, Money] = {}
        for line in self.lines:
            account = line.revenue_account or default_account
            revenue[account] = revenue.get(account, Money.zero(self.currency)) + line.amount
        return revenue


class DebitMemo(DocumentBase):
    """A charge that raises the customer's balance: a fee, a late charge, a correction up."""

    lifecycle: ClassVar[Mapping[DocumentStatus, frozenset[DocumentStatus]]] = TRANSITIONS

    kind: Literal["debit_memo"] = "debit_memo"
    """Discriminator of the [`Document`][arcore.documents.Document] union."""
    customer_id: Identifier
    """The customer charged."""
    number: Identifier
    """The document number (``"DM-17"``)."""
    document_date: date
    """The memo's date, from which the terms count."""
    amount: PositiveAmount
    """The amount charged, positive."""
    terms: Terms = NetTerms(days=0)
    """Credit terms; due on receipt unless given."""
    due_date: date | None = None
    """An explicit due date replacing the one the terms give; None means from the terms."""
    account: Identifier | None = None
    """The revenue or fee-income account credited; None means the company's default."""
    corrects: Identifier | None = None
    """The id of the invoice this memo corrects or charges a fee on, if any."""
    reason: str = ""
    """Why the customer is charged."""

    @model_validator(mode="after")
    def _due_date(self) -> DebitMemo:
        _check_due_override(self.terms, self.document_date, self.due_date)
        return self

    @property
    def total(self) -> Money:
        """The amount, under the name an invoice uses for what it adds to the balance."""
        return self.amount

    def installments(
        self, *, policy: TermsPolicy = DEFAULT_POLICY, calendar: BusinessCalendar | None = None
    ) -> tuple[Installment, ...]:
        """Return the payment schedule, as [`Invoice.installments`][arcore.documents.Invoice]."""
        return _installments(
            self.terms, self.document_date, self.amount, None, self.due_date, policy, calendar
        )

    def due_dates(
        self, *, policy: TermsPolicy = DEFAULT_POLICY, calendar: BusinessCalendar | None = None
    ) -> tuple[date, ...]:
        """Return the due date of each installment (one date for single-payment terms)."""
        return tuple(row.due_date for row in self.installments(policy=policy, calendar=calendar))


class CreditMemo(DocumentBase):
    """A credit that lowers the customer's balance: a return, an allowance, a correction down.

    ``amount`` is the whole credit, tax included, as a positive number; until it is applied to
    an invoice or debit memo it is an open credit on the customer's account.
    """

    lifecycle: ClassVar[Mapping[DocumentStatus, frozenset[DocumentStatus]]] = TRANSITIONS

    kind: Literal["credit_memo"] = "credit_memo"
    """Discriminator of the [`Document`][arcore.documents.Document] union."""
    customer_id: Identifier
    """The customer credited."""
    number: Identifier
    """The document number (``"CM-88"``)."""
    document_date: date
    """The memo's date."""
    amount: PositiveAmount
    """The whole credit, tax included; positive (its effect on the balance is negative)."""
    tax: NonNegativeAmount = Field(default_factory=_zero_in_document_currency)
    """The part of ``amount`` that is tax given back (zero unless given); at most ``amount``."""
    corrects: Identifier | None = None
    """The id of the invoice this memo corrects, if any."""
    reason: str = ""
    """Why the customer is credited (returned goods, pricing error...)."""

    @model_validator(mode="after")
    def _tax_within_amount(self) -> CreditMemo:
        if self.tax > self.amount:
            raise InvalidAmountError(
                f"tax {self.tax} is more than the credit {self.amount}",
                hint="Give amount with tax included, and tax as the part of it that is tax",
                field="tax",
                value=self.tax,
            )
        return self

    @property
    def subtotal(self) -> Money:
        """The credit before tax (to sales returns and allowances)."""
        return self.amount - self.tax

    @property
    def total(self) -> Money:
        """The amount, under the name an invoice uses for what it moves on the balance."""
        return self.amount


class RemittanceLine(BaseModel):
    """One line of remittance advice: which document the payer says a part of the money is for.

    A negative amount is a credit the payer deducted (a credit memo they took). Remittance is
    what the payer claims; cash application checks it against the open items.

    >>> RemittanceLine(document_number="INV-1001", amount=Money("500.00", "USD")).discount is None
    True
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    document_number: Identifier
    """The document number as the payer wrote it."""
    amount: Money
    """The amount paid against it (negative for a credit deducted); not zero."""
    discount: NonNegativeAmount | None = None
    """The discount the payer says they took, if stated."""

    @field_validator("amount")
    @classmethod
    def _not_zero(cls, value: Money) -> Money:
        _quantized(value, "amount")
        if not value:
            raise InvalidAmountError(
                "a remittance line of zero",
                hint="Leave the line out",
                field="amount",
                value=value,
            )
        return value

    @model_validator(mode="after")
    def _one_currency(self) -> RemittanceLine:
        if self.discount is not None and self.discount.currency != self.amount.currency:
            raise CurrencyMismatchError(
                f"discount in {self.discount.currency}, amount in {self.amount.currency}",
                hint="Give the discount in the payment's currency",
                field="discount",
                value=self.discount,
            )
        return self


class Payment(DocumentBase):
    """Money received, waiting to be applied to invoices and debit memos.

    ``customer_id`` is None while the payer is not identified (an unidentified receipt that
    cash application has yet to match).
    """

    lifecycle: ClassVar[Mapping[DocumentStatus, frozenset[DocumentStatus]]] = RECEIPT_TRANSITIONS

    kind: Literal["payment"] = "payment"
    """Discriminator of the [`Document`][arcore.documents.Document] union."""
    customer_id: Identifier | None = None
    """The paying customer, or None until cash application identifies it."""
    received_date: date
    """The date the money was received (what discount windows are judged by)."""
    amount: PositiveAmount
    """The amount received."""
    method: PaymentMethod
    """How it was paid."""
    reference: str = ""
    """Cheque number, transfer reference or memo text as received."""
    payer_name: str = ""
    """The payer's name as the bank or the cheque shows it."""
    payer_account: str = ""
    """The bank account the money came from, when known."""
    remittance: tuple[RemittanceLine, ...] = ()
    """Remittance advice: the documents the payer says the money is for."""
    deposit_id: Identifier | None = None
    """The bank deposit (batch) this payment is part of, if any."""

    @field_validator("remittance")
    @classmethod
    def _remittance_in_currency(
        cls, lines: tuple[RemittanceLine, ...], info: ValidationInfo
    ) -> tuple[RemittanceLine, ...]:
        currency = info.data.get("currency")
        for number, line in enumerate(lines, start=1):
            if currency is not None and line.amount.currency != currency:
                raise CurrencyMismatchError(
                    f"remittance line {number} is in {line.amount.currency}, the payment in "
                    f"{currency}",
                    hint="Give remittance amounts in the payment's currency",
                    field="remittance",
                    value=line.amount,
                )
        return lines


class CustomerDeposit(DocumentBase):
    """A prepayment: money received before there is anything to apply it to.

    It is a liability (customer deposits) until applied to an invoice; it does not move the
    customer's receivable balance before then.
    """

    lifecycle: ClassVar[Mapping[DocumentStatus, frozenset[DocumentStatus]]] = RECEIPT_TRANSITIONS

    kind: Literal["customer_deposit"] = "customer_deposit"
    """Discriminator of the [`Document`][arcore.documents.Document] union."""
    customer_id: Identifier
    """The customer who paid in advance."""
    received_date: date
    """The date the money was received."""
    amount: PositiveAmount
    """The amount received."""
    method: PaymentMethod
    """How it was paid."""
    reference: str = ""
    """Cheque number, transfer reference or memo text as received."""


class Refund(DocumentBase):
    """Money paid back to a customer out of a credit it holds (a payment, memo or deposit)."""

    lifecycle: ClassVar[Mapping[DocumentStatus, frozenset[DocumentStatus]]] = REFUND_TRANSITIONS

    kind: Literal["refund"] = "refund"
    """Discriminator of the [`Document`][arcore.documents.Document] union."""
    customer_id: Identifier
    """The customer refunded."""
    document_date: date
    """The date the refund is paid out."""
    amount: PositiveAmount
    """The amount paid back."""
    method: PaymentMethod
    """How it is paid back."""
    refunds: Identifier
    """The id of the payment, credit memo or customer deposit whose credit is refunded."""
    reference: str = ""
    """Cheque number or transfer reference of the refund."""


class Application(BaseModel):
    """Settling part of a target (invoice, debit memo) with a source (payment, credit, deposit).

    The target's open balance falls by ``amount + discount + write_off``
    (:attr:`settled`); the source's unapplied balance falls by ``amount`` only. An application
    is never edited: an unapply is recorded by the ledger as its reversal.

    >>> from datetime import date
    >>> application = Application(company_id="acme", id="a-1", source_id="pay-9",
    ...     target_id="inv-1042", applied_date=date(2026, 2, 9),
    ...     amount=Money("63.62", "USD"), discount=Money("1.30", "USD"))
    >>> application.settled, application.write_off
    (Money('64.92', 'USD'), Money('0.00', 'USD'))
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["application"] = "application"
    """Tells an application from a document in stored data."""
    company_id: Identifier
    """The company both documents belong to."""
    id: Identifier
    """The application's id, unique within the company."""
    external_ids: ExternalIds = _NO_EXTERNAL_IDS
    """Its id in each accounting system it is synchronised with."""
    source_id: Identifier
    """The payment, credit memo or customer deposit applied."""
    target_id: Identifier
    """The invoice or debit memo settled."""
    applied_date: date
    """The date the application takes effect (balances as of earlier dates ignore it)."""
    amount: NonNegativeAmount
    """The part of the source applied to the target."""
    discount: NonNegativeAmount = Field(
        default_factory=lambda data: Money.zero(data["amount"].currency)
    )
    """The early-payment discount taken on the target alongside."""
    write_off: NonNegativeAmount = Field(
        default_factory=lambda data: Money.zero(data["amount"].currency)
    )
    """The part of the target written off alongside (a short pay, a small balance)."""

    @model_validator(mode="after")
    def _one_currency_something_applied(self) -> Application:
        for field in ("discount", "write_off"):
            other: Money = getattr(self, field)
            if other.currency != self.amount.currency:
                raise CurrencyMismatchError(
                    f"{field} is in {other.currency}, the amount in {self.amount.currency}",
                    hint="Give every amount of an application in one currency",
                    field=field,
                    value=other,
                )
        if not (self.amount or self.discount or self.write_off):
            raise InvalidAmountError(
                "an application of nothing: amount, discount and write-off are all zero",
                hint="Leave it out",
                field="amount",
                value=self.amount,
            )
        if self.source_id == self.target_id:
            raise ValidationError(
                f"{self.source_id!r} cannot be applied to itself",
                hint="Apply a payment or credit to an invoice or debit memo",
                field="target_id",
                value=self.target_id,
            )
        return self

    @property
    def currency(self) -> str:
        """The currency of every amount of the application."""
        return self.amount.currency

    @property
    def settled(self) -> Money:
        """How much the target's open balance falls: amount + discount + write-off."""
        return self.amount + self.discount + self.write_off


Document = Annotated[
    Invoice | DebitMemo | CreditMemo | Payment | CustomerDeposit | Refund,
    Field(discriminator="kind"),
]
"""Any document with a status, told apart by its ``kind`` when read from data."""

ReceivableDocument = Invoice | DebitMemo | CreditMemo
"""A document that moves the customer's receivable balance by its total (usable in isinstance)."""

_D = TypeVar("_D", bound=DocumentBase)


# --- functions over documents ------------------------------------------------------------


def effect_sign(document: ReceivableDocument) -> Literal[1, -1]:
    """Return +1 if ``document`` raises the customer's balance by its total, -1 if it lowers it.

    Invoices and debit memos raise it, credit memos lower it (domain.md, "Documents and their
    effect"). Payments, deposits and refunds move it only through applications and refunds.

    >>> effect_sign(CreditMemo(company_id="acme", id="cm-1", customer_id="c-1", currency="USD",
    ...     number="CM-1", document_date=date(2026, 1, 1), amount=Money("5.00", "USD")))
    -1
    """
    if isinstance(document, CreditMemo):
        return -1
    if isinstance(document, Invoice | DebitMemo):
        return 1
    raise TypeError(f"{type(document).__name__} does not move the balance by a total")


def _hint(document: DocumentBase, to: DocumentStatus) -> str:
    if document.status is DocumentStatus.VOID:
        return "A void document is final; issue a new document instead"
    if to is DocumentStatus.VOID and document.status in {_S.PARTIALLY_PAID, _S.PAID}:
        return "Unapply what was applied first, then void it"
    if to is DocumentStatus.VOID and document.status is DocumentStatus.WRITTEN_OFF:
        return "Reverse the write-off first"
    return "Move the status only along its lifecycle, through the ledger's commands"


def transition(document: _D, to: DocumentStatus) -> _D:
    """Return a copy of ``document`` with status ``to``, if its lifecycle allows the change.

    >>> from datetime import date
    >>> memo = DebitMemo(company_id="acme", id="dm-1", customer_id="c-1", currency="USD",
    ...     number="DM-1", document_date=date(2026, 1, 1), amount=Money("25.00", "USD"))
    >>> transition(memo, DocumentStatus.APPROVED).status
    <DocumentStatus.APPROVED: 'approved'>
    >>> try:
    ...     transition(memo, DocumentStatus.PAID)
    ... except IllegalTransitionError as error:
    ...     print(error.message)
    DebitMemo dm-1 cannot go from draft to paid; from draft it may go to: approved, void

    Raises:
        IllegalTransitionError: ``to`` is not a legal next status of the document's current
            status in its ``lifecycle`` (staying in the same status is not a transition).
    """
    target = DocumentStatus(to)
    legal = document.lifecycle.get(document.status, frozenset())
    if target not in legal:
        options = ", ".join(sorted(legal)) if legal else "nothing (it is final)"
        raise IllegalTransitionError(
            f"{type(document).__name__} {document.id} cannot go from {document.status.value} "
            f"to {target.value}; from {document.status.value} it may go to: {options}",
            hint=_hint(document, target),
            field="status",
            value=target.value,
            document_id=document.id,
            from_status=document.status.value,
            to_status=target.value,
            legal=tuple(sorted(legal)),
        )
    return document.model_copy(update={"status": target})


def status_for_balance(open_balance: Money, total: Money) -> DocumentStatus:
    """Return the status a document's balance implies: issued, partially paid or paid.

    ``open_balance`` is what is left of ``total`` (an invoice's open balance, a payment's
    unapplied remainder). Whether a closed document is ``paid`` or ``written_off`` is for the
    caller to say: this function only reads the balance.

    >>> usd = lambda text: Money(text, "USD")
    >>> [status_for_balance(usd(left), usd("100.00")).value for left in ("100.00", "0.01", "0")]
    ['issued', 'partially_paid', 'paid']

    Raises:
        InvalidAmountError: ``total`` is negative, or ``open_balance`` outside 0..``total``
            (over-applied, or more open than was ever owed).
        CurrencyMismatchError: the two are in different currencies.
    """
    zero = Money.zero(total.currency)
    if total < zero:
        raise InvalidAmountError(
            f"a document total of {total}",
            hint="Pass the document's total, which is never negative",
            field="total",
            value=total,
        )
    if open_balance < zero or open_balance > total:
        raise InvalidAmountError(
            f"open balance {open_balance} is outside 0 to {total}",
            hint="Nothing is ever over-applied; check the applications of this document",
            field="open_balance",
            value=open_balance,
        )
    if open_balance == zero:
        return DocumentStatus.PAID
    if open_balance == total:
        return DocumentStatus.ISSUED
    return DocumentStatus.PARTIALLY_PAID


def with_dispute(document: _D, disputed: bool) -> _D:
    """Return a copy of ``document`` with its ``disputed`` flag set to ``disputed``.

    A dispute is raised by the customer about something they were sent, so only an issued
    (or partly or fully settled, or written-off) document can be put in dispute; clearing the
    flag is always allowed. The status does not change.

    Raises:
        ConflictError: ``disputed`` is true and the document is a draft, approved or void.
    """
    if disputed and document.status not in _DISPUTABLE:
        raise ConflictError(
            f"{type(document).__name__} {document.id} is {document.status.value}; only a "
            "document the customer was sent can be disputed",
            hint="Issue the document first, or record the customer's complaint as a note",
            field="disputed",
            value=disputed,
        )
    return document.model_copy(update={"disputed": disputed})


def check_tax_exemption(document: ReceivableDocument, customer: Customer) -> None:
    """Check that ``document`` belongs to ``customer`` and carries no tax if it is exempt.

    >>> from datetime import date
    >>> customer = Customer(company_id="acme", id="c-1", name="Resale Co", currency="USD",
    ...     tax_exempt=True, resale_certificate="CA-SR-0042")
    >>> invoice = Invoice(company_id="acme", id="i-1", customer_id="c-1", currency="USD",
    ...     number="INV-1", document_date=date(2026, 1, 1), terms="Net 30", lines=[InvoiceLine(
    ...         description="A", quantity=Decimal(1), unit_price=Money("10.00", "USD"),
    ...         tax_rate=Decimal(5))])
    >>> check_tax_exemption(invoice, customer)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    arcore.errors.ValidationError: field 'lines': invoice INV-1 charges tax to customer c-1...

    Raises:
        ValidationError: the document is another customer's (or company's), or the customer
            is tax-exempt and a line carries a tax rate (or a credit memo gives tax back).
    """
    if (document.company_id, document.customer_id) != (customer.company_id, customer.id):
        raise ValidationError(
            f"{document.kind.replace('_', ' ')} {document.number} is for customer "
            f"{document.customer_id} of {document.company_id}, not {customer.id} of "
            f"{customer.company_id}",
            hint="Check against the document's own customer",
            field="customer_id",
            value=document.customer_id,
        )
    if not customer.tax_exempt:
        return
    taxed = (
        any(line.tax_rate for line in document.lines)
        if isinstance(document, Invoice)
        else isinstance(document, CreditMemo) and bool(document.tax)
    )
    if taxed:
        raise ValidationError(
            f"{document.kind.replace('_', ' ')} {document.number} charges tax to customer "
            f"{customer.id}, which is tax-exempt (certificate {customer.resale_certificate})",
            hint="Set the tax rates to zero, or clear the customer's exemption",
            field="lines" if isinstance(document, Invoice) else "tax",
            value=document.number,
        )
