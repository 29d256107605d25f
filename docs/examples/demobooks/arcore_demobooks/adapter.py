"""The DemoBooks adapter: the object arcore's sync engine calls for one DemoBooks tenant."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlencode

from arcore.adapter import (
    Applied,
    Capabilities,
    ChangeNotice,
    Connection,
    Entity,
    Page,
    RateLimit,
    Record,
    Token,
)
from arcore.errors import VendorValidationError
from arcore_demobooks import customers, invoices, webhooks
from arcore_demobooks.client import DemoBooksClient

CAPABILITIES = Capabilities(
    reads=frozenset({"customer", "invoice"}),
    writes=frozenset({"customer", "invoice"}),
    incremental="modified_since",
    webhooks=True,
    rate_limits=(RateLimit(requests=120, per_seconds=60, scope="tenant"),),
    page_size=100,
)
"""What DemoBooks can do; the plugin registers the same."""


@dataclass(frozen=True)
class Kind:
    """How one entity is kept in DemoBooks: where, and how it maps to and from a record."""

    path: str
    to_record: Callable[[dict[str, Any], str], Record]
    to_vendor: Callable[[Record], dict[str, Any]]


MAPPINGS: Mapping[str, Kind] = {
    "customer": Kind(customers.PATH, customers.to_record, customers.to_vendor),
    "invoice": Kind(invoices.PATH, invoices.to_record, invoices.to_vendor),
}


@dataclass(frozen=True)
class Cursor:
    """Where a listing stands: page ``page`` of the changes after ``since``.

    ``newest`` is the latest change seen so far; the cursor of the last page starts the next
    incremental listing there.
    """

    since: str = ""
    page: int = 1
    newest: str = ""

    @classmethod
    def decode(cls, text: str | None) -> Cursor:
        """The cursor ``encode`` wrote (``None``: the start of a full listing)."""
        return cls(**json.loads(text)) if text else cls()

    def encode(self) -> str:
        """The cursor as the string arcore keeps."""
        return json.dumps(asdict(self))


class DemoBooksAdapter:
    """arcore's adapter for DemoBooks (the [`Adapter`][arcore.adapter.Adapter] protocol).

    Args:
        connection: The tenant, ``settings`` (``base_url``, ``client_id``), ``secrets``
            (``client_secret``, ``webhook_key``) and the token store.
    """

    def __init__(self, connection: Connection) -> None:
        self._client = DemoBooksClient(connection)
        self._company = connection.tenant
        self._webhook_key = connection.secrets["webhook_key"]

    def __repr__(self) -> str:
        return f"DemoBooksAdapter({self._client!r})"

    @property
    def capabilities(self) -> Capabilities:
        """What DemoBooks can do."""
        return CAPABILITIES

    def list_changes(self, entity: Entity, *, cursor: str | None, page_size: int) -> Page:
        """One page of objects changed after ``cursor``, oldest change first."""
        mapping, at = self._mapping(entity), Cursor.decode(cursor)
        query: dict[str, object] = {"page": at.page, "per_page": page_size}
        if at.since:
            query["modified_since"] = at.since
        answer = self._client.call("GET", f"{mapping.path}?{urlencode(query)}")
        items = answer["data"]
        newest = max([at.newest, *(item["modified_at"] for item in items)])
        if answer["has_more"]:
            following = Cursor(at.since, at.page + 1, newest)
        else:
            following = Cursor(since=newest or at.since)
        return Page(
            records=tuple(mapping.to_record(item, self._company) for item in items),
            cursor=following.encode(),
            more=answer["has_more"],
        )

    def get(self, entity: Entity, external_id: str) -> Record:
        """The object as DemoBooks holds it now."""
        mapping = self._mapping(entity)
        return mapping.to_record(
            self._client.call("GET", f"{mapping.path}/{external_id}"), self._company
        )

    def create(self, record: Record, *, idempotency_key: str) -> Record:
        """Create the object; sent again with the same key, DemoBooks answers the first reply."""
        mapping = self._mapping(record.entity)
        created = self._client.call(
            "POST",
            mapping.path,
            body=mapping.to_vendor(record),
            headers={"Idempotency-Key": idempotency_key},
        )
        return mapping.to_record(created, self._company)

    def update(self, record: Record, *, idempotency_key: str) -> Record:
        """Replace the object, if DemoBooks still holds ``record.version``."""
        mapping = self._mapping(record.entity)
        updated = self._client.call(
            "PUT",
            f"{mapping.path}/{record.external_id}",
            body=mapping.to_vendor(record),
            headers={"Idempotency-Key": idempotency_key, "If-Match": record.version or ""},
        )
        return mapping.to_record(updated, self._company)

    def void(self, record: Record, *, idempotency_key: str) -> Record:
        """Void an invoice (DemoBooks voids nothing else)."""
        if record.entity != "invoice":
            raise self._unsupported(f"void a {record.entity}")
        voided = self._client.call(
            "POST",
            f"{invoices.PATH}/{record.external_id}/void",
            headers={"Idempotency-Key": idempotency_key, "If-Match": record.version or ""},
        )
        return invoices.to_record(voided, self._company)

    def delete(self, record: Record, *, idempotency_key: str) -> None:
        """DemoBooks deletes nothing: invoices are voided."""
        raise self._unsupported(f"delete a {record.entity}")

    def apply(
        self, record: Record, applications: Sequence[Applied], *, idempotency_key: str
    ) -> Record:
        """DemoBooks has no payments or credits to apply."""
        raise self._unsupported(f"apply a {record.entity}")

    def verify_webhook(self, body: bytes, headers: Mapping[str, str]) -> bool:
        """Whether ``body`` carries DemoBooks' signature."""
        return webhooks.verify(body, headers, self._webhook_key)

    def parse_webhook(self, body: bytes) -> list[ChangeNotice]:
        """The changes a verified webhook announces."""
        return webhooks.parse(body, self._company)

    def refresh(self) -> Token:
        """New tokens now, saved in the token store."""
        return self._client.refresh()

    def _mapping(self, entity: str) -> Kind:
        if entity not in MAPPINGS:
            raise self._unsupported(f"handle {entity} objects")
        return MAPPINGS[entity]

    def _unsupported(self, what: str) -> VendorValidationError:
        return VendorValidationError(
            f"DemoBooks cannot {what}",
            hint="Check the adapter's capabilities before asking",
            system=self._client.system,
        )
