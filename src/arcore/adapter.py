"""The adapter contract: what an accounting-system adapter declares, and what it does.

An adapter (QuickBooks Online, Xero, Sage Intacct, Acumatica, or one you write) registers an
[`AdapterInfo`][arcore.adapter.AdapterInfo] through the
[`arcore_register_adapters`][arcore.plugins.hookspecs.arcore_register_adapters] hook. The sync
engine reads its [`Capabilities`][arcore.adapter.Capabilities] to plan work (which entities to
pull and push, how to page, how fast it may go) and calls its ``factory`` with a
[`Connection`][arcore.adapter.Connection] to get an [`Adapter`][arcore.adapter.Adapter].

What crosses the boundary is a [`Record`][arcore.adapter.Record]: a core document (customer,
invoice, credit memo, payment...) or [`NamedTerms`][arcore.adapter.NamedTerms], in arcore's
own models, whose ids and references are the **vendor's** ids. The adapter maps vendor objects
to records and back (one module per entity, tested both ways); the engine maps vendor ids to
core ids through its mapping table. Vendor errors come out as the
[`VendorError`][arcore.errors.VendorError] subclasses, so the engine knows what to retry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, SecretStr, model_validator

from arcore.documents import CreditMemo, Customer, DebitMemo, Invoice, Payment
from arcore.errors import ValidationError
from arcore.money import Money
from arcore.terms import Terms

__all__ = [
    "Adapter",
    "AdapterInfo",
    "Applied",
    "Capabilities",
    "ChangeNotice",
    "Connection",
    "Entity",
    "IncrementalMethod",
    "NamedTerms",
    "Page",
    "RateLimit",
    "Record",
    "Token",
    "TokenStore",
]

Entity = Literal[
    "customer",
    "term",
    "invoice",
    "debit_memo",
    "credit_memo",
    "payment",
    "refund",
    "customer_deposit",
]
"""The kinds of object an adapter may read or write (``term``: a named credit-terms object)."""

IncrementalMethod = Literal["change_data_capture", "modified_since", "cursor", "none"]
"""How an adapter lists changes since the last sync (``none``: full listing only)."""


class RateLimit(BaseModel):
    """One published limit of a vendor API: ``requests`` per ``per_seconds``.

    >>> RateLimit(requests=60, per_seconds=60, scope="tenant")
    RateLimit(requests=60, per_seconds=60, scope='tenant')
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    requests: PositiveInt
    per_seconds: PositiveInt
    scope: Literal["tenant", "app", "user"] = "tenant"


