"""Credit scores: external providers (a hook), a provider reading a CSV file, and behaviour.

An external score comes from a [`ScoreProvider`][arcore.credit.scoring.ScoreProvider], which
plugins contribute through the ``arcore_register_credit_score_providers`` hook (a D&B-style
bureau is one; arcore ships ``csv``, [`CsvScoreProvider`][arcore.credit.scoring.CsvScoreProvider],
for a file of scores bought or exported elsewhere). A plugin registers a *factory*: called with
the provider's settings (for ``csv``, the file's path), it returns the provider.

The behavioural score ([`behaviour_score`][arcore.credit.scoring.behaviour_score]) is computed
from the customer's own history with the company, by this rule (points out of 100):

| measure (over the window) | points taken off |
| --- | --- |
| average days late of the settled items | 1 per day (average rounded half up), at most 40 |
| share of them paid late (after their due date) | share × 30, rounded half up, at most 30 |
| disputes raised | 5 each, at most 15 |
| promises to pay broken | 10 each, at most 30 |

The score is 100 less the points, never below 0. Each settled item counts once, whatever its
amount (items in different currencies are never added together); average days late is
rounded half up to 2 places before the points are taken.

>>> from datetime import date
>>> settled = [SettledItem(due=date(2026, 1, 31), settled=date(2026, 2, 10)),
...            SettledItem(due=date(2026, 2, 28), settled=date(2026, 2, 20))]
>>> score = behaviour_score(settled, disputes=1, broken_promises=0)
>>> score.avg_days_late, score.share_paid_late, score.score
(Decimal('5.00'), Decimal('0.5000'), 75)
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Final, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from arcore.credit.applications import CreditApplication, ExternalScore
from arcore.errors import ArcoreError, InputRejectedError, ValidationError

__all__ = [
    "CSV_COLUMNS",
    "BehaviourScore",
    "CsvScoreProvider",
    "ScoreProvider",
    "ScoreProviderFactory",
    "SettledItem",
    "behaviour_score",
    "csv_score_provider",
]

CSV_COLUMNS: Final = ("customer_id", "registration_number", "score", "as_of", "reference")
"""Columns of a scores file; ``score`` and ``as_of`` are required, and one of the ids."""


@runtime_checkable
class ScoreProvider(Protocol):
    """Something that gives an external credit score for an application.

    Attributes:
        name: The provider's registered name, recorded with each score.
    """

    name: str

    def score(self, application: CreditApplication) -> ExternalScore | None:
        """The applicant's score, or ``None`` when the provider knows nothing of them."""
        ...  # pragma: no cover


ScoreProviderFactory = Callable[..., ScoreProvider]
"""What a plugin registers: called with the provider's settings, returns the provider."""


@dataclass(frozen=True)
class CsvScoreProvider:
    """Scores read from a CSV file: ``customer_id`` or ``registration_number``, ``score``...

    The whole file is read and checked when the provider is built: a bad row refuses the
    whole file ([`InputRejectedError`][arcore.errors.InputRejectedError]) listing every
    problem, each naming the file, row, column and value. A row is found by the
    application's ``registration_number`` first, then its ``customer_id``; where several
    rows match, the latest ``as_of`` wins.

    Attributes:
        path: The file.
        by_customer: Scores by customer id.
        by_registration: Scores by registration number.
        name: ``csv``.
    """

    path: Path
    by_customer: Mapping[str, ExternalScore]
    by_registration: Mapping[str, ExternalScore]
    name: str = "csv"

    def score(self, application: CreditApplication) -> ExternalScore | None:
        """The score of the application's registration number, else of its customer id."""
        if application.registration_number:
            found = self.by_registration.get(application.registration_number.strip())
            if found is not None:
                return found
        return self.by_customer.get(application.customer_id)


def _keep_latest(found: dict[str, ExternalScore], key: str, score: ExternalScore) -> None:
    if key and (key not in found or found[key].as_of <= score.as_of):
        found[key] = score


