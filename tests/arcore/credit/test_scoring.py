"""Behavioural score and the CSV score provider."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arcore.credit import CreditApplication, behaviour_score, csv_score_provider
from arcore.credit.scoring import ScoreProvider, SettledItem
from arcore.errors import InputRejectedError, ValidationError
from arcore.money import Money
from arcore.plugins import plugin_manager


def test_behaviour_score_by_hand() -> None:
    # Days late: 10, 0, 25, 3 → average 9.50 → 10 points; share late 3/4 = 0.75 → 22.5 → 23
    # points; 2 disputes → 10; 1 broken promise → 10. 100 − 10 − 23 − 10 − 10 = 47.
    items = [
        SettledItem(due=date(2026, 1, 31), settled=date(2026, 2, 10)),
        SettledItem(due=date(2026, 2, 28), settled=date(2026, 2, 27)),
        SettledItem(due=date(2026, 3, 1), settled=date(2026, 3, 26)),
        SettledItem(due=date(2026, 3, 31), settled=date(2026, 4, 3)),
    ]
    found = behaviour_score(items, disputes=2, broken_promises=1)
    assert found.avg_days_late == Decimal("9.50")
    assert found.share_paid_late == Decimal("0.7500")
    assert found.points == {
        "days_late": 10,
        "share_paid_late": 23,
        "disputes": 10,
        "broken_promises": 10,
    }
    assert found.score == 47


def test_caps_and_floor() -> None:
    items = [SettledItem(due=date(2026, 1, 1), settled=date(2026, 6, 1))]  # 151 days
    found = behaviour_score(items, disputes=9, broken_promises=9)
    assert found.points == {
        "days_late": 40,
        "share_paid_late": 30,
        "disputes": 15,
        "broken_promises": 30,
    }
    assert found.score == 0


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValidationError) as error:
        behaviour_score([], disputes=-1)
    assert (error.value.field, error.value.value) == ("disputes", -1)


@given(
    st.lists(st.tuples(st.integers(-60, 400), st.integers(0, 400)), max_size=30),
    st.integers(0, 20),
    st.integers(0, 20),
)
def test_behaviour_score_is_within_0_and_100_and_falls_with_lateness(
    shifts: list[tuple[int, int]], disputes: int, broken: int
) -> None:
    due = date(2026, 1, 1)
    items = [SettledItem(due=due, settled=due + timedelta(days=late)) for late, _ in shifts]
    found = behaviour_score(items, disputes=disputes, broken_promises=broken)
    assert 0 <= found.score <= 100
    later = [
        SettledItem(due=due, settled=due + timedelta(days=late + extra)) for late, extra in shifts
    ]
    assert behaviour_score(later, disputes=disputes, broken_promises=broken).score <= found.score


def app(customer: str = "c-1", registration: str = "") -> CreditApplication:
    return CreditApplication(
        company_id="acme",
        id="app-1",
        customer_id=customer,
        legal_name="Globex",
        registration_number=registration,
        received=date(2026, 3, 2),
        requested_limit=Money("1000.00", "USD"),
    )


def test_csv_provider_finds_by_registration_then_customer(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    path.write_text(
        "customer_id,registration_number,score,as_of,reference\n"
        "c-1,,55,2026-01-01,r1\n"
        "c-1,,61,2026-02-01,r2\n"  # the latest as_of wins
        ",DUNS-9,88,2026-02-01,r3\n",
        encoding="utf-8",
    )
    provider = csv_score_provider(path)
    assert isinstance(provider, ScoreProvider)
    found = provider.score(app())
    assert found is not None
    assert (found.score, found.reference) == (61, "r2")
    by_registration = provider.score(app("c-1", "DUNS-9"))
    assert by_registration is not None
    assert by_registration.score == 88
    assert provider.score(app("c-2")) is None


def test_csv_provider_refuses_bad_rows_naming_each(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    path.write_text(
        "customer_id,score,as_of\n"
        "c-1,101,2026-01-01\n"
        "c-2,abc,2026-01-01\n"
        "c-3,50,01/02/2026\n"
        ",50,2026-01-01\n"
        "c-5,50,2026-01-01\n",
        encoding="utf-8",
    )
    with pytest.raises(InputRejectedError) as error:
        csv_score_provider(path)
    found = [(p.file, p.row, p.field, p.value) for p in error.value.problems]
    assert found == [
        ("scores.csv", 2, "score", "101"),
        ("scores.csv", 3, "score", "abc"),
        ("scores.csv", 4, "as_of", "01/02/2026"),
        ("scores.csv", 5, "customer_id", ""),
    ]


def test_csv_provider_refuses_a_file_without_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    path.write_text("name,rating\nx,1\n", encoding="utf-8")
    with pytest.raises(InputRejectedError) as error:
        csv_score_provider(path)
    assert {p.field for p in error.value.problems} == {"score", "as_of", "customer_id"}


def test_csv_provider_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputRejectedError) as error:
        csv_score_provider(tmp_path / "nope.csv")
    assert error.value.problems[0].field == "path"


def test_the_csv_provider_is_a_builtin_plugin(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    path.write_text("customer_id,score,as_of\nc-1,70,2026-01-01\n", encoding="utf-8")
    factory = plugin_manager(entry_points=False).credit_score_providers()["csv"]
    provider = factory(path)  # type: ignore[operator]
    assert provider.score(app()).score == 70
