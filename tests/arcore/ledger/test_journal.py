from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError as PydanticValidationError

from arcore.errors import ConfigurationError, ValidationError
from arcore.ledger import (
    DEFAULT_CODES,
    AccountRole,
    ChartOfAccounts,
    EntryKind,
    JournalEntry,
    Posting,
    account_balances,
    reversal,
)
from arcore.money import Money
from strategies import currencies, money

ACCOUNTS = ("1000", "1150", "1200", "2150", "4000", "4950")


@st.composite
def balanced_postings(draw: st.DrawFn) -> tuple[Posting, ...]:
    """Postings in one or two currencies that balance per currency."""
    postings: list[Posting] = []
    for currency in draw(st.lists(currencies, min_size=1, max_size=2, unique=True)):
        amounts = draw(
            st.lists(
                money(currency, min_units=-(10**9), max_units=10**9).filter(bool),
                min_size=1,
                max_size=6,
            )
        )
        total = sum(amounts, Money.zero(currency))
        if total:
            amounts.append(-total)
        elif len(amounts) == 1:  # pragma: no cover - a single non-zero amount never sums to 0
            continue
        postings += [
            Posting(account=draw(st.sampled_from(ACCOUNTS)), amount=amount) for amount in amounts
        ]
    if len(postings) < 2:
        postings += [
            Posting(account="1200", amount=Money("1.00", "USD")),
            Posting(account="4000", amount=Money("-1.00", "USD")),
        ]
    return tuple(postings)


def entry(postings: tuple[Posting, ...], **overrides: object) -> JournalEntry:
    fields: dict[str, object] = {
        "company_id": "acme",
        "id": "JE-1",
        "entry_date": date(2026, 1, 31),
        "kind": EntryKind.INVOICE,
        "actor": "ana",
        "reason": "test",
        "idempotency_key": "k-1",
        "postings": postings,
    }
    fields.update(overrides)
    return JournalEntry.model_validate(fields)


@given(balanced_postings())
def test_balanced_entries_are_accepted_and_net_to_zero(postings: tuple[Posting, ...]) -> None:
    balances = account_balances([entry(postings)])
    totals: dict[str, Money] = {}
    for per_currency in balances.values():
        for currency, amount in per_currency.items():
            totals[currency] = totals.get(currency, Money.zero(currency)) + amount
    assert all(not total for total in totals.values())


@given(balanced_postings(), money("USD").filter(bool))
def test_any_imbalance_is_refused(postings: tuple[Posting, ...], extra: Money) -> None:
    with pytest.raises(PydanticValidationError, match="do not balance in USD"):
        entry((*postings, Posting(account="9999", amount=extra)))


@given(balanced_postings())
def test_a_reversal_undoes_the_entry_on_every_account(postings: tuple[Posting, ...]) -> None:
    original = entry(postings)
    undone = reversal(
        original,
        id="JE-2",
        entry_date=date(2026, 2, 1),
        actor="bo",
        reason="void",
        idempotency_key="k-2",
    )
    assert undone.reverses == "JE-1"
    assert undone.kind is EntryKind.REVERSAL
    for per_currency in account_balances([original, undone]).values():
        assert all(not amount for amount in per_currency.values())


def test_a_single_posting_is_not_an_entry() -> None:
    with pytest.raises(PydanticValidationError, match="at least two postings"):
        entry((Posting(account="1200", amount=Money("1.00", "USD")),))


def test_balance_is_checked_per_currency_not_across() -> None:
    with pytest.raises(PydanticValidationError, match="do not balance"):
        entry(
            (
                Posting(account="1200", amount=Money("10.00", "USD")),
                Posting(account="4000", amount=Money("-10.00", "EUR")),
            )
        )


@pytest.mark.parametrize("amount", [Money("0.00", "USD"), Money("0.005", "USD")])
def test_zero_and_fractional_cent_postings_are_refused(amount: Money) -> None:
    with pytest.raises(PydanticValidationError):
        Posting(account="1200", amount=amount)


def test_debit_and_credit_sides() -> None:
    debit = Posting(account="1200", amount=Money("5.00", "USD"))
    credit = Posting(account="4000", amount=Money("-5.00", "USD"))
    assert (debit.debit, debit.credit) == (Money("5.00", "USD"), Money("0.00", "USD"))
    assert (credit.debit, credit.credit) == (Money("0.00", "USD"), Money("5.00", "USD"))


def test_entries_are_immutable() -> None:
    original = entry(
        (
            Posting(account="1200", amount=Money("5.00", "USD")),
            Posting(account="4000", amount=Money("-5.00", "USD")),
        )
    )
    with pytest.raises(PydanticValidationError):
        original.reason = "edited"  # type: ignore[misc]


def test_reversing_a_reversal_or_backdating_is_refused() -> None:
    original = entry(
        (
            Posting(account="1200", amount=Money("5.00", "USD")),
            Posting(account="4000", amount=Money("-5.00", "USD")),
        )
    )
    common = {"actor": "bo", "reason": "void", "idempotency_key": "k-2", "id": "JE-2"}
    with pytest.raises(ValidationError, match="precede entry JE-1"):
        reversal(original, entry_date=date(2026, 1, 30), **common)  # type: ignore[arg-type]
    undone = reversal(original, entry_date=date(2026, 1, 31), **common)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="is a reversal of JE-1"):
        reversal(undone, entry_date=date(2026, 2, 1), **common)  # type: ignore[arg-type]


def test_chart_fills_defaults_and_keeps_overrides() -> None:
    chart = ChartOfAccounts(codes={AccountRole.AR_CONTROL: " 1100 "})
    assert chart.code(AccountRole.AR_CONTROL) == "1100"
    assert chart.code(AccountRole.BANK) == DEFAULT_CODES[AccountRole.BANK]
    assert chart.role("1100") is AccountRole.AR_CONTROL
    assert chart.role("4001") is None
    assert set(chart.codes) == set(AccountRole)


def test_default_chart_has_every_role() -> None:
    chart = ChartOfAccounts()
    assert chart.codes == dict(DEFAULT_CODES)
    assert chart.code(AccountRole.AR_CONTROL) == "1200"


def test_chart_refuses_shared_and_empty_codes() -> None:
    with pytest.raises(ConfigurationError, match="share account 2300") as info:
        ChartOfAccounts(codes={AccountRole.UNAPPLIED_CASH: "2300"})
    assert info.value.field == "codes.unapplied_cash"
    with pytest.raises(ConfigurationError, match="empty code"):
        ChartOfAccounts(codes={AccountRole.BANK: "  "})
