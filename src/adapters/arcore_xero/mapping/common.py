"""What every Xero mapping shares: the context, exact amounts, ``/Date(ms)/`` dates, versions.

xero-python deserialises every amount Xero sends into ``Decimal`` (it parses JSON with
``parse_float=Decimal``), but its models are typed ``float`` and a model built by hand may
hold one: [`as_decimal`][arcore_xero.mapping.common.as_decimal] takes a float only through
its shortest ``repr`` (the decimal text it was written from) and marks that conversion.

Writing is the other way round: the SDK turns every ``Decimal`` of a request into a float just
before ``json.dumps`` (``serializer.serialize_float``). A float's ``repr`` gives back any
decimal of up to 15 significant digits exactly, so
[`wire_amount`][arcore_xero.mapping.common.wire_amount] refuses amounts with more (no silent
loss); Xero itself keeps 2 decimal places for amounts and 4 for unit prices and quantities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from enum import Enum

from arcore.errors import ValidationError
from arcore.money import Money

__all__ = [
    "WIRE_DIGITS",
    "MappingContext",
    "XeroMappingError",
    "as_decimal",
    "as_money",
    "enum_text",
    "format_ms_date",
    "parse_ms_date",
    "parse_version",
    "version_of",
    "wire_amount",
]

WIRE_DIGITS = 15
"""Significant digits an amount may have to cross xero-python's float serialiser exactly."""

_MS_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{2,4})?\)/$")


class XeroMappingError(ValidationError):
    """A Xero object that cannot be represented in arcore's models (or the reverse).

    ``field`` names the Xero field; ``value`` the offending value.
    """


@dataclass(frozen=True)
class MappingContext:
    """What a mapping needs beyond the object itself (from the connection's settings).

    Attributes:
        company_id: The arcore company the documents belong to.
        home_currency: The organisation's base currency: objects without ``CurrencyCode``.
        sales_account_code: The revenue account code of lines written without one.
        tax_type: The Xero ``TaxType`` of taxed lines written (``OUTPUT``; ``OUTPUT2`` in
            the UK); the line's ``TaxAmount`` is sent too, so the rate is arcore's.
        no_tax_type: The ``TaxType`` of untaxed lines (``NONE``).
        payment_account_code: The bank account code payments are received into.
    """

    company_id: str
    home_currency: str = "USD"
    sales_account_code: str = "200"
    tax_type: str = "OUTPUT"
    no_tax_type: str = "NONE"
    payment_account_code: str = "090"


def enum_text(value: object) -> str:
    """An SDK enum's value (``LineAmountTypes.EXCLUSIVE`` → ``Exclusive``), or the string."""
    if isinstance(value, Enum):
        return str(value.value)
    return "" if value is None else str(value)


def as_decimal(value: object, field_name: str) -> Decimal:
    """``value`` (a ``Decimal``, an int, a decimal string, or a float from a model) exactly.

    A float is taken through its shortest ``repr``, the decimal it was written from.

    >>> as_decimal(0.1, "Total"), as_decimal("12.30", "Total")
    (Decimal('0.1'), Decimal('12.30'))

    Raises:
        XeroMappingError: not a number (naming ``field_name`` and the value).
    """
    if isinstance(value, bool):
        raise XeroMappingError(
            f"{field_name} is not a number: {value!r}", field=field_name, value=value
        )
    if isinstance(value, float):  # float-ok: an SDK model field typed float; repr is exact
        value = repr(value)
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise XeroMappingError(
            f"{field_name} is not a number: {value!r}",
            hint="Check the Xero object",
            field=field_name,
            value=value,
        ) from exc
    if not number.is_finite():
        raise XeroMappingError(
            f"{field_name} is not a finite number: {value!r}", field=field_name, value=value
        )
    return number


def as_money(value: object, currency: str, field_name: str, *, exact: bool = False) -> Money:
    """``value`` as money in ``currency``, rounded half up to its minor unit.

    Args:
        value: What the SDK holds (``None`` is zero).
        currency: The ISO 4217 code.
        field_name: The Xero field, for errors.
        exact: Keep every place (unit prices may have 4), instead of rounding.
    """
    number = Decimal(0) if value is None else as_decimal(value, field_name)
    money = Money(number, currency)
    return money if exact else money.quantize()


def wire_amount(amount: Money | Decimal, field_name: str) -> Decimal:
    """The ``Decimal`` to put in an SDK model, checked to survive its float serialiser.

    Raises:
        XeroMappingError: more than [`WIRE_DIGITS`][arcore_xero.mapping.common.WIRE_DIGITS]
            significant digits (xero-python would send another number).
    """
    number = amount.amount if isinstance(amount, Money) else amount
    digits = len(number.normalize().as_tuple().digits)
    if digits > WIRE_DIGITS or Decimal(repr(float(number))) != number:  # float-ok: the check
        raise XeroMappingError(
            f"{field_name} {number} has more than {WIRE_DIGITS} significant digits",
            hint="xero-python sends amounts as JSON floats; round the amount in arcore",
            field=field_name,
            value=str(number),
        )
    return number


def parse_ms_date(text: str) -> datetime:
    """A Xero ``/Date(ms)/`` or ``/Date(ms+hhmm)/`` stamp as an aware UTC datetime.

    >>> parse_ms_date("/Date(1539993600000+0000)/")
    datetime.datetime(2018, 10, 20, 0, 0, tzinfo=datetime.timezone.utc)

    Raises:
        XeroMappingError: not in that form.
    """
    match = _MS_DATE.match(text.strip())
    if match is None:
        raise XeroMappingError(
            f"not a Xero date: {text!r}",
            hint="Xero dates look like /Date(1539993600000+0000)/",
            value=text,
        )
    # The milliseconds are UTC whatever the offset says (the offset only tells the local zone).
    millis = int(match.group(1))
    seconds, rest = divmod(millis, 1000)
    moment = datetime.fromtimestamp(seconds, tz=UTC)
    return moment.replace(microsecond=rest * 1000)


def format_ms_date(value: date | datetime) -> str:
    """``value`` in Xero's ``/Date(ms+0000)/`` form (a date is its midnight UTC).

    >>> format_ms_date(date(2018, 10, 20))
    '/Date(1539993600000+0000)/'
    """
    moment = (
        value.astimezone(UTC)
        if isinstance(value, datetime)
        else datetime.combine(value, time(), tzinfo=UTC)
    )
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    millis = (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000
    return f"/Date({millis}+0000)/"


def version_of(updated: datetime | None) -> str | None:
    """The version of a Xero object: its ``UpdatedDateUTC`` in ISO form, to the millisecond.

    Xero has no version counter; its update stamp changes on every change.
    """
    if updated is None:
        return None
    if updated.tzinfo is None:
        updated = updated.replace(tzinfo=UTC)
    return updated.astimezone(UTC).isoformat(timespec="milliseconds")


def parse_version(version: str) -> datetime:
    """The ``UpdatedDateUTC`` a [`version_of`][arcore_xero.mapping.common.version_of] names.

    Raises:
        XeroMappingError: not a version this adapter gave.
    """
    try:
        moment = datetime.fromisoformat(version)
    except ValueError as exc:
        raise XeroMappingError(
            f"not a Xero version: {version!r}",
            hint="Pass the version of the record as last read from Xero",
            field="version",
            value=version,
        ) from exc
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
