"""Who may approve credit limits and release credit holds, and up to what limit.

An [`Approver`][arcore.credit.approvers.Approver] is named per company. Anyone listed may
release a credit hold; approving a limit also needs the limit to be within the approver's
``max_limit`` when one is set (same currency). Anyone else is refused with
[`NotAllowedError`][arcore.errors.NotAllowedError], and nothing is recorded.

>>> ana = Approver(company_id="acme", name="ana", max_limit=Money("50000.00", "USD"))
>>> may_approve(ana, Money("20000.00", "USD"))
>>> may_approve(ana, Money("60000.00", "USD"))  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
arcore.errors.NotAllowedError: field 'approved_limit': ana may approve limits up to ...
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from arcore.documents import Identifier, NonNegativeAmount
from arcore.errors import NotAllowedError
from arcore.money import Money

__all__ = ["Approver", "NotAllowedError", "find_approver", "may_approve", "may_write_off"]


class Approver(BaseModel):
    """A person allowed to approve credit limits and release credit holds for a company.

    Attributes:
        company_id: The company.
        name: Who (as recorded in ``by`` / ``approved_by``).
        max_limit: The largest limit they may approve; ``None``: any limit.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    company_id: Identifier
    name: Identifier
    max_limit: NonNegativeAmount | None = None


def find_approver(approvers: Iterable[Approver], name: str, *, action: str) -> Approver:
    """The approver called ``name`` among ``approvers``.

    Raises:
        NotAllowedError: ``name`` is not an approver; ``action`` says what was refused.
    """
    for approver in approvers:
        if approver.name == name:
            return approver
    raise NotAllowedError(
        f"{name!r} is not a credit approver of the company, so cannot {action}",
        hint="Ask a listed approver (arcore credit approvers), or have one add you",
        field="by",
        value=name,
    )


def may_approve(approver: Approver, limit: Money) -> None:
    """Check that ``approver`` may approve ``limit``.

    Raises:
        NotAllowedError: the limit is above the approver's ``max_limit`` (or in another
            currency than it).
    """
    cap = approver.max_limit
    if cap is None:
        return
    if cap.currency != limit.currency or limit > cap:
        raise NotAllowedError(
            f"{approver.name} may approve limits up to {cap}, not {limit}",
            hint="Ask an approver with a higher maximum, or approve a lower limit",
            field="approved_limit",
            value=str(limit),
        )


def may_write_off(approver: Approver, amount: Money) -> None:
    """Check that ``approver`` may write off ``amount`` as bad debt.

    The same cap as for limits: ``max_limit`` (when set) bounds the amount written off, in
    its own currency; an amount in another currency is refused rather than compared.

    >>> bo = Approver(company_id="acme", name="bo", max_limit=Money("500.00", "USD"))
    >>> may_write_off(bo, Money("500.00", "USD"))
    >>> may_write_off(bo, Money("500.01", "USD"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    arcore.errors.NotAllowedError: field 'amount': bo may write off up to 500.00 USD, not ...

    Raises:
        NotAllowedError: the amount is above the approver's ``max_limit`` (or in another
            currency than it).
    """
    cap = approver.max_limit
    if cap is None:
        return
    if cap.currency != amount.currency or amount > cap:
        raise NotAllowedError(
            f"{approver.name} may write off up to {cap}, not {amount}",
            hint="Ask an approver with a higher maximum (arcore credit approvers)",
            field="amount",
            value=str(amount),
        )