def _score_cell(file: Path, row: int, text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 100 or text != text.strip() or not text:
        raise ValidationError(
            f"score {text!r} is not a whole number from 0 to 100",
            hint="Convert the provider's scale to 0 (worst) to 100 (best)",
            file=file.name,
            row=row,
            field="score",
            value=text,
        )
    return value


def _date_cell(file: Path, row: int, text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(
            f"as_of {text!r} is not an ISO 8601 date (YYYY-MM-DD)",
            hint="Write the date the score was computed as YYYY-MM-DD",
            file=file.name,
            row=row,
            field="as_of",
            value=text,
        ) from None


def csv_score_provider(path: str | Path) -> CsvScoreProvider:
    """Read the scores file at ``path`` into a provider (the ``csv`` provider's factory).

    Raises:
        InputRejectedError: the file cannot be read, lacks a column, or has bad rows;
            ``problems`` lists each (file, row, field, value).
    """
    file = Path(path)
    problems: list[ArcoreError] = []
    by_customer: dict[str, ExternalScore] = {}
    by_registration: dict[str, ExternalScore] = {}
    try:
        handle = file.open(newline="", encoding="utf-8-sig")
    except OSError as error:
        raise InputRejectedError.listing(
            [
                ValidationError(
                    f"cannot read the scores file: {error.strerror}",
                    hint="Check the path",
                    file=file.name,
                    field="path",
                    value=str(file),
                )
            ]
        ) from None
    with handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        for column in ("score", "as_of"):
            if column not in header:
                problems.append(
                    ValidationError(
                        f"the header has no {column} column",
                        hint=f"Give the columns {', '.join(CSV_COLUMNS)}",
                        file=file.name,
                        row=1,
                        field=column,
                    )
                )
        if "customer_id" not in header and "registration_number" not in header:
            problems.append(
                ValidationError(
                    "the header has neither a customer_id nor a registration_number column",
                    hint="Identify each applicant by customer_id or registration_number",
                    file=file.name,
                    row=1,
                    field="customer_id",
                )
            )
        if problems:
            raise InputRejectedError.listing(problems)
        for cells in reader:
            row = reader.line_num
            customer = (cells.get("customer_id") or "").strip()
            registration = (cells.get("registration_number") or "").strip()
            try:
                if not customer and not registration:
                    raise ValidationError(
                        "the row names no applicant",
                        hint="Fill customer_id or registration_number",
                        file=file.name,
                        row=row,
                        field="customer_id",
                        value="",
                    )
                score = ExternalScore(
                    provider="csv",
                    score=_score_cell(file, row, cells.get("score") or ""),
                    as_of=_date_cell(file, row, cells.get("as_of") or ""),
                    reference=(cells.get("reference") or "").strip(),
                )
            except ValidationError as problem:
                problems.append(problem)
                continue
            _keep_latest(by_customer, customer, score)
            _keep_latest(by_registration, registration, score)
    if problems:
        raise InputRejectedError.listing(problems)
    return CsvScoreProvider(file, by_customer, by_registration)


# --- the behavioural score ------------------------------------------------------------------


class SettledItem(BaseModel):
    """An invoice or debit memo the customer settled: when it was due and when settled.

    Attributes:
        due: Its due date (its document date when it has none).
        settled: The date its balance reached zero.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    due: date
    settled: date

    @property
    def days_late(self) -> int:
        """Days settled after the due date; 0 when on time or early."""
        return max(0, (self.settled - self.due).days)


class BehaviourScore(BaseModel):
    """A customer's behavioural score and the measures behind it (see the module).

    Attributes:
        score: 0 (worst) to 100 (best).
        items: How many settled items were measured.
        avg_days_late: Mean days late over those items (0 when there are none).
        share_paid_late: Share of them settled after their due date, 0 to 1 (4 places).
        disputes: Disputes counted.
        broken_promises: Broken promises to pay counted.
        points: Points taken off per measure, by measure name.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    score: int = Field(ge=0, le=100)
    items: int = Field(ge=0)
    avg_days_late: Decimal
    share_paid_late: Decimal
    disputes: int = Field(ge=0)
    broken_promises: int = Field(ge=0)
    points: dict[str, int]

    @property
    def has_history(self) -> bool:
        """Whether anything was measured: settled items, disputes or broken promises."""
        return bool(self.items or self.disputes or self.broken_promises)


_TWO: Final = Decimal("0.01")
_FOUR: Final = Decimal("0.0001")


def behaviour_score(
    settled: Iterable[SettledItem], *, disputes: int = 0, broken_promises: int = 0
) -> BehaviourScore:
    """The behavioural score from settled items and counts of disputes and broken promises.

    See the module documentation for the rule.

    Raises:
        ValidationError: a count is negative.
    """
    for field, count in (("disputes", disputes), ("broken_promises", broken_promises)):
        if count < 0:
            raise ValidationError(
                f"{field} cannot be negative",
                hint="Count the events in the window",
                field=field,
                value=count,
            )
    lateness = [item.days_late for item in settled]
    count = len(lateness)
    if count:
        average = (Decimal(sum(lateness)) / count).quantize(_TWO, ROUND_HALF_UP)
        share = (Decimal(sum(1 for days in lateness if days)) / count).quantize(
            _FOUR, ROUND_HALF_UP
        )
    else:
        average, share = Decimal("0.00"), Decimal("0.0000")
    points = {
        "days_late": min(40, int(average.to_integral_value(ROUND_HALF_UP))),
        "share_paid_late": min(30, int((share * 30).to_integral_value(ROUND_HALF_UP))),
        "disputes": min(15, 5 * disputes),
        "broken_promises": min(30, 10 * broken_promises),
    }
    return BehaviourScore(
        score=max(0, 100 - sum(points.values())),
        items=count,
        avg_days_late=average,
        share_paid_late=share,
        disputes=disputes,
        broken_promises=broken_promises,
        points=points,
    )
