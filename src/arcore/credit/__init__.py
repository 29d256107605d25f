"""Credit management: applications, scores, limits and terms, exposure, holds, bad debt.

The domain of domain.md's "Credit" section, as frozen data and pure functions (no database):

* [`applications`][arcore.credit.applications]: the credit application, trade references,
  external score, recommendation and the approver's decision;
* [`scoring`][arcore.credit.scoring]: score providers (the plugin hook, the CSV provider) and
  the behavioural score from the customer's history;
* [`rules`][arcore.credit.rules]: the documented rule set giving a recommended limit and terms;
* [`approvers`][arcore.credit.approvers]: who may approve limits and release holds;
* [`exposure`][arcore.credit.exposure]: exposure, available credit, holds and the credit check;
* [`allowance`][arcore.credit.allowance]: the bad-debt allowance from the aging;
* [`writeoffs`][arcore.credit.writeoffs]: the write-off review queue's records.

What is kept in the store (applications, decisions, open orders, the hold log, approvers, the
write-off review queue) and the entry point an app calls before taking an order,
[`check_credit`][arcore.store.credit.check_credit], are in
[`arcore.store.credit`][arcore.store.credit].
"""

from __future__ import annotations

from arcore.credit.allowance import AllowanceEstimate, AllowanceLine, allowance, parse_rates
from arcore.credit.applications import (
    CreditApplication,
    CreditDecision,
    ExternalScore,
    Recommendation,
    ReferenceRating,
    TradeReference,
)
from arcore.credit.approvers import (
    Approver,
    NotAllowedError,
    find_approver,
    may_approve,
    may_write_off,
)
from arcore.credit.exposure import (
    DEFAULT_HOLD_AFTER_DAYS,
    CreditCheck,
    Exposure,
    HoldEvent,
    HoldReason,
    HoldState,
    check,
    crossing_day,
    hold_state,
)
from arcore.credit.rules import DEFAULT_RULES, CreditRules, recommend
from arcore.credit.scoring import (
    BehaviourScore,
    CsvScoreProvider,
    ScoreProvider,
    SettledItem,
    behaviour_score,
    csv_score_provider,
)
from arcore.credit.writeoffs import ReviewStatus, WriteOffReview

__all__ = [
    "DEFAULT_HOLD_AFTER_DAYS",
    "DEFAULT_RULES",
    "AllowanceEstimate",
    "AllowanceLine",
    "Approver",
    "BehaviourScore",
    "CreditApplication",
    "CreditCheck",
    "CreditDecision",
    "CreditRules",
    "CsvScoreProvider",
    "Exposure",
    "ExternalScore",
    "HoldEvent",
    "HoldReason",
    "HoldState",
    "NotAllowedError",
    "Recommendation",
    "ReferenceRating",
    "ReviewStatus",
    "ScoreProvider",
    "SettledItem",
    "TradeReference",
    "WriteOffReview",
    "allowance",
    "behaviour_score",
    "check",
    "crossing_day",
    "csv_score_provider",
    "find_approver",
    "hold_state",
    "may_approve",
    "may_write_off",
    "parse_rates",
    "recommend",
]
