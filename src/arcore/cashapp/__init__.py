"""Cash application: propose how each payment settles open items, then post what is certain.

[`match`][arcore.cashapp.match] runs the strategies of
[`arcore.cashapp.strategies`][arcore.cashapp.strategies] over payments in received-date order
and returns a [`Proposal`][arcore.cashapp.Proposal] per payment: applications, unapplied
remainder, deduction, a confidence, a status (``auto``, ``review``, ``unapplied``) and a
reason a clerk can read. Nothing is posted until
[`post_proposal`][arcore.cashapp.post_proposal] sends an accepted proposal through the
ledger's commands; [`PayerMemory.learn`][arcore.cashapp.payers.PayerMemory.learn] remembers who paid
when a person confirms one.
"""

from __future__ import annotations

from arcore.cashapp.book import OpenBook
from arcore.cashapp.engine import iter_matches, match
from arcore.cashapp.model import MatchConfig, MatchStatus, OpenDocument, Proposal, Proposed
from arcore.cashapp.payers import Identification, PayerIndex, PayerMemory
from arcore.cashapp.posting import confirm, open_documents, post_applications, post_proposal
from arcore.cashapp.strategies import BUILTIN_STRATEGIES, MatchContext, Strategy, strategies_from
from arcore.cashapp.text import name_key, number_key, numbers_in_text

__all__ = [
    "BUILTIN_STRATEGIES",
    "Identification",
    "MatchConfig",
    "MatchContext",
    "MatchStatus",
    "OpenBook",
    "OpenDocument",
    "PayerIndex",
    "PayerMemory",
    "Proposal",
    "Proposed",
    "Strategy",
    "confirm",
    "iter_matches",
    "match",
    "name_key",
    "number_key",
    "numbers_in_text",
    "open_documents",
    "post_applications",
    "post_proposal",
    "strategies_from",
]
