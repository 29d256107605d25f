"""Dunning policies: a ladder of steps keyed on days past due, and the team's working hours.

A [`DunningPolicy`][arcore.collections.policy.DunningPolicy] lists its
[`Step`][arcore.collections.policy.Step]s in order of ``days`` past due (negative days are a
courtesy reminder before the due date). Each step names a channel (``email``, ``phone``,
``letter``, ``sms`` or a plugin's), a template, an optional fee or interest charge
([`LateFeePolicy`][arcore.finance_charges.LateFeePolicy], posted as a debit memo) and an
optional action (``credit_hold``, ``escalate``, ``write_off_review``). A
[`PolicySet`][arcore.collections.policy.PolicySet] picks the policy of each customer group.

>>> policy = DunningPolicy(name="standard", steps=[
...     Step(name="courtesy", days=-3, channel="email", template="courtesy"),
...     Step(name="first", days=7, channel="email", template="reminder"),
... ])
>>> [step.name for step in policy.reached(7)]
['courtesy', 'first']
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic import ValidationError as PydanticValidationError

from arcore.documents import Identifier
from arcore.errors import ConfigurationError, ValidationError
from arcore.finance_charges import LateFeePolicy
from arcore.money import Money

__all__ = [
    "DEFAULT_POLICY",
    "DunningAction",
    "DunningPolicy",
    "PolicySet",
    "Step",
    "WorkingHours",
    "next_working_moment",
    "policies_from_toml",
]

DunningAction = Literal["credit_hold", "escalate", "write_off_review"]
"""What a step does besides sending: hold the account, hand it to an agency, review it."""


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"{name!r} is not an IANA time zone (e.g. 'Europe/Berlin')") from exc
    return name


class WorkingHours(BaseModel):
    """When the collections team works: weekdays and hours in its time zone.

    >>> WorkingHours(time_zone="Europe/Berlin").days
    (0, 1, 2, 3, 4)
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    time_zone: Annotated[str, AfterValidator(_zone)] = "UTC"
    """The team's IANA time zone (``"America/New_York"``)."""
    days: tuple[Annotated[int, Field(ge=0, le=6)], ...] = (0, 1, 2, 3, 4)
    """Working weekdays, Monday = 0 ... Sunday = 6."""
    start: time = time(9)
    """Local time the working day starts."""
    end: time = time(17)
    """Local time the working day ends (exclusive)."""

    @model_validator(mode="after")
    def _sensible(self) -> WorkingHours:
        if not self.days:
            raise ValueError("working hours need at least one working day")
        if self.start >= self.end:
            raise ValueError(f"the working day must start before it ends ({self.start}-{self.end})")
        return self


def _local(day: date, at: time, zone: ZoneInfo) -> datetime:
    """``day`` at wall-clock ``at`` in ``zone``; a time skipped by a DST jump moves forward."""
    naive = datetime.combine(day, at)
    moment = naive.replace(tzinfo=zone)
    # A wall time inside a spring-forward gap does not exist: the UTC round trip maps it to
    # the instant the clocks jump to (02:30 that never happened becomes 03:30 local).
    return moment.astimezone(UTC).astimezone(zone)


def next_working_moment(hours: WorkingHours, moment: datetime) -> datetime:
    """Return the first instant at or after ``moment`` inside ``hours``, in the team's zone.

    Args:
        hours: The team's working hours.
        moment: A time-zone-aware instant.

    Raises:
        ValidationError: ``moment`` has no time zone.

    >>> hours = WorkingHours(time_zone="Europe/Berlin")
    >>> next_working_moment(hours, datetime(2026, 11, 27, 17, 0, tzinfo=UTC)).isoformat()
    '2026-11-30T09:00:00+01:00'
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValidationError(
            f"{moment.isoformat()} has no time zone",
            hint="Pass an aware datetime (e.g. datetime.now(UTC))",
            field="moment",
            value=moment,
        )
    zone = ZoneInfo(hours.time_zone)
    local = moment.astimezone(zone)
    day = local.date()
    for _ in range(8):
        if day.weekday() in hours.days:
            opens, closes = _local(day, hours.start, zone), _local(day, hours.end, zone)
            if local < opens:
                return opens
            if local < closes:
                return local
        day += timedelta(days=1)
    raise AssertionError("unreachable: some weekday is a working day")  # pragma: no cover


class Step(BaseModel):
    """One rung of a dunning ladder.

    >>> Step(name="final", days=30, channel="letter", template="final", action="escalate",
    ...     agency="Acme Collect").action
    'escalate'
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Identifier
    """The step's name, unique in its policy; the dunning history records it per item."""
    days: int
    """Days past due at which the step is due; negative for a reminder before the due date."""
    channel: Identifier
    """The notification channel: ``email``, ``phone``, ``letter``, ``sms`` or a plugin's."""
    template: Identifier
    """The template's name (``templates/<language>/<name>.txt``)."""
    fee: LateFeePolicy | None = None
    """A fee or interest charged on the item when the step is sent (posted as a debit memo)."""
    action: DunningAction | None = None
    """What else the step does: hold credit, escalate to an agency, queue a write-off review."""
    agency: str = ""
    """The collection agency an ``escalate`` step hands the account to."""

    @model_validator(mode="after")
    def _agency_when_escalating(self) -> Step:
        if self.action == "escalate" and not self.agency.strip():
            raise ValueError(f"step {self.name!r} escalates: name the agency")
        return self


