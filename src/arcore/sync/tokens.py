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

from arcore.adapter import Token, TokenStore
from arcore.plugins import Plugins
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
        return self.store.sync_state(self.company_id, system).token(tenant)

    def save(self, system: str, tenant: str, token: Token) -> None:
        """Keep ``token``, replacing what was saved (refresh tokens rotate)."""
        state = self.store.sync_state(self.company_id, system)
        state.save_token(tenant, token, at=self.clock.now())


def token_store_for(
    plugins: Plugins, store: SqlStore, company_id: str, system: str, tenant: str
) -> TokenStore:
    """The token store of a connection: a plugin's (``arcore_token_store``), else the store's."""
    return plugins.token_store(system, tenant) or StoreTokenStore(store, company_id)
