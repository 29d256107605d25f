"""Working hours and step boundaries, with the dates worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from arcore.collections.policy import (
    DEFAULT_POLICY,
    DunningPolicy,
    Step,
    WorkingHours,
    next_working_moment,
    policies_from_toml,
)
from arcore.errors import ConfigurationError, ValidationError

BERLIN = WorkingHours(time_zone="Europe/Berlin")
NEW_YORK = WorkingHours(time_zone="America/New_York")


def test_inside_working_hours_is_now() -> None:
    # Wed 2026-11-25 10:00 UTC is 11:00 in Berlin (CET, UTC+1): inside 09-17.
    at = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    assert next_working_moment(BERLIN, at) == at


def test_before_opening_waits_for_nine_local() -> None:
    # 07:30 UTC is 08:30 Berlin: wait until 09:00 Berlin = 08:00 UTC.
    got = next_working_moment(BERLIN, datetime(2026, 11, 25, 7, 30, tzinfo=UTC))
    assert got.astimezone(UTC) == datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def test_friday_evening_moves_to_monday_morning() -> None:
    # Fri 2026-11-27 16:00 UTC = 17:00 Berlin, the close (exclusive): Monday 30th 09:00.
    got = next_working_moment(BERLIN, datetime(2026, 11, 27, 16, 0, tzinfo=UTC))
    assert got == datetime(2026, 11, 30, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert got.astimezone(UTC) == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def test_time_zone_decides_the_day() -> None:
    # Sat 2026-11-28 02:00 UTC is still Fri 21:00 in New York (EST, UTC-5): closed, so
    # Monday 30th 09:00 EST = 14:00 UTC; in Berlin it is Saturday 03:00, also Monday 09:00.
    at = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    assert next_working_moment(NEW_YORK, at).astimezone(UTC) == datetime(
        2026, 11, 30, 14, 0, tzinfo=UTC
    )
    # Thu 2026-11-26 23:30 UTC is 18:30 in New York (closed) but Fri 00:30 in Berlin.
    at = datetime(2026, 11, 26, 23, 30, tzinfo=UTC)
    assert next_working_moment(NEW_YORK, at).astimezone(UTC) == datetime(
        2026, 11, 27, 14, 0, tzinfo=UTC
    )
    assert next_working_moment(BERLIN, at).astimezone(UTC) == datetime(
        2026, 11, 27, 8, 0, tzinfo=UTC
    )


def test_dst_spring_forward_in_berlin() -> None:
    # Clocks go 02:00 -> 03:00 on Sun 2026-03-29. Sat 28th 20:00 UTC (21:00 CET) waits for
    # Monday 30th 09:00 CEST, which is 07:00 UTC (UTC+2 now), not 08:00.
    got = next_working_moment(BERLIN, datetime(2026, 3, 28, 20, 0, tzinfo=UTC))
    assert got.astimezone(UTC) == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)


def test_dst_gap_inside_the_working_day() -> None:
    # A team opening at 02:30 on a Sunday: 02:30 does not exist on 2026-03-29 in Berlin,
    # so the day opens at the instant the clocks jump, 03:30 CEST = 01:30 UTC.
    hours = WorkingHours(time_zone="Europe/Berlin", days=(6,), start=time(2, 30))
    got = next_working_moment(hours, datetime(2026, 3, 29, 0, 0, tzinfo=UTC))
    assert got.astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_dst_fall_back_in_new_york() -> None:
    # Clocks go back 02:00 -> 01:00 on Sun 2026-11-01; Fri 30 Oct 22:00 UTC (18:00 EDT)
    # waits for Mon 2 Nov 09:00 EST = 14:00 UTC (UTC-5 now, not -4).
    got = next_working_moment(NEW_YORK, datetime(2026, 10, 30, 22, 0, tzinfo=UTC))
    assert got.astimezone(UTC) == datetime(2026, 11, 2, 14, 0, tzinfo=UTC)


def test_naive_moment_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        next_working_moment(BERLIN, datetime(2026, 1, 1, 9))
    assert caught.value.field == "moment"


def test_reached_steps_at_the_boundaries() -> None:
    # courtesy -3, first 7, second 21, call 35, final 50
    names = lambda days: [s.name for s in DEFAULT_POLICY.reached(days)]  # noqa: E731
    assert names(-4) == []
    assert names(-3) == ["courtesy"]
    assert names(6) == ["courtesy"]
    assert names(7) == ["courtesy", "first"]
    assert names(50) == ["courtesy", "first", "second", "call", "final"]


def test_policy_rejects_unordered_or_duplicate_steps() -> None:
    with pytest.raises(ValueError, match="increasing"):
        DunningPolicy(
            name="bad",
            steps=(
                Step(name="a", days=10, channel="email", template="first"),
                Step(name="b", days=5, channel="email", template="first"),
            ),
        )
    with pytest.raises(ValueError, match="unique"):
        DunningPolicy(
            name="bad",
            steps=(
                Step(name="a", days=1, channel="email", template="first"),
                Step(name="a", days=5, channel="email", template="first"),
            ),
        )


def test_policies_from_toml_groups_and_errors() -> None:
    policies = policies_from_toml(
        """
        [default]
        name = "std"
        minimum = {amount = "50.00", currency = "USD"}
        steps = [{name = "first", days = 7, channel = "email", template = "first"}]
        [default.working_hours]
        time_zone = "America/New_York"

        [groups.key]
        name = "key-accounts"
        working_hours = {time_zone = "Europe/Berlin"}
        [[groups.key.steps]]
        name = "call"
        days = 14
        channel = "phone"
        template = "call"
        [[groups.key.steps]]
        name = "fee"
        days = 30
        channel = "email"
        template = "second"
        fee = {rate = "8", period = "year", flat_fee = {amount = "40.00", currency = "USD"}}
        """
    )
    assert policies.policy_for(None).name == "std"
    assert policies.policy_for("nope").name == "std"
    assert policies.policy_for("key").steps[1].fee is not None
    with pytest.raises(ConfigurationError, match="steps"):
        policies_from_toml('[default]\nname = "x"\nsteps = []\n')
    with pytest.raises(ConfigurationError, match="TOML"):
        policies_from_toml("[default\n")
    with pytest.raises(ConfigurationError, match="time zone"):
        policies_from_toml(
            '[default]\nname = "x"\nsteps = [{name="a", days=1, channel="email", '
            'template="first"}]\nworking_hours = {time_zone = "Mars/Olympus"}\n'
        )


def test_the_how_to_policy_is_valid() -> None:
    from pathlib import Path

    page = Path(__file__).parents[3] / "docs" / "how-to" / "dunning.md"
    text = page.read_text(encoding="utf-8")
    block = text.split("```toml\n", 1)[1].split("```", 1)[0]
    policies = policies_from_toml(block, source=str(page))
    assert [s.days for s in policies.default.steps] == [-3, 7, 21, 35, 50]
    assert policies.default.working_hours.time_zone == "America/New_York"
    assert policies.policy_for("key-accounts").steps[0].channel == "phone"