class DunningPolicy(BaseModel):
    """A dunning ladder, its minimum balance and the hours its messages go out in."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Identifier
    """The policy's name (recorded in the dunning history with each step)."""
    steps: tuple[Step, ...] = Field(min_length=1)
    """The steps, in increasing ``days``."""
    minimum: Money | None = None
    """Customers owing less than this past due (in its currency) are not dunned."""
    working_hours: WorkingHours = WorkingHours()
    """When messages are scheduled to go out."""

    @model_validator(mode="after")
    def _ordered_and_unique(self) -> DunningPolicy:
        names = [step.name for step in self.steps]
        if len(set(names)) != len(names):
            raise ValueError(f"step names must be unique in policy {self.name!r}: {names}")
        days = [step.days for step in self.steps]
        if days != sorted(days) or len(set(days)) != len(days):
            raise ValueError(f"steps must have distinct, increasing days, not {days}")
        return self

    def reached(self, days_past_due: int) -> tuple[Step, ...]:
        """The steps due at ``days_past_due`` or earlier, in ladder order."""
        return tuple(step for step in self.steps if step.days <= days_past_due)


class PolicySet(BaseModel):
    """The company's dunning policies: a default and one per customer group."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    default: DunningPolicy
    """The policy of customers without a group, or of a group without its own policy."""
    groups: Mapping[str, DunningPolicy] = Field(default_factory=dict)
    """Policies by customer group (``collection_profiles.dunning_group``)."""

    def policy_for(self, group: str | None) -> DunningPolicy:
        """The policy of a customer in ``group``.

        >>> PolicySet(default=DEFAULT_POLICY).policy_for("key-accounts").name
        'standard'
        """
        if group is None:
            return self.default
        return self.groups.get(group, self.default)


DEFAULT_POLICY: DunningPolicy = DunningPolicy(
    name="standard",
    steps=(
        Step(name="courtesy", days=-3, channel="email", template="courtesy"),
        Step(name="first", days=7, channel="email", template="first"),
        Step(name="second", days=21, channel="email", template="second"),
        Step(name="call", days=35, channel="phone", template="call"),
        Step(name="final", days=50, channel="letter", template="final", action="credit_hold"),
    ),
)
"""The built-in ladder: courtesy, two emails, a call, a final letter that holds credit."""


def policies_from_toml(text: str, *, source: str = "<policy>") -> PolicySet:
    """Read a [`PolicySet`][arcore.collections.policy.PolicySet] from TOML text.

    The document has a ``[default]`` table (a policy) and optional ``[groups.<name>]``
    tables; see the how-to for an example.

    Raises:
        ConfigurationError: the text is not TOML or not a valid policy set (every problem
            is listed).

    >>> policies_from_toml('''
    ... [default]
    ... name = "std"
    ... steps = [{name = "first", days = 7, channel = "email", template = "first"}]
    ... ''').default.steps[0].days
    7
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(
            f"the dunning policy is not valid TOML: {exc}",
            hint="Fix the TOML syntax at the position shown",
            file=source,
        ) from exc
    try:
        return PolicySet.model_validate(data)
    except PydanticValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
            for error in exc.errors()
        )
        raise ConfigurationError(
            f"the dunning policy is invalid: {problems}",
            hint="See docs/how-to/dunning.md for the policy format",
            file=source,
        ) from exc
