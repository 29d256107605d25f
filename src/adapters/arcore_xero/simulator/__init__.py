"""A loopback HTTP server of the Xero Accounting API subset arcore uses, for tests and integrators.

The unmodified xero-python client talks to it::

    from xero_python.accounting import AccountingApi
    from xero_python.api_client import ApiClient
    from xero_python.api_client.configuration import Configuration
    from xero_python.api_client.oauth2 import OAuth2Token, TokenApi
    from arcore_xero.simulator import XeroSimulator

    with XeroSimulator() as sim:
        TokenApi.refresh_token_url = sim.token_url          # a class attribute in xero-python
        token = {"access_token": "made-up", "refresh_token": "made-up-rt", "expires_at": 0,
                 "expires_in": 1800, "token_type": "Bearer", "scope": ["offline_access"]}
        config = Configuration()   # its arguments are ignored after the first one built
        config.oauth2_token = OAuth2Token(client_id="any", client_secret="any")
        client = ApiClient(config, oauth2_token_getter=lambda: token,
                           oauth2_token_saver=token.update)
        accounting = AccountingApi(client, base_url=sim.base_url)
        accounting.get_contacts("any-tenant-id")   # refreshes the made-up token first

Development mode: any client id, secret and refresh token are accepted on first use, and any
``xero-tenant-id`` opens an organisation (empty, or with the spec's examples). Refresh tokens
rotate (the one used stays valid 30 minutes); access tokens expire after 1800 s of the simulator's
clock and then answer 401 with ``WWW-Authenticate``.

Served: ``POST /connect/token`` (refresh_token, authorization_code, client_credentials),
``/connect/revocation``, ``GET /connections``; ``GET /Organisation``; Contacts (with
``PaymentTerms``), Invoices (``ACCREC``) and CreditNotes (``ACCRECCREDIT``): list, get, create
(PUT), create-or-update (POST), update (POST ``/{id}``); ``PUT /CreditNotes/{id}/Allocations``;
Payments: create (PUT), list, get, reverse (POST ``/{id}`` with ``{"Status": "DELETED"}``).
Lists page (``page``, ``pageSize``), filter (``If-Modified-Since``, ``where``, ``IDs``,
``Statuses``...) and sort (``order``). Writes replay by ``Idempotency-Key``. Rate limits per
tenant (60/min, 5,000/day, 5 in flight) answer 429 with ``Retry-After`` and
``X-Rate-Limit-Problem``; every API answer carries the remaining-limit headers. A fault plan
(:class:`Fault`) injects latency, 500/503, dropped connections, expired tokens and throttling.
Webhook deliveries are signed like Xero's (:mod:`arcore_xero.simulator.webhooks`). Run
``python -m arcore_xero.simulator --help`` for the command line.
"""

from .faults import Fault, FaultKind
from .server import RequestRecord, XeroSimulator
from .webhooks import WebhookDelivery

__all__ = ["Fault", "FaultKind", "RequestRecord", "WebhookDelivery", "XeroSimulator"]
