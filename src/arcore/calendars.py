"""Business-day calendars: which days a due date may fall on.

A calendar is anything with ``is_business_day(day) -> bool`` (the
[`BusinessCalendar`][arcore.calendars.BusinessCalendar] protocol). arcore ships two:

- [`WeekendCalendar`][arcore.calendars.WeekendCalendar]: Saturday and Sunday are off.
- [`HolidayCalendar`][arcore.calendars.HolidayCalendar]: a country's (or subdivision's) public
  holidays, observed days included, and its weekend, from the ``holidays`` package.

[`calendar_from_spec`][arcore.calendars.calendar_from_spec] turns a short text spec
(``"weekends"``, ``"US"``, ``"US-NY"``, ``"GB-ENG"``) into a calendar, and
[`next_business_day`][arcore.calendars.next_business_day] rolls a date forward.

>>> from datetime import date
>>> next_business_day(date(2026, 7, 4), WeekendCalendar())  # a Saturday
datetime.date(2026, 7, 6)
>>> us = calendar_from_spec("US")
>>> us.is_business_day(date(2026, 7, 3))  # Independence Day (observed)
False
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final, Protocol, runtime_checkable

import holidays

from arcore.errors import ConfigurationError, ValidationError

__all__ = [
    "WEEKENDS_SPEC",
    "BusinessCalendar",
    "HolidayCalendar",
    "WeekendCalendar",
    "calendar_from_spec",
    "next_business_day",
]

WEEKENDS_SPEC: Final = "weekends"
"""The calendar spec of [`WeekendCalendar`][arcore.calendars.WeekendCalendar]."""

# No real calendar goes this long without a business day; a calendar that does is broken, and
# saying so beats looping forever.
_MAX_DAYS_OFF: Final = 366

_SATURDAY: Final = 5


@runtime_checkable
class BusinessCalendar(Protocol):
    """Anything that tells business days from days off.

    Implement it to plug in a company calendar (plant shutdowns, bank holidays of a clearing
    system); arcore only ever asks ``is_business_day``.
    """

    def is_business_day(self, day: date) -> bool:
        """Tell whether ``day`` is a business day (payments are due and processed on it)."""
        ...


class WeekendCalendar:
    """Monday to Friday are business days; Saturday and Sunday are not. No holidays.

    >>> WeekendCalendar().is_business_day(date(2026, 7, 4))
    False
    """

    __slots__ = ()

    def is_business_day(self, day: date) -> bool:
        """Tell whether ``day`` is a weekday (Monday to Friday)."""
        return day.weekday() < _SATURDAY

    def __repr__(self) -> str:
        return "WeekendCalendar()"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WeekendCalendar)

    def __hash__(self) -> int:
        return hash(WeekendCalendar)


class HolidayCalendar:
    """Public holidays of a country (and optionally a subdivision), from ``holidays``.

    Days off are the country's weekend (Saturday and Sunday in most countries, Friday and
    Saturday in Israel or Saudi Arabia, as the ``holidays`` package records it) and its public
    holidays, including the days a holiday is observed on when it falls on a weekend.
    Years outside the range the ``holidays`` package covers for a country have no holidays,
    only weekends.

    Args:
        country: An ISO 3166-1 alpha-2 code (``"US"``, ``"GB"``); case-insensitive.
        subdivision: A subdivision code the ``holidays`` package knows for that country
            (``"NY"`` for the US, ``"ENG"`` for GB); case-insensitive.

    Raises:
        ConfigurationError: the ``holidays`` package knows no such country or subdivision.

    >>> HolidayCalendar("US").is_business_day(date(2026, 12, 25))
    False
    >>> HolidayCalendar("GB", "ENG").is_business_day(date(2026, 12, 28))  # Boxing Day observed
    False
    """

    __slots__ = ("_holidays", "country", "subdivision")

    country: str
    """The upper-case country code."""

    subdivision: str | None
    """The subdivision code as the ``holidays`` package spells it, if any."""

    def __init__(self, country: str, subdivision: str | None = None) -> None:
        code = country.strip().upper()
        supported = holidays.list_supported_countries()
        if code not in supported:
            raise ConfigurationError(
                f"the holidays package has no calendar for country {country!r}",
                hint="Use an ISO 3166-1 alpha-2 code such as US, GB, DE or FR, or 'weekends'",
                field="calendar",
                value=country,
            )
        subdiv = None
        if subdivision is not None:
            subdiv = _find_subdivision(supported[code], subdivision)
            if subdiv is None:
                known = ", ".join(supported[code]) or "none"
                raise ConfigurationError(
                    f"the holidays package has no subdivision {subdivision!r} for {code}",
                    hint=f"Use one of: {known}",
                    field="calendar",
                    value=f"{country}-{subdivision}",
                )
        try:
            calendar = holidays.country_holidays(code, subdiv=subdiv)
        except NotImplementedError as exc:  # the package's "not available"
            raise ConfigurationError(
                f"the holidays package cannot build a calendar for {code}: {exc}",
                hint="Check the country and subdivision codes",
                field="calendar",
                value=country,
            ) from exc
        self.country = code
        self.subdivision = subdiv
        self._holidays = calendar

    def is_business_day(self, day: date) -> bool:
        """Tell whether ``day`` is neither a weekend day nor a public holiday of the country."""
        return bool(self._holidays.is_working_day(day))

    def __repr__(self) -> str:
        if self.subdivision is None:
            return f"HolidayCalendar({self.country!r})"
        return f"HolidayCalendar({self.country!r}, {self.subdivision!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, HolidayCalendar):
            return NotImplemented
        return (self.country, self.subdivision) == (other.country, other.subdivision)

    def __hash__(self) -> int:
        return hash((HolidayCalendar, self.country, self.subdivision))


def _find_subdivision(known: list[str], wanted: str) -> str | None:
    folded = wanted.strip().casefold()
    return next((code for code in known if code.casefold() == folded), None)


def calendar_from_spec(spec: str) -> BusinessCalendar | None:
    """Return the calendar named by ``spec``, or None when arcore does not know it.

    Specs (case-insensitive): ``"weekends"`` for a
    [`WeekendCalendar`][arcore.calendars.WeekendCalendar]; a country code (``"US"``) or a
    country and subdivision joined by a dash (``"US-NY"``, ``"GB-ENG"``) for a
    [`HolidayCalendar`][arcore.calendars.HolidayCalendar]. None lets the caller try another
    source (a plugin's calendar) before giving up.

    >>> calendar_from_spec("US-NY")
    HolidayCalendar('US', 'NY')
    >>> calendar_from_spec("Atlantis") is None
    True
    """
    text = spec.strip()
    if text.casefold() == WEEKENDS_SPEC:
        return WeekendCalendar()
    country, _, subdivision = text.partition("-")
    try:
        return HolidayCalendar(country, subdivision or None)
    except ConfigurationError:
        return None


def next_business_day(day: date, calendar: BusinessCalendar) -> date:
    """Return ``day`` itself if it is a business day, else the first business day after it.

    >>> next_business_day(date(2026, 12, 25), HolidayCalendar("US"))  # Christmas, a Friday
    datetime.date(2026, 12, 28)

    Raises:
        ValidationError: there is no business day between ``day`` and ``date.max``, or the
            calendar has none in the year after ``day`` (a misconfigured calendar).
    """
    current = day
    for _ in range(_MAX_DAYS_OFF + 1):
        if calendar.is_business_day(current):
            return current
        if current == date.max:
            raise ValidationError(
                f"no business day on or after {day.isoformat()} before the end of the calendar",
                hint="Check the document date",
                field="day",
                value=day,
            )
        current += timedelta(days=1)
    raise ValidationError(
        f"the calendar has no business day in the {_MAX_DAYS_OFF} days from {day.isoformat()}",
        hint="Check the business-day calendar's configuration",
        field="day",
        value=day,
    )
