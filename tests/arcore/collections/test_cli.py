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
    assert [(m["customer_id"], m["step"]) for m in dry["messages"]] == [("c-1", "first")]
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
            "emailhost",
            "--db",
            store_url,
            "--company",
            COMPANY,
        ],
    )
    assert result.exit_code == 1
    assert "CHANNEL.NAME=VALUE" in str(result.exception)


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
