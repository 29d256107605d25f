"""Connection settings and secrets of an adapter, from a TOML file and the environment.

The file has one table per system; every key is passed to the adapter, as a plain setting
or, if its name says it is one, as a secret:

```toml
[quickbooks]
tenant = "9341452417372823"          # the realm id (or --tenant)
client_id = "ABx7..."
environment = "sandbox"
api_url = "http://127.0.0.1:8089"
# client_secret = "..."             # better in the environment, see below
```

Every key can also come from an environment variable named ``ARCORE_<SYSTEM>_<KEY>`` in
upper case, which wins over the file: ``ARCORE_QUICKBOOKS_CLIENT_SECRET``,
``ARCORE_QUICKBOOKS_TENANT``, ``ARCORE_XERO_CLIENT_ID``. A key is a **secret** when its
name contains ``secret``, ``token``, ``password`` or ``key`` (``client_secret``,
``webhook_verifier_token``, ``api_key``): it reaches the adapter as a ``SecretStr`` and is
never printed, in output or in errors.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from pydantic import SecretStr

from arcore.errors import ConfigurationError

__all__ = ["SECRET_MARKERS", "ConnectionSettings", "is_secret", "load_connection_settings"]

SECRET_MARKERS: Final = ("secret", "token", "password", "key")
"""Parts of a key's name that make its value a secret."""


def is_secret(key: str) -> bool:
    """Whether a setting named ``key`` holds a secret.

    >>> is_secret("client_secret"), is_secret("client_id")
    (True, False)
    """
    lowered = key.lower()
    return any(marker in lowered for marker in SECRET_MARKERS)


@dataclass(frozen=True)
class ConnectionSettings:
    """What connecting to one system needs, split into plain settings and secrets.

    Attributes:
        system: The adapter's name.
        tenant: The vendor's company id (``""`` if not given).
        settings: Plain settings.
        secrets: Secrets (never printed: ``repr`` shows only their names).
    """

    system: str
    tenant: str
    settings: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, SecretStr] = field(default_factory=dict)

    def scrub(self, text: str) -> str:
        """``text`` with every secret value replaced by ``**********``."""
        for secret in self.secrets.values():
            value = secret.get_secret_value()
            if value:
                text = text.replace(value, "**********")
        return text


def _env_prefix(system: str) -> str:
    return f"ARCORE_{system.upper()}_"


def load_connection_settings(
    system: str,
    *,
    config: Path | None = None,
    tenant: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> ConnectionSettings:
    """Read ``system``'s table of ``config`` (if given), then its environment variables.

    Args:
        system: The adapter's name (the TOML table and the variables' infix).
        config: The TOML file, if any.
        tenant: The tenant from the command line; wins over the file and the environment.
        environ: The environment (``os.environ`` by default).

    Raises:
        ConfigurationError: the file cannot be read or parsed, or its ``system`` value is not a
            table of plain values (the message names the key, never a value).
    """
    values: dict[str, str] = {}
    if config is not None:
        try:
            document = tomllib.loads(config.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigurationError(
                f"cannot read {config}: {exc.strerror}",
                hint="Check the path given with --config",
                file=config,
            ) from exc
        except tomllib.TOMLDecodeError as exc:
            # The decoder's message quotes no value, only where it stopped.
            raise ConfigurationError(
                f"{config} is not valid TOML: {exc}",
                hint="Fix the file; see docs/concepts/sync.md for its form",
                file=config,
            ) from exc
        table = document.get(system, {})
        if not isinstance(table, dict):
            raise ConfigurationError(
                f"[{system}] in {config} is not a table",
                hint=f"Write the settings under a [{system}] header",
                file=config,
                field=system,
            )
        for key, value in table.items():
            if not isinstance(value, str | int | bool):
                raise ConfigurationError(
                    f"{system}.{key} in {config} is not a string, number or boolean",
                    hint="Give each setting a plain value",
                    file=config,
                    field=key,
                )
            values[key] = str(value).lower() if isinstance(value, bool) else str(value)
    prefix = _env_prefix(system)
    for name, value in (os.environ if environ is None else environ).items():
        if name.startswith(prefix) and len(name) > len(prefix):
            values[name[len(prefix) :].lower()] = value
    found_tenant = tenant or values.pop("tenant", "")
    values.pop("tenant", None)
    settings = {key: value for key, value in values.items() if not is_secret(key)}
    secrets = {key: SecretStr(value) for key, value in values.items() if is_secret(key)}
    return ConnectionSettings(system, found_tenant, settings, secrets)
