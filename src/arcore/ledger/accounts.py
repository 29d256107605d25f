"""The chart of accounts: which general-ledger account plays each role in AR postings.

The posting table of domain.md names accounts by role (AR control, undeposited funds,
sales discounts...). Each company maps every role to one of its own account codes; arcore
ships a conventional default numbering that a company overrides where its books differ.

>>> chart = ChartOfAccounts(codes={AccountRole.AR_CONTROL: "1100"})
>>> chart.code(AccountRole.AR_CONTROL), chart.code(AccountRole.UNDEPOSITED_FUNDS)
('1100', '1150')
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType
from typing import Final

from pydantic import BaseModel, ConfigDict, Field, field_validator

from arcore.errors import ConfigurationError

__all__ = ["DEFAULT_CODES", "AccountRole", "ChartOfAccounts"]


class AccountRole(StrEnum):
    """The part an account plays in AR postings (domain.md, "Documents and their effect")."""

    AR_CONTROL = "ar_control"
    """Accounts receivable control: the subledger's total lives here."""
    REVENUE = "revenue"
    """Default revenue account for invoice lines that name none."""
    FEE_INCOME = "fee_income"
    """Late fees and finance charges billed by debit memo."""
    SALES_TAX_PAYABLE = "sales_tax_payable"
    """Tax collected on behalf of an authority."""
    SALES_RETURNS = "sales_returns"
    """Sales returns and allowances (credit memos)."""
    SALES_DISCOUNTS = "sales_discounts"
    """Early-payment discounts taken."""
    UNDEPOSITED_FUNDS = "undeposited_funds"
    """Receipts recorded but not yet seen on the bank statement."""
    BANK = "bank"
    """The operating bank account."""
    UNAPPLIED_CASH = "unapplied_cash"
    """Money received and not yet applied to any document."""
    CUSTOMER_DEPOSITS = "customer_deposits"
    """Prepayments: a liability until applied."""
    WRITE_OFF_EXPENSE = "write_off_expense"
    """Small balances and short pays written off."""
    ALLOWANCE = "allowance"
    """Allowance for doubtful accounts (bad debt, allowance method)."""
    BANK_FEES = "bank_fees"
    """Fees banks and card processors keep from settlements."""
    OPENING_BALANCES = "opening_balances"
    """Balances brought over from another system by an import (an equity clearing account)."""


DEFAULT_CODES: Final = MappingProxyType(
    {
        AccountRole.BANK: "1000",
        AccountRole.UNDEPOSITED_FUNDS: "1150",
        AccountRole.AR_CONTROL: "1200",
        AccountRole.ALLOWANCE: "1290",
        AccountRole.UNAPPLIED_CASH: "2150",
        AccountRole.SALES_TAX_PAYABLE: "2200",
        AccountRole.CUSTOMER_DEPOSITS: "2300",
        AccountRole.OPENING_BALANCES: "3900",
        AccountRole.REVENUE: "4000",
        AccountRole.FEE_INCOME: "4200",
        AccountRole.SALES_RETURNS: "4900",
        AccountRole.SALES_DISCOUNTS: "4950",
        AccountRole.BANK_FEES: "6150",
        AccountRole.WRITE_OFF_EXPENSE: "6900",
    }
)
"""Conventional codes: assets 1xxx, liabilities 2xxx, equity 3xxx, income 4xxx, costs 6xxx."""


class ChartOfAccounts(BaseModel):
    """One company's account code for every [`AccountRole`][arcore.ledger.AccountRole].

    Roles left out of ``codes`` take their [`DEFAULT_CODES`][arcore.ledger.DEFAULT_CODES]
    code. Two roles may not share a code: the ledger derives balances per role from the
    account, so a shared code would mix, say, unapplied cash with customer deposits.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    codes: dict[AccountRole, str] = Field(default_factory=dict, validate_default=True)

    @field_validator("codes")
    @classmethod
    def _complete_and_distinct(cls, codes: dict[AccountRole, str]) -> dict[AccountRole, str]:
        merged = {**DEFAULT_CODES, **{role: code.strip() for role, code in codes.items()}}
        for role, code in merged.items():
            if not code:
                raise ConfigurationError(
                    f"the {role.value} account has an empty code",
                    hint="Give every account role a code from your chart of accounts",
                    field=f"codes.{role.value}",
                    value=code,
                )
        by_code: dict[str, AccountRole] = {}
        for role, code in merged.items():
            if code in by_code:
                given = role if role in codes else by_code[code]  # name the one the user set
                raise ConfigurationError(
                    f"roles {by_code[code].value} and {role.value} share account {code}",
                    hint="Give each role its own account code",
                    field=f"codes.{given.value}",
                    value=code,
                )
            by_code[code] = role
        return merged

    def code(self, role: AccountRole) -> str:
        """The account code that plays ``role``."""
        return self.codes[role]

    def role(self, code: str) -> AccountRole | None:
        """The role played by account ``code``, or ``None`` for another account (revenue lines)."""
        for role, own in self.codes.items():
            if own == code:
                return role
        return None
