"""The default token store: a connection's OAuth tokens kept in arcore's store.

Tokens are secrets. In memory they stay ``SecretStr`` (their ``repr`` and ``str`` print
``**********``); nothing in arcore prints or logs them. In the ``sync_tokens`` table they
are stored as they are, so protect the database as you protect the tokens: or answer the
[`arcore_token_store`][arcore.plugins.hookspecs.arcore_token_store] hook with a plugin
that keeps them in a vault or a secrets manager.
[`token_store_for`][arcore.sync.tokens.token_store_for] asks the plugins first and falls
back to this store.
"""

from __future__ import annotations

import json

from sqlalchemy import delete, select

from arcore.adapter import Token, TokenStore
from arcore.plugins import Plugins
from arcore.store.schema import sync_tokens
from arcore.store.sql import SqlStore
from arcore.sync.clock import Clock, SystemClock

__all__ = ["StoreTokenStore", "token_store_for"]


class StoreTokenStore:
    """A [`TokenStore`][arcore.adapter.TokenStore] in the ``sync_tokens`` table of one company.

    Args:
        store: The store.
        company_id: Whose connection.
        clock: When tokens are saved.
    """

    def __init__(self, store: SqlStore, company_id: str, *, clock: Clock | None = None) -> None:
        """Keep tokens of ``company_id``'s connections in ``store``."""
        self.store = store
        self.company_id = company_id
        self.clock = clock or SystemClock()

    def __repr__(self) -> str:
        """Name the store and company, never a token."""
        return f"StoreTokenStore({self.store.url!r}, {self.company_id!r})"

    def load(self, system: str, tenant: str) -> Token | None:
        """The tokens last saved for ``system`` and ``tenant``, if any."""
        t = sync_tokens
        with self.store.session(self.company_id, write=False) as session:
            text: str | None = session.connection.scalar(
                select(t.c.token).where(
                    t.c.company_id == self.company_id, t.c.system == system, t.c.tenant == tenant
                )
            )
        return None if text is None else Token.model_validate_json(text)

    def save(self, system: str, tenant: str, token: Token) -> None:
        """Keep ``token``, replacing what was saved (refresh tokens rotate)."""
        t = sync_tokens
        plain = {
            "access_token": token.access_token.get_secret_value(),
            "refresh_token": token.refresh_token.get_secret_value(),
            "expires_at": token.expires_at.isoformat(),
            "refresh_expires_at": (
                token.refresh_expires_at.isoformat() if token.refresh_expires_at else None
            ),
        }
        with self.store.session(self.company_id) as session:
            session.connection.execute(
                delete(t).where(
                    t.c.company_id == self.company_id, t.c.system == system, t.c.tenant == tenant
                )
            )
            session.connection.execute(
                t.insert().values(
                    company_id=self.company_id,
                    system=system,
                    tenant=tenant,
                    token=json.dumps(plain),
                    saved_at=self.clock.now(),
                )
            )


def token_store_for(
    plugins: Plugins, store: SqlStore, company_id: str, system: str, tenant: str
) -> TokenStore:
    """The token store of a connection: a plugin's (``arcore_token_store``), else the store's."""
    return plugins.token_store(system, tenant) or StoreTokenStore(store, company_id)
