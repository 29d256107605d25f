"""``python -m arcore_quickbooks.simulator`` and loading data (``--data`` / ``data=``)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from quickbooks.objects.customer import Customer
from quickbooks.objects.invoice import Invoice

from arcore_quickbooks.simulator import QuickBooksSimulator
from arcore_quickbooks.simulator.__main__ import build_parser

ADAPTERS = Path(__file__).resolve().parents[3] / "src" / "adapters"

DATA = {
    "4620816365": {
        # Invoices before customers on purpose: the loader orders by dependency.
        "Invoice": [
            {
                "Id": "130",
                "CustomerRef": {"value": "7"},
                "DocNumber": "1037",
                "Line": [{"Amount": 362.07, "DetailType": "SalesItemLineDetail"}],
            }
        ],
        "Customer": [{"Id": "7", "DisplayName": "Geeta Kalapatapu"}],
    }
}


def test_data_loads_with_given_ids(sim_clock: Any, make_qb: Any) -> None:
    with QuickBooksSimulator(clock=sim_clock, data=DATA) as sim:
        qb = make_qb(sim, realm="4620816365")

        invoice = Invoice.get("130", qb=qb)
        assert (invoice.DocNumber, invoice.Balance) == ("1037", 362.07)
        assert Customer.get("7", qb=qb).Balance == 362.07
        created = Customer()
        created.DisplayName = "Next"
        assert created.save(qb=qb).Id == "8"  # sequences continue after loaded Ids


def test_data_with_an_unknown_entity_is_refused() -> None:
    with pytest.raises(ValueError, match="Spaceship"):
        QuickBooksSimulator(data={"1": {"Spaceship": [{}]}})


def test_help_states_development_mode() -> None:
    text = build_parser().format_help()

    assert "DEVELOPMENT MODE" in text
    assert "any client id, client secret and refresh token are accepted" in text


def test_python_dash_m_serves_discovery_and_data_then_stops(tmp_path: Path) -> None:
    data_file = tmp_path / "company.json"
    data_file.write_text(json.dumps(DATA), encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ADAPTERS), os.environ.get("PYTHONPATH", "")]),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "arcore_quickbooks.simulator",
            "--port",
            "0",
            "--data",
            str(data_file),
            "--quiet",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        match = re.search(r"listening on (http://127\.0\.0\.1:\d+)", first)
        assert match, first + (process.stderr.read() if process.poll() is not None else "")
        url = match.group(1)
        banner = "".join(process.stdout.readline() for _ in range(10))
        assert f"{url}/.well-known/openid_configuration" in banner
        assert "OAUTHLIB_INSECURE_TRANSPORT=1" in banner
        assert f'qb.api_url_v3 = "{url}/v3"' in banner

        with urllib.request.urlopen(f"{url}/.well-known/openid_configuration", timeout=5) as reply:
            document = json.load(reply)
        assert document["token_endpoint"] == f"{url}/oauth2/v1/tokens/bearer"
    finally:
        process.terminate()
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert "stopped" in out


def test_python_dash_m_reports_an_unreadable_data_file(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ADAPTERS)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "arcore_quickbooks.simulator",
            "--port",
            "0",
            "--data",
            str(tmp_path / "nope.json"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
    )

    assert result.returncode == 2
    assert "cannot read --data" in result.stderr
