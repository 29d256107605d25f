"""The vendor-neutral sync engine: the books in step with an accounting system.

```python
from arcore.plugins import plugin_manager
from arcore.adapter import Connection
from arcore.sync import SyncEngine, token_store_for

plugins = plugin_manager()
info = plugins.adapter("quickbooks")
adapter = info.factory(Connection(system="quickbooks", tenant="9341...", settings={...},
                                  secrets={...}, token_store=token_store_for(...)))
report = SyncEngine(store, "acme", adapter, system="quickbooks").run()
```

State lives in the store ([`arcore.store.sync`][arcore.store.sync]), per company and
system: the [mapping][arcore.sync.mapping] of ids and versions, a cursor per entity, the
[outbox][arcore.sync.outbox] of external writes, [conflicts][arcore.sync.conflicts] held for
review, and [tokens][arcore.sync.tokens]. See the concepts page for what pull and push do.
"""

from __future__ import annotations

from arcore.sync.clock import Clock, FakeClock, SystemClock
from arcore.sync.conflicts import (
    Conflict,
    ConflictPolicy,
    Resolution,
    list_conflicts,
    resolve_conflict,
)
from arcore.sync.engine import PULL_ORDER, PUSH_ORDER, Progress, SyncEngine
from arcore.sync.limiter import RateLimiter
from arcore.sync.mapping import Mapped, core_id_for
from arcore.sync.report import EntityCounts, Failure, PlannedChange, SyncPlan, SyncReport
from arcore.sync.retry import RetryPolicy, call_with_retries
from arcore.sync.tokens import StoreTokenStore, token_store_for

__all__ = [
    "PULL_ORDER",
    "PUSH_ORDER",
    "Clock",
    "Conflict",
    "ConflictPolicy",
    "EntityCounts",
    "Failure",
    "FakeClock",
    "Mapped",
    "PlannedChange",
    "Progress",
    "RateLimiter",
    "Resolution",
    "RetryPolicy",
    "StoreTokenStore",
    "SyncEngine",
    "SyncPlan",
    "SyncReport",
    "SystemClock",
    "call_with_retries",
    "core_id_for",
    "list_conflicts",
    "resolve_conflict",
    "token_store_for",
]