class Capabilities(BaseModel):
    """What an adapter can do, declared once so the engine never guesses."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    reads: frozenset[Entity] = frozenset()
    """Entities the adapter can list and fetch."""
    writes: frozenset[Entity] = frozenset()
    """Entities the adapter can create and update."""
    voids: frozenset[Entity] = frozenset()
    """Entities the adapter can void (the vendor keeps them, voided)."""
    deletes: frozenset[Entity] = frozenset()
    """Entities the adapter can delete."""
    applies: frozenset[Entity] = frozenset()
    """Sources the adapter can apply to documents with ``apply`` (``payment``, ``credit_memo``)."""
    incremental: IncrementalMethod = "none"
    """How changes since a cursor are listed."""
    webhooks: bool = False
    """Whether the vendor pushes signed change notices."""
    rate_limits: tuple[RateLimit, ...] = ()
    """Every published limit; the engine honours all of them."""
    max_concurrency: PositiveInt = 1
    """Requests in flight at once per connection."""
    page_size: PositiveInt = 100
    """Items per page when listing."""


class AdapterInfo(BaseModel):
    """An installed adapter: its name, version, capabilities and how to create it.

    Attributes:
        name: The short name users type (``arcore sync quickbooks``); lower case.
        title: The accounting system's name for people (``QuickBooks Online``).
        version: The adapter's own version (usually its distribution's).
        capabilities: What it can do.
        factory: Called by the sync engine with a [`Connection`][arcore.adapter.Connection]
            to create a connected [`Adapter`][arcore.adapter.Adapter].
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    version: str
    capabilities: Capabilities = Capabilities()
    factory: Callable[[Connection], Adapter]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class NamedTerms(BaseModel):
    """A vendor's named credit-terms object (QuickBooks ``Term``, Xero payment terms).

    Attributes:
        id: The vendor's id.
        name: Its name in the vendor (``Net 30``, ``2% 10 Net 30``).
        terms: What it means, in arcore's terms.
        active: Whether it may still be used.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    name: str
    terms: Terms
    active: bool = True


class Applied(BaseModel):
    """One application a vendor payment or credit memo carries: to which document, how much.

    Most applications spend the money of the record that lists them. QuickBooks also applies
    a credit memo through a zero-amount ``Payment`` that links both the credit memo and the
    invoice: that payment lists the application with ``source="credit_memo"`` and the credit
    memo's vendor id in ``source_id``, because the credit is the memo's, not the payment's.

    >>> from arcore.money import Money
    >>> Applied(target_id="130", amount=Money("15.00", "USD"),
    ...         source="credit_memo", source_id="148").source_id
    '148'

    Attributes:
        target_id: The vendor id of the invoice (or debit memo) paid.
        target: Its kind.
        amount: How much of the payment (or credit) goes to it.
        source: Whose money it is, when not the listing record's own: a credit memo's.
        source_id: The vendor id of that credit memo (given together with ``source``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    target_id: str
    target: Literal["invoice", "debit_memo"] = "invoice"
    amount: Money
    source: Literal["credit_memo"] | None = None
    source_id: str | None = None

    @model_validator(mode="after")
    def _source_named(self) -> Applied:
        if (self.source is None) != (self.source_id is None):
            raise ValidationError(
                "an application's source and source_id go together",
                hint="Give both (source='credit_memo', source_id=the memo's vendor id) or neither",
                field="source_id",
                value=self.source_id,
            )
        return self


class Record(BaseModel):
    """One object as it crosses the adapter boundary, in arcore's models and the vendor's ids.

    ``document``'s ``id`` and every reference in it (``customer_id``, ``parent_id``) are
    vendor ids; its ``status`` says whether the vendor voided it. A deleted object (or one the
    vendor voided without keeping its content, as QuickBooks does with payments) has
    ``deleted=True`` and no document.

    Payments and credit memos list what they are applied to in ``applications``: all of
    it, because the engine makes the core's applications of that document equal to them.
    ``None`` says the vendor object does not state its applications (a QuickBooks credit memo:
    its applications arrive on other records), so the engine leaves them as they are.

    A record that is not deleted and has no document only carries applications of other
    documents (``Applied.source_id``): QuickBooks' zero-amount payment applying a credit memo.
    The engine applies what it carries and keeps it mapped, but creates no core document.

    In a create, the adapter ignores ``document.id`` (the engine puts its own id there: the
    vendor gives the object its id). A record an adapter returns has ``document.id ==
    external_id``, and its ``company_id`` is the connection's ``company_id`` (the engine sets
    its own when it writes to the core).

    Attributes:
        entity: What kind of object.
        external_id: The vendor's id (``None`` in a create: the vendor gives it).
        version: The vendor's version (QuickBooks ``SyncToken``, an ETag, an update stamp);
            writes send the version they expect, and a stale one is a
            [`StaleVersionError`][arcore.errors.StaleVersionError].
        updated_at: When the vendor last changed it (UTC), if it says.
        deleted: The vendor deleted it, or voided it and no longer states what it was
            (``document`` is then ``None``).
        document: The object, in arcore's model (``None`` when deleted, or for a record
            that only carries applications).
        applications: For payments and credit memos: every document they pay (``None``:
            not stated by this record).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    entity: Entity
    external_id: str | None
    version: str | None = None
    updated_at: datetime | None = None
    deleted: bool = False
    document: Customer | Invoice | DebitMemo | CreditMemo | Payment | NamedTerms | None = None
    applications: tuple[Applied, ...] | None = ()

    @property
    def carrier(self) -> bool:
        """Whether this record only carries applications of other documents (no document)."""
        return not self.deleted and self.document is None


class Page(BaseModel):
    """One page of a listing of changes.

    Attributes:
        records: The changed (or, in a full listing, all) objects of this page.
        cursor: Where the next call continues: pass it back as ``cursor``. When ``more`` is
            false it is the high-water mark to keep for the next incremental sync: listing
            from it returns each object changed since, once, and no object that did not
            change (an opaque string only the adapter reads).
        more: Whether another page follows.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    records: tuple[Record, ...]
    cursor: str | None
    more: bool


class ChangeNotice(BaseModel):
    """A change a vendor announced by webhook: fetch the object to learn what it is now.

    Attributes:
        entity: What kind of object changed.
        external_id: Its vendor id.
        operation: ``create``, ``update``, ``delete``, ``void``, ``merge``... as the vendor says.
        occurred_at: When, per the vendor.
        tenant: The vendor's company (QuickBooks realm id, Xero tenant id).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    entity: Entity
    external_id: str
    operation: str
    occurred_at: datetime | None = None
    tenant: str = ""


class Token(BaseModel):
    """OAuth tokens of one connection. Secrets stay ``SecretStr``: never logged or printed.

    Attributes:
        access_token: The bearer token.
        refresh_token: The token to get the next access token with.
        expires_at: When the access token expires (UTC).
        refresh_expires_at: When the refresh token expires, if the vendor says.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    access_token: SecretStr
    refresh_token: SecretStr
    expires_at: datetime
    refresh_expires_at: datetime | None = None


@runtime_checkable
class TokenStore(Protocol):
    """Where a connection's tokens are kept between runs (refresh tokens rotate: keep the last).

    The ``arcore_token_store`` hook provides one; the default keeps them in the store.
    """

    def load(self, system: str, tenant: str) -> Token | None:
        """The tokens last saved for ``system`` and ``tenant``, if any."""
        ...

    def save(self, system: str, tenant: str, token: Token) -> None:
        """Keep ``token`` (replacing what was saved)."""
        ...


class Connection(BaseModel):
    """What an adapter's ``factory`` is given to connect.

    Attributes:
        system: The adapter's name.
        tenant: The vendor's company id (QuickBooks realm, Xero tenant).
        settings: Plain settings (base URLs, client id, environment, minor version...).
        secrets: Client secrets, webhook verifier tokens: never printed.
        token_store: Where tokens are loaded from and saved to.
        company_id: arcore's company the records are for (their documents' ``company_id``).
        clock: Now, as an aware UTC datetime (token expiry): injectable, like the engine's.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    system: str
    tenant: str
    settings: Mapping[str, str] = Field(default_factory=dict)
    secrets: Mapping[str, SecretStr] = Field(default_factory=dict)
    token_store: TokenStore
    company_id: str = "default"
    clock: Callable[[], datetime] = _utc_now


class Adapter(Protocol):
    """A connected adapter: what the sync engine calls. One connection, one tenant.

    Every write carries an idempotency key the engine stored before the call: the same key
    sent again must not create or change anything twice (QuickBooks ``requestid``, Xero
    ``Idempotency-Key``). Errors are [`VendorError`][arcore.errors.VendorError] subclasses
    with ``system`` set; an operation the vendor does not offer is a
    [`VendorValidationError`][arcore.errors.VendorValidationError]. An adapter whose access
    token expires refreshes it by itself, once, and saves the new tokens through the token
    store; if that fails it raises [`VendorAuthError`][arcore.errors.VendorAuthError] and the
    engine calls [`refresh`][arcore.adapter.Adapter.refresh] once more before giving up.
    """

    @property
    def capabilities(self) -> Capabilities:
        """What this adapter can do (the same as its ``AdapterInfo``)."""
        ...

    def list_changes(self, entity: Entity, *, cursor: str | None, page_size: int) -> Page:
        """One page of ``entity`` changed since ``cursor`` (``None``: everything, a full sync)."""
        ...

    def get(self, entity: Entity, external_id: str) -> Record:
        """The object as it is now (``VendorNotFoundError`` if there is none)."""
        ...

    def create(self, record: Record, *, idempotency_key: str) -> Record:
        """Create ``record`` (its ``external_id`` is ``None``); return it as the vendor keeps it.

        A payment's or credit memo's ``applications`` come with it when every target is
        already in the vendor: make them with the create if the vendor can (a Xero payment
        must pay its invoice), and list in the answer the ones made; any left out are sent
        with [`apply`][arcore.adapter.Adapter.apply] next.
        """
        ...

    def update(self, record: Record, *, idempotency_key: str) -> Record:
        """Replace the object with ``record``, expecting its ``version`` to be current."""
        ...

    def void(self, record: Record, *, idempotency_key: str) -> Record:
        """Void the object (``record`` names it and its expected ``version``)."""
        ...

    def delete(self, record: Record, *, idempotency_key: str) -> None:
        """Delete the object (``record`` names it and its expected ``version``)."""
        ...

    def apply(
        self, record: Record, applications: Sequence[Applied], *, idempotency_key: str
    ) -> Record:
        """Apply a payment or credit memo (``record``) to more documents; return it updated.

        ``applications`` are what to add: the engine sends only what the vendor does not
        have yet (an unapplication is not sent: the engine asks a person to make it).

        When the vendor records the application as an object of its own (QuickBooks applies
        a credit memo through a new zero-amount payment), return that object instead, as a
        carrier record (no document, ``Applied.source_id`` naming ``record``): the engine
        maps it, so pulling it back later changes nothing.
        """
        ...

    def verify_webhook(self, body: bytes, headers: Mapping[str, str]) -> bool:
        """Whether ``body`` carries the vendor's valid signature (compared in constant time)."""
        ...

    def parse_webhook(self, body: bytes) -> list[ChangeNotice]:
        """The changes a verified webhook body announces."""
        ...

    def refresh(self) -> Token:
        """Get a new access token now (and save it through the token store)."""
        ...


AdapterInfo.model_rebuild()  # its factory's type names Connection and Adapter, defined above
