"""The dunning run against the store (SQLite and PostgreSQL): send, post, record, never repeat."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from arcore.collections.channels import LetterChannel, PhoneChannel
from arcore.collections.disputes import Dispute
from arcore.collections.policy import DEFAULT_POLICY, DunningPolicy, PolicySet, Step
from arcore.collections.profile import CollectionProfile
from arcore.collections.promises import Promise, Settlement, promise_status
from arcore.documents import Payment
from arcore.errors import ConfigurationError, ValidationError
from arcore.finance_charges import LateFeePolicy
from arcore.ledger import Ledger
from arcore.store import collections as records
from arcore.store import credit
from arcore.store.dunning import FEE_PREFIX, dunning_history, outbox, run_dunning
from arcore.store.schema import collection_escalations
from arcore.store.sql import SqlStore

from .conftest import AT, COMPANY, Outbox, outboxes, usd

STANDARD = PolicySet(default=DEFAULT_POLICY)


def test_dry_run_lists_without_sending_posting_or_recording(
    store: SqlStore, ledger: Ledger
) -> None:
    boxes = outboxes()
    report = run_dunning(
        store,
        COMPANY,
        as_of=date(2026, 2, 7),
        at=AT,
        policies=STANDARD,
        channels=boxes,
        dry_run=True,
    )
    # inv-1 and inv-3 are 7 days past due (first step; courtesy recorded as passed),
    # inv-2 (due 28 Feb) is not reached yet (courtesy is on 25 Feb).
    assert sorted((m.customer_id, m.step, m.document_ids) for m in report.queued) == [
        ("c-1", "first", ("inv-1",)),
        ("c-2", "first", ("inv-3",)),
    ]
    assert report.messages == ()
    assert outbox(store, COMPANY) == []
    assert {(s.document_id, s.step.name) for s in report.skipped} == {
        ("inv-1", "courtesy"),
        ("inv-3", "courtesy"),
    }
    assert all(box.sent == [] for box in boxes.values())
    assert dunning_history(store, COMPANY) == {}
    assert records.interactions(store, COMPANY) == []


def test_run_sends_records_and_never_repeats(store: SqlStore, ledger: Ledger) -> None:
    boxes = outboxes()
    report = run_dunning(
        store, COMPANY, as_of=date(2026, 2, 7), at=AT, policies=STANDARD, channels=boxes
    )
    assert [m.customer_id for m in boxes["email"].sent] == ["c-1", "c-2"]
    first = boxes["email"].sent[0]
    assert first.subject == "Payment reminder: 1000.00 USD past due"
    assert "INV-1" in first.body
    assert first.recipient.email == "ap@c-1.example"
    assert first.attachments[0].data.startswith(b"%PDF")
    # 2026-03-02 10:00 UTC is a Monday inside the default 09-17 UTC: sent at once
    assert first.scheduled_at == AT
    assert first.sent_at == AT
    assert {r.reference for r in report.messages} == {"email-1", "email-2"}
    history = dunning_history(store, COMPANY)
    assert history["c-1"] == {("inv-1", "standard", "courtesy"), ("inv-1", "standard", "first")}
    log = records.interactions(store, COMPANY, customer_id="c-1")
    assert [(i.kind, i.collector) for i in log] == [("email", "dunning")]
    # the same day again: nothing new
    again = run_dunning(
        store, COMPANY, as_of=date(2026, 2, 7), at=AT, policies=STANDARD, channels=boxes
    )
    assert again.messages == ()
    assert again.skipped == ()
    assert len(boxes["email"].sent) == 2
    # 25 Feb: inv-2's courtesy reminder (-3 days); inv-1 is 25 days past due: second (21)
    later = run_dunning(
        store, COMPANY, as_of=date(2026, 2, 25), at=AT, policies=STANDARD, channels=boxes
    )
    assert sorted((m.customer_id, m.step, m.document_ids) for m in later.messages) == [
        ("c-1", "courtesy", ("inv-2",)),
        ("c-1", "second", ("inv-1",)),
        ("c-2", "second", ("inv-3",)),
    ]


def test_failed_channel_records_nothing_and_is_retried(store: SqlStore, ledger: Ledger) -> None:
    boxes = outboxes()
    boxes["email"].fail_for.add("c-2")
    report = run_dunning(
        store, COMPANY, as_of=date(2026, 2, 7), at=AT, policies=STANDARD, channels=boxes
    )
    assert [(f.customer_id, f.step) for f in report.failures] == [("c-2", "first")]
    # decided (the step is not decided again) but not sent: pending, no interaction logged
    (pending,) = outbox(store, COMPANY, status="pending")
    assert (pending.customer_id, pending.step) == ("c-2", "first")
    assert records.interactions(store, COMPANY, customer_id="c-2") == []
    boxes["email"].fail_for.clear()
    retry = run_dunning(
        store, COMPANY, as_of=date(2026, 2, 8), at=AT, policies=STANDARD, channels=boxes
    )
    assert [(m.customer_id, m.step) for m in retry.messages] == [("c-2", "first")]


def test_fee_posted_once_as_a_debit_memo(store: SqlStore, ledger: Ledger) -> None:
    # 12 %/year simple interest, 365-day basis, on 1000.00 at 30 days: 9.86 (9.863...).
    policy = DunningPolicy(
        name="fees",
        steps=(
            Step(
                name="interest",
                days=30,
                channel="email",
                template="second",
                fee=LateFeePolicy(rate=Decimal(12), period="year"),
            ),
        ),
    )
    boxes = outboxes()
    report = run_dunning(
        store,
        COMPANY,
        as_of=date(2026, 3, 2),
        at=AT,
        policies=PolicySet(default=policy),
        channels=boxes,
        customer_ids={"c-1"},
    )
    (message,) = report.messages
    assert message.fees == (usd("9.86"),)
    (memo_id,) = message.fee_documents
    memo = ledger.document(memo_id)
    assert memo.kind == "debit_memo"
    assert memo.amount == usd("9.86")
    assert ledger.balance("c-1", as_of=date(2026, 3, 2)) == {"USD": usd("1209.86")}
    assert "9.86 USD" in boxes["email"].sent[0].body
    run_dunning(
        store,
        COMPANY,
        as_of=date(2026, 3, 3),
        at=AT,
        policies=PolicySet(default=policy),
        channels=boxes,
        customer_ids={"c-1"},
    )
    assert ledger.balance("c-1", as_of=date(2026, 3, 3)) == {"USD": usd("1209.86")}


def test_actions_hold_escalate_and_review(store: SqlStore, ledger: Ledger, tmp_path: Path) -> None:
    policy = DunningPolicy(
        name="hard",
        steps=(
            Step(name="hold", days=10, channel="phone", template="call", action="credit_hold"),
            Step(
                name="agency",
                days=20,
                channel="letter",
                template="final",
                action="escalate",
                agency="CollectCo",
            ),
            Step(
                name="review",
                days=30,
                channel="letter",
                template="final",
                action="write_off_review",
            ),
        ),
    )
    channels = {
        "phone": PhoneChannel({}),
        "letter": LetterChannel({"outbox": str(tmp_path / "outbox")}),
        "email": Outbox("email"),
    }
    policies = PolicySet(default=policy)
    run_dunning(
        store,
        COMPANY,
        as_of=date(2026, 2, 10),
        at=AT,
        policies=policies,
        channels=channels,
        customer_ids={"c-2"},
    )
    # placed at the run's moment (AT), by the dunning actor
    assert credit.customer_hold(store, COMPANY, "c-2", as_of=AT.date()).placed is not None
    call = records.interactions(store, COMPANY, customer_id="c-2")[0]
    assert call.kind == "call"
    assert call.follow_up == date(2026, 3, 2)
    run_dunning(
        store,
        COMPANY,
        as_of=date(2026, 2, 20),
        at=AT,
        policies=policies,
        channels=channels,
        customer_ids={"c-2"},
    )
    with store.session(COMPANY, write=False) as session:
        rows = session.connection.execute(
            select(collection_escalations.c.agency, collection_escalations.c.amount_minor)
        ).all()
    assert rows == [("CollectCo", 30000)]
    (letter,) = [m for m in outbox(store, COMPANY, status="sent") if m.channel == "letter"]
    assert sorted(p.name for p in (tmp_path / "outbox").iterdir()) == [
        f"c-2-agency-2026-03-02-{letter.id}-statement-c-2-2026-02-20.pdf",
        f"c-2-agency-2026-03-02-{letter.id}.pdf",
    ]
    run_dunning(
        store,
        COMPANY,
        as_of=date(2026, 3, 2),
        at=AT,
        policies=policies,
        channels=channels,
        customer_ids={"c-2"},
    )
    assert [r.document_id for r in credit.review_queue(store, COMPANY)] == ["inv-3"]
    kinds = [i.kind for i in records.interactions(store, COMPANY, customer_id="c-2")]
    assert sorted(kinds) == ["call", "escalation", "letter", "letter"]


def test_profiles_pick_group_language_and_refused_channels(store: SqlStore, ledger: Ledger) -> None:
    records.save_profile(store, COMPANY, CollectionProfile(customer_id="c-1", language="de"), at=AT)
    records.save_profile(
        store,
        COMPANY,
        CollectionProfile(customer_id="c-2", refused_channels=frozenset({"email"})),
        at=AT,
    )
    boxes = outboxes()
    report = run_dunning(
        store, COMPANY, as_of=date(2026, 2, 7), at=AT, policies=STANDARD, channels=boxes
    )
    assert [m.subject for m in boxes["email"].sent] == [
        "Zahlungserinnerung: 1000.00 USD überfällig"
    ]
    assert [(e.customer_id, e.reason) for e in report.exclusions] == [("c-2", "channel_refused")]
    assert records.load_profiles(store, COMPANY)["c-2"].refused_channels == {"email"}


def test_disputes_promises_and_their_counts(store: SqlStore, ledger: Ledger) -> None:
    records.open_dispute(
        store,
        ledger,
        Dispute(
            id="d-1",
            document_id="inv-1",
            customer_id="c-1",
            amount=usd("400.00"),
            reason_code="pricing",
            owner="sales",
            opened_on=date(2026, 2, 1),
        ),
        actor="ana",
        at=AT,
    )
    assert ledger.document("inv-1").disputed
    records.add_promise(
        store,
        COMPANY,
        Promise(
            id="p-1",
            customer_id="c-2",
            amount=usd("300.00"),
            made_on=date(2026, 2, 2),
            promised_date=date(2026, 2, 6),
            collector="ana",
        ),
        at=AT,
    )
    boxes = outboxes()
    report = run_dunning(
        store, COMPANY, as_of=date(2026, 2, 6), at=AT, policies=STANDARD, channels=boxes
    )
    # inv-1: 600.00 undisputed is dunned; inv-3 is under the promise until 6 Feb
    assert [(m.customer_id, m.amount) for m in report.messages] == [("c-1", usd("600.00"))]
    assert [(e.document_id, e.reason) for e in report.exclusions] == [("inv-3", "promise")]
    assert records.broken_promises(store, COMPANY, "c-2", as_of=date(2026, 2, 6)) == 0
    assert records.broken_promises(store, COMPANY, "c-2", as_of=date(2026, 2, 7)) == 1
    assert (
        records.broken_promises(
            store, COMPANY, "c-2", as_of=date(2026, 2, 7), since=date(2026, 2, 7)
        )
        == 0
    )
    assert records.dispute_count(store, COMPANY, "c-1") == 1
    assert records.dispute_count(store, COMPANY, "c-1", since=date(2026, 2, 2)) == 0
    # resolved with a credit memo for the disputed part: the item is no longer disputed
    resolved = records.resolve_dispute(
        store, ledger, "d-1", "credit_memo", on=date(2026, 2, 10), actor="ana", at=AT
    )
    assert resolved.resolution_documents == ("cm-d-1",)
    assert ledger.document_balance("inv-1") == usd("600.00")
    assert not ledger.document("inv-1").disputed
    with pytest.raises(Exception, match="resolved"):
        records.resolve_dispute(
            store, ledger, "d-1", "rejected", on=date(2026, 2, 11), actor="ana", at=AT
        )


def test_kept_promise_from_payment(store: SqlStore, ledger: Ledger) -> None:
    records.add_promise(
        store,
        COMPANY,
        Promise(
            id="p-1",
            customer_id="c-2",
            amount=usd("300.00"),
            made_on=date(2026, 2, 2),
            promised_date=date(2026, 2, 6),
            collector="ana",
        ),
        at=AT,
    )
    ledger.record_payment(
        Payment(
            company_id=COMPANY,
            id="pay-1",
            customer_id="c-2",
            currency="USD",
            received_date=date(2026, 2, 5),
            amount=usd("300.00"),
            method="check",
        ),
        actor="ana",
        idempotency_key="pay-1",
    )
    # before the payment is applied, the promise is pending and protects the item
    assert records.broken_promises(store, COMPANY, "c-2", as_of=date(2026, 2, 7)) == 1
    ledger.apply(
        "pay-1", "inv-3", usd("300.00"), on=date(2026, 2, 5), actor="ana", idempotency_key="ap-1"
    )
    assert records.settlements(store, COMPANY, "c-2") == [
        Settlement(document_id="inv-3", applied_date=date(2026, 2, 5), amount=usd("300.00"))
    ]
    (promise,) = records.promises(store, COMPANY, "c-2")
    settled = records.settlements(store, COMPANY, "c-2")
    assert promise_status(promise, settled, as_of=date(2026, 3, 1)) == "kept"
    assert records.broken_promises(store, COMPANY, "c-2", as_of=date(2026, 3, 1)) == 0


def test_unknown_channel_refused_before_anything(store: SqlStore, ledger: Ledger) -> None:
    policy = DunningPolicy(
        name="sms", steps=(Step(name="text", days=1, channel="sms", template="first"),)
    )
    with pytest.raises(ConfigurationError, match="sms"):
        run_dunning(
            store,
            COMPANY,
            as_of=date(2026, 2, 7),
            at=AT,
            policies=PolicySet(default=policy),
            channels=outboxes(),
        )


def test_no_fee_without_a_sent_message_and_never_twice(store: SqlStore, ledger: Ledger) -> None:
    policy = PolicySet(
        default=DunningPolicy(
            name="fees",
            steps=(
                Step(
                    name="fee",
                    days=7,
                    channel="email",
                    template="first",
                    fee=LateFeePolicy(rate=Decimal(0), period="year", flat_fee=usd("25.00")),
                ),
            ),
        )
    )
    boxes = outboxes()
    boxes["email"].fail_for.add("c-1")
    failed = run_dunning(
        store, COMPANY, as_of=date(2026, 2, 7), at=AT, policies=policy, channels=boxes,
        customer_ids={"c-1"},
    )  # fmt: skip
    assert [f.customer_id for f in failed.failures] == ["c-1"]
    # the send failed: no fee is posted, the message waits in the outbox with its fee fixed
    assert ledger.balance("c-1", as_of=date(2026, 2, 7)) == {"USD": usd("1200.00")}
    (pending,) = outbox(store, COMPANY, status="pending")
    assert pending.fees == (usd("25.00"),)
    assert pending.fee_documents == ()
    boxes["email"].fail_for.clear()
    # a later run (another day) sends it: the fee is posted once, after the send
    retry = run_dunning(
        store, COMPANY, as_of=date(2026, 2, 9), at=AT, policies=policy, channels=boxes,
        customer_ids={"c-1"},
    )  # fmt: skip
    (memo_id,) = retry.messages[0].fee_documents
    assert memo_id.startswith(FEE_PREFIX)
    assert ledger.balance("c-1", as_of=date(2026, 2, 9)) == {"USD": usd("1225.00")}
    assert dunning_history(store, COMPANY)["c-1"] == {("inv-1", "fees", "fee")}
    # the fee memo is never dunned nor charged itself, however late it gets
    later = run_dunning(
        store, COMPANY, as_of=date(2026, 4, 30), at=AT, policies=policy, channels=boxes,
        customer_ids={"c-1"},
    )  # fmt: skip
    assert all(memo_id not in m.document_ids for m in later.queued)
    assert ledger.balance("c-1", as_of=date(2026, 4, 30)) == {"USD": usd("1250.00")}  # inv-2


def test_crash_after_send_resends_once_with_the_same_message_id_and_one_fee(
    store: SqlStore, ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    from arcore.store import dunning as dunning_module

    policy = PolicySet(
        default=DunningPolicy(
            name="fees",
            steps=(
                Step(
                    name="fee", days=7, channel="email", template="first",
                    fee=LateFeePolicy(rate=Decimal(0), period="year", flat_fee=usd("25.00")),
                ),
            ),
        )
    )  # fmt: skip
    boxes = outboxes()

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("power cut between the send and the marking")

    with monkeypatch.context() as patched:
        patched.setattr(dunning_module, "_mark_sent", crash)
        with pytest.raises(RuntimeError):
            run_dunning(
                store, COMPANY, as_of=date(2026, 2, 7), at=AT, policies=policy, channels=boxes,
                customer_ids={"c-1"},
            )  # fmt: skip
    assert len(boxes["email"].sent) == 1
    # the lease of the crashed run runs out; the next run sends that one message again
    later = AT + timedelta(minutes=11)
    run_dunning(
        store, COMPANY, as_of=date(2026, 2, 7), at=later, policies=policy, channels=boxes,
        customer_ids={"c-1"},
    )  # fmt: skip
    first, second = boxes["email"].sent
    assert first.message_id == second.message_id is not None
    assert ledger.balance("c-1", as_of=date(2026, 2, 7)) == {"USD": usd("1225.00")}
    assert [m.status for m in outbox(store, COMPANY)] == ["sent"]
    assert len(records.interactions(store, COMPANY, customer_id="c-1")) == 1


def test_same_day_retry_of_some_items_of_a_step(store: SqlStore, ledger: Ledger) -> None:
    # inv-1 and inv-3 belong to different customers; add a second item for c-1 at the same step
    from .conftest import invoice

    ledger.issue(
        invoice("c-1", "inv-9", date(2026, 1, 1), "10.00"), actor="ana", idempotency_key="i9"
    )
    boxes = outboxes()
    run_dunning(
        store, COMPANY, as_of=date(2026, 2, 7), at=AT, policies=STANDARD, channels=boxes,
        customer_ids={"c-1"},
    )  # fmt: skip
    assert boxes["email"].sent[0].document_ids == ("inv-1", "inv-9")
    # a new item reaching the same step later the same day is one more message, logged apart
    ledger.issue(
        invoice("c-1", "inv-8", date(2025, 12, 31), "5.00", terms="Net 31"),
        actor="ana",
        idempotency_key="i8",
    )
    again = run_dunning(
        store, COMPANY, as_of=date(2026, 2, 7), at=AT, policies=STANDARD, channels=boxes,
        customer_ids={"c-1"},
    )  # fmt: skip
    assert [m.document_ids for m in again.messages] == [("inv-8",)]
    assert len(records.interactions(store, COMPANY, customer_id="c-1")) == 2


def test_working_hours_of_the_policy_hold_the_message_until_they_open(
    store: SqlStore, ledger: Ledger
) -> None:
    from arcore.collections.policy import WorkingHours

    berlin = DEFAULT_POLICY.model_copy(
        update={
            "working_hours": WorkingHours(time_zone="Europe/Berlin", start=time(10), end=time(16))
        }
    )
    policies = PolicySet(default=berlin)
    boxes = outboxes()
    # Friday 2026-02-06 15:30 UTC is 16:30 in Berlin (closed): Monday 9 Feb 10:00 CET = 09:00 UTC
    friday = datetime(2026, 2, 6, 15, 30, tzinfo=UTC)
    report = run_dunning(
        store, COMPANY, as_of=date(2026, 2, 7), at=friday, policies=policies,
        channels=boxes, customer_ids={"c-2"},
    )  # fmt: skip
    assert report.queued[0].scheduled_at == datetime(2026, 2, 9, 9, 0, tzinfo=UTC)
    assert report.messages == ()
    assert boxes["email"].sent == []
    assert records.interactions(store, COMPANY, customer_id="c-2") == []
    # Monday 08:59 UTC (09:59 in Berlin): still closed, still pending
    early = datetime(2026, 2, 9, 8, 59, tzinfo=UTC)
    run_dunning(
        store, COMPANY, as_of=date(2026, 2, 9), at=early, policies=policies, channels=boxes,
        customer_ids={"c-2"},
    )  # fmt: skip
    assert boxes["email"].sent == []
    # the first run after opening sends it; the log and the message carry the real send time
    opened = datetime(2026, 2, 9, 9, 7, tzinfo=UTC)
    sent = run_dunning(
        store, COMPANY, as_of=date(2026, 2, 9), at=opened, policies=policies, channels=boxes,
        customer_ids={"c-2"},
    )  # fmt: skip
    assert [(m.customer_id, m.step, m.sent_at) for m in sent.messages] == [("c-2", "first", opened)]
    (message,) = boxes["email"].sent
    assert message.sent_at == opened
    (logged,) = records.interactions(store, COMPANY, customer_id="c-2")
    assert logged.occurred_at == opened
    assert [m.status for m in outbox(store, COMPANY)] == ["sent"]


def test_rebill_and_rejected_resolutions(store: SqlStore, ledger: Ledger) -> None:
    from .conftest import invoice

    def dispute(id: str, doc: str, amount: str) -> Dispute:
        return Dispute(
            id=id, document_id=doc, customer_id="c-1", amount=usd(amount), reason_code="pricing",
            owner="sales", opened_on=date(2026, 2, 1),
        )  # fmt: skip

    records.open_dispute(store, ledger, dispute("d-1", "inv-1", "1000.00"), actor="ana", at=AT)
    corrected = invoice("c-1", "inv-1b", date(2026, 2, 10), "900.00")
    done = records.resolve_dispute(
        store, ledger, "d-1", "rebill", on=date(2026, 2, 10), actor="ana", at=AT, rebill=corrected
    )
    assert done.resolution_documents == ("cm-d-1", "inv-1b")
    assert ledger.document_balance("inv-1") == usd("0.00")
    assert ledger.document_balance("inv-1b") == usd("900.00")
    assert ledger.balance("c-1") == {"USD": usd("1100.00")}
    records.open_dispute(store, ledger, dispute("d-2", "inv-2", "20.00"), actor="ana", at=AT)
    records.open_dispute(store, ledger, dispute("d-3", "inv-2", "30.00"), actor="ana", at=AT)
    records.resolve_dispute(
        store, ledger, "d-2", "rejected", on=date(2026, 2, 11), actor="ana", at=AT
    )
    assert ledger.document("inv-2").disputed  # d-3 is still open
    records.resolve_dispute(
        store, ledger, "d-3", "rejected", on=date(2026, 2, 11), actor="ana", at=AT
    )
    assert not ledger.document("inv-2").disputed
    assert ledger.document_balance("inv-2") == usd("200.00")
    with pytest.raises(ValidationError, match="more than"):
        records.open_dispute(store, ledger, dispute("d-4", "inv-2", "200.01"), actor="ana", at=AT)


def test_plans_round_trip_and_protect(store: SqlStore, ledger: Ledger) -> None:
    from arcore.collections.plans import plan_from_terms
    from arcore.terms import parse_terms

    plan = plan_from_terms(
        "pp-1", "c-2", ["inv-3"], usd("300.00"), parse_terms("Installments 50% Net 10, 50% Net 20"),
        agreed_on=date(2026, 2, 1), collector="ana",
    )  # fmt: skip
    records.add_plan(store, COMPANY, plan, at=AT)
    assert records.plans(store, COMPANY, "c-2") == [plan]
    boxes = outboxes()
    kept = run_dunning(
        store, COMPANY, as_of=date(2026, 2, 11), at=AT, policies=STANDARD, channels=boxes,
        customer_ids={"c-2"},
    )  # fmt: skip
    assert [e.reason for e in kept.exclusions] == ["plan"]
    # nothing paid by 11 Feb (installment 1): broken on the 12th, dunning resumes
    broken = run_dunning(
        store, COMPANY, as_of=date(2026, 2, 12), at=AT, policies=STANDARD, channels=boxes,
        customer_ids={"c-2"},
    )  # fmt: skip
    assert [m.step for m in broken.messages] == ["first"]


def test_builtin_channels_come_from_the_plugin_manager(tmp_path: Path) -> None:
    from arcore.collections.channels import LetterChannel, PhoneChannel
    from arcore.collections.email import EmailChannel
    from arcore.plugins import plugin_manager

    factories = plugin_manager(entry_points=False).notification_channels()
    assert factories["email"] is EmailChannel
    assert factories["letter"] is LetterChannel
    assert factories["phone"] is PhoneChannel
    assert "sms" not in factories


def _interest_policy(*days: int) -> PolicySet:
    return PolicySet(
        default=DunningPolicy(
            name="interest",
            steps=tuple(
                Step(
                    name=f"d{d}",
                    days=d,
                    channel="email",
                    template="second",
                    fee=LateFeePolicy(rate=Decimal(12), period="year"),
                )
                for d in days
            ),
        )
    )


def test_interest_is_charged_once_for_each_day_across_steps(
    store: SqlStore, ledger: Ledger
) -> None:
    from arcore.finance_charges import finance_charge

    policies = _interest_policy(7, 21, 35)
    boxes = outboxes()
    fees = []
    for day in (date(2026, 2, 7), date(2026, 2, 21), date(2026, 3, 7)):
        report = run_dunning(
            store, COMPANY, as_of=day, at=AT, policies=policies, channels=boxes,
            customer_ids={"c-2"},
        )  # fmt: skip
        (message,) = report.messages
        assert message.document_ids == ("inv-3",)  # never the fee memos themselves
        fees.extend(message.fees)
    # 300.00 at 12 %/year: 7 days, then 14 more, then 14 more; never a day twice
    assert fees == [usd("0.69"), usd("1.38"), usd("1.38")]
    whole = finance_charge(
        usd("300.00"), date(2026, 1, 31), date(2026, 3, 7), LateFeePolicy(rate=12, period="year")
    )
    assert whole == usd("3.45") == sum(fees, usd("0"))
    assert ledger.balance("c-2", as_of=date(2026, 3, 7)) == {"USD": usd("303.45")}
    # the earlier fee memos are listed with their item in the later messages
    last = boxes["email"].sent[-1]
    assert "late charge" in last.body
    assert "FEE-INV-3-d7" in last.body
    assert "FEE-INV-3-d21" in last.body
    assert "Total overdue: 302.07 USD" in last.body  # 300.00 + 0.69 + 1.38 listed


def test_one_message_per_currency(store: SqlStore, ledger: Ledger) -> None:
    from arcore.documents import Invoice, InvoiceLine
    from arcore.money import Money

    ledger.issue(
        Invoice(
            company_id=COMPANY, id="inv-eur", customer_id="c-1", currency="EUR", number="INV-EUR",
            document_date=date(2026, 1, 1), terms="Net 30",
            lines=[InvoiceLine(description="Services", quantity=1,
                               unit_price=Money("1000.00", "EUR"))],
        ),
        actor="ana", idempotency_key="eur",
    )  # fmt: skip
    boxes = outboxes()
    report = run_dunning(
        store, COMPANY, as_of=date(2026, 2, 7), at=AT, policies=STANDARD, channels=boxes,
        customer_ids={"c-1"},
    )  # fmt: skip
    assert sorted((m.document_ids, str(m.amount)) for m in report.messages) == [
        (("inv-1",), "1000.00 USD"),
        (("inv-eur",), "1000.00 EUR"),
    ]
    subjects = sorted(m.subject for m in boxes["email"].sent)
    assert subjects == [
        "Payment reminder: 1000.00 EUR past due",
        "Payment reminder: 1000.00 USD past due",
    ]


def test_a_message_pending_when_a_later_step_is_reached_is_superseded(
    store: SqlStore, ledger: Ledger
) -> None:
    policies = _interest_policy(7, 21)
    boxes = outboxes()
    boxes["email"].fail_for.add("c-2")
    run_dunning(
        store, COMPANY, as_of=date(2026, 2, 7), at=AT, policies=policies, channels=boxes,
        customer_ids={"c-2"},
    )  # fmt: skip
    boxes["email"].fail_for.clear()
    later = run_dunning(
        store, COMPANY, as_of=date(2026, 2, 21), at=AT, policies=policies, channels=boxes,
        customer_ids={"c-2"},
    )  # fmt: skip
    # only the later step goes out; its interest runs from the due date (nothing was charged)
    assert [(m.step, m.fees) for m in later.messages] == [("d21", (usd("2.07"),))]
    assert [m.status for m in outbox(store, COMPANY)] == ["superseded", "sent"]
    assert ledger.balance("c-2", as_of=date(2026, 2, 21)) == {"USD": usd("302.07")}
    assert len(boxes["email"].sent) == 1


def test_a_run_that_read_before_another_committed_decides_nothing_twice(
    store: SqlStore, ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    from arcore.store import dunning as dunning_module

    stale = dunning_module._dunning_record(store, COMPANY)  # read before the other run
    boxes = outboxes()
    run_dunning(store, COMPANY, as_of=date(2026, 2, 7), at=AT, policies=STANDARD, channels=boxes)
    monkeypatch.setattr(dunning_module, "_dunning_record", lambda *_: stale)
    second = run_dunning(
        store, COMPANY, as_of=date(2026, 2, 7), at=AT, policies=STANDARD, channels=boxes
    )
    assert second.queued == ()
    assert second.messages == ()
    assert len(boxes["email"].sent) == 2
    assert len(outbox(store, COMPANY)) == 2


def test_credit_memo_applied_does_not_keep_a_promise(store: SqlStore, ledger: Ledger) -> None:
    from arcore.documents import CreditMemo

    records.add_promise(
        store, COMPANY,
        Promise(id="p-1", customer_id="c-2", amount=usd("300.00"), made_on=date(2026, 2, 2),
                promised_date=date(2026, 2, 6), collector="ana"),
        at=AT,
    )  # fmt: skip
    ledger.issue(
        CreditMemo(
            company_id=COMPANY, id="cm-1", customer_id="c-2", currency="USD", number="CM-1",
            document_date=date(2026, 2, 4), amount=usd("100.00"), corrects="inv-3",
            reason="price correction",
        ),
        actor="ana", idempotency_key="cm-1",
    )  # fmt: skip
    ledger.apply(
        "cm-1", "inv-3", usd("100.00"), on=date(2026, 2, 4), actor="ana", idempotency_key="ap"
    )
    assert records.settlements(store, COMPANY, "c-2") == []
    assert records.broken_promises(store, COMPANY, "c-2", as_of=date(2026, 2, 7)) == 1
    report = run_dunning(
        store, COMPANY, as_of=date(2026, 2, 7), at=AT, policies=STANDARD, channels=outboxes(),
        customer_ids={"c-2"},
    )  # fmt: skip
    assert [(m.step, m.amount) for m in report.messages] == [("first", usd("200.00"))]


def test_a_failed_dispute_opening_is_finished_by_running_it_again(
    store: SqlStore, ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    dispute = Dispute(
        id="d-1", document_id="inv-1", customer_id="c-1", amount=usd("400.00"),
        reason_code="pricing", owner="sales", opened_on=date(2026, 2, 1),
    )  # fmt: skip

    def down(*args: object, **kwargs: object) -> None:
        raise ConfigurationError("the database went away", hint="try again")

    with monkeypatch.context() as patched:
        patched.setattr(Ledger, "set_dispute", down)
        with pytest.raises(ConfigurationError):
            records.open_dispute(store, ledger, dispute, actor="ana", at=AT)
    # the record is there, so only the disputed part leaves dunning, never the whole item
    assert not ledger.document("inv-1").disputed
    report = run_dunning(
        store, COMPANY, as_of=date(2026, 2, 7), at=AT, policies=STANDARD, channels=outboxes(),
        customer_ids={"c-1"},
    )  # fmt: skip
    assert [m.amount for m in report.messages] == [usd("600.00")]
    # running it again finishes the job, once
    records.open_dispute(store, ledger, dispute, actor="ana", at=AT)
    assert ledger.document("inv-1").disputed
    assert [d.id for d in records.disputes(store, COMPANY)] == ["d-1"]
    kinds = [i.kind for i in records.interactions(store, COMPANY, customer_id="c-1")]
    assert kinds.count("dispute") == 1
    # a different dispute under the same id is still refused
    from arcore.errors import ConflictError

    with pytest.raises(ConflictError):
        records.open_dispute(
            store, ledger, dispute.model_copy(update={"amount": usd("10.00")}), actor="ana", at=AT
        )


def test_resolving_never_credits_more_than_is_open(store: SqlStore, ledger: Ledger) -> None:
    from arcore.errors import NotFoundError

    records.open_dispute(
        store, ledger,
        Dispute(id="d-1", document_id="inv-1", customer_id="c-1", amount=usd("400.00"),
                reason_code="pricing", owner="sales", opened_on=date(2026, 2, 1)),
        actor="ana", at=AT,
    )  # fmt: skip
    ledger.record_payment(
        Payment(company_id=COMPANY, id="pay-1", customer_id="c-1", currency="USD",
                received_date=date(2026, 2, 3), amount=usd("700.00"), method="check"),
        actor="ana", idempotency_key="pay-1",
    )  # fmt: skip
    ledger.apply(
        "pay-1", "inv-1", usd("700.00"), on=date(2026, 2, 3), actor="ana", idempotency_key="ap"
    )
    with pytest.raises(ValidationError, match=r"only 300\.00 USD open") as refused:
        records.resolve_dispute(
            store, ledger, "d-1", "credit_memo", on=date(2026, 2, 10), actor="ana", at=AT
        )
    assert refused.value.hint is not None
    assert "rejected" in refused.value.hint
    with pytest.raises(NotFoundError):
        ledger.document("cm-d-1")
    assert ledger.document_balance("inv-1") == usd("300.00")
    assert records.disputes(store, COMPANY)[0].status == "open"


def test_letters_of_the_same_customer_step_and_day_never_overwrite(tmp_path: Path) -> None:
    from arcore.collections.channels import Message, Recipient

    channel = LetterChannel({"outbox": str(tmp_path)})
    base = Message(
        company_id=COMPANY, customer_id="c-1", channel="letter", step="final",
        recipient=Recipient(name="Globex"), subject="Final notice", body="Pay.",
        scheduled_at=AT,
    )  # fmt: skip
    paths = {
        channel.send(base.model_copy(update={"message_id": "dun-usd"})).reference,
        channel.send(base.model_copy(update={"message_id": "dun-eur"})).reference,
        channel.send(base).reference,
        channel.send(base).reference,
    }
    assert len(paths) == 4
    assert len(list(tmp_path.glob("*.pdf"))) == 4
    # a retried message rewrites its own file
    again = channel.send(base.model_copy(update={"message_id": "dun-usd"})).reference
    assert again in paths
