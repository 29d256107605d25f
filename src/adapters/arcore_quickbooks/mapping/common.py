"""What every entity mapping shares: the context, exact numbers, refs, dates and metadata."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from arcore.adapter import NamedTerms
from arcore.errors import ValidationError
from arcore.money import Money, to_decimal
from arcore.terms import Terms

__all__ = [
    "JSON",
    "MappingContext",
    "QuickBooksMappingError",
    "as_bool",
    "as_date",
    "as_datetime",
    "as_decimal",
    "as_int",
    "as_money",
    "currency_of",
    "decimal_json",
    "ref",
    "ref_value",
    "sync_token",
    "updated_at",
]

JSON = dict[str, Any]
"""A QuickBooks object as the JSON dict the API sends and receives."""


class QuickBooksMappingError(ValidationError):
    """A QuickBooks object that cannot be represented in arcore's models (or the reverse).

    ``field`` names the QuickBooks field; ``value`` the offending value.
    """


@dataclass(frozen=True)
class MappingContext:
    """What a mapping needs beyond the object itself.

    Attributes:
        company_id: The arcore company the documents belong to.
        home_currency: The QuickBooks company's home currency, used when an object has no
            ``CurrencyRef`` (QBO omits it when multicurrency is off).
        terms: The company's ``Term`` list by QuickBooks id, to resolve ``SalesTermRef``.
    """

    company_id: str
    home_currency: str = "USD"
    terms: Mapping[str, NamedTerms] = field(default_factory=dict)

    def terms_for(self, term_id: str | None) -> Terms | None:
        """The terms a ``SalesTermRef`` id names, or ``None`` if unknown or absent."""
        if term_id is None:
            return None
        named = self.terms.get(term_id)
        return named.terms if named is not None else None

    def term_id_for(self, terms: Terms) -> str | None:
        """The id of an active QuickBooks term meaning exactly ``terms``, if there is one."""
        for term_id, named in sorted(self.terms.items()):
            if named.active and named.terms == terms:
                return term_id
        return None


def as_decimal(value: object, field_name: str) -> Decimal:
    """``value`` (a JSON number parsed as ``Decimal``, an int or a decimal string) exactly.

    Raises:
        QuickBooksMappingError: a float (it would already have lost digits), or not a number.
    """
    if isinstance(value, float):
        raise QuickBooksMappingError(
            f"{field_name} arrived as a float",
            hint="Parse QuickBooks JSON with parse_float=Decimal (QuickBooks(use_decimal=True))",
            field=field_name,
            value=value,
        )
    try:
        return to_decimal(value, field=field_name)
    except ValidationError as exc:
        raise QuickBooksMappingError(
            f"{field_name} is not a number: {value!r}",
            hint="Check the QuickBooks object",
            field=field_name,
            value=value,
        ) from exc


def as_money(value: object, currency: str, field_name: str) -> Money:
    """``value`` as money in ``currency`` (see [`as_decimal`][])."""
    return Money(as_decimal(value, field_name), currency)


def as_int(value: object, field_name: str) -> int:
    """An integer field (days, days of month), given as a JSON number or a string."""
    number = as_decimal(value, field_name)
    if number != number.to_integral_value():
        raise QuickBooksMappingError(
            f"{field_name} is not a whole number: {value!r}", field=field_name, value=value
        )
    return int(number)


def as_bool(value: object, default: bool = False) -> bool:
    """A boolean field, given as JSON ``true``/``false`` or the strings of the XML form."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() == "true"


def as_date(value: object) -> date | None:
    """A ``YYYY-MM-DD`` date; ``None`` for absent or empty (the SDK sends ``""`` for unset)."""
    if value is None or value == "":
        return None
    return date.fromisoformat(str(value)[:10])


def as_datetime(value: object) -> datetime | None:
    """A QuickBooks timestamp (``2015-07-24T10:35:08-07:00``) in UTC; naive ones read as UTC."""
    if value is None or value == "":
        return None
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def ref_value(obj: Mapping[str, Any], key: str) -> str | None:
    """The id of a reference field (``{"value": "3", "name": "Net 30"}``), if set."""
    reference = obj.get(key)
    if isinstance(reference, Mapping):
        value = reference.get("value")
        return str(value) if value not in (None, "") else None
    if isinstance(reference, str) and reference:
        return reference
    return None


def ref(value: str, name: str | None = None) -> JSON:
    """A reference field to send: ``{"value": value}`` (with ``name`` if given)."""
    return {"value": value} if name is None else {"value": value, "name": name}


def currency_of(obj: JSON, context: MappingContext) -> str:
    """The object's currency: its ``CurrencyRef``, else the company's home currency."""
    return ref_value(obj, "CurrencyRef") or context.home_currency


def sync_token(obj: JSON) -> str | None:
    """The object's ``SyncToken`` as a string (the SDK sends it as an int)."""
    token = obj.get("SyncToken")
    return None if token is None or token == "" else str(token)


def updated_at(obj: JSON) -> datetime | None:
    """``MetaData.LastUpdatedTime`` in UTC, if present."""
    meta = obj.get("MetaData")
    if not isinstance(meta, Mapping):
        return None
    return as_datetime(meta.get("LastUpdatedTime"))


def decimal_json(amount: Money | Decimal) -> Decimal:
    """The amount to put in a JSON body (a ``Decimal``: the adapter writes it as a number)."""
    return amount.amount if isinstance(amount, Money) else amount
