"""Bank statements as immutable data: what every statement parser in ``arcore.banking`` returns.

A [`BankStatement`][arcore.banking.model.BankStatement] is one account's statement (or report,
or notification) from one file; its [`BankTransaction`][arcore.banking.model.BankTransaction]
lines are signed from the account holder's side: money in (a credit) is positive, money out
(a debit) negative, whatever the file's own convention.

>>> from datetime import date
>>> from arcore.money import Money
>>> line = BankTransaction(account="NL26VAYB8060476890", booking_date=date(2014, 12, 31),
...                        amount=Money("8.85", "EUR"), reference="INV-1042")
>>> statement = BankStatement(format="camt053", source="day.xml", account=line.account,
...                           currency="EUR", transactions=(line,))
>>> [t.reference for t in statement.credits], statement.total
(['INV-1042'], Money('8.85', 'EUR'))
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from arcore.money import Money

__all__ = ["BankStatement", "BankTransaction"]


class BankTransaction(BaseModel):
    """One booked line of a bank statement.

    Attributes:
        account: The statement's account (IBAN or account number).
        booking_date: The day the bank booked the line.
        value_date: The day the money counts for interest, when the file says.
        amount: Signed: credits (money in) positive, debits (money out) negative.
        reference: The remittance information, memo and end-to-end id, joined by spaces.
        counterparty_name: Who paid (for a credit) or was paid (for a debit), when known.
        counterparty_account: That party's IBAN or account number, when known.
        bank_reference: The bank's own id for the line.
        type_code: The file's type code: BAI type code, ISO bank transaction code, SWIFT
            transaction type or OFX ``TRNTYPE``.
        line: The 1-based line of the file the transaction starts on, or for XML the 1-based
            index of the entry within its statement.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    account: str
    booking_date: date
    value_date: date | None = None
    amount: Money
    reference: str = ""
    counterparty_name: str = ""
    counterparty_account: str = ""
    bank_reference: str = ""
    type_code: str = ""
    line: int | None = None

    @property
    def is_credit(self) -> bool:
        """Whether money came in (the amount is positive)."""
        return self.amount.amount > 0


class BankStatement(BaseModel):
    """One account's statement read from a bank file.

    Attributes:
        format: The format it was read from (``"camt053"``, ``"bai2"``, ``"mt940"``...).
        source: The file name it was read from.
        account: The account (IBAN or account number).
        currency: The account's ISO 4217 currency.
        statement_id: The bank's id or number for the statement, when it gives one.
        opening_balance: The booked balance before the first line, when the file gives it.
        closing_balance: The booked balance after the last line, when the file gives it.
        transactions: The lines, in file order.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: str
    source: str
    account: str
    currency: str
    statement_id: str = ""
    opening_balance: Money | None = None
    closing_balance: Money | None = None
    transactions: tuple[BankTransaction, ...] = ()

    @property
    def credits(self) -> tuple[BankTransaction, ...]:
        """The lines that brought money in (amount > 0): what cash application matches."""
        return tuple(line for line in self.transactions if line.is_credit)

    @property
    def debits(self) -> tuple[BankTransaction, ...]:
        """The lines that took money out (amount < 0)."""
        return tuple(line for line in self.transactions if line.amount.amount < 0)

    @property
    def total(self) -> Money:
        """The sum of the lines in the statement's currency (zero for an empty statement)."""
        total = Money.zero(self.currency)
        for line in self.transactions:
            total += line.amount
        return total
