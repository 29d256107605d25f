"""The ledger service: every change to the books goes through one of its commands.

A [`Ledger`][arcore.ledger.Ledger] works on one company's books in a store. Each command
(issue, record a payment, apply, unapply, write off, refund, void...) runs in one
transaction, posts balanced entries by the posting rules of
[`arcore.ledger.postings`][arcore.ledger.postings], and carries an actor, a reason and an
idempotency key:

* the same key again returns the first result (``replayed=True``) and changes nothing;
  the same key with a different request is refused (``ConflictError``);
* a command that would break an invariant of domain.md (over-apply a document, refund more
  than a credit holds, post into a closed period...) is refused with a typed error, and
  the store is left exactly as it was.

Guards are checked on the running balance, date by date, of everything a command touches:
an application back-dated before its invoice, or a refund that would leave a payment
overdrawn on some past date, is refused even if today's balance looks fine. That keeps
balances as of any past date reproducible and within bounds (invariants 2, 3 and 6).

>>> import tempfile
>>> from datetime import date
>>> from arcore.documents import Customer, Invoice, InvoiceLine, Payment
>>> from arcore.money import Money
>>> from arcore.store import open_store
>>> store = open_store(f"sqlite:///{tempfile.mkdtemp()}/books.db")
>>> ledger = Ledger(store, "acme")
>>> _ = ledger.open_books("Acme Inc.", actor="ana", idempotency_key="open")
>>> _ = ledger.add_customer(Customer(company_id="acme", id="c-1", name="Globex", currency="USD"),
...     actor="ana", idempotency_key="c-1")
>>> invoice = Invoice(company_id="acme", id="inv-1", customer_id="c-1", currency="USD",
...     number="INV-1", document_date=date(2026, 1, 31), terms="2/10 Net 30",
...     lines=[InvoiceLine(description="Widgets", quantity=10, unit_price=Money("10", "USD"))])
>>> _ = ledger.issue(invoice, actor="ana", idempotency_key="issue:inv-1")
>>> payment = Payment(company_id="acme", id="pay-1", customer_id="c-1", currency="USD",
...     received_date=date(2026, 2, 9), amount=Money("98.00", "USD"), method="check")
>>> _ = ledger.record_payment(payment, actor="ana", idempotency_key="pay:pay-1")
>>> posted = ledger.apply("pay-1", "inv-1", Money("98.00", "USD"), on=date(2026, 2, 9),
...     discount=Money("2.00", "USD"), actor="ana", idempotency_key="apply:pay-1")
>>> ledger.document("inv-1").status.value, ledger.balance("c-1")
('paid', {})
>>> ledger.balance("c-1", as_of=date(2026, 2, 1))
{'USD': Money('100.00', 'USD')}
>>> store.close()
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal, TypeAlias, TypeVar

from pydantic import BaseModel, ConfigDict

from arcore.documents import (
    Application,
    CreditMemo,
    Customer,
    CustomerDeposit,
    DebitMemo,
    Document,
    DocumentBase,
    DocumentStatus,
    Invoice,
    Payment,
    Refund,
    check_tax_exemption,
    transition,
    with_dispute,
)
from arcore.errors import (
    ConflictError,
    CurrencyMismatchError,
    IllegalTransitionError,
    InvalidAmountError,
    NotFoundError,
    TermsError,
    ValidationError,
)
from arcore.ledger.accounts import AccountRole, ChartOfAccounts
from arcore.ledger.journal import JournalEntry, reversal
from arcore.ledger.postings import (
    EntryMeta,
    application_entry,
    bad_debt_entry,
    bank_fee_entry,
    credit_memo_entry,
    customer_deposit_entry,
    debit_memo_entry,
    deposit_verified_entry,
    invoice_entry,
    payment_entry,
    recovery_entry,
    refund_entry,
    write_off_entry,
)
from arcore.ledger.repository import AppliedRecord, Books, LedgerSession, LedgerStore, OpenItem
from arcore.money import Money
from arcore.terms import discount_available

__all__ = ["Clock", "Ledger", "Posted"]

Clock: TypeAlias = Callable[[], datetime]
"""Where the ledger reads the time a command is recorded (inject a fixed one in tests)."""

_R = AccountRole
_S = DocumentStatus
Receivable: TypeAlias = Invoice | DebitMemo | CreditMemo
Receipt: TypeAlias = Payment | CustomerDeposit
_Doc = TypeVar("_Doc", bound=DocumentBase)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex}"


class Posted(BaseModel):
    """What a command did: the entries it posted and the record it created or changed.

    Attributes:
        command: The command's name (``issue``, ``apply``...).
        idempotency_key: The key it ran under.
        entries: The journal entries it posted, in order (none for master-data commands).
        document: The document it issued, recorded or changed, as stored after the command.
        applications: The applications it created.
        customer: The customer it added or changed.
        replayed: ``True`` when the key had been used before and this is the first result,
            returned again without changing anything.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    command: str
    idempotency_key: str
    entries: tuple[JournalEntry, ...] = ()
    document: Document | None = None
    applications: tuple[Application, ...] = ()
    customer: Customer | None = None
    replayed: bool = False


