"""``arcore credit``: credit checks, holds, applications, approvers, allowance, write-offs.

Every command works on the books in a store (``--db``, ``--company``) through
[`arcore.store.credit`][arcore.store.credit]. Commands that record something take ``--by``
(who) and stamp the current time (UTC); ``--json`` prints the result for scripts.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError as PydanticValidationError
from rich.markup import escape
from rich.table import Table

from arcore.cli import app, stdout
from arcore.cli.common import (
    DAY,
    AsJson,
    AsOf,
    By,
    Company,
    CustomerId,
    Url,
    customer_money,
    day_or_today,
    now,
    open_db,
    print_json,
)
from arcore.credit import CreditApplication, CreditCheck, ReviewStatus, parse_rates
from arcore.errors import ValidationError
from arcore.money import Money, to_decimal
from arcore.plugins import plugin_manager
from arcore.reports import buckets
from arcore.reports.exports import cell_text, write_table
from arcore.store import credit as store_credit

__all__ = ["credit"]

credit = typer.Typer(
    help="Credit: checks before orders, holds, applications, approvers, bad debt.",
    no_args_is_help=True,
)
app.add_typer(credit, name="credit")
writeoffs = typer.Typer(help="The bad-debt write-off review queue.", no_args_is_help=True)
credit.add_typer(writeoffs, name="writeoffs")
approvers_app = typer.Typer(help="Who may approve limits and release holds.", no_args_is_help=True)
credit.add_typer(approvers_app, name="approvers")

Reason = Annotated[str, typer.Option("--reason", help="Why (recorded).")]


# --- checks and holds ----------------------------------------------------------------------------


@credit.command("check")
def check_(
    customer: CustomerId,
    amount: Annotated[str, typer.Option("--amount", help="The order's amount.")],
    url: Url = None,
    company: Company = "default",
    as_of: AsOf = None,
    as_json: AsJson = False,
) -> None:
    """May the customer place an order of this amount? Exposure, available credit, holds.

    Exit status 0 when approved, 3 when the order would be held.
    """
    with open_db(url) as store:
        found = store_credit.check_credit(
            store,
            company,
            customer,
            customer_money(store, company, customer, amount, "amount"),
            as_of=day_or_today(as_of),
        )
    if as_json:
        print_json(found.model_dump(mode="json"))
    else:
        _print_check(found)
    if not found.approved:
        raise typer.Exit(3)


def _print_check(found: CreditCheck) -> None:
    table = Table(title=f"Credit check: {found.customer_id}")
    table.add_column("")
    table.add_column("amount", justify="right")
    exposure = found.exposure
    rows = [
        ("order", found.amount),
        ("limit", found.limit),
        ("open AR", exposure.open_ar),
        ("open orders", exposure.open_orders),
        ("exposure", exposure.total),
        ("available", found.available),
    ]
    for label, value in rows:
        table.add_row(label, "no limit" if value is None else str(value))
    for code, other in exposure.other_currencies.items():
        table.add_row(f"open AR in {code} (not counted)", str(other))
    stdout.print(table)
    if found.approved:
        stdout.print("[green]approved[/]")
    for detail in found.details:
        stdout.print(f"[red]held:[/] {escape(detail)}", soft_wrap=True)


@credit.command("hold")
def hold_(
    customer: CustomerId,
    reason: Reason,
    by: By,
    url: Url = None,
    company: Company = "default",
) -> None:
    """Put a customer on credit hold until an approver releases it."""
    with open_db(url) as store:
        store_credit.place_hold(store, company, customer, reason=reason, by=by, at=now())
    stdout.print(f"{escape(customer)} is on credit hold.")


@credit.command("release")
def release_(
    customer: CustomerId,
    reason: Reason,
    by: By,
    order: Annotated[
        str | None, typer.Option("--order", help="Release this held order only.")
    ] = None,
    url: Url = None,
    company: Company = "default",
) -> None:
    """Release a customer's credit hold (or a held order): approvers only."""
    with open_db(url) as store:
        store_credit.release_hold(
            store, company, customer, reason=reason, by=by, at=now(), order_id=order
        )
    what = f"order {order}" if order else customer
    stdout.print(f"Credit hold of {escape(what)} released by {escape(by)}.")


