"""Collections: dunning, and the collector's record (interactions, promises, plans, disputes).

The domain lives here as pydantic models and pure functions; nothing in this package talks
SQL. [`decide`][arcore.collections.decide] works out the dunning steps of one customer;
[`arcore.store.dunning`][arcore.store.dunning] gathers its inputs from the store, carries the
decision out through the channels and the ledger, and records it;
[`arcore.store.collections`][arcore.store.collections] keeps the record;
[`worklist`][arcore.collections.worklist] ranks the accounts to work today.
"""

from __future__ import annotations

from arcore.collections.channels import (
    Attachment,
    Channel,
    ChannelFactory,
    Delivery,
    LetterChannel,
    Message,
    PhoneChannel,
    Recipient,
    render_message,
)
from arcore.collections.disputes import Dispute, disputed_amount
from arcore.collections.dunning import (
    CustomerCase,
    Decision,
    DunningItem,
    Exclusion,
    PlannedStep,
    decide,
)
from arcore.collections.interactions import Interaction
from arcore.collections.plans import PaymentPlan, plan_from_terms, plan_state
from arcore.collections.policy import (
    DEFAULT_POLICY,
    DunningPolicy,
    PolicySet,
    Step,
    WorkingHours,
    next_working_moment,
    policies_from_toml,
)
from arcore.collections.profile import CollectionProfile
from arcore.collections.promises import Promise, Settlement, promise_status

__all__ = [
    "DEFAULT_POLICY",
    "Attachment",
    "Channel",
    "ChannelFactory",
    "CollectionProfile",
    "CustomerCase",
    "Decision",
    "Delivery",
    "Dispute",
    "DunningItem",
    "DunningPolicy",
    "Exclusion",
    "Interaction",
    "LetterChannel",
    "Message",
    "PaymentPlan",
    "PhoneChannel",
    "PlannedStep",
    "PolicySet",
    "Promise",
    "Recipient",
    "Settlement",
    "Step",
    "WorkingHours",
    "decide",
    "disputed_amount",
    "next_working_moment",
    "plan_from_terms",
    "plan_state",
    "policies_from_toml",
    "promise_status",
    "render_message",
]
