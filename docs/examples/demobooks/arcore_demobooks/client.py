"""Talking to DemoBooks over HTTP: the bearer token, its refresh, and errors in arcore's terms."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from pydantic import SecretStr

from arcore.adapter import Connection, Token
from arcore.errors import (
    RateLimitedError,
    StaleVersionError,
    TransientError,
    VendorAuthError,
    VendorError,
    VendorNotFoundError,
    VendorValidationError,
)

JSON = dict[str, Any]


def parse_json(body: bytes) -> JSON:
    """A DemoBooks JSON body, its numbers as ``Decimal`` (a float cannot hold 0.1 exactly)."""
    data = json.loads(body or b"{}", parse_float=Decimal)
    return data if isinstance(data, dict) else {}


class DemoBooksClient:
    """One tenant's DemoBooks API, with its tokens kept in the connection's token store.

    Args:
        connection: ``settings`` holds ``base_url`` and ``client_id``; ``secrets`` holds
            ``client_secret``. The token store must hold the tokens of the first consent.
    """

    def __init__(self, connection: Connection) -> None:
        self.system = connection.system
        self._tenant = connection.tenant
        self._base_url = connection.settings["base_url"].rstrip("/")
        self._client_id = connection.settings["client_id"]
        self._client_secret = connection.secrets["client_secret"]
        self._tokens = connection.token_store

    def __repr__(self) -> str:
        return f"DemoBooksClient({self._base_url!r}, tenant={self._tenant!r})"

    def call(
        self,
        method: str,
        path: str,
        *,
        body: JSON | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> JSON:
        """Send one API request; refresh the access token once if DemoBooks refuses it."""
        try:
            return self._send(method, path, body, headers or {})
        except VendorAuthError:
            self.refresh()
            return self._send(method, path, body, headers or {})

    def refresh(self) -> Token:
        """Trade the refresh token for new tokens, and save them (the old refresh token dies)."""
        current = self._tokens.load(self.system, self._tenant)
        if current is None:
            raise VendorAuthError(
                f"no DemoBooks token is saved for tenant {self._tenant!r}",
                hint="Connect DemoBooks first (authorise arcore in DemoBooks)",
                system=self.system,
            )
        form = {
            "grant_type": "refresh_token",
            "refresh_token": current.refresh_token.get_secret_value(),
            "client_id": self._client_id,
            "client_secret": self._client_secret.get_secret_value(),
        }
        request = Request(
            f"{self._base_url}/oauth/token", data=urlencode(form).encode(), method="POST"
        )
        token = self.token_from(self._exchange(request))
        self._tokens.save(self.system, self._tenant, token)
        return token

    @staticmethod
    def token_from(answer: JSON) -> Token:
        """The ``Token`` of a DemoBooks token answer (its secrets kept as ``SecretStr``)."""
        return Token(
            access_token=SecretStr(answer["access_token"]),
            refresh_token=SecretStr(answer["refresh_token"]),
            expires_at=datetime.now(UTC) + timedelta(seconds=int(answer["expires_in"])),
        )

    def _send(self, method: str, path: str, body: JSON | None, headers: Mapping[str, str]) -> JSON:
        token = self._tokens.load(self.system, self._tenant)
        bearer = token.access_token.get_secret_value() if token else ""
        request = Request(
            self._base_url + path,
            # Amounts go out as decimal strings, which DemoBooks accepts: never through a float.
            data=None if body is None else json.dumps(body, default=str).encode(),
            method=method,
            headers={
                "Authorization": f"Bearer {bearer}",
                "Content-Type": "application/json",
                **headers,
            },
        )
        return self._exchange(request)

    def _exchange(self, request: Request) -> JSON:
        try:
            with urlopen(request, timeout=10) as response:
                return parse_json(response.read())
        except HTTPError as failure:
            with failure:
                said, wait = parse_json(failure.read()), failure.headers.get("Retry-After")
                raise self._error(failure.code, said, wait) from failure
        except OSError as failure:  # refused, dropped or timed out: worth another try
            raise TransientError(
                "DemoBooks did not answer",
                hint="Try again; the sync engine retries with backoff",
                system=self.system,
                detail=f"{type(failure).__name__}: {failure}",
            ) from failure

    def _error(self, status: int, body: JSON, retry_after: str | None) -> VendorError:
        """The arcore error for a DemoBooks error reply (what the sync engine acts on)."""
        said = {
            "system": self.system,
            "detail": f"{status} {body.get('error')}: {body.get('message')}",
        }
        if status == 401 or body.get("error") == "invalid_grant":
            return VendorAuthError(
                "DemoBooks refused the credentials", hint="Reconnect DemoBooks", **said
            )
        if status == 404:
            return VendorNotFoundError("DemoBooks has no such object", **said)
        if status == 412:
            return StaleVersionError(
                "the object changed in DemoBooks since it was read",
                hint="Fetch it again and reapply the change",
                **said,
            )
        if status == 429:
            return RateLimitedError(
                "DemoBooks' rate limit was reached",
                retry_after=float(retry_after) if retry_after else None,  # float-ok: seconds
                **said,
            )
        if status == 400:
            return VendorValidationError("DemoBooks refused the object", **said)
        if status >= 500:
            return TransientError("DemoBooks failed; try again", **said)
        return VendorError(f"DemoBooks answered {status}", **said)
