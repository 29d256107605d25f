"""OAuth 2.0 in development mode: discovery document, token endpoint, revocation.

Any client id and secret are accepted, and so is any refresh token the simulator has never seen
(it starts a new chain). Refresh tokens rotate: each refresh returns a new one, and the token
just used stays valid until the new one has been used once (so a refresh whose response was lost
can be repeated); after that it is refused with ``invalid_grant``. Access tokens expire 3600 s
after issue on the simulator's clock; refresh tokens 100 days after issue.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .wire import JSONObject

ACCESS_TOKEN_SECONDS = 3600
REFRESH_TOKEN_SECONDS = 100 * 24 * 3600


class OAuthError(Exception):
    """A token-endpoint failure, answered as ``{"error": ...}`` with an HTTP status."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        """Build the error; ``error`` is the OAuth code (``invalid_grant``, ``invalid_client``)."""
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> JSONObject:
        """The JSON body QBO's token endpoint answers with."""
        return {"error": self.error, "error_description": self.description}


def discovery_document(base_url: str) -> JSONObject:
    """The OpenID discovery document, with every key intuit-oauth reads.

    >>> sorted(discovery_document("http://127.0.0.1:1"))[:3]
    ['authorization_endpoint', 'claims_supported', 'id_token_signing_alg_values_supported']
    """
    return {
        "issuer": f"{base_url}/op/v1",
        "authorization_endpoint": f"{base_url}/connect/oauth2",
        "token_endpoint": f"{base_url}/oauth2/v1/tokens/bearer",
        "userinfo_endpoint": f"{base_url}/v1/openid_connect/userinfo",
        "revocation_endpoint": f"{base_url}/oauth2/v1/tokens/revoke",
        "jwks_uri": f"{base_url}/op/v1/jwks",
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "profile", "address", "phone"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "claims_supported": ["aud", "exp", "iat", "iss", "realmid", "sub"],
    }


@dataclass
class _RefreshToken:
    parent: str | None
    issued_at: datetime
    retired: bool = False


@dataclass
class TokenIssuer:
    """Issues, rotates, expires and revokes tokens. Not thread-safe: the server holds its lock."""

    clock: Callable[[], datetime]
    _access: dict[str, datetime] = field(default_factory=dict)
    _refresh: dict[str, _RefreshToken] = field(default_factory=dict)

    def client_from_basic_auth(self, header: str | None) -> str:
        """The client id of an ``Authorization: Basic`` header (any id/secret is accepted).

        Raises:
            OAuthError: ``invalid_client`` (HTTP 401) when the header is missing or malformed.
        """
        if not header or not header.startswith("Basic "):
            raise OAuthError("invalid_client", "Basic client authentication is required", 401)
        try:
            decoded = base64.b64decode(header[6:], validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise OAuthError("invalid_client", "malformed Basic credentials", 401) from exc
        client_id, colon, _secret = decoded.partition(":")
        if not colon or not client_id:
            raise OAuthError("invalid_client", "malformed Basic credentials", 401)
        return client_id

    def refresh(self, refresh_token: str) -> JSONObject:
        """Exchange a refresh token for a new access token and a rotated refresh token.

        Raises:
            OAuthError: ``invalid_grant`` for a retired, revoked or expired refresh token.
        """
        now = self.clock()
        known = self._refresh.get(refresh_token)
        if known is None:
            # Development mode: a refresh token never seen starts a new chain.
            known = self._refresh[refresh_token] = _RefreshToken(parent=None, issued_at=now)
        if known.retired:
            raise OAuthError("invalid_grant", "Incorrect or invalid refresh token")
        if now >= known.issued_at + timedelta(seconds=REFRESH_TOKEN_SECONDS):
            raise OAuthError("invalid_grant", "Refresh token has expired")
        if known.parent is not None and known.parent in self._refresh:
            # The new token is in use, so the one it replaced can no longer be replayed.
            self._refresh[known.parent].retired = True
        return self._issue(parent=refresh_token)

    def authorization_code(self) -> JSONObject:
        """Exchange any authorization code for tokens (development mode)."""
        return self._issue(parent=None)

    def _issue(self, parent: str | None) -> JSONObject:
        now = self.clock()
        access = "sim-at-" + secrets.token_urlsafe(24)
        refresh = "sim-rt-" + secrets.token_urlsafe(18)
        self._access[access] = now + timedelta(seconds=ACCESS_TOKEN_SECONDS)
        self._refresh[refresh] = _RefreshToken(parent=parent, issued_at=now)
        return {
            "token_type": "bearer",
            "expires_in": ACCESS_TOKEN_SECONDS,
            "refresh_token": refresh,
            "x_refresh_token_expires_in": REFRESH_TOKEN_SECONDS,
            "access_token": access,
        }

    def access_problem(self, token: str | None) -> str | None:
        """Why ``token`` cannot be used now, or ``None`` when it is valid."""
        if not token:
            return "Authorization header with a Bearer token is required"
        expires = self._access.get(token)
        if expires is None:
            return "Token invalid: unknown or revoked access token"
        if self.clock() >= expires:
            return "Token expired: the access token has expired; refresh it"
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
        """Revoke an access or refresh token (unknown tokens are ignored, as by Intuit)."""
        self._access.pop(token, None)
        known = self._refresh.get(token)
        if known is not None:
            known.retired = True
        else:
            self._refresh[token] = _RefreshToken(parent=None, issued_at=self.clock(), retired=True)