@credit.command("holds")
def holds_(
    customer: CustomerId,
    url: Url = None,
    company: Company = "default",
    as_json: AsJson = False,
) -> None:
    """The customer's credit-hold log: every hold placed and released."""
    with open_db(url) as store:
        log = store_credit.hold_log(store, company, customer)
    if as_json:
        print_json([event.model_dump(mode="json") for event in log])
        return
    table = Table(title=f"Credit holds: {customer}")
    for column in ("at", "action", "order", "by", "reason"):
        table.add_column(column)
    for event in log:
        table.add_row(
            event.at.isoformat(),
            event.action,
            event.order_id or "",
            escape(event.by),
            escape(event.reason),
        )
    stdout.print(table)


@credit.command("orders")
def orders_(
    customer: Annotated[
        str | None, typer.Option("--customer", metavar="ID", help="Only this customer's.")
    ] = None,
    url: Url = None,
    company: Company = "default",
    as_json: AsJson = False,
) -> None:
    """The open orders (recorded through the API, not yet invoiced): part of the exposure."""
    with open_db(url) as store:
        found = store_credit.open_orders(store, company, customer)
    if as_json:
        print_json([order.model_dump(mode="json") for order in found])
        return
    table = Table(title="Open orders")
    for column in ("order", "customer", "date", "amount"):
        table.add_column(column, justify="right" if column == "amount" else "left")
    for order in found:
        table.add_row(
            escape(order.id),
            escape(order.customer_id),
            order.order_date.isoformat(),
            str(order.amount),
        )
    stdout.print(table)


@credit.command("threshold")
def threshold_(
    days: Annotated[int, typer.Option("--days", help="Hold customers with items over N days.")],
    by: By,
    url: Url = None,
    company: Company = "default",
) -> None:
    """Set the hold threshold: items more than N days past due put the customer on hold."""
    with open_db(url) as store:
        store_credit.set_hold_after_days(store, company, days, by=by, at=now())
    stdout.print(f"Hold threshold set to {days} days past due.")


# --- approvers ------------------------------------------------------------------------------------


@approvers_app.command("add")
def approvers_add(
    name: Annotated[str, typer.Argument(help="Who becomes an approver.")],
    by: By,
    max_limit: Annotated[
        str | None,
        typer.Option("--max-limit", metavar="AMOUNT CUR", help="e.g. '50000 USD'; none: any."),
    ] = None,
    url: Url = None,
    company: Company = "default",
) -> None:
    """Allow someone to approve limits (up to --max-limit) and release holds."""
    cap = None
    if max_limit is not None:
        amount, _, currency = max_limit.strip().partition(" ")
        if not currency.strip():
            raise ValidationError(
                f"--max-limit {max_limit!r} has no currency",
                hint="Write it as '50000 USD'",
                field="max_limit",
                value=max_limit,
            )
        cap = Money(to_decimal(amount, field="max_limit"), currency.strip()).quantize()
    with open_db(url) as store:
        store_credit.add_approver(store, company, name, max_limit=cap, by=by, at=now())
    stdout.print(f"{escape(name)} is a credit approver.")


@approvers_app.command("list")
def approvers_list(url: Url = None, company: Company = "default") -> None:
    """The company's credit approvers."""
    with open_db(url) as store:
        found = store_credit.approvers(store, company)
    table = Table(title="Credit approvers")
    table.add_column("name")
    table.add_column("max limit", justify="right")
    for approver in found:
        table.add_row(escape(approver.name), str(approver.max_limit or "any"))
    stdout.print(table)


# --- applications ---------------------------------------------------------------------------------


