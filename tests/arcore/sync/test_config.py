"""Connection settings from a TOML file and ``ARCORE_<SYSTEM>_<KEY>`` variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from arcore.errors import ConfigurationError
from arcore.sync.config import load_connection_settings


def test_the_environment_wins_and_secrets_are_told_by_their_names(tmp_path: Path) -> None:
    config = tmp_path / "arcore.toml"
    config.write_text(
        '[quickbooks]\ntenant = "123"\nclient_id = "id-1"\nclient_secret = "from-file"\n'
        'minorversion = 75\nsandbox = true\n[xero]\nclient_id = "other"\n',
        encoding="utf-8",
    )
    environ = {
        "ARCORE_QUICKBOOKS_CLIENT_SECRET": "from-env",
        "ARCORE_QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN": "verifier",
        "ARCORE_XERO_CLIENT_ID": "not mine",
    }

    found = load_connection_settings("quickbooks", config=config, environ=environ)

    assert found.tenant == "123"
    assert found.settings == {"client_id": "id-1", "minorversion": "75", "sandbox": "true"}
    assert {k: v.get_secret_value() for k, v in found.secrets.items()} == {
        "client_secret": "from-env",
        "webhook_verifier_token": "verifier",
    }
    assert "from-env" not in repr(found)
    assert found.scrub("refused from-env") == "refused **********"
    assert load_connection_settings("quickbooks", tenant="9", environ=environ).tenant == "9"


def test_a_broken_file_is_refused_without_showing_values(tmp_path: Path) -> None:
    config = tmp_path / "arcore.toml"
    config.write_text('[quickbooks]\nclient_secret = "hunter2\n', encoding="utf-8")

    with pytest.raises(ConfigurationError, match="not valid TOML") as raised:
        load_connection_settings("quickbooks", config=config, environ={})

    assert "hunter2" not in str(raised.value)
    with pytest.raises(ConfigurationError, match="cannot read"):
        load_connection_settings("quickbooks", config=tmp_path / "missing.toml", environ={})
