"""Money: a ``Decimal`` amount with an ISO 4217 currency.

Amounts are exact decimals, never floats. Arithmetic across currencies raises
[`CurrencyMismatchError`][arcore.errors.CurrencyMismatchError]; there is no implicit
conversion. Rounding happens only where you ask for it
([`Money.quantize`][arcore.money.Money.quantize]), with the rounding mode named, and splitting
money ([`allocate`][arcore.money.allocate]) uses the largest-remainder method so the parts
always add up to the whole, to the minor unit.

Minor units (USD 2, JPY 0, KWD 3, CLF 4) come from the ``iso4217`` package, which ships the
ISO 4217 maintenance agency's list; arcore keeps no table of its own.

>>> from decimal import Decimal
>>> price = Money("19.99", "USD")
>>> price * 3
Money('59.97', 'USD')
>>> [str(part) for part in allocate(Money("100.00", "USD"), [1, 1, 1])]
['33.34 USD', '33.33 USD', '33.33 USD']
>>> parse_amount("(1,234.56)")
Decimal('-1234.56')
>>> parse_amount("1.234,56 €", locale="de_DE")
Decimal('1234.56')
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from decimal import (
    MAX_EMAX,
    MAX_PREC,
    MIN_EMIN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)
from functools import cache
from itertools import repeat
from operator import attrgetter, eq
from pathlib import Path
from typing import Any, Final

import iso4217
from babel import Locale, UnknownLocaleError
from babel.numbers import get_decimal_symbol, get_group_symbol
from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from arcore.errors import (
    CurrencyMismatchError,
    FloatAmountError,
    InvalidAmountError,
    UnknownCurrencyError,
    ValidationError,
)

__all__ = [
    "DEFAULT_ROUNDING",
    "AmountLike",
    "Money",
    "allocate",
    "is_currency",
    "minor_units",
    "normalize_currency",
    "parse_amount",
    "parse_money",
    "to_decimal",
]

DEFAULT_ROUNDING: Final = ROUND_HALF_UP
"""Rounding mode for document totals unless a jurisdiction or adapter says otherwise."""

# Money arithmetic never rounds behind your back: with the largest precision, sums and products
# of finite decimals are exact, and anything that would be inexact or invalid raises.
_EXACT: Final = Context(
    prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[InvalidOperation, Overflow, DivisionByZero]
)

AmountLike = Decimal | int | str
"""What arcore accepts as an amount: a ``Decimal``, an ``int`` or a decimal string; no float."""


@cache
def minor_units(currency: str) -> int:
    """Return the number of decimal places of ``currency`` per ISO 4217.

    >>> minor_units("USD"), minor_units("JPY"), minor_units("KWD"), minor_units("CLF")
    (2, 0, 3, 4)

    Raises:
        UnknownCurrencyError: ``currency`` is not an ISO 4217 code, or has no minor unit
            (precious metals and testing codes such as ``XAU`` and ``XXX``).
    """
    code = currency.strip().upper()
    try:
        found = iso4217.Currency(code)
    except ValueError:
        raise UnknownCurrencyError(
            f"{currency!r} is not an ISO 4217 currency code",
            hint="Use a three-letter code such as USD, EUR or JPY",
            field="currency",
            value=currency,
        ) from None
    if found.exponent is None:
        raise UnknownCurrencyError(
            f"{code} has no minor unit in ISO 4217 (a metal, fund or testing code)",
            hint="Record receivables in a currency of legal tender",
            field="currency",
            value=currency,
        )
    return int(found.exponent)


@cache
@cache
def _unit_size(currency: str) -> int:
    """How many minor units make one unit of ``currency`` (100 for USD)."""
    return int(10 ** minor_units(currency))


def _scale(currency: str) -> tuple[str, int]:
    """The code and minor units of ``currency`` as given (reports turn millions of amounts)."""
    return normalize_currency(currency), minor_units(currency)


def normalize_currency(currency: str) -> str:
    """Return the upper-case ISO 4217 code for ``currency``, checking that it is known.

    >>> normalize_currency(" usd ")
    'USD'
    """
    minor_units(currency)  # checks, and reports the code as it was given
    return currency.strip().upper()


def to_decimal(value: object, *, field: str | None = None) -> Decimal:
    """Convert an amount given as ``Decimal``, ``int`` or decimal string to a finite ``Decimal``.

    Floats are refused ([`FloatAmountError`][arcore.errors.FloatAmountError]), as are bools, NaN and
    infinities. Strings must be plain decimal numbers (``"-12.50"``); to read amounts as they
    appear in exports (``"$1,234.56"``, ``"(12.00)"``) use
    [`parse_amount`][arcore.money.parse_amount].
    """
    if isinstance(value, bool):
        raise InvalidAmountError(
            "a bool is not an amount",
            hint="Pass a Decimal, an int or a string such as '12.34'",
            field=field,
            value=value,
        )
    if isinstance(value, float):
        raise FloatAmountError(
            f"float {value!r} refused where an exact decimal is required",
            hint="Pass a Decimal, an int or a string such as '12.34'",
            field=field,
            value=value,
        )
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        if not _PLAIN_DECIMAL.fullmatch(value.strip()):
            raise InvalidAmountError(
                f"{value!r} is not a decimal number",
                hint="Write amounts like '1234.56'; use parse_amount for formatted text",
                field=field,
                value=value,
            )
        result = Decimal(value.strip())
    else:
        raise InvalidAmountError(
            f"{type(value).__name__} is not an amount",
            hint="Pass a Decimal, an int or a string such as '12.34'",
            field=field,
            value=value,
        )
    if not result.is_finite():
        raise InvalidAmountError(
            f"{value!r} is not a finite amount",
            hint="Give a finite amount; NaN and infinities are not money",
            field=field,
            value=value,
        )
    return result


_AMOUNT_OF: Final = attrgetter("_amount")
_CURRENCY_OF: Final = attrgetter("_currency")

_PLAIN_DECIMAL: Final = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_SIMPLE_AMOUNT: Final = re.compile(r"-?\d+(\.\d+)?")


class Money:
    """An immutable amount of one currency.

    Args:
        amount: A ``Decimal``, ``int`` or plain decimal string; never a float.
        currency: An ISO 4217 code with a minor unit (case-insensitive).

    The amount is kept exactly as given (a unit price may carry more places than the
    currency); call [`quantize`][arcore.money.Money.quantize] to round it to the currency's
    minor unit.

    >>> Money("10.00", "usd") + Money("2.5", "USD")
    Money('12.50', 'USD')
    >>> Money(1, "JPY") + Money(1, "USD")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    arcore.errors.CurrencyMismatchError: field 'currency': cannot add JPY and USD. ...
    """

    __slots__ = ("_amount", "_currency")
    _amount: Decimal
    _currency: str

    def __init__(self, amount: AmountLike, currency: str) -> None:
        object.__setattr__(self, "_amount", to_decimal(amount, field="amount"))
        object.__setattr__(self, "_currency", normalize_currency(currency))

    @classmethod
    def _of(cls, amount: Decimal, currency: str) -> Money:
        """A result of arithmetic on valid money: nothing to check again."""
        money = object.__new__(cls)
        object.__setattr__(money, "_amount", amount)
        object.__setattr__(money, "_currency", currency)
        return money

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Return zero in ``currency``, at its minor unit (``Money.zero("USD")`` is 0.00 USD)."""
        if cls is Money:
            # Money is immutable, so one zero per currency serves every caller.
            found = _ZEROS.get(currency)
            if found is None:
                found = _ZEROS[currency] = cls(Decimal((0, (0,), -minor_units(currency))), currency)
            return found
        return cls(Decimal((0, (0,), -minor_units(currency))), currency)

    @classmethod
    def from_minor_units(cls, units: int, currency: str) -> Money:
        """Return the money worth ``units`` minor units (cents, fils...) of ``currency``.

        >>> Money.from_minor_units(12345, "KWD")
        Money('12.345', 'KWD')
        """
        if isinstance(units, float):
            raise FloatAmountError(
                f"float {units!r} refused as minor units",
                hint="Pass the number of minor units as an int",
                field="units",
                value=units,
            )
        if isinstance(units, bool) or not isinstance(units, int):
            raise InvalidAmountError(
                "minor units must be an int",
                hint="Pass the number of minor units as an int",
                field="units",
                value=units,
            )
        code, places = _scale(currency)
        return cls._of(Decimal(units).scaleb(-places, context=_EXACT), code)

    @classmethod
    def many_from_minor_units(cls, units: Sequence[int], currency: str) -> tuple[Money, ...]:
        """Return [`from_minor_units`][arcore.money.Money.from_minor_units] of each of ``units``.

        The currency is looked up once, for reports that turn many sums into money.

        >>> Money.many_from_minor_units([0, 150], "USD")
        (Money('0.00', 'USD'), Money('1.50', 'USD'))
        """
        if not all(type(value) is int for value in units):
            return tuple(cls.from_minor_units(value, currency) for value in units)  # it checks
        code, places = _scale(currency)
        of, scale, zero = cls._of, -places, cls.zero(code)
        return tuple(
            [of(Decimal(value).scaleb(scale, context=_EXACT), code) if value else zero
             for value in units]
        )  # fmt: skip

    @property
    def amount(self) -> Decimal:
        """The exact decimal amount."""
        return self._amount

    @property
    def currency(self) -> str:
        """The upper-case ISO 4217 currency code."""
        return self._currency

    @property
    def exponent(self) -> int:
        """The currency's number of minor-unit places (2 for USD, 0 for JPY)."""
        return minor_units(self._currency)

    def quantize(self, rounding: str = DEFAULT_ROUNDING, *, places: int | None = None) -> Money:
        """Round to the currency's minor unit (or to ``places`` decimals) with ``rounding``.

        >>> Money("2.675", "USD").quantize()
        Money('2.68', 'USD')
        >>> from decimal import ROUND_HALF_EVEN
        >>> Money("2.665", "USD").quantize(ROUND_HALF_EVEN)
        Money('2.66', 'USD')
        """
        digits = self.exponent if places is None else places
        step = Decimal((0, (1,), -digits))
        return Money(self._amount.quantize(step, rounding=rounding, context=_EXACT), self._currency)

    def is_quantized(self) -> bool:
        """Tell whether the amount has no more places than the currency's minor unit.

        >>> Money("1.50", "USD").is_quantized(), Money("1.505", "USD").is_quantized()
        (True, False)
        """
        _, digits, exponent = self._amount.as_tuple()
        assert isinstance(exponent, int)  # finite by construction
        excess = -exponent - self.exponent
        return excess <= 0 or not any(digits[-excess:])

    def to_minor_units(self) -> int:
        """Return the amount in minor units; the amount must already be quantized.

        Raises:
            InvalidAmountError: the amount has more places than the currency allows.
        """
        numerator, denominator = self._amount.as_integer_ratio()  # exact, and cheap
        size = _unit_size(self._currency)
        if size % denominator:
            raise InvalidAmountError(
                f"{self} has more places than {self._currency} allows",
                hint="Call quantize() first, naming the rounding mode",
                field="amount",
                value=self._amount,
            )
        return numerator * (size // denominator)

    @classmethod
    def many_to_minor_units(cls, amounts: Sequence[Money], currency: str) -> list[int]:
        """Return [`to_minor_units`][arcore.money.Money.to_minor_units] of each of ``amounts``.

        All must be in ``currency``. The list is converted in C-level steps, with no Python
        call per amount, for indexes that read a million balances.

        >>> Money.many_to_minor_units([Money("1.50", "USD"), Money("-2", "USD")], "usd")
        [150, -200]

        Raises:
            CurrencyMismatchError: one of ``amounts`` is in another currency.
            InvalidAmountError: one has more places than the currency allows.
        """
        code, places = _scale(currency)
        if not all(map(eq, map(_CURRENCY_OF, amounts), repeat(code))):
            other = next(m.currency for m in amounts if m.currency != code)
            raise CurrencyMismatchError(
                f"cannot convert {other} as {code}",
                hint="Convert each currency's amounts on their own",
                field="currency",
                value=other,
            )
        scaled = list(map(Decimal.scaleb, map(_AMOUNT_OF, amounts), repeat(places), repeat(_EXACT)))
        units = list(map(int, scaled))
        if not all(map(eq, units, scaled)):
            for money in amounts:
                money.to_minor_units()  # raises, naming the first that does not fit
        return units

    def allocate(self, ratios: Sequence[AmountLike]) -> list[Money]:
        """Split this amount by ``ratios``; see [`allocate`][arcore.money.allocate]."""
        return allocate(self, ratios)

    def _same_currency(self, other: Money, verb: str) -> None:
        if self._currency != other._currency:
            raise CurrencyMismatchError(
                f"cannot {verb} {self._currency} and {other._currency}",
                hint="Convert explicitly first",
                field="currency",
                value=other._currency,
            )

    def __add__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "add")
        return type(self)._of(_EXACT.add(self._amount, other._amount), self._currency)

    def __sub__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "subtract")
        return type(self)._of(_EXACT.subtract(self._amount, other._amount), self._currency)

    def __mul__(self, factor: object) -> Money:
        if isinstance(factor, float):
            raise FloatAmountError(
                f"float {factor!r} refused as a factor",
                hint="Multiply by a Decimal or an int",
                value=factor,
            )
        if isinstance(factor, bool) or not isinstance(factor, Decimal | int):
            return NotImplemented
        return Money(_EXACT.multiply(self._amount, Decimal(factor)), self._currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return type(self)._of(_EXACT.minus(self._amount), self._currency)

    def __pos__(self) -> Money:
        return self

    def __abs__(self) -> Money:
        return type(self)._of(_EXACT.abs(self._amount), self._currency)

    def __bool__(self) -> bool:
        return bool(self._amount)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self._currency == other._currency and self._amount == other._amount

    def __hash__(self) -> int:
        return hash((self._amount, self._currency))

    def _compare(self, other: object) -> Decimal:
        if not isinstance(other, Money):
            raise TypeError(f"cannot compare Money with {type(other).__name__}")
        self._same_currency(other, "compare")
        return _EXACT.subtract(self._amount, other._amount)

    def __lt__(self, other: object) -> bool:
        return self._compare(other) < 0

    def __le__(self, other: object) -> bool:
        return self._compare(other) <= 0

    def __gt__(self, other: object) -> bool:
        return self._compare(other) > 0

    def __ge__(self, other: object) -> bool:
        return self._compare(other) >= 0

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Money is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Money is immutable")

    def __reduce__(self) -> tuple[type[Money], tuple[Decimal, str]]:
        return (Money, (self._amount, self._currency))

    def __repr__(self) -> str:
        return f"Money('{self._amount:f}', '{self._currency}')"

    def __str__(self) -> str:
        """``"1234.56 USD"``: the plain amount, then the code.

        [`parse_money`][arcore.money.parse_money] reads it back.
        """
        return f"{self._amount:f} {self._currency}"

    def __format__(self, spec: str) -> str:
        return f"{format(self._amount, spec)} {self._currency}" if spec else str(self)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """Validate from a ``Money``, or from ``{"amount": "12.34", "currency": "USD"}``.

        Serialised (JSON or Python) as that mapping, with the amount as a string.
        """
        from_mapping = core_schema.no_info_after_validator_function(
            _money_from_mapping,
            core_schema.typed_dict_schema(
                {
                    "amount": core_schema.typed_dict_field(
                        core_schema.union_schema(
                            [
                                core_schema.is_instance_schema(Decimal),
                                core_schema.int_schema(strict=True),
                                core_schema.str_schema(),
                            ]
                        )
                    ),
                    "currency": core_schema.typed_dict_field(core_schema.str_schema()),
                }
            ),
        )
        return core_schema.union_schema(
            [core_schema.is_instance_schema(cls), from_mapping],
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda money: {"amount": f"{money.amount:f}", "currency": money.currency}
            ),
        )