@credit.command("apply")
def apply_(
    file: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, help="The application as a JSON file."),
    ],
    by: By,
    url: Url = None,
    company: Company = "default",
) -> None:
    """Record a credit application from a JSON file (the fields of CreditApplication).

    ``company_id`` is taken from --company when the file leaves it out.
    """
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValidationError(
            f"cannot read the application: {error}",
            hint="Give a JSON object with the fields of a credit application",
            file=file,
        ) from None
    if isinstance(data, dict):
        data.setdefault("company_id", company)
    try:
        application = CreditApplication.model_validate(data)
    except PydanticValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise ValidationError(
            f"the application is not valid: {first['msg']}",
            hint="Fix the field and record it again",
            file=file,
            field=field or None,
            value=first.get("input"),
        ) from None
    with open_db(url) as store:
        store_credit.save_application(store, application, by=by, at=now())
    stdout.print(f"Credit application {escape(application.id)} recorded.")


@credit.command("evaluate")
def evaluate_(
    application: Annotated[str, typer.Option("--application", metavar="ID")],
    scores: Annotated[
        Path | None,
        typer.Option(
            "--scores", exists=True, dir_okay=False, help="A CSV of external scores (csv)."
        ),
    ] = None,
    url: Url = None,
    company: Company = "default",
    as_of: AsOf = None,
    as_json: AsJson = False,
) -> None:
    """Score an application and recommend a limit and terms by the documented rule set."""
    provider = None
    if scores is not None:
        factory = plugin_manager().credit_score_providers()["csv"]
        provider = factory(scores)  # type: ignore[operator]
    with open_db(url) as store:
        found = store_credit.evaluate_application(
            store, company, application, as_of=day_or_today(as_of), provider=provider
        )
    if as_json:
        print_json(found.model_dump(mode="json"))
        return
    stdout.print(f"Grade [bold]{found.grade}[/]: limit {found.limit}, terms {found.terms}")
    for reason in found.reasons:
        stdout.print(f"  - {escape(reason)}", soft_wrap=True)


@credit.command("approve")
def approve_(
    application: Annotated[str, typer.Option("--application", metavar="ID")],
    by: By,
    limit: Annotated[
        str | None, typer.Option("--limit", help="Grant this limit (default: recommended).")
    ] = None,
    terms: Annotated[
        str | None, typer.Option("--terms", help="Grant these terms (default: recommended).")
    ] = None,
    note: Annotated[str, typer.Option("--note", help="Why, if not as recommended.")] = "",
    url: Url = None,
    company: Company = "default",
) -> None:
    """Approve an evaluated application: the customer's limit and terms are set."""
    with open_db(url) as store:
        granted = None
        if limit is not None:
            record = store_credit.application(store, company, application)
            currency = record.application.requested_limit.currency
            granted = Money(to_decimal(limit.strip(), field="limit"), currency)
        decision = store_credit.approve_application(
            store, company, application, by=by, at=now(), limit=granted, terms=terms, note=note
        )
    stdout.print(
        f"Approved by {escape(decision.approved_by)}: limit {decision.approved_limit}, "
        f"terms {decision.approved_terms}."
    )


# --- bad debt -------------------------------------------------------------------------------------