@dataclass
class _Work:
    """One command in progress: its session, books, who and why, and what it posted."""

    session: LedgerSession
    books: Books
    command: str
    actor: str
    reason: str
    key: str
    entries: list[JournalEntry] = field(default_factory=list)

    @property
    def chart(self) -> ChartOfAccounts:
        return self.books.chart

    def meta(self, on: date | None) -> EntryMeta:
        return EntryMeta(
            entry_id=_new_id("je"),
            entry_date=on,
            actor=self.actor,
            reason=self.reason,
            idempotency_key=self.key,
        )

    def result(self, **what: Any) -> Posted:
        """The command's :class:`Posted` result: its name and key, and ``what`` it did."""
        return Posted(command=self.command, idempotency_key=self.key, **what)

    def post(self, entry: JournalEntry) -> JournalEntry:
        closed = self.books.closed_through
        if closed is not None and entry.entry_date <= closed:
            raise ConflictError(
                f"the books of {self.books.company_id} are closed through {closed}; "
                f"cannot post a {entry.kind.value} entry dated {entry.entry_date}",
                hint=f"Date it after {closed}: a correction goes in the open period",
                field="entry_date",
                value=entry.entry_date,
            )
        self.session.insert_entries([entry])
        self.entries.append(entry)
        return entry


def _digest(command: str, request: dict[str, Any]) -> str:
    def plain(value: object) -> object:
        if isinstance(value, BaseModel):
            return value.model_dump(mode="json")
        return str(value)

    text = json.dumps({"command": command, **request}, sort_keys=True, default=plain)
    return hashlib.sha256(text.encode()).hexdigest()


def _missing(what: str, identifier: str, hint: str) -> NotFoundError:
    return NotFoundError(f"no {what} {identifier!r}", hint=hint, field=what, value=identifier)


