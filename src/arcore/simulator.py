"""What the vendor simulators share: a threaded HTTP server on loopback, stoppable at once.

A simulator (``arcore_quickbooks.simulator``, ``arcore_xero.simulator``, or one you write for
your own adapter) gives a [`LoopbackServer`][arcore.simulator.LoopbackServer] an object
that answers requests, a [`LoopbackApp`][arcore.simulator.LoopbackApp]; the server
keeps connections alive (HTTP/1.1, as the vendors' SDKs expect), answers each on its own
thread, and on [`close_open_connections`][arcore.simulator.LoopbackServer.close_open_connections]
ends the kept-alive ones, so no handler answers after the simulator stopped. Only the
standard library is used: a simulator ships with its adapter, without test dependencies.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

__all__ = ["Loopback", "LoopbackApp", "LoopbackHandler", "LoopbackServer"]


class LoopbackApp(Protocol):
    """What answers a simulator's requests."""

    verbose: bool
    """Log each request (and unexpected errors) to stderr."""

    def serve_http(self, handler: LoopbackHandler) -> None:
        """Answer the request ``handler`` holds (any method)."""
        ...


class LoopbackServer(ThreadingHTTPServer):
    """A threaded HTTP server that hands every request to ``app``.

    Args:
        address: ``(host, port)``; port 0 picks a free one.
        app: What answers the requests.
        name: The ``Server`` header (``arcore-xero-simulator``).
    """

    daemon_threads = True

    def __init__(self, address: tuple[str, int], app: LoopbackApp, name: str) -> None:
        """Bind ``address`` (nothing is served until ``serve_forever``)."""
        super().__init__(address, LoopbackHandler)
        self.app = app
        self.name = name
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        """Keep track of the connection, then answer it on a thread."""
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        """Forget the connection, then close it."""
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_open_connections(self) -> None:
        """End kept-alive connections, so no handler thread answers after a stop."""
        with self._open_lock:
            sockets = list(self._open)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Say nothing unless verbose: a client hanging up mid-answer is normal here."""
        if self.app.verbose:
            super().handle_error(request, client_address)


class LoopbackHandler(BaseHTTPRequestHandler):
    """One connection's requests, each handed to the server's app."""

    protocol_version = "HTTP/1.1"
    timeout = 120  # idle kept-alive connections end eventually
    server: LoopbackServer

    def version_string(self) -> str:
        """The ``Server`` header: the simulator's name."""
        return self.server.name

    def do_GET(self) -> None:
        """Answer a GET."""
        self.server.app.serve_http(self)

    def do_POST(self) -> None:
        """Answer a POST."""
        self.server.app.serve_http(self)

    def do_PUT(self) -> None:
        """Answer a PUT."""
        self.server.app.serve_http(self)

    def do_DELETE(self) -> None:
        """Answer a DELETE."""
        self.server.app.serve_http(self)

    def log_message(self, format: str, *args: Any) -> None:
        """Log to stderr when the app is verbose."""
        if self.server.app.verbose:
            sys.stderr.write(f"{self.address_string()} - {format % args}\n")


class Loopback:
    """A [`LoopbackServer`][arcore.simulator.LoopbackServer] serving on a background thread.

    Args:
        app: What answers the requests.
        name: The ``Server`` header and the thread's name.
        host: The address to bind (``127.0.0.1``).
        port: The port (0: any free one).
    """

    def __init__(self, app: LoopbackApp, name: str, host: str, port: int) -> None:
        """Prepare to serve ``app``; nothing is bound until ``start``."""
        self.app, self.name, self.host, self.requested_port = app, name, host, port
        self._server: LoopbackServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Bind the port and serve in a background thread.

        Raises:
            RuntimeError: when already started.
            OSError: when the port cannot be bound.
        """
        if self._server is not None:
            raise RuntimeError("the simulator is already running")
        self._server = LoopbackServer((self.host, self.requested_port), self.app, self.name)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=self.name,
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving, end open connections and release the port (idempotent)."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.close_open_connections()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    @property
    def port(self) -> int:
        """The bound port.

        Raises:
            RuntimeError: when the simulator is not running.
        """
        if self._server is None:
            raise RuntimeError("the simulator is not running; call start() or use `with`")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """``http://HOST:PORT``."""
        return f"http://{self.host}:{self.port}"
