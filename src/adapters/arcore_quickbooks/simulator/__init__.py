"""A loopback HTTP server of the QuickBooks Online v3 API, for tests and for integrators.

The unmodified python-quickbooks and intuit-oauth clients talk to it::

    import os
    from intuitlib.client import AuthClient
    from quickbooks import QuickBooks
    from arcore_quickbooks.simulator import QuickBooksSimulator

    os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"   # plain http on loopback
    with QuickBooksSimulator() as sim:
        auth = AuthClient("any-id", "any-secret", "http://localhost/cb", sim.discovery_url)
        qb = QuickBooks(auth_client=auth, refresh_token="any-token", company_id="123",
                        minorversion=75)
        qb.api_url_v3 = sim.api_url

Development mode: any client id, secret and refresh token are accepted on first use, and any realm
id opens an empty company. Refresh tokens rotate (the token just used stays valid until the new one
has been used once); access tokens expire after 3600 s of the simulator's clock.

Served: OAuth discovery, token and revoke endpoints; Customer, Term, Invoice, CreditMemo,
Payment (and minimal Item, Account): create, read, full and sparse update with SyncToken checks
(5010), delete, Invoice void, Payment void; the query language (``ORDERBY`` and ``ORDER BY``,
``STARTPOSITION``/``MAXRESULTS``, ``COUNT(*)``); CDC with deletions (30-day window, 1000 objects);
``requestid`` replay; batch; throttling per realm (3001, HTTP 429, ``Retry-After``); and a fault
plan (:class:`Fault`). Run ``python -m arcore_quickbooks.simulator --help`` for the command line.
"""

from .faults import Fault, FaultKind
from .server import QuickBooksSimulator, RequestRecord

__all__ = ["Fault", "FaultKind", "QuickBooksSimulator", "RequestRecord"]
