"""Business-day calendars: weekends, public holidays from the ``holidays`` package, rolling."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arcore.calendars import (
    BusinessCalendar,
    HolidayCalendar,
    WeekendCalendar,
    calendar_from_spec,
    next_business_day,
)
from arcore.errors import ConfigurationError, ValidationError

D = date
US = HolidayCalendar("US")


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 7, 3), True),  # Friday
        (D(2026, 7, 4), False),  # Saturday
        (D(2026, 7, 5), False),  # Sunday
        (D(2026, 7, 6), True),  # Monday
        (D(2026, 12, 25), True),  # Christmas, but the weekend calendar has no holidays
    ],
)
def test_weekend_calendar(day: date, expected: bool) -> None:
    assert WeekendCalendar().is_business_day(day) is expected


@pytest.mark.parametrize(
    ("calendar", "day", "expected"),
    [
        (US, D(2026, 7, 3), False),  # Independence Day (observed), a Friday
        (US, D(2026, 7, 4), False),  # Independence Day, a Saturday
        (US, D(2026, 7, 6), True),
        (US, D(2026, 12, 25), False),  # Christmas, a Friday
        (US, D(2026, 12, 28), True),
        (US, D(2027, 12, 24), False),  # Christmas observed (Dec 25 2027 is a Saturday)
        (US, D(2027, 12, 31), False),  # New Year's Day 2028 observed, the year before
        (US, D(2026, 2, 12), True),  # Lincoln's Birthday is not federal...
        (HolidayCalendar("US", "NY"), D(2026, 2, 12), False),  # ...but New York keeps it
        (HolidayCalendar("GB", "ENG"), D(2026, 12, 28), False),  # Boxing Day observed
        (HolidayCalendar("GB", "ENG"), D(2026, 12, 29), True),
        (HolidayCalendar("IL"), D(2026, 1, 4), True),  # a Sunday: Israel's week starts
        (HolidayCalendar("IL"), D(2026, 1, 9), False),  # a Friday: Israel's weekend
    ],
)
def test_holiday_calendar(calendar: HolidayCalendar, day: date, expected: bool) -> None:
    assert calendar.is_business_day(day) is expected


@pytest.mark.parametrize(
    ("calendar", "day", "expected"),
    [
        (WeekendCalendar(), D(2026, 7, 3), D(2026, 7, 3)),  # a business day stays
        (WeekendCalendar(), D(2026, 7, 4), D(2026, 7, 6)),
        (US, D(2026, 7, 3), D(2026, 7, 6)),
        (US, D(2026, 7, 4), D(2026, 7, 6)),
        (US, D(2026, 12, 25), D(2026, 12, 28)),
        (US, D(2027, 12, 24), D(2027, 12, 27)),
        (US, D(2027, 12, 31), D(2028, 1, 3)),  # over the year end
        (US, D(2026, 1, 1), D(2026, 1, 2)),
    ],
)
def test_next_business_day(calendar: BusinessCalendar, day: date, expected: date) -> None:
    assert next_business_day(day, calendar) == expected


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("weekends", WeekendCalendar()),
        ("Weekends", WeekendCalendar()),
        ("US", HolidayCalendar("US")),
        ("us", HolidayCalendar("US")),
        ("US-NY", HolidayCalendar("US", "NY")),
        ("us-ny", HolidayCalendar("US", "NY")),
        (" GB-ENG ", HolidayCalendar("GB", "ENG")),
        ("Atlantis", None),
        ("ZZ", None),
        ("US-ZZ", None),
        ("", None),
    ],
)
def test_calendar_from_spec(spec: str, expected: BusinessCalendar | None) -> None:
    assert calendar_from_spec(spec) == expected


def test_holiday_calendar_keeps_the_package_spelling_of_subdivisions() -> None:
    calendar = HolidayCalendar("au", "nsw")
    assert (calendar.country, calendar.subdivision) == ("AU", "NSW")
    assert repr(calendar) == "HolidayCalendar('AU', 'NSW')"


def test_unknown_country_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="ZZ") as caught:
        HolidayCalendar("ZZ")
    assert caught.value.field == "calendar"
    assert caught.value.hint is not None
    assert "US" in caught.value.hint


def test_unknown_subdivision_is_a_configuration_error_listing_the_known_ones() -> None:
    with pytest.raises(ConfigurationError, match="ZZ") as caught:
        HolidayCalendar("US", "ZZ")
    assert caught.value.hint is not None
    assert "NY" in caught.value.hint


def test_calendars_satisfy_the_protocol() -> None:
    assert isinstance(WeekendCalendar(), BusinessCalendar)
    assert isinstance(US, BusinessCalendar)


def test_a_calendar_without_business_days_is_refused_rather_than_looped_on() -> None:
    class NeverOpen:
        def is_business_day(self, day: date) -> bool:
            return False

    with pytest.raises(ValidationError, match="configuration"):
        next_business_day(D(2026, 1, 1), NeverOpen())
    with pytest.raises(ValidationError, match="end of the calendar"):
        next_business_day(D(9999, 12, 31), NeverOpen())


any_day = st.dates(min_value=D(1900, 1, 1), max_value=D(9000, 12, 31))


@given(any_day, st.sampled_from([WeekendCalendar(), US, HolidayCalendar("GB", "ENG")]))
def test_next_business_day_is_the_first_business_day_on_or_after(
    day: date, calendar: BusinessCalendar
) -> None:
    rolled = next_business_day(day, calendar)
    assert rolled >= day
    assert calendar.is_business_day(rolled)
    assert not any(
        calendar.is_business_day(day + timedelta(days=n)) for n in range((rolled - day).days)
    )
