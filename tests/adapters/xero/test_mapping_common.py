from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("xero_python")

from arcore.money import Money
from arcore_xero.mapping.common import (
    WIRE_DIGITS,
    XeroMappingError,
    as_decimal,
    as_money,
    format_ms_date,
    parse_ms_date,
    parse_version,
    version_of,
    wire_amount,
)


def test_ms_dates_with_and_without_offset() -> None:
    assert parse_ms_date("/Date(1539993600000+0000)/") == datetime(2018, 10, 20, tzinfo=UTC)
    assert parse_ms_date("/Date(1714521600000)/") == datetime(2024, 5, 1, tzinfo=UTC)
    # The milliseconds are UTC; the offset only names the local zone.
    assert parse_ms_date("/Date(1552326816230+1300)/") == datetime(
        2019, 3, 11, 17, 53, 36, 230000, tzinfo=UTC
    )
    assert format_ms_date(date(2024, 5, 1)) == "/Date(1714521600000+0000)/"


def test_a_bad_ms_date_names_its_value() -> None:
    with pytest.raises(XeroMappingError) as caught:
        parse_ms_date("2024-05-01")
    assert caught.value.value == "2024-05-01"
    assert "Date(" in str(caught.value)


@given(st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1)))
def test_ms_dates_round_trip_to_the_millisecond(moment: datetime) -> None:
    aware = moment.replace(tzinfo=UTC, microsecond=moment.microsecond // 1000 * 1000)
    assert parse_ms_date(format_ms_date(aware)) == aware


def test_floats_from_models_are_read_through_their_repr_and_money_rounds_half_up() -> None:
    assert as_decimal(0.1, "Total") == Decimal("0.1")  # float-ok: what a hand-made model holds
    assert as_money("2.675", "USD", "Total") == Money("2.68", "USD")
    assert as_money("33.33335", "USD", "UnitAmount", exact=True).amount == Decimal("33.33335")
    assert as_money(None, "JPY", "Total") == Money("0", "JPY")
    with pytest.raises(XeroMappingError, match="Total is not a number"):
        as_decimal("12,50", "Total")
    with pytest.raises(XeroMappingError):
        as_decimal(True, "Total")


@given(
    st.decimals(min_value=Decimal("-1E12"), max_value=Decimal("1E12"), places=2, allow_nan=False)
)
def test_amounts_that_survive_the_sdks_float_serialiser_are_sent_exactly(amount: Decimal) -> None:
    assert Decimal(repr(float(wire_amount(amount, "Amount")))) == amount  # float-ok: the check


def test_an_amount_a_float_would_change_is_refused() -> None:
    eighteen = Decimal("1234567890123456.78")
    assert len(eighteen.as_tuple().digits) > WIRE_DIGITS
    with pytest.raises(XeroMappingError) as caught:
        wire_amount(Money(eighteen, "USD"), "lines[1].amount")
    assert caught.value.field == "lines[1].amount"
    assert "round the amount" in str(caught.value)


def test_versions_are_update_stamps_to_the_millisecond() -> None:
    stamp = datetime(2026, 11, 2, 9, 0, 5, 123456, tzinfo=UTC)
    assert version_of(stamp) == "2026-11-02T09:00:05.123+00:00"
    assert version_of(stamp.replace(tzinfo=None)) == "2026-11-02T09:00:05.123+00:00"
    assert parse_version("2026-11-02T09:00:05.123+00:00") == stamp.replace(microsecond=123000)
    assert version_of(None) is None
    with pytest.raises(XeroMappingError, match="not a Xero version"):
        parse_version("7")
