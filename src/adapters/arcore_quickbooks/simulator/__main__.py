"""``python -m arcore_quickbooks.simulator``: run the QuickBooks Online simulator until Ctrl-C."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from .server import QuickBooksSimulator

DESCRIPTION = """\
A loopback HTTP server of the QuickBooks Online v3 API for the unmodified python-quickbooks and
intuit-oauth clients.

DEVELOPMENT MODE: any client id, client secret and refresh token are accepted on first use, and
any realm id (company id) opens an empty company. Refresh tokens rotate; access tokens expire
after 3600 seconds. Nothing is persisted: stopping the server forgets everything.
"""

EPILOG = """\
Data file: JSON {"<realm id>": {"Customer": [...], "Term": [...], "Invoice": [...],
"CreditMemo": [...], "Payment": [...]}}; objects are created as by the API (Ids may be given).
"""


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser."""
    parser = argparse.ArgumentParser(
        prog="python -m arcore_quickbooks.simulator",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--port", type=int, default=8089, help="TCP port (default 8089; 0: any free port)"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--data", type=Path, help="JSON file of objects to load at start")
    parser.add_argument(
        "--requests-per-minute", type=int, default=500, help="throttle per realm (default 500)"
    )
    parser.add_argument(
        "--max-concurrent", type=int, default=10, help="requests in flight per realm (default 10)"
    )
    parser.add_argument("--quiet", action="store_true", help="do not log requests")
    return parser


def usage(sim: QuickBooksSimulator) -> str:
    """How to point the SDK at a running simulator."""
    return f"""\
QuickBooks Online simulator listening on {sim.url}  (development mode: any credentials)
  discovery URL : {sim.discovery_url}
  API base URL  : {sim.api_url}

Point the SDK at it:
  export OAUTHLIB_INSECURE_TRANSPORT=1     # requests-oauthlib refuses plain http otherwise
  auth = AuthClient("any-id", "any-secret", "http://localhost/callback",
                    environment="{sim.discovery_url}")
  qb = QuickBooks(auth_client=auth, refresh_token="any-token", company_id="1234",
                  minorversion=75)
  qb.api_url_v3 = "{sim.api_url}"
Press Ctrl-C to stop."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the simulator until interrupted; returns the exit status."""
    args = build_parser().parse_args(argv)
    data = None
    if args.data is not None:
        try:
            data = json.loads(args.data.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            print(f"error: cannot read --data {args.data}: {exc}", file=sys.stderr)
            return 2
    try:
        sim = QuickBooksSimulator(
            port=args.port,
            data=data,
            requests_per_minute=args.requests_per_minute,
            max_concurrent=args.max_concurrent,
            host=args.host,
            verbose=not args.quiet,
        )
    except Exception as exc:
        print(f"error: cannot load --data {args.data}: {exc}", file=sys.stderr)
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
