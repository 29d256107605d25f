"""What the conformance kit needs from the vendor side: the ``VendorHarness`` protocol.

An adapter author implements it over their vendor's simulator (or a sandbox company): it
creates objects behind the adapter's back, counts them, and provokes the failures the adapter
must translate. The kit never talks to the vendor any other way.
"""

from __future__ import annotations

from typing import Literal, Protocol, runtime_checkable

from arcore.adapter import Entity, Record

__all__ = ["FailureKind", "VendorHarness"]

FailureKind = Literal["transient", "disconnect", "not_found", "validation", "auth"]
"""A failure the vendor can be made to produce on the adapter's next request.

- ``transient``: a 5xx (or the vendor's "try again") answer.
- ``disconnect``: the connection drops before any answer.
- ``not_found``: the vendor answers that the object does not exist.
- ``validation``: the vendor refuses the content (a 400 with a message).
- ``auth``: the credentials are revoked: the access token *and* the refresh token stop
  working, so refreshing cannot help.
"""


@runtime_checkable
class VendorHarness(Protocol):
    """Drives the vendor (simulator or sandbox) behind the adapter, for the conformance kit.

    Every method acts on the vendor directly, never through the adapter under test. A method
    the vendor cannot support (a sandbox that cannot be throttled on demand) raises
    ``NotImplementedError``; the kit then skips the tests that need it, saying so.
    """

    def sample(self, entity: Entity, n: int) -> list[Record]:
        """``n`` valid new records of ``entity``, not yet in the vendor, for ``create``.

        ``external_id`` is ``None``; every reference in the document (a customer id, an
        invoice paid) is the vendor id of an object the harness created for the purpose.
        Fill every field the vendor keeps, and use amounts a float cannot hold (eighteen
        significant digits, ``0.1``-style fractions), so a mapping that goes through a float
        fails the round trip.
        """
        ...

    def seed(self, entity: Entity, n: int) -> list[Record]:
        """Create ``n`` objects of ``entity`` directly in the vendor; return them as it keeps them.

        Used by the listing tests, so read-only entities can be tested too.
        """
        ...

    def edit(self, record: Record) -> Record:
        """A copy of ``record`` with a change the vendor accepts (a new name, a memo).

        ``external_id`` and ``version`` are kept: the kit sends the result with ``update``.
        """
        ...

    def change_behind_adapter(self, record: Record) -> Record:
        """Change the object ``record`` names directly in the vendor (bumping its version).

        Returns it as the vendor now keeps it. The kit then expects an update carrying the
        old version to fail with [`StaleVersionError`][arcore.errors.StaleVersionError], and
        an incremental listing to return it.
        """
        ...

    def count(self, entity: Entity) -> int:
        """How many objects of ``entity`` the vendor holds (deleted ones excluded)."""
        ...

    def throttle(self, times: int) -> float | None:  # float-ok: seconds, not money
        """Make the vendor refuse the adapter's next ``times`` requests as rate limited.

        Returns:
            The seconds the vendor will ask to wait (its ``Retry-After``), or ``None`` when
            it does not say. The request after those ``times`` succeeds.
        """
        ...

    def expire_token(self) -> None:
        """Make the current access token stop working (the refresh token still works)."""
        ...

    def fail_next(self, kind: FailureKind) -> None:
        """Make the vendor fail the adapter's next request in the way ``kind`` names."""
        ...

    def webhook(self, valid: bool) -> tuple[bytes, dict[str, str]]:
        """A webhook delivery (body and headers) announcing at least one change.

        Args:
            valid: ``True`` for one signed as the vendor signs (a known vector); ``False`` for
                a forgery of the same shape (signed with another key).
        """
        ...

    def secrets(self) -> set[str]:
        """Every secret the adapter could leak: client secret, webhook key, each token issued.

        The kit checks that none appears in the ``repr`` or ``str`` of what the adapter
        returns or raises.
        """
        ...
