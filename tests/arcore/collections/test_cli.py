"""The collections commands end to end on a store: record, dry-run, run, worklist."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from arcore.cli import app
from arcore.ledger import Ledger
from arcore.store import collections as records
from arcore.store.dunning import dunning_history
from arcore.store.sql import SqlStore

from .conftest import COMPANY


def invoke(url: str, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, [*args, "--db", url, "--company", COMPANY])
    assert result.exit_code == code, (result.output, result.exception)
    return result.output


def as_json(url: str, *args: str) -> Any:
    return json.loads(invoke(url, *args, "--json"))


def test_collector_commands(
    store: SqlStore, store_url: str, ledger: Ledger, tmp_path: Path
) -> None:
    invoke(
        store_url,
        "dunning",
        "profile",
        "--customer",
        "c-1",
        "--collector",
        "ana",
        "--language",
        "de",
    )
    invoke(
        store_url, "interactions", "add", "--customer", "c-1", "--kind", "call", "--by", "ana",
        "--outcome", "will pay Friday", "--follow-up", "2026-02-13", "--when", "2026-02-06T10:30",
    )  # fmt: skip
    invoke(
        store_url, "promise", "add", "--customer", "c-2", "--amount", "300", "--date", "2026-02-20",
        "--made-on", "2026-02-05", "--by", "bo",
    )  # fmt: skip
    invoke(
        store_url, "dispute", "open", "--document", "inv-2", "--reason", "quantity", "--owner",
        "warehouse", "--amount", "50", "--by", "ana", "--opened-on", "2026-02-05",
    )  # fmt: skip
    promises = as_json(store_url, "promise", "list", "--as-of", "2026-02-21")
    assert [(p["customer_id"], p["status"]) for p in promises] == [("c-2", "broken")]
    (dispute,) = as_json(store_url, "dispute", "list")
    assert dispute["amount"] == {"amount": "50.00", "currency": "USD"}
    log = as_json(store_url, "interactions", "list", "--collector", "ana")
    assert [i["kind"] for i in log] == ["call", "dispute"]

    # a dry run on 7 Feb lists c-1's first reminder (c-2 is under the promise) and records nothing
    dry = as_json(store_url, "dunning", "run", "--as-of", "2026-02-07", "--dry-run")
    assert [(m["customer_id"], m["step"]) for m in dry["queued"]] == [("c-1", "first")]
    assert dry["messages"] == []
    assert [(e["customer_id"], e["reason"]) for e in dry["exclusions"]] == [("c-2", "promise")]
    assert dunning_history(store, COMPANY) == {}

    # the worklist on 21 Feb: c-2 broke its promise (call), c-1 has 1000 + 200 past due... c-1's
    # inv-2 is due 28 Feb, so only inv-1 (21 days) is past due; its follow-up of 13 Feb is due.
    items = as_json(store_url, "worklist", "--as-of", "2026-02-21")
    assert [(i["customer_id"], i["past_due"]["amount"], i["oldest_days"]) for i in items] == [
        ("c-1", "1000.00", 21),
        ("c-2", "300.00", 21),
    ]
    assert items[0]["next_action"] == "follow up (agreed for 2026-02-13): will pay Friday"
    assert items[1]["next_action"].startswith("call: promise ptp-")
    assert items[1]["broken_promises"] == 1
    mine = as_json(store_url, "worklist", "--as-of", "2026-02-21", "--collector", "ana")
    assert [i["customer_id"] for i in mine] == ["c-1"]

    # a real run with the letter channel for everything through a policy file
    policy = tmp_path / "policy.toml"
    policy.write_text(
        '[default]\nname = "letters"\n'
        '[[default.steps]]\nname = "first"\ndays = 7\nchannel = "letter"\ntemplate = "first"\n',
        encoding="utf-8",
    )
    outbox = tmp_path / "outbox"
    report = as_json(
        store_url, "dunning", "run", "--as-of", "2026-02-21", "--policy", str(policy),
        "--channel-setting", f"letter.outbox={outbox}",
    )  # fmt: skip
    assert sorted(m["customer_id"] for m in report["messages"]) == ["c-1", "c-2"]
    assert len(list(outbox.glob("c-1-first-*.pdf"))) == 2  # the letter and the statement
    assert len(records.interactions(store, COMPANY, customer_id="c-2")) == 2  # promise, letter

    # resolving the dispute with a credit memo
    invoke(
        store_url,
        "dispute",
        "resolve",
        dispute["id"],
        "--resolution",
        "credit_memo",
        "--by",
        "ana",
        "--on",
        "2026-02-22",
    )
    assert (
        ledger.document_balance("inv-2")
        == ledger.document("inv-2").total - records.disputes(store, COMPANY)[0].amount
    )  # type: ignore[union-attr]


def test_bad_arguments_are_refused(store: SqlStore, store_url: str, ledger: Ledger) -> None:
    result = CliRunner().invoke(
        app,
        [
            "interactions",
            "add",
            "--customer",
            "c-1",
            "--kind",
            "fax",
            "--by",
            "ana",
            "--db",
            store_url,
            "--company",
            COMPANY,
        ],
    )
    assert result.exit_code == 1
    assert "not an interaction kind" in str(result.exception)
    result = CliRunner().invoke(
        app,
        [
            "dunning",
            "run",
            "--channel-setting",
            "emailpassword=hunter2-secret",
            "--db",
            store_url,
            "--company",
            COMPANY,
        ],
    )
    assert result.exit_code == 1
    assert "CHANNEL.NAME=VALUE" in str(result.exception)
    # the value may be a password: the error names the setting, never its value
    assert "hunter2-secret" not in str(result.exception)
    assert "hunter2-secret" not in repr(vars(result.exception))


def test_channel_settings_come_from_the_environment_and_options_win(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from arcore.cli.collections import _settings

    monkeypatch.setenv("ARCORE_CHANNEL_EMAIL_PASSWORD", "s3cret")
    monkeypatch.setenv("ARCORE_CHANNEL_EMAIL_HOST", "smtp.from-env.example")
    monkeypatch.setenv("ARCORE_CHANNEL_LETTER_OUTBOX", "/srv/letters")
    found = _settings(["email.host=smtp.example.com"])
    assert found["email"] == {"password": "s3cret", "host": "smtp.example.com"}
    assert found["letter"] == {"outbox": "/srv/letters"}


def test_run_day_and_moment_are_the_teams(monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import UTC, date, datetime, time

    from arcore.cli import collections as cli
    from arcore.collections.policy import WorkingHours

    los_angeles = WorkingHours(time_zone="America/Los_Angeles", start=time(8), end=time(17))
    # 02:00 UTC on 6 Feb is still 5 Feb, 18:00, in Los Angeles
    now = datetime(2026, 2, 6, 2, 0, tzinfo=UTC)
    monkeypatch.setattr(cli, "now", lambda: now)
    assert cli._team_today(los_angeles) == date(2026, 2, 5)
    assert cli._run_moment(date(2026, 2, 5), los_angeles) == now  # today there: from now
    # another day: from the opening of that day there, never the evening before
    moment = cli._run_moment(date(2026, 2, 6), los_angeles)
    assert moment.isoformat() == "2026-02-06T08:00:00-08:00"
    assert cli._team_today(WorkingHours(time_zone="Asia/Tokyo")) == date(2026, 2, 6)


def test_a_night_run_queues_and_the_morning_run_sends(
    store: SqlStore, store_url: str, ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime

    from arcore.cli import collections as cli

    policy = tmp_path / "policy.toml"
    policy.write_text(
        '[default]\nname = "letters"\n'
        '[default.working_hours]\ntime_zone = "Europe/Berlin"\n'
        '[[default.steps]]\nname = "first"\ndays = 7\nchannel = "letter"\ntemplate = "first"\n',
        encoding="utf-8",
    )
    outbox = tmp_path / "outbox"
    args = (
        "dunning",
        "run",
        "--policy",
        str(policy),
        "--channel-setting",
        f"letter.outbox={outbox}",
    )
    # Monday 9 Feb 2026, 02:00 in Berlin (01:00 UTC): decided and queued, nothing sent
    monkeypatch.setattr(cli, "now", lambda: datetime(2026, 2, 9, 1, 0, tzinfo=UTC))
    night = as_json(store_url, *args)
    assert night["as_of"] == "2026-02-09"
    assert sorted(m["customer_id"] for m in night["queued"]) == ["c-1", "c-2"]
    assert night["messages"] == []
    assert not outbox.exists()
    # 09:05 in Berlin: the run sends both, stamped with the real time
    morning = datetime(2026, 2, 9, 8, 5, tzinfo=UTC)
    monkeypatch.setattr(cli, "now", lambda: morning)
    day = as_json(store_url, *args)
    assert day["queued"] == []
    assert sorted(m["customer_id"] for m in day["messages"]) == ["c-1", "c-2"]
    assert {m["sent_at"] for m in day["messages"]} == {"2026-02-09T08:05:00Z"}
    assert len(list(outbox.glob("*.pdf"))) == 4  # two letters, two statements
