"""``python -m arcore_xero.simulator``: help text and a real server process."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import urllib3

from adapters.xero.conftest import spec_file
from arcore_xero.simulator.__main__ import build_parser

SRC = Path(__file__).resolve().parents[3] / "src" / "adapters"


def test_help_states_the_development_mode() -> None:
    text = build_parser().format_help()
    assert "DEVELOPMENT MODE" in text
    assert "--port" in text
    assert "--seed-examples" in text


def test_help_through_python_dash_m() -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-m", "arcore_xero.simulator", "--help"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    assert "DEVELOPMENT MODE" in done.stdout
    assert "any client id" in done.stdout


def test_a_real_process_serves_on_a_free_port() -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "arcore_xero.simulator",
            "--port",
            "0",
            "--quiet",
            "--seed-examples",
            str(spec_file()),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)", first)
        assert match, first
        base = f"http://127.0.0.1:{match.group(1)}"
        token = urllib3.request(
            "POST",
            base + "/connect/token",
            body="grant_type=refresh_token&refresh_token=rt&client_id=id&client_secret=s",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ).json()
        answer = urllib3.request(
            "GET",
            base + "/api.xro/2.0/Invoices",
            headers={
                "Authorization": f"Bearer {token['access_token']}",
                "xero-tenant-id": "any-tenant",
                "Accept": "application/json",
            },
        )
        assert answer.status == 200
        assert [i["InvoiceNumber"] for i in answer.json()["Invoices"]] == [
            "INV-0001",
            "INV-0002",
            "INV-0003",
        ]
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=30)
    assert process.returncode == 0
    assert "stopped" in out


def test_the_guide_documents_every_fault_kind() -> None:
    from typing import get_args

    from arcore_xero.simulator import FaultKind

    guide = (SRC.parents[1] / "docs" / "how-to" / "xero-simulator.md").read_text(encoding="utf-8")
    for kind in get_args(FaultKind):
        assert f"`{kind}`" in guide, kind
    assert "DEVELOPMENT MODE".lower() in guide.lower()