_ZEROS: dict[str, Money] = {}


def _money_from_mapping(data: dict[str, Any]) -> Money:
    return Money(data["amount"], data["currency"])


def _exponent(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # finite by construction
    return min(exponent, 0)


def allocate(total: Money, ratios: Sequence[AmountLike]) -> list[Money]:
    """Split ``total`` into parts proportional to ``ratios`` that sum to ``total`` exactly.

    Largest-remainder method in the currency's minor units: each part first gets the floor of
    its exact share, then the units left over go one each to the parts with the largest
    fractional remainders (earlier parts first on ties). A negative total is split like its
    absolute value and negated.

    >>> [str(p) for p in allocate(Money("10.00", "USD"), [3, 3, 3])]
    ['3.34 USD', '3.33 USD', '3.33 USD']
    >>> [str(p) for p in allocate(Money("100", "JPY"), [50, 30, 20])]
    ['50 JPY', '30 JPY', '20 JPY']

    Raises:
        InvalidAmountError: ``total`` is not quantized to its minor unit, a ratio is negative
            or a float, or the ratios are empty or all zero.
    """
    if not ratios:
        raise InvalidAmountError(
            "cannot allocate over no ratios",
            hint="Give one ratio per part, such as [1, 1, 1] or ['0.7', '0.3']",
            field="ratios",
            value=list(ratios),
        )
    decimals = [to_decimal(r, field="ratios") for r in ratios]
    if any(w < 0 for w in decimals) or not any(decimals):
        raise InvalidAmountError(
            "ratios must be non-negative and not all zero",
            hint="Give one ratio per part, such as [1, 1, 1] or ['0.7', '0.3']",
            field="ratios",
            value=[str(r) for r in ratios],
        )
    units = total.to_minor_units()
    sign, units = (-1 if units < 0 else 1), abs(units)
    # Scale the ratios to integers so every share is an exact integer quotient and remainder.
    places = max(-_exponent(w) for w in decimals)
    weights = [int(w.scaleb(places, context=_EXACT)) for w in decimals]
    whole = sum(weights)
    shares = [divmod(units * w, whole) for w in weights]
    parts = [quotient for quotient, _ in shares]
    left = units - sum(parts)
    by_remainder = sorted(range(len(shares)), key=lambda i: (-shares[i][1], i))
    for i in by_remainder[:left]:
        parts[i] += 1
    return [Money.from_minor_units(sign * p, total.currency) for p in parts]


# --- parsing amounts as they appear in exports -------------------------------------------

_SPACES: Final = frozenset(" \u00a0\u202f\u2009")
_MINUS_SIGNS: Final = frozenset("-\u2212\u2012\u2013")
_CURRENCY_CODE: Final = re.compile(r"^([A-Za-z]{3})\s*|\s*([A-Za-z]{3})$")


def is_currency(code: str) -> bool:
    """Tell whether ``code`` is an ISO 4217 currency with a minor unit."""
    try:
        minor_units(code)
    except UnknownCurrencyError:
        return False
    return True


@cache
def _separators(locale: str) -> tuple[str, str]:
    try:
        loc = Locale.parse(locale)
    except (ValueError, UnknownLocaleError):
        raise ValidationError(
            f"unknown locale {locale!r}",
            hint="Name a CLDR locale such as en_US, de_DE or fr_FR",
            field="locale",
            value=locale,
        ) from None
    return get_decimal_symbol(loc), get_group_symbol(loc)


@cache
def _number_pattern(decimal_symbol: str, group_symbol: str) -> re.Pattern[str]:
    group = re.escape(group_symbol)
    decimal = re.escape(decimal_symbol)
    return re.compile(rf"(?:\d{{1,3}}(?:{group}\d{{3}})+|\d+)(?:{decimal}\d+)?|{decimal}\d+")


def _strip_currency(text: str) -> tuple[str, str | None]:
    """Remove currency symbols and one ISO code at either end; return what is left and the code."""
    code = None
    match = _CURRENCY_CODE.search(text)
    if match:
        code = (match.group(1) or match.group(2)).upper()
        if not is_currency(code):
            raise ValueError(code)
        text = text[: match.start()] + text[match.end() :]
    # Only at either end: "1$234" is garbage, not 1234.
    text = text.strip()
    if text[:1] and unicodedata.category(text[0]) == "Sc":
        text = text[1:].strip()
    if text[-1:] and unicodedata.category(text[-1]) == "Sc":
        text = text[:-1].strip()
    return text, code


def _split_sign(text: str) -> tuple[bool, str]:
    """Return (negative, unsigned text) for ``(12.00)``, ``-12.00``, ``12.00-`` and ``+12.00``.

    Exactly one way of writing the sign is accepted; ``(-12.00)`` is ambiguous and refused.
    """
    if text.startswith("(") and text.endswith(")"):
        return True, text[1:-1].strip()
    if text[:1] in _MINUS_SIGNS or text[:1] == "+":
        return text[0] != "+", text[1:].strip()
    if text[-1:] in _MINUS_SIGNS:
        return True, text[:-1].strip()
    return False, text


def _parse(text: str, locale: str) -> tuple[Decimal, str | None]:
    decimal_symbol, group_symbol = _separators(locale)
    if decimal_symbol == "." and _SIMPLE_AMOUNT.fullmatch(text):
        return Decimal(text), None  # the common case in CSV exports: "1234.56", "-12.5"
    body, code = _strip_currency(text.strip())
    negative, body = _split_sign(body)
    body, inner_code = _strip_currency(body)  # "-$12.00" and "$-12.00" alike
    if code is not None and inner_code is not None:
        raise ValueError(text)  # two codes ("12 USD EUR"): refuse rather than pick one
    code = code or inner_code
    if group_symbol in _SPACES or group_symbol.isspace():
        body = "".join(group_symbol if ch in _SPACES else ch for ch in body)
    elif group_symbol == "\u2019":  # Swiss: people type an apostrophe
        body = body.replace("'", group_symbol)
    if not body or not _number_pattern(decimal_symbol, group_symbol).fullmatch(body):
        raise ValueError(body)
    plain = body.replace(group_symbol, "").replace(decimal_symbol, ".")
    number = Decimal(plain)
    return (-number if negative else number), code


def parse_amount(
    text: str,
    *,
    locale: str = "en_US",
    field: str | None = None,
    row: int | None = None,
    file: str | Path | None = None,
) -> Decimal:
    """Read an amount written the way exports and bank files write it.

    Understands grouping and decimal symbols of ``locale`` (CLDR data, through Babel),
    currency symbols and an ISO code at either end, and negatives written as ``-12.00``,
    ``(12.00)`` or ``12.00-``. Anything else is refused rather than guessed.

    >>> parse_amount("$1,234.56"), parse_amount("(12.00)"), parse_amount("1 234,56", locale="fr_FR")
    (Decimal('1234.56'), Decimal('-12.00'), Decimal('1234.56'))

    Raises:
        InvalidAmountError: the text is not an amount in that locale; the error names
            ``file``, ``row`` and ``field`` when given.
    """
    try:
        return _parse(text, locale)[0]
    except ValueError as exc:
        if isinstance(exc, ValidationError):
            raise
        raise InvalidAmountError(
            f"{text!r} is not an amount in locale {locale}",
            hint=_example_hint(locale),
            field=field,
            row=row,
            file=file,
            value=text,
        ) from None


def parse_money(
    text: str,
    currency: str,
    *,
    locale: str = "en_US",
    field: str | None = None,
    row: int | None = None,
    file: str | Path | None = None,
) -> Money:
    """Like [`parse_amount`][arcore.money.parse_amount], returning [`Money`][arcore.money.Money].

    An ISO code written in the text must be ``currency``; ``str(money)`` reads back exactly.

    >>> parse_money(str(Money("-0.50", "EUR")), "EUR")
    Money('-0.50', 'EUR')

    Raises:
        InvalidAmountError: the text is not an amount.
        CurrencyMismatchError: the text names another currency.
    """
    try:
        amount, code = _parse(text, locale)
    except ValueError as exc:
        if isinstance(exc, ValidationError):
            raise
        raise InvalidAmountError(
            f"{text!r} is not an amount in locale {locale}",
            hint=_example_hint(locale),
            field=field,
            row=row,
            file=file,
            value=text,
        ) from None
    expected = normalize_currency(currency)
    if code is not None and code != expected:
        raise CurrencyMismatchError(
            f"{text!r} is in {code}, expected {expected}",
            hint="Check the currency column of the input",
            field=field,
            row=row,
            file=file,
            value=text,
        )
    return Money(amount, expected)


def _example_hint(locale: str) -> str:
    decimal_symbol, group_symbol = _separators(locale)
    one_thousand, twelve = f"1{group_symbol}234{decimal_symbol}56", f"12{decimal_symbol}00"
    return f"Write it like '{one_thousand}', '-{twelve}' or '({twelve})'"
