"""Xero's identity service in development mode: the token endpoint and revocation.

Any client id and secret are accepted (in the form body, as xero-python sends them, or in an
``Authorization: Basic`` header), and so is any refresh token the simulator has never seen (it
starts a new chain). Refresh tokens rotate on every refresh; the one just used stays valid for a
30-minute grace period (as at Xero) so a refresh whose answer was lost can be repeated, then it is
refused with ``invalid_grant``. Refresh tokens expire after 60 days unused; access tokens 1800 s
after issue, all on the simulator's clock.

The token response carries only the keys ``OAuth2Token.update_token`` accepts (xero-python
raises ``TypeError`` on any other key).
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import parse_qs

from .wire import JSONObject

ACCESS_TOKEN_SECONDS = 1800
REFRESH_TOKEN_UNUSED_DAYS = 60
ROTATION_GRACE_SECONDS = 1800
DEFAULT_SCOPE = "offline_access accounting.transactions accounting.contacts accounting.settings"


class OAuthError(Exception):
    """A token-endpoint failure, answered as ``{"error": ...}`` with an HTTP status."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        """Build the error; ``error`` is the OAuth code (``invalid_grant``, ``invalid_client``)."""
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> JSONObject:
        """The JSON body the identity service answers with."""
        return {"error": self.error, "error_description": self.description}


@dataclass
class _RefreshToken:
    client_id: str
    scope: str
    last_used: datetime
    rotated_at: datetime | None = None
    revoked: bool = False


@dataclass
class TokenIssuer:
    """Issues, rotates, expires and revokes tokens. Not thread-safe: the server holds its lock."""

    clock: Callable[[], datetime]
    _access: dict[str, datetime] = field(default_factory=dict)
    _refresh: dict[str, _RefreshToken] = field(default_factory=dict)
    refreshes: int = 0

    def token_request(self, body: bytes, authorization: str | None) -> JSONObject:
        """Answer a ``POST /connect/token`` form.

        Raises:
            OAuthError: for a missing client, an unknown grant type or a refused refresh token.
        """
        form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8")).items()}
        client_id = form.get("client_id") or _basic_client(authorization)
        if not client_id or (not form.get("client_secret") and not authorization):
            raise OAuthError("invalid_client", "client_id and client_secret are required", 400)
        grant = form.get("grant_type")
        scope = form.get("scope") or DEFAULT_SCOPE
        if grant == "refresh_token":
            token = form.get("refresh_token")
            if not token:
                raise OAuthError("invalid_request", "refresh_token is required")
            return self.refresh(token, client_id, form.get("scope"))
        if grant in ("authorization_code", "client_credentials"):
            return self.issue(client_id, scope, with_refresh=grant == "authorization_code")
        raise OAuthError("unsupported_grant_type", f"grant_type {grant!r} is not supported")

    def refresh(self, token: str, client_id: str, scope: str | None = None) -> JSONObject:
        """Exchange a refresh token for a new access token and a rotated refresh token.

        Raises:
            OAuthError: ``invalid_grant`` for a revoked, expired or superseded refresh token.
        """
        now = self.clock()
        known = self._refresh.get(token)
        if known is None:
            # Development mode: a refresh token never seen starts a new chain.
            known = self._refresh[token] = _RefreshToken(
                client_id, scope or DEFAULT_SCOPE, last_used=now
            )
        if known.revoked:
            raise OAuthError("invalid_grant", "invalid_grant: the refresh token was revoked")
        if known.client_id != client_id:
            raise OAuthError("invalid_grant", "invalid_grant: issued to another client")
        if known.rotated_at is not None and now >= known.rotated_at + timedelta(
            seconds=ROTATION_GRACE_SECONDS
        ):
            raise OAuthError("invalid_grant", "invalid_grant: the refresh token was rotated")
        if now >= known.last_used + timedelta(days=REFRESH_TOKEN_UNUSED_DAYS):
            raise OAuthError("invalid_grant", "invalid_grant: the refresh token expired unused")
        if known.rotated_at is None:
            known.rotated_at = now
        self.refreshes += 1
        return self.issue(client_id, scope or known.scope, with_refresh=True)

    def issue(self, client_id: str, scope: str, *, with_refresh: bool) -> JSONObject:
        """A new access token (and refresh token), valid from now on the clock."""
        now = self.clock()
        access = "sim-xero-at-" + secrets.token_urlsafe(24)
        self._access[access] = now + timedelta(seconds=ACCESS_TOKEN_SECONDS)
        answer: JSONObject = {
            "id_token": "sim-xero-id-" + secrets.token_urlsafe(12),
            "access_token": access,
            "expires_in": ACCESS_TOKEN_SECONDS,
            "token_type": "Bearer",
            "scope": scope,
        }
        if with_refresh:
            refresh = "sim-xero-rt-" + secrets.token_urlsafe(18)
            self._refresh[refresh] = _RefreshToken(client_id, scope, last_used=now)
            answer["refresh_token"] = refresh
        return answer

    def access_problem(self, token: str | None) -> str | None:
        """Why ``token`` cannot be used now (Xero's 401 detail), or ``None`` when it is valid."""
        if not token:
            return "AuthenticationUnsuccessful: no bearer token"
        expires = self._access.get(token)
        if expires is None:
            return "TokenInvalid: unknown or revoked access token"
        if self.clock() >= expires:
            return f"TokenExpired: token expired at {expires.strftime('%m/%d/%Y %H:%M:%S')}"
        return None

    def expire(self, token: str) -> None:
        """Make one access token expired now."""
        if token in self._access:
            self._access[token] = self.clock() - timedelta(seconds=1)

    def expire_all(self) -> None:
        """Make every issued access token expired now."""
        expired = self.clock() - timedelta(seconds=1)
        for token in self._access:
            self._access[token] = expired

    def revoke(self, token: str) -> None:
        """Revoke a refresh token (its chain's access tokens stay valid until they expire)."""
        known = self._refresh.get(token)
        if known is not None:
            known.revoked = True


def _basic_client(header: str | None) -> str | None:
    if not header or not header.startswith("Basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:], validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, colon, _secret = decoded.partition(":")
    return client_id if colon and client_id else None
