"""Property: only approvers release holds, and a refused attempt changes nothing (SQLite)."""

from __future__ import annotations

import itertools
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from arcore.credit import NotAllowedError
from arcore.documents import Customer
from arcore.errors import ConflictError
from arcore.ledger import Ledger
from arcore.store import credit as sc
from arcore.store import open_store

CO = "acme"
START = datetime(2026, 3, 1, 9, tzinfo=UTC)
steps = st.lists(
    st.tuples(st.sampled_from(["place", "release"]), st.sampled_from(["boss", "ana", "dunning"])),
    max_size=12,
)


@settings(max_examples=25)
@given(steps)
def test_only_approvers_release_and_refusals_change_nothing(
    actions: list[tuple[str, str]],
) -> None:
    with (
        tempfile.TemporaryDirectory() as folder,
        open_store(f"sqlite:///{Path(folder) / 'books.db'}") as store,
    ):
        ledger = Ledger(store, CO, clock=lambda: START)
        ledger.open_books("Acme", actor="ana", idempotency_key="open")
        ledger.add_customer(
            Customer(company_id=CO, id="c-1", name="Globex", currency="USD"),
            actor="ana",
            idempotency_key="c-1",
        )
        sc.add_approver(store, CO, "boss", by="setup", at=START)
        held = False
        clock = (START + timedelta(minutes=n) for n in itertools.count(1))
        for action, who in actions:
            before = sc.hold_log(store, CO, "c-1")
            at = next(clock)
            if action == "place":
                sc.place_hold(store, CO, "c-1", reason="r", by=who, at=at)
                after = sc.hold_log(store, CO, "c-1")
                assert len(after) == len(before) + (0 if held else 1)
                held = True
                continue
            try:
                sc.release_hold(store, CO, "c-1", reason="r", by=who, at=at)
            except NotAllowedError:
                assert who != "boss"
                assert sc.hold_log(store, CO, "c-1") == before
                continue
            except ConflictError:
                assert not held
                assert sc.hold_log(store, CO, "c-1") == before
                continue
            assert who == "boss"
            assert held
            assert sc.hold_log(store, CO, "c-1")[-1].action == "release"
            held = False
        state = sc.customer_hold(store, CO, "c-1", as_of=date(2026, 3, 2))
        assert state.on_hold == held