def _edges(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise ValidationError(
            f"bucket edges must be whole numbers of days, not {text!r}",
            hint="Give edges such as 30,60,90",
            field="buckets",
            value=text,
        ) from None


@credit.command("allowance")
def allowance_(
    as_of: Annotated[datetime, typer.Option("--as-of", help="Age balances as of.", **DAY)],
    rates: Annotated[
        str,
        typer.Option(
            "--rates",
            metavar="LABEL:RATE,...",
            help="A rate per bucket, e.g. current:0.5%,1-30:1%,31-60:5%,61-90:20%,91+:50%.",
        ),
    ],
    buckets_: Annotated[
        str, typer.Option("--buckets", metavar="EDGES", help="Bucket edges in days.")
    ] = "30,60,90",
    url: Url = None,
    company: Company = "default",
    out: Annotated[
        Path | None,
        typer.Option("--out", dir_okay=False, help="Write the estimate to a .csv, .xlsx or .json."),
    ] = None,
) -> None:
    """Estimate the allowance for doubtful accounts from the aging, per currency."""
    edges = _edges(buckets_)
    chosen = parse_rates(rates, buckets(edges))
    with open_db(url) as store:
        found = store_credit.allowance_from_store(store, company, as_of.date(), chosen, edges=edges)
    header = ("currency", "bucket", "open", "rate", "allowance")
    rows: list[tuple[object, ...]] = []
    for currency, estimate in found.items():
        for line in estimate.lines:
            rows.append((currency, line.bucket, line.open, line.rate, line.allowance))
        if estimate.cap:
            rows.append((currency, "cap", estimate.total_open, None, estimate.cap))
        rows.append((currency, "TOTAL", estimate.total_open, None, estimate.allowance))
    if out is not None:
        write_table(out, header, rows)
        stdout.print(f"Allowance written to [bold]{escape(str(out))}[/].", soft_wrap=True)
        return
    table = Table(title=f"Allowance for doubtful accounts as of {as_of.date().isoformat()}")
    for column in header:
        table.add_column(column, justify="left" if column in ("currency", "bucket") else "right")
    for code, bucket, open_, rate, amount in rows:
        table.add_row(
            str(code),
            str(bucket),
            cell_text(open_),
            "" if rate is None else f"{rate}%",
            cell_text(amount),
            style="bold" if bucket == "TOTAL" else None,
        )
    stdout.print(table)


@writeoffs.command("queue")
def writeoffs_queue(
    document: Annotated[str, typer.Option("--document", metavar="ID")],
    reason: Reason,
    by: By,
    url: Url = None,
    company: Company = "default",
) -> None:
    """Propose an invoice or debit memo for a bad-debt write-off."""
    with open_db(url) as store:
        store_credit.queue_for_review(store, company, document, reason=reason, by=by, at=now())
    stdout.print(f"{escape(document)} is waiting for review.")


@writeoffs.command("list")
def writeoffs_list(
    url: Url = None,
    company: Company = "default",
    everything: Annotated[bool, typer.Option("--all", help="Decided ones too.")] = False,
    as_json: AsJson = False,
) -> None:
    """The write-off review queue (pending items unless --all)."""
    with open_db(url) as store:
        found = store_credit.review_queue(
            store, company, status=None if everything else ReviewStatus.PENDING
        )
    if as_json:
        print_json([review.model_dump(mode="json") for review in found])
        return
    table = Table(title="Write-off reviews")
    for column in ("id", "document", "customer", "reason", "queued by", "status", "decided by"):
        table.add_column(column, overflow="fold")
    for review in found:
        table.add_row(
            review.id,
            escape(review.document_id),
            escape(review.customer_id or ""),
            escape(review.reason),
            escape(review.queued_by),
            review.status.value,
            escape(review.decided_by or ""),
        )
    stdout.print(table)


def _decide(url: str | None, company: str, review: str, by: str, approve: bool, note: str) -> None:
    with open_db(url) as store:
        decided = store_credit.decide_write_off(
            store, company, review, approve=approve, by=by, at=now(), on=now().date(), note=note
        )
    stdout.print(f"Review {escape(review)} {decided.status.value} by {escape(by)}.")


@writeoffs.command("approve")
def writeoffs_approve(
    review: Annotated[str, typer.Argument(help="The review's id.")],
    by: By,
    note: Annotated[str, typer.Option("--note")] = "",
    url: Url = None,
    company: Company = "default",
) -> None:
    """Approve: write off what is open on the item (against the allowance), today."""
    _decide(url, company, review, by, True, note)


@writeoffs.command("reject")
def writeoffs_reject(
    review: Annotated[str, typer.Argument(help="The review's id.")],
    by: By,
    note: Annotated[str, typer.Option("--note")] = "",
    url: Url = None,
    company: Company = "default",
) -> None:
    """Reject: the item stays open and is collected as before."""
    _decide(url, company, review, by, False, note)