class Ledger:
    """One company's AR ledger in a store; see the module documentation.

    Args:
        store: Where the books live (an [`open_store`][arcore.store.open_store] result).
        company_id: Whose books; every command and query stays inside them.
        clock: When commands are recorded (UTC now by default).
    """

    def __init__(self, store: LedgerStore, company_id: str, *, clock: Clock = _utc_now) -> None:
        """Work on ``company_id``'s books in ``store``."""
        self.store = store
        self.company_id = company_id
        self.clock = clock

    # --- running commands --------------------------------------------------------------------

    def _run(
        self,
        command: str,
        request: dict[str, Any],
        body: Callable[[_Work], Posted],
        *,
        actor: str,
        reason: str,
        idempotency_key: str,
        needs_books: bool = True,
    ) -> Posted:
        if not actor.strip():
            raise ValidationError(
                "a command needs an actor", hint="Say who asks for it", field="actor", value=actor
            )
        if not idempotency_key.strip():
            raise ValidationError(
                "a command needs an idempotency key",
                hint="Give each command a key that a retry repeats, e.g. 'apply:PAY-1:INV-7'",
                field="idempotency_key",
                value=idempotency_key,
            )
        digest = _digest(command, request)
        with self.store.session(self.company_id) as session:
            stored = session.command(idempotency_key)
            if stored is not None:
                if (stored.command, stored.digest) != (command, digest):
                    raise ConflictError(
                        f"idempotency key {idempotency_key!r} was used for another request "
                        f"({stored.command})",
                        hint="Use a new key for a new request; repeat a key only to retry",
                        field="idempotency_key",
                        value=idempotency_key,
                    )
                return Posted.model_validate_json(stored.result).model_copy(
                    update={"replayed": True}
                )
            books = session.books()
            if books is None:
                if needs_books:
                    raise _missing(
                        "company",
                        self.company_id,
                        "Open the company's books first with Ledger.open_books",
                    )
                books = Books(company_id=self.company_id, name=self.company_id)
            work = _Work(session, books, command, actor, reason, idempotency_key)
            posted = body(work)
            session.insert_command(
                idempotency_key,
                command,
                digest,
                actor=actor,
                reason=reason,
                recorded_at=self.clock(),
                result=posted.model_dump_json(),
            )
            return posted

    # --- master data ---------------------------------------------------------------------------

    def open_books(
        self,
        name: str,
        *,
        chart: ChartOfAccounts | None = None,
        actor: str,
        idempotency_key: str,
        reason: str = "",
    ) -> Posted:
        """Open the company's books with its chart of accounts (once).

        Raises:
            ConflictError: the books are already open.
        """
        books = Books(company_id=self.company_id, name=name, chart=chart or ChartOfAccounts())

        def body(work: _Work) -> Posted:
            if work.session.books() is not None:
                raise ConflictError(
                    f"the books of {self.company_id} are already open",
                    hint="Open them once; use a new company id for a new set of books",
                    field="company_id",
                    value=self.company_id,
                )
            work.session.insert_books(books)
            return work.result()

        return self._run(
            "open_books",
            {"books": books},
            body,
            actor=actor,
            reason=reason or f"open the books of {name}",
            idempotency_key=idempotency_key,
            needs_books=False,
        )

    def add_customer(
        self, customer: Customer, *, actor: str, idempotency_key: str, reason: str = ""
    ) -> Posted:
        """Add a customer, or replace its master data (name, terms, limit, contacts...).

        Raises:
            ValidationError: the customer belongs to another company, or names itself or an
                unknown customer as its parent.
        """
        self._own(customer.company_id, "customer", customer.id)

        def body(work: _Work) -> Posted:
            if customer.parent_id is not None and (
                customer.parent_id == customer.id
                or work.session.customer(customer.parent_id) is None
            ):
                raise ValidationError(
                    f"customer {customer.id} names {customer.parent_id!r} as its parent, "
                    "which is not another known customer",
                    hint="Add the parent first",
                    field="parent_id",
                    value=customer.parent_id,
                )
            work.session.put_customer(customer)
            return work.result(customer=customer)

        return self._run(
            "add_customer",
            {"customer": customer},
            body,
            actor=actor,
            reason=reason or f"customer {customer.id}",
            idempotency_key=idempotency_key,
        )

    # --- documents -----------------------------------------------------------------------------

    def issue(
        self, document: Receivable, *, actor: str, idempotency_key: str, reason: str = ""
    ) -> Posted:
        """Issue an invoice, debit memo or credit memo: store it and post its entry.

        A draft or approved document moves to ``issued``; one already ``issued`` (read from
        another system) is taken as it is.

        Raises:
            NotFoundError: unknown customer.
            ValidationError: tax charged to an exempt customer, another company's document,
                or a credit memo correcting an unknown invoice.
            ConflictError: the id or the number is already used.
            IllegalTransitionError: the document is void, settled or written off.
        """
        self._own(document.company_id, document.kind, document.id)
        issued = _to_issued(document)

        def body(work: _Work) -> Posted:
            customer = work.session.customer(document.customer_id)
            if customer is None:
                raise _missing("customer", document.customer_id, "Add the customer first")
            check_tax_exemption(issued, customer)
            self._new_document(work, issued)
            if isinstance(issued, CreditMemo) and issued.corrects is not None:
                corrected = work.session.document(issued.corrects)
                if not isinstance(corrected, Invoice | DebitMemo) or (
                    corrected.customer_id != issued.customer_id
                ):
                    raise ValidationError(
                        f"credit memo {issued.number} corrects {issued.corrects!r}, which is "
                        f"not an invoice or debit memo of customer {issued.customer_id}",
                        hint="Point it at the customer's document it corrects",
                        field="corrects",
                        value=issued.corrects,
                    )
            rule = {
                "invoice": invoice_entry,
                "debit_memo": debit_memo_entry,
                "credit_memo": credit_memo_entry,
            }[issued.kind]
            entry = work.post(rule(issued, work.chart, work.meta(None)))  # type: ignore[operator]
            work.session.insert_document(issued, entry_id=entry.id)
            return work.result(entries=(entry,), document=issued)

        return self._run(
            "issue",
            {"document": document},
            body,
            actor=actor,
            reason=reason or f"issue {document.kind.replace('_', ' ')} {document.number}",
            idempotency_key=idempotency_key,
        )

    def record_payment(
        self, payment: Payment, *, actor: str, idempotency_key: str, reason: str = ""
    ) -> Posted:
        """Record money received: Dr undeposited funds / Cr unapplied cash, until applied.

        Raises:
            ValidationError: another company's payment.
            NotFoundError: an unknown customer.
            ConflictError: the id is already used.
        """
        return self._receive(payment, payment_entry, actor, idempotency_key, reason)

    def receive_deposit(
        self, deposit: CustomerDeposit, *, actor: str, idempotency_key: str, reason: str = ""
    ) -> Posted:
        """Record a prepayment: Dr undeposited funds / Cr customer deposits, until applied.

        Raises:
            ValidationError: another company's deposit.
            NotFoundError: an unknown customer.
            ConflictError: the id is already used.
        """
        return self._receive(deposit, customer_deposit_entry, actor, idempotency_key, reason)

    def _receive(
        self,
        receipt: Receipt,
        rule: Callable[[Any, ChartOfAccounts, EntryMeta], JournalEntry],
        actor: str,
        idempotency_key: str,
        reason: str,
    ) -> Posted:
        self._own(receipt.company_id, receipt.kind, receipt.id)
        recorded = _to_issued(receipt)

        def body(work: _Work) -> Posted:
            if (
                recorded.customer_id is not None
                and work.session.customer(recorded.customer_id) is None
            ):
                raise _missing("customer", recorded.customer_id, "Add the customer first")
            self._new_document(work, recorded)
            entry = work.post(rule(recorded, work.chart, work.meta(None)))
            work.session.insert_document(recorded, entry_id=entry.id)
            return work.result(entries=(entry,), document=recorded)

        return self._run(
            receipt.kind,
            {"receipt": receipt},
            body,
            actor=actor,
            reason=reason or f"{receipt.kind.replace('_', ' ')} {receipt.id} received",
            idempotency_key=idempotency_key,
        )

    # --- applications --------------------------------------------------------------------------

    def apply(
        self,
        source_id: str,
        target_id: str,
        amount: Money,
        *,
        on: date,
        discount: Money | None = None,
        write_off: Money | None = None,
        application_id: str | None = None,
        actor: str,
        idempotency_key: str,
        reason: str = "",
    ) -> Posted:
        """Apply a payment, credit memo or customer deposit to an invoice or debit memo.

        ``amount`` comes out of the source; the target's open balance falls by ``amount +
        discount + write_off``. A discount must be earned: the source is a payment received
        within the target's discount window, and the discount is at most what the terms give
        (less discounts already taken).

        Raises:
            NotFoundError: unknown source or target.
            ValidationError: wrong kinds, another customer's documents, dated before either
                document, or an unearned discount.
            InvalidAmountError: more than the source holds or the target owes, on any date.
            CurrencyMismatchError: the documents are in different currencies.
        """
        application = Application(
            company_id=self.company_id,
            id=application_id or _new_id("app"),
            source_id=source_id,
            target_id=target_id,
            applied_date=on,
            amount=amount,
            discount=discount if discount is not None else Money.zero(amount.currency),
            write_off=write_off if write_off is not None else Money.zero(amount.currency),
        )

        def body(work: _Work) -> Posted:
            entry = self._apply(work, application)
            return work.result(
                entries=(entry,),
                applications=(application,),
            )

        request = {"application": application.model_copy(update={"id": application_id or ""})}
        return self._run(
            "apply",
            request,
            body,
            actor=actor,
            reason=reason or f"apply {source_id} to {target_id}",
            idempotency_key=idempotency_key,
        )

    def take_discount(
        self,
        source_id: str,
        target_id: str,
        discount: Money,
        *,
        on: date,
        actor: str,
        idempotency_key: str,
        reason: str = "",
    ) -> Posted:
        """Take an earned early-payment discount on a target, without applying more cash.

        For the case where the payment was applied at its net amount first. The discount is
        validated against the target's terms and the payment's received date, as in
        :meth:`apply`.
        """
        return self.apply(
            source_id,
            target_id,
            Money.zero(discount.currency),
            on=on,
            discount=discount,
            actor=actor,
            idempotency_key=idempotency_key,
            reason=reason or f"discount on {target_id} earned by {source_id}",
        )

    def unapply(
        self,
        application_id: str,
        *,
        on: date,
        reapply_to: str | None = None,
        actor: str,
        idempotency_key: str,
        reason: str = "",
    ) -> Posted:
        """Undo an application with a reversal entry dated ``on``; optionally reapply.

        Correcting a misapplied payment: with ``reapply_to`` the same amount is applied to
        that document in the same transaction. Both entries stay in the journal.

        Raises:
            NotFoundError: unknown application.
            ConflictError: the application was already unapplied.
        """

        def body(work: _Work) -> Posted:
            record = work.session.application(application_id)
            if record is None:
                raise _missing("application", application_id, "List them with applications()")
            if record.reversal_entry_id is not None:
                raise ConflictError(
                    f"application {application_id} was already unapplied "
                    f"(entry {record.reversal_entry_id})",
                    hint="Nothing to do; apply again if it was unapplied by mistake",
                    field="application_id",
                    value=application_id,
                )
            original = work.session.entry(record.entry_id)
            assert original is not None  # written in the same transaction as the record
            meta = work.meta(on)
            undo = work.post(
                reversal(
                    original,
                    id=meta.entry_id,
                    entry_date=on,
                    actor=work.actor,
                    reason=work.reason,
                    idempotency_key=work.key,
                )
            )
            work.session.mark_unapplied(application_id, reversal_entry_id=undo.id)
            old = record.application
            self._check_and_settle(work, self._document(work, old.source_id), closing="paid")
            self._check_and_settle(work, self._document(work, old.target_id), closing="paid")
            created: tuple[Application, ...] = ()
            if reapply_to is not None:
                again = Application(
                    company_id=self.company_id,
                    id=_new_id("app"),
                    source_id=old.source_id,
                    target_id=reapply_to,
                    applied_date=on,
                    amount=old.amount,
                )
                self._apply(work, again)
                created = (again,)
            return work.result(
                entries=tuple(work.entries),
                applications=created,
            )

        return self._run(
            "unapply",
            {"application_id": application_id, "on": on, "reapply_to": reapply_to},
            body,
            actor=actor,
            reason=reason or f"unapply {application_id}",
            idempotency_key=idempotency_key,
        )

    def _apply(self, work: _Work, application: Application) -> JournalEntry:
        source = self._document(work, application.source_id)
        target = self._document(work, application.target_id)
        if not isinstance(source, Payment | CreditMemo | CustomerDeposit):
            raise ValidationError(
                f"{source.kind.replace('_', ' ')} {source.id} cannot be applied",
                hint="Apply a payment, a credit memo or a customer deposit",
                field="source_id",
                value=source.id,
            )
        if not isinstance(target, Invoice | DebitMemo):
            raise ValidationError(
                f"{target.kind.replace('_', ' ')} {target.id} cannot be settled by an application",
                hint="Apply to an invoice or a debit memo",
                field="target_id",
                value=target.id,
            )
        for document in (source, target):
            if document.status is _S.VOID:
                raise IllegalTransitionError(
                    f"{document.kind.replace('_', ' ')} {document.id} is void",
                    hint="A void document takes no applications",
                    field="status",
                    value=document.status.value,
                )
            if document.currency != application.currency:
                raise CurrencyMismatchError(
                    f"{document.kind.replace('_', ' ')} {document.id} is in "
                    f"{document.currency}, the application in {application.currency}",
                    hint="Apply only between documents of one currency",
                    field="currency",
                    value=application.currency,
                )
        self._check_payer(work, source, target)
        for document, dated in ((source, _dated(source)), (target, target.document_date)):
            if application.applied_date < dated:
                raise ValidationError(
                    f"an application dated {application.applied_date} precedes "
                    f"{document.kind.replace('_', ' ')} {document.id} ({dated})",
                    hint=f"Date it on or after {dated}",
                    field="applied_date",
                    value=application.applied_date,
                )
        if application.discount:
            self._check_discount(work, source, target, application)
        kind: Literal["payment", "credit_memo", "customer_deposit"] = source.kind
        entry = work.post(
            application_entry(
                application,
                work.chart,
                work.meta(None),
                source_kind=kind,
                customer_id=target.customer_id,
                payer_id=source.customer_id,
            )
        )
        work.session.insert_application(application, entry_id=entry.id)
        self._check_and_settle(work, source, closing="paid")
        self._check_and_settle(work, target, closing="paid")
        return entry

    def _check_payer(self, work: _Work, source: Receipt | CreditMemo, target: Receivable) -> None:
        payer = source.customer_id
        if payer is None or payer == target.customer_id:
            return
        customer = work.session.customer(target.customer_id)
        if isinstance(source, Payment) and customer is not None and customer.parent_id == payer:
            return  # a parent paying its subsidiary's invoice
        raise ValidationError(
            f"{source.kind.replace('_', ' ')} {source.id} is customer {payer}'s; "
            f"{target.kind.replace('_', ' ')} {target.id} is customer {target.customer_id}'s",
            hint="Apply a customer's money to its own documents (or a parent's payment to "
            "its subsidiaries')",
            field="target_id",
            value=target.id,
        )

    def _check_discount(
        self,
        work: _Work,
        source: Receipt | CreditMemo,
        target: Invoice | DebitMemo,
        application: Application,
    ) -> None:
        if not isinstance(source, Payment):
            raise ValidationError(
                f"a discount is earned by paying early, not by a {source.kind.replace('_', ' ')}",
                hint="Take the discount with the payment that earned it",
                field="discount",
                value=application.discount,
            )
        tax = target.tax_total if isinstance(target, Invoice) else None
        earned = discount_available(
            target.terms, target.document_date, target.total, source.received_date, tax=tax
        )
        taken = sum(
            (
                record.application.discount
                for record in work.session.applications(target_id=target.id)
                if record.reversal_entry_id is None and record.application.id != application.id
            ),
            Money.zero(target.currency),
        )
        if application.discount > earned - taken:
            raise TermsError(
                f"a discount of {application.discount} on {target.id} is not earned: terms "
                f"{target.terms} give {earned} for a payment received "
                f"{source.received_date}, and {taken} was already taken",
                hint="Apply the payment without the discount, and write off or bill the rest",
                field="discount",
                value=application.discount,
            )

    # --- write-offs ----------------------------------------------------------------------------

    def write_off(
        self,
        document_id: str,
        amount: Money | None = None,
        *,
        on: date,
        bad_debt: bool = False,
        actor: str,
        idempotency_key: str,
        reason: str = "",
    ) -> Posted:
        """Write off what is left of an invoice or debit memo (or ``amount`` of it).

        A small balance or short pay goes to write-off expense; ``bad_debt=True`` charges
        the allowance for doubtful accounts instead (allowance method).

        Raises:
            InvalidAmountError: more than is open on any date from ``on``.
        """

        def body(work: _Work) -> Posted:
            document = self._receivable(work, document_id)
            left = amount if amount is not None else self._open(work, document)
            rule = bad_debt_entry if bad_debt else write_off_entry
            entry = work.post(
                rule(
                    document.customer_id,
                    document.id,
                    left,
                    work.chart,
                    work.meta(on),
                    company_id=self.company_id,
                )
            )
            settled = self._check_and_settle(work, document, closing="written_off")
            return work.result(entries=(entry,), document=settled)

        return self._run(
            "write_off",
            {"document_id": document_id, "amount": amount, "on": on, "bad_debt": bad_debt},
            body,
            actor=actor,
            reason=reason or f"write off {document_id}",
            idempotency_key=idempotency_key,
        )

    def recover(
        self,
        document_id: str,
        amount: Money,
        *,
        on: date,
        actor: str,
        idempotency_key: str,
        reason: str = "",
    ) -> Posted:
        """Reinstate part of a bad debt written off (Dr AR / Cr allowance), to be paid again.

        Raises:
            InvalidAmountError: more than was written off as bad debt (net of recoveries).
        """

        def body(work: _Work) -> Posted:
            document = self._receivable(work, document_id)
            entry = work.post(
                recovery_entry(
                    document.customer_id,
                    document.id,
                    amount,
                    work.chart,
                    work.meta(on),
                    company_id=self.company_id,
                )
            )
            settled = self._check_and_settle(work, document, closing="paid")
            return work.result(entries=(entry,), document=settled)

        return self._run(
            "recover",
            {"document_id": document_id, "amount": amount, "on": on},
            body,
            actor=actor,
            reason=reason or f"recover bad debt on {document_id}",
            idempotency_key=idempotency_key,
        )

    # --- refunds, voids, deposits ------------------------------------------------------------

    def refund(
        self, refund: Refund, *, actor: str, idempotency_key: str, reason: str = ""
    ) -> Posted:
        """Pay back a credit: a payment's unapplied remainder, a deposit or a credit memo.

        Raises:
            NotFoundError: the credit refunded is unknown.
            ValidationError: it is another customer's, or not a credit.
            InvalidAmountError: more than the credit holds on any date from the refund's.
        """
        self._own(refund.company_id, "refund", refund.id)
        issued = _to_issued(refund)

        def body(work: _Work) -> Posted:
            credit = self._document(work, refund.refunds)
            role = {
                "payment": _R.UNAPPLIED_CASH,
                "customer_deposit": _R.CUSTOMER_DEPOSITS,
                "credit_memo": _R.AR_CONTROL,
            }.get(credit.kind)
            if role is None or credit.status is _S.VOID:
                raise ValidationError(
                    f"{credit.kind.replace('_', ' ')} {credit.id} holds no credit to refund",
                    hint="Refund a payment's unapplied remainder, a deposit or a credit memo",
                    field="refunds",
                    value=credit.id,
                )
            if getattr(credit, "customer_id", None) not in (None, refund.customer_id):
                raise ValidationError(
                    f"{credit.id} is not customer {refund.customer_id}'s",
                    hint="Refund a customer only its own credit",
                    field="customer_id",
                    value=refund.customer_id,
                )
            if credit.currency != refund.currency:
                raise CurrencyMismatchError(
                    f"{credit.id} is in {credit.currency}, the refund in {refund.currency}",
                    hint="Refund in the currency of the credit",
                    field="currency",
                    value=refund.currency,
                )
            self._new_document(work, issued)
            entry = work.post(
                refund_entry(issued, work.chart, work.meta(None), from_account_role=role)
            )
            work.session.insert_document(issued, entry_id=entry.id)
            self._check_and_settle(work, credit, closing="paid")
            return work.result(entries=(entry,), document=issued)

        return self._run(
            "refund",
            {"refund": refund},
            body,
            actor=actor,
            reason=reason or f"refund {refund.refunds}",
            idempotency_key=idempotency_key,
        )

    def void(
        self, document_id: str, *, on: date, actor: str, idempotency_key: str, reason: str = ""
    ) -> Posted:
        """Void an issued document with a reversal entry dated ``on``.

        Raises:
            IllegalTransitionError: something was applied to, from or against it (unapply
                first), or it is already void.
            ConflictError: a receipt already verified against the bank statement.
        """

        def body(work: _Work) -> Posted:
            document = self._document(work, document_id)
            voided = transition(document, _S.VOID)
            if (
                isinstance(document, Payment | CustomerDeposit)
                and self._undeposited(work, document) != document.amount
            ):
                raise ConflictError(
                    f"{document.kind.replace('_', ' ')} {document.id} was verified "
                    "against the bank statement",
                    hint="Record the returned item as a debit memo instead of voiding",
                    field="document_id",
                    value=document.id,
                )
            entry_id = work.session.document_entry_id(document.id)
            original = None if entry_id is None else work.session.entry(entry_id)
            if original is None:
                raise _missing("entry of", document.id, "The document was never posted")
            meta = work.meta(on)
            undo = work.post(
                reversal(
                    original,
                    id=meta.entry_id,
                    entry_date=on,
                    actor=work.actor,
                    reason=work.reason,
                    idempotency_key=work.key,
                )
            )
            # Void dated before an unapplied application's reversal would leave the
            # document overdrawn on the days between: check every date.
            self._checked_left(work, document)
            work.session.set_status(document.id, _S.VOID, document.disputed)
            if isinstance(document, Refund):
                self._check_and_settle(work, self._document(work, document.refunds), closing="paid")
            return work.result(entries=(undo,), document=voided)

        return self._run(
            "void",
            {"document_id": document_id, "on": on},
            body,
            actor=actor,
            reason=reason or f"void {document_id}",
            idempotency_key=idempotency_key,
        )

    def verify_deposit(
        self,
        receipt_ids: Iterable[str],
        *,
        on: date,
        bank_reference: str = "",
        fee: Money | None = None,
        actor: str,
        idempotency_key: str,
        reason: str = "",
    ) -> Posted:
        """Mark receipts seen on the bank statement: Dr bank / Cr undeposited funds, each.

        A card settlement arrives net of the processor's fee: ``fee`` is then posted too
        (Dr bank fees / Cr bank), so the bank account moves by the net amount credited.

        Raises:
            NotFoundError: an unknown receipt.
            ConflictError: a receipt already verified, or void.
            InvalidAmountError: a fee that is not positive.
        """
        ids = tuple(dict.fromkeys(receipt_ids))

        def body(work: _Work) -> Posted:
            for receipt_id in ids:
                receipt = self._document(work, receipt_id)
                if not isinstance(receipt, Payment | CustomerDeposit) or receipt.status is _S.VOID:
                    raise ConflictError(
                        f"{receipt.kind.replace('_', ' ')} {receipt.id} is not a live receipt",
                        hint="Verify payments and customer deposits that are not void",
                        field="receipt_ids",
                        value=receipt.id,
                    )
                if self._undeposited(work, receipt) != receipt.amount:
                    raise ConflictError(
                        f"{receipt.kind.replace('_', ' ')} {receipt.id} was already verified "
                        "against the bank statement",
                        hint="Verify each receipt once; leave it out of this deposit",
                        field="receipt_ids",
                        value=receipt.id,
                    )
                work.post(
                    deposit_verified_entry(
                        receipt.amount,
                        work.chart,
                        work.meta(on),
                        company_id=self.company_id,
                        customer_id=receipt.customer_id,
                        source_id=receipt.id,
                    )
                )
                self._check_bounds(
                    work,
                    _R.UNDEPOSITED_FUNDS,
                    receipt.id,
                    low=Money.zero(receipt.currency),
                    high=receipt.amount,
                    source=True,
                    what="already verified",
                )
            if fee is not None:
                work.post(
                    bank_fee_entry(fee, work.chart, work.meta(on), company_id=self.company_id)
                )
            return work.result(entries=tuple(work.entries))

        return self._run(
            "verify_deposit",
            {"receipt_ids": list(ids), "on": on, "bank_reference": bank_reference, "fee": fee},
            body,
            actor=actor,
            reason=reason or f"deposit {bank_reference or ', '.join(ids)} seen at the bank",
            idempotency_key=idempotency_key,
        )

    def set_dispute(
        self,
        document_id: str,
        disputed: bool,
        *,
        actor: str,
        idempotency_key: str,
        reason: str = "",
    ) -> Posted:
        """Put a document in dispute or clear its dispute (no entry; the balance stays).

        Raises:
            ConflictError: the document cannot be disputed in its status.
        """

        def body(work: _Work) -> Posted:
            changed = with_dispute(self._document(work, document_id), disputed)
            work.session.set_status(changed.id, changed.status, changed.disputed)
            return work.result(document=changed)

        return self._run(
            "set_dispute",
            {"document_id": document_id, "disputed": disputed},
            body,
            actor=actor,
            reason=reason or f"{'dispute' if disputed else 'clear the dispute on'} {document_id}",
            idempotency_key=idempotency_key,
        )

    def close_period(
        self, through: date, *, actor: str, idempotency_key: str, reason: str = ""
    ) -> Posted:
        """Close the books through ``through``: no posting may be dated on or before it.

        What is open at the end of ``through`` is kept with the close, so an aging as of a
        later date reads only the postings since (close monthly, and an aging reads at most
        a month of postings).

        Raises:
            ConflictError: the books are already closed through a later date.
        """

        def body(work: _Work) -> Posted:
            closed = work.books.closed_through
            if closed is not None and through < closed:
                raise ConflictError(
                    f"the books are closed through {closed}, after {through}",
                    hint="Periods close forward only",
                    field="through",
                    value=through,
                )
            work.session.set_closed_through(through)
            work.session.record_close(
                through,
                receivable_account=work.chart.code(_R.AR_CONTROL),
                receipt_accounts=(
                    work.chart.code(_R.UNAPPLIED_CASH),
                    work.chart.code(_R.CUSTOMER_DEPOSITS),
                ),
            )
            return work.result()

        return self._run(
            "close_period",
            {"through": through},
            body,
            actor=actor,
            reason=reason or f"close the period through {through}",
            idempotency_key=idempotency_key,
        )

    # --- queries -------------------------------------------------------------------------------

    def books(self) -> Books:
        """The company's books (chart of accounts, closed-through date).

        Raises:
            NotFoundError: the books were never opened.
        """
        with self.store.session(self.company_id, write=False) as session:
            books = session.books()
        if books is None:
            raise _missing("company", self.company_id, "Open the books with Ledger.open_books")
        return books

    def customer(self, customer_id: str) -> Customer:
        """A customer by id (``NotFoundError`` if unknown)."""
        with self.store.session(self.company_id, write=False) as session:
            customer = session.customer(customer_id)
        if customer is None:
            raise _missing("customer", customer_id, "Check the id, or add the customer")
        return customer

    def customers(self) -> list[Customer]:
        """Every customer, by id."""
        with self.store.session(self.company_id, write=False) as session:
            return session.customers()

    def document(self, document_id: str) -> Document:
        """A document by id, with its current status (``NotFoundError`` if unknown)."""
        with self.store.session(self.company_id, write=False) as session:
            document = session.document(document_id)
        if document is None:
            raise _missing("document", document_id, "Check the id")
        return document

    def documents(self, document_ids: Sequence[str]) -> dict[str, Document]:
        """Documents by id, read together (unknown ids are left out)."""
        with self.store.session(self.company_id, write=False) as session:
            return session.documents(document_ids)

    def applications(self, document_id: str) -> list[AppliedRecord]:
        """Every application from or to a document, unapplied ones included, oldest first."""
        with self.store.session(self.company_id, write=False) as session:
            records = session.applications(source_id=document_id)
            records += session.applications(target_id=document_id)
        return sorted(records, key=lambda r: (r.application.applied_date, r.application.id))

    def open_items(
        self, *, customer_id: str | None = None, as_of: date | None = None
    ) -> list[OpenItem]:
        """Documents with something open as of ``as_of`` (all entries when ``None``).

        Invoices and debit memos count positive; credit memos, unapplied payments and
        deposits negative. Only entries dated on or before ``as_of`` count, whatever was
        posted since.
        """
        chart = self.books().chart
        with self.store.session(self.company_id, write=False) as session:
            return list(
                session.open_items(
                    as_of=as_of,
                    customer_id=customer_id,
                    receivable_account=chart.code(_R.AR_CONTROL),
                    receipt_accounts=(
                        chart.code(_R.UNAPPLIED_CASH),
                        chart.code(_R.CUSTOMER_DEPOSITS),
                    ),
                )
            )

    def balance(self, customer_id: str, *, as_of: date | None = None) -> dict[str, Money]:
        """What ``customer_id`` owes per currency as of a date, net of its credits.

        Currencies that net to zero are left out.
        """
        totals: dict[str, Money] = {}
        for item in self.open_items(customer_id=customer_id, as_of=as_of):
            totals[item.currency] = totals.get(item.currency, Money.zero(item.currency)) + (
                item.balance
            )
        return {currency: total for currency, total in totals.items() if total}

    def document_balance(self, document_id: str, *, as_of: date | None = None) -> Money:
        """What is open on a document as of a date, as a non-negative amount.

        For an invoice or debit memo, what the customer still owes on it; for a credit
        memo, payment or deposit, the credit not yet applied or refunded.
        """
        document = self.document(document_id)
        role = {
            "payment": _R.UNAPPLIED_CASH,
            "customer_deposit": _R.CUSTOMER_DEPOSITS,
        }.get(document.kind, _R.AR_CONTROL)
        chart = self.books().chart
        tag = "source_id" if role is not _R.AR_CONTROL else "document_id"
        with self.store.session(self.company_id, write=False) as session:
            moves = session.movements(chart.code(role), **{tag: document_id})
        total = sum(
            (amount for day, amount in moves if as_of is None or day <= as_of),
            Money.zero(document.currency),
        )
        return total if document.kind in ("invoice", "debit_memo") else -total

    def undeposited_receipts(self) -> list[Payment | CustomerDeposit]:
        """Payments and deposits recorded but not yet verified against the bank."""
        code = self.books().chart.code(_R.UNDEPOSITED_FUNDS)
        with self.store.session(self.company_id, write=False) as session:
            waiting = session.source_balances(code)
            found = [session.document(receipt_id) for receipt_id in waiting]
        return [r for r in found if isinstance(r, Payment | CustomerDeposit)]

    def account_balances(self, *, as_of: date | None = None) -> dict[str, dict[str, Money]]:
        """Σ postings per account code and currency (debits positive) as of a date."""
        with self.store.session(self.company_id, write=False) as session:
            return session.account_balances(as_of=as_of)

    def journal(
        self,
        *,
        customer_id: str | None = None,
        document_id: str | None = None,
        actor: str | None = None,
        start: date | None = None,
        end: date | None = None,
    ) -> Iterator[JournalEntry]:
        """The audit trail: entries touching a customer or document, or by an actor, by date."""
        with self.store.session(self.company_id, write=False) as session:
            yield from session.entries(
                customer_id=customer_id,
                document_id=document_id,
                actor=actor,
                start=start,
                end=end,
            )

    # --- helpers -------------------------------------------------------------------------------

    def _own(self, company_id: str, kind: str, identifier: str) -> None:
        if company_id != self.company_id:
            raise ValidationError(
                f"{kind.replace('_', ' ')} {identifier} belongs to company {company_id}, "
                f"not {self.company_id}",
                hint="Use the ledger of the document's own company",
                field="company_id",
                value=company_id,
            )

    def _new_document(self, work: _Work, document: Document) -> None:
        if work.session.document(document.id) is not None:
            raise ConflictError(
                f"a document with id {document.id!r} already exists",
                hint="Give each document its own id; repeat the command's key to retry",
                field="id",
                value=document.id,
            )
        number = getattr(document, "number", None)
        if number is not None and work.session.document_id_by_number(document.kind, number):
            raise ConflictError(
                f"{document.kind.replace('_', ' ')} number {number} is already used",
                hint="Give each document its own number; correct one with a memo",
                field="number",
                value=number,
            )

    def _document(self, work: _Work, document_id: str) -> Document:
        document = work.session.document(document_id)
        if document is None:
            raise _missing("document", document_id, "Check the id; issue or record it first")
        return document

    def _receivable(self, work: _Work, document_id: str) -> Invoice | DebitMemo:
        document = self._document(work, document_id)
        if not isinstance(document, Invoice | DebitMemo) or document.status is _S.VOID:
            raise ValidationError(
                f"{document.kind.replace('_', ' ')} {document.id} has no balance to write off "
                "or reinstate",
                hint="Write off or recover invoices and debit memos that are not void",
                field="document_id",
                value=document.id,
            )
        return document

    def _undeposited(self, work: _Work, receipt: Receipt) -> Money:
        moves = work.session.movements(work.chart.code(_R.UNDEPOSITED_FUNDS), source_id=receipt.id)
        return sum((amount for _, amount in moves), Money.zero(receipt.currency))

    def _open(self, work: _Work, document: Invoice | DebitMemo) -> Money:
        moves = work.session.movements(work.chart.code(_R.AR_CONTROL), document_id=document.id)
        return sum((amount for _, amount in moves), Money.zero(document.currency))

    def _check_bounds(
        self,
        work: _Work,
        role: AccountRole,
        document_id: str,
        *,
        low: Money,
        high: Money,
        source: bool,
        what: str,
    ) -> Money:
        """Check the running balance on ``role`` for the document stays in low..high."""
        tag = {"source_id" if source else "document_id": document_id}
        running = Money.zero(low.currency)
        for day, delta in work.session.movements(work.chart.code(role), **tag):
            running += delta
            if not low <= running <= high:
                raise InvalidAmountError(
                    f"{document_id} would be {what} as of {day}: its {role.value} balance "
                    f"would be {running}, outside {low} to {high}",
                    hint="Apply, refund or write off no more than is open on that date",
                    field="amount",
                    value=running,
                )
        return running

    def _checked_left(self, work: _Work, document: Document) -> tuple[Money, Money] | None:
        """Check a document's running balances stay in bounds; return (left, face amount).

        ``None`` for documents without a balance (refunds).
        """
        zero = Money.zero(document.currency)
        if isinstance(document, Invoice | DebitMemo):
            total = document.total
            left = self._check_bounds(
                work, _R.AR_CONTROL, document.id, low=zero, high=total, source=False,
                what="over-applied",
            )  # fmt: skip
            self._check_bounds(
                work, _R.ALLOWANCE, document.id, low=zero, high=total, source=False,
                what="recovered beyond what was written off",
            )  # fmt: skip
            return left, total
        if isinstance(document, CreditMemo | Payment | CustomerDeposit):
            total = document.amount
            role = {
                "credit_memo": _R.AR_CONTROL,
                "payment": _R.UNAPPLIED_CASH,
                "customer_deposit": _R.CUSTOMER_DEPOSITS,
            }[document.kind]
            left = -self._check_bounds(
                work, role, document.id, low=-total, high=zero,
                source=document.kind != "credit_memo", what="over-applied or over-refunded",
            )  # fmt: skip
            return left, total
        return None

    def _check_and_settle(
        self, work: _Work, document: Document, *, closing: Literal["paid", "written_off"]
    ) -> Document:
        """Check ``document``'s balances stay in bounds, then update its status.

        ``document`` is as loaded before the command's postings (its status not yet moved).
        """
        checked = self._checked_left(work, document)
        if checked is None or document.status is _S.VOID:
            return document
        left, total = checked
        status = _S(closing) if not left else (_S.ISSUED if left == total else _S.PARTIALLY_PAID)
        if status is document.status:
            return document
        if not left and document.status in (_S.PAID, _S.WRITTEN_OFF):
            return document  # closed either way; keep how it was closed
        settled = transition(document, status)
        work.session.set_status(settled.id, settled.status, settled.disputed)
        return settled


def _dated(document: Receipt | CreditMemo) -> date:
    return document.document_date if isinstance(document, CreditMemo) else document.received_date


def _to_issued(document: _Doc) -> _Doc:
    """Move a draft or approved document to issued along its lifecycle."""
    if document.status is _S.ISSUED:
        return document
    if document.status in (_S.PARTIALLY_PAID, _S.PAID, _S.WRITTEN_OFF):
        # Its lifecycle allows going back to issued, but issuing it would post its whole
        # total as open and silently drop the settlement it claims.
        raise IllegalTransitionError(
            f"{type(document).__name__} {document.id} is {document.status.value}; only a "
            "draft, approved or issued document can be issued",
            hint="Issue it as issued, then record its payments, credits and write-offs",
            field="status",
            value=_S.ISSUED.value,
            document_id=document.id,
            from_status=document.status.value,
            to_status=_S.ISSUED.value,
        )
    if document.status is _S.DRAFT and _S.APPROVED in document.lifecycle[_S.DRAFT]:
        document = transition(document, _S.APPROVED)
    return transition(document, _S.ISSUED)
