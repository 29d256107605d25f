"""``python -m arcore_xero.simulator``: run the Xero Accounting API simulator until Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from .server import XeroSimulator

DESCRIPTION = """\
A loopback HTTP server of the Xero Accounting API subset arcore uses (Contacts, Invoices,
CreditNotes and their Allocations, Payments, Organisation) and of Xero's identity service (token
endpoint, connections), for the unmodified xero-python client.

DEVELOPMENT MODE: any client id, client secret and refresh token are accepted on first use, and
any xero-tenant-id opens an organisation (empty, or with the examples of Xero's OpenAPI file
given to --seed-examples). Refresh tokens rotate; access tokens expire after 1800 seconds, then
the API answers 401 and the SDK refreshes through the token endpoint. Nothing is persisted:
stopping the server forgets everything.
"""


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser."""
    parser = argparse.ArgumentParser(
        prog="python -m arcore_xero.simulator",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--port", type=int, default=8090, help="TCP port (default 8090; 0: any free port)"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--seed-examples",
        metavar="SPEC",
        type=Path,
        help="open every new tenant with the example contacts, invoices, credit notes and "
        "payments of Xero's OpenAPI file SPEC (xero_accounting.yaml, from XeroAPI/Xero-OpenAPI)",
    )
    parser.add_argument(
        "--base-currency", default="USD", help="BaseCurrency of new organisations (default USD)"
    )
    parser.add_argument(
        "--per-minute", type=int, default=60, help="calls per tenant per minute (default 60)"
    )
    parser.add_argument(
        "--per-day", type=int, default=5000, help="calls per tenant per day (default 5000)"
    )
    parser.add_argument(
        "--concurrent", type=int, default=5, help="calls per tenant in flight (default 5)"
    )
    parser.add_argument(
        "--webhook-key",
        default="simulator-webhook-key",
        help="key webhook deliveries are signed with",
    )
    parser.add_argument("--quiet", action="store_true", help="do not log requests")
    return parser


def usage(sim: XeroSimulator) -> str:
    """How to point the SDK at a running simulator."""
    return f"""\
Xero simulator listening on {sim.url}  (development mode: any credentials, any tenant id)
  Accounting API base URL : {sim.base_url}
  token endpoint          : {sim.token_url}
  connections             : {sim.connections_url}

Point xero-python at it:
  TokenApi.refresh_token_url = "{sim.token_url}"
  accounting = AccountingApi(api_client, base_url="{sim.base_url}")
  identity = IdentityApi(api_client, base_url="{sim.url}")
Press Ctrl-C to stop."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the simulator until interrupted; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        sim = XeroSimulator(
            port=args.port,
            host=args.host,
            base_currency=args.base_currency,
            seed_examples=args.seed_examples,
            per_minute=args.per_minute,
            per_day=args.per_day,
            concurrent=args.concurrent,
            webhook_key=args.webhook_key,
            verbose=not args.quiet,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    stopping = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, request_stop)
    try:
        sim.start()
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    print(usage(sim), flush=True)
    try:
        while not stopping.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
