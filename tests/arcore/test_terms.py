"""Credit terms: notation, parsing, due dates, discounts and schedules.

Every expected date below was worked out by hand, counting days month by month; the comment
next to each case shows the count.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date, timedelta
from decimal import Decimal

import pydantic
import pytest
from hypothesis import given
from hypothesis import strategies as st

from arcore.calendars import HolidayCalendar, WeekendCalendar
from arcore.errors import (
    ConfigurationError,
    CurrencyMismatchError,
    InvalidAmountError,
    TermsError,
)
from arcore.money import Money
from arcore.terms import (
    Discount,
    InstallmentRow,
    InstallmentTerms,
    NetTerms,
    ProxDiscount,
    ProxTerms,
    Terms,
    TermsPolicy,
    discount_amount,
    discount_available,
    discount_deadline,
    due_date,
    ordinal,
    parse_terms,
    schedule,
)
from strategies import document_dates, money, prox_terms, terms

D = date
USD = "USD"


def usd(amount: str) -> Money:
    return Money(amount, USD)


# --- canonical notation ----------------------------------------------------------------------

CANONICAL = [
    ("Due on receipt", NetTerms(days=0)),
    ("Net 30", NetTerms(days=30)),
    ("2/10 Net 30", NetTerms(days=30, discount=Discount(percent=Decimal(2), days=10))),
    ("1.5/10 Net 30", NetTerms(days=30, discount=Discount(percent=Decimal("1.5"), days=10))),
    ("0.25/0 Net 0", NetTerms(days=0, discount=Discount(percent=Decimal("0.25"), days=0))),
    ("Net 30 EOM", NetTerms(days=30, eom=True)),
    ("Net 0 EOM", NetTerms(days=0, eom=True)),
    (
        "2/10 EOM Net 30",
        NetTerms(days=30, eom=True, discount=Discount(percent=Decimal(2), days=10)),
    ),
    ("Net 10th Prox", ProxTerms(day=10)),
    ("Net 1st Prox", ProxTerms(day=1)),
    ("Net 10th Prox cutoff 25", ProxTerms(day=10, cutoff=25)),
    (
        "2/5th Prox Net 25th Prox cutoff 20",
        ProxTerms(day=25, cutoff=20, discount=ProxDiscount(percent=Decimal(2), day=5)),
    ),
    (
        "Installments 50% Net 30, 50% Net 60",
        InstallmentTerms(
            rows=(
                InstallmentRow(share=Decimal(50), days=30),
                InstallmentRow(share=Decimal(50), days=60),
            )
        ),
    ),
    (
        "Installments 40% 2/10 Net 30, 60% Net 60",
        InstallmentTerms(
            rows=(
                InstallmentRow(
                    share=Decimal(40), days=30, discount=Discount(percent=Decimal(2), days=10)
                ),
                InstallmentRow(share=Decimal(60), days=60),
            )
        ),
    ),
    (
        "Installments 33.33% Net 0, 33.33% Net 30, 33.34% Net 60",
        InstallmentTerms(
            rows=(
                InstallmentRow(share=Decimal("33.33"), days=0),
                InstallmentRow(share=Decimal("33.33"), days=30),
                InstallmentRow(share=Decimal("33.34"), days=60),
            )
        ),
    ),
]


@pytest.mark.parametrize(("text", "expected"), CANONICAL, ids=[t for t, _ in CANONICAL])
def test_canonical_text_parses_to_the_model_and_back(text: str, expected: Terms) -> None:
    assert parse_terms(text) == expected
    assert str(expected) == text
    assert str(parse_terms(text)) == text


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (10, "10th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (20, "20th"),
        (21, "21st"),
        (22, "22nd"),
        (23, "23rd"),
        (24, "24th"),
        (30, "30th"),
        (31, "31st"),
        (111, "111th"),
        (112, "112th"),
    ],
)
def test_ordinal_suffixes(n: int, expected: str) -> None:
    assert ordinal(n) == expected


@pytest.mark.parametrize(
    ("day", "text"),
    [(1, "Net 1st Prox"), (2, "Net 2nd Prox"), (3, "Net 3rd Prox"), (11, "Net 11th Prox"),
     (12, "Net 12th Prox"), (13, "Net 13th Prox"), (21, "Net 21st Prox"),
     (22, "Net 22nd Prox"), (23, "Net 23rd Prox"), (31, "Net 31st Prox")],
)  # fmt: skip
def test_prox_text_has_the_right_ordinal(day: int, text: str) -> None:
    assert str(ProxTerms(day=day)) == text
    assert parse_terms(text) == ProxTerms(day=day)


def test_percent_is_printed_without_trailing_zeros() -> None:
    assert str(Discount(percent=Decimal("2.000"), days=10)) == "2/10"
    assert str(Discount(percent=Decimal("1.50"), days=10)) == "1.5/10"
    assert str(Discount(percent=Decimal("2E+1"), days=10)) == "20/10"
    assert str(InstallmentRow(share=Decimal("1E+2"), days=0)) == "100% Net 0"


# --- forgiving spellings ---------------------------------------------------------------------

SPELLINGS = [
    ("net 30", "Net 30"),
    ("NET 30", "Net 30"),
    ("N30", "Net 30"),
    ("n 30", "Net 30"),
    ("Net30", "Net 30"),
    ("Net-30", "Net 30"),
    ("Net 30 days", "Net 30"),
    ("  Net   30.  ", "Net 30"),
    ("2/10 n/30", "2/10 Net 30"),
    ("2/10 N30", "2/10 Net 30"),
    ("2% 10 Net 30", "2/10 Net 30"),
    ("2%/10 net 30", "2/10 Net 30"),
    ("2% 10 days, net 30 days", "2/10 Net 30"),
    ("2/10, Net 30", "2/10 Net 30"),
    ("2.0/10 Net 30", "2/10 Net 30"),
    ("1.50/10 net 30", "1.5/10 Net 30"),
    ("Due upon receipt", "Due on receipt"),
    ("due on receipt", "Due on receipt"),
    ("Upon receipt", "Due on receipt"),
    ("Payable on receipt", "Due on receipt"),
    ("Net 0", "Due on receipt"),
    ("Net EOM", "Net 0 EOM"),
    ("EOM Net 30", "Net 30 EOM"),
    ("Net 30 E.O.M.", "Net 30 EOM"),
    ("Net 30 end of month", "Net 30 EOM"),
    ("2/10 EOM, Net 30", "2/10 EOM Net 30"),
    ("2/10 Net 30 EOM", "2/10 EOM Net 30"),
    ("10th Prox", "Net 10th Prox"),
    ("10 prox", "Net 10th Prox"),
    ("Net 10 Prox", "Net 10th Prox"),
    ("Net 10th Proximo", "Net 10th Prox"),
    ("net 10th prox, cut-off 25th", "Net 10th Prox cutoff 25"),
    ("Net 10th Prox cut off 25", "Net 10th Prox cutoff 25"),
    ("2% 5th prox, net 25th prox cutoff 20", "2/5th Prox Net 25th Prox cutoff 20"),
    ("installments 50% net 30, 50% net 60", "Installments 50% Net 30, 50% Net 60"),
    ("Installments: 50% Net 30; 50% Net 60", "Installments 50% Net 30, 50% Net 60"),
    ("50% Net 30, 50% Net 60", "Installments 50% Net 30, 50% Net 60"),
    ("50% net 30 and 50% net 60", "Installments 50% Net 30, 50% Net 60"),
    ("Installments 40% 2% 10 n30, 60% n60", "Installments 40% 2/10 Net 30, 60% Net 60"),
    ("Installments 50% due on receipt, 50% Net 30", "Installments 50% Net 0, 50% Net 30"),
]


@pytest.mark.parametrize(("text", "canonical"), SPELLINGS, ids=[t for t, _ in SPELLINGS])
def test_common_spellings_are_understood(text: str, canonical: str) -> None:
    assert str(parse_terms(text)) == canonical
    assert parse_terms(text) == parse_terms(canonical)


GARBAGE = [
    "",
    "   ",
    "garbage",
    "Net",
    "30",
    "2/10",
    "2 10 Net 30",  # no "/" or "%": which number is the percent?
    "Net thirty",
    "EOM Net 30 EOM",
    "2/10 EOM",
    "Prox",
    "Installments",
    "Installments 50% Net 30, fifty-fifty",
    "net " + "9" * 5000,
    "Net ３０",  # full-width digits are not read as numbers
]


@pytest.mark.parametrize("text", GARBAGE)
def test_garbage_raises_terms_error_naming_field_and_value(text: str) -> None:
    with pytest.raises(TermsError) as caught:
        parse_terms(text)
    assert caught.value.field == "terms"
    assert caught.value.value == text
    assert caught.value.hint is not None
    assert "2/10 Net 30" in caught.value.hint


IMPOSSIBLE = [
    ("Net 3651", "3650"),
    ("100/10 Net 30", "less than 100"),
    ("0/10 Net 30", "greater than 0"),
    ("2.00001/10 Net 30", "decimal places"),
    ("3/40 Net 30", "discount window"),
    ("Net 32nd Prox", "31"),
    ("Net 0th Prox", "greater than or equal to 1"),
    ("Net 10th Prox cutoff 32", "31"),
    ("2/15th Prox Net 10th Prox", "discount day"),
    ("Installments 50% Net 30", "sum to 100"),
    ("Installments 60% Net 30, 60% Net 60", "sum to 100"),
    ("Installments 50% Net 60, 50% Net 30", "order"),
    ("Installments 50% 2/40 Net 30, 50% Net 60", "discount window"),
]


@pytest.mark.parametrize(("text", "reason"), IMPOSSIBLE)
def test_impossible_terms_raise_terms_error_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(TermsError, match=reason) as caught:
        parse_terms(text)
    assert caught.value.field == "terms"
    assert caught.value.value == text


def test_terms_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="cannot read credit terms"):
        parse_terms("soon, please")


# --- the models ------------------------------------------------------------------------------


def test_models_are_frozen_and_refuse_unknown_fields() -> None:
    net = NetTerms(days=30)
    with pytest.raises(pydantic.ValidationError):
        net.days = 60  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError):
        NetTerms(days=30, grace=5)  # type: ignore[call-arg]


def test_percent_refuses_floats_and_bools() -> None:
    with pytest.raises(pydantic.ValidationError, match="float"):
        Discount(percent=2.0, days=10)  # type: ignore[arg-type]
    with pytest.raises(pydantic.ValidationError):
        Discount(percent=True, days=10)  # type: ignore[arg-type]
    with pytest.raises(pydantic.ValidationError):
        NetTerms(days="30")  # type: ignore[arg-type]


def test_terms_field_accepts_text_json_and_models() -> None:
    class Customer(pydantic.BaseModel):
        terms: Terms

    assert Customer(terms="2/10 n/30").terms == parse_terms("2/10 Net 30")  # type: ignore[arg-type]
    prox = Customer.model_validate({"terms": {"kind": "prox", "day": 10, "cutoff": 25}})
    assert prox.terms == ProxTerms(day=10, cutoff=25)
    dumped = Customer(
        terms=parse_terms("Installments 40% 2/10 Net 30, 60% Net 60")
    ).model_dump_json()
    assert Customer.model_validate_json(dumped).terms == parse_terms(
        "Installments 40% 2/10 Net 30, 60% Net 60"
    )
    with pytest.raises(pydantic.ValidationError, match="cannot read credit terms"):
        Customer(terms="whenever")  # type: ignore[arg-type]


# --- due dates and discount deadlines, by hand -----------------------------------------------

DUE_DATES = [
    # notation, issued, due, discount deadline
    ("Due on receipt", D(2026, 1, 31), D(2026, 1, 31), None),
    ("Net 30", D(2026, 1, 31), D(2026, 3, 2), None),  # Jan 31 +28 = Feb 28, +2 = Mar 2
    ("Net 30", D(2024, 1, 31), D(2024, 3, 1), None),  # Jan 31 +29 = Feb 29 (leap), +1
    ("Net 30", D(2000, 1, 31), D(2000, 3, 1), None),  # 2000 is leap (divisible by 400)
    ("Net 30", D(2100, 1, 31), D(2100, 3, 2), None),  # 2100 is not leap
    ("Net 1", D(2024, 2, 28), D(2024, 2, 29), None),
    ("Net 1", D(2023, 2, 28), D(2023, 3, 1), None),
    ("Net 30", D(2025, 12, 15), D(2026, 1, 14), None),  # Dec 15 +16 = Dec 31, +14
    ("Net 60", D(2026, 11, 30), D(2027, 1, 29), None),  # Nov 30 +31 = Dec 31, +29
    ("Net 365", D(2024, 1, 1), D(2024, 12, 31), None),  # 2024 has 366 days
    ("Net 365", D(2024, 3, 1), D(2025, 3, 1), None),  # no Feb 29 in between
    ("2/10 Net 30", D(2026, 1, 31), D(2026, 3, 2), D(2026, 2, 10)),
    ("2/10 Net 30", D(2024, 2, 20), D(2024, 3, 21), D(2024, 3, 1)),  # Feb 20 +9 = Feb 29, +1
    ("2/10 Net 30", D(2026, 12, 25), D(2027, 1, 24), D(2027, 1, 4)),  # Dec 25 +6 = Dec 31
    ("Net 30 EOM", D(2024, 1, 15), D(2024, 3, 1), None),  # EOM Jan 31 +29 = Feb 29, +1
    ("Net 30 EOM", D(2026, 1, 15), D(2026, 3, 2), None),  # EOM Jan 31 +28 = Feb 28, +2
    ("Net 30 EOM", D(2024, 2, 10), D(2024, 3, 30), None),  # EOM Feb 29, +1 = Mar 1, +29
    ("Net 30 EOM", D(2100, 2, 10), D(2100, 3, 30), None),  # EOM Feb 28, +2 = Mar 2, +28
    ("Net 30 EOM", D(2026, 12, 5), D(2027, 1, 30), None),  # EOM Dec 31, +30
    ("Net 15 EOM", D(2026, 1, 31), D(2026, 2, 15), None),  # dated on the month end itself
    ("Net 0 EOM", D(2024, 2, 1), D(2024, 2, 29), None),
    ("Net 0 EOM", D(2100, 2, 1), D(2100, 2, 28), None),
    ("2/10 EOM Net 30", D(2024, 2, 5), D(2024, 3, 30), D(2024, 3, 10)),  # Feb 29 +10
    ("2/10 EOM Net 30", D(2026, 12, 31), D(2027, 1, 30), D(2027, 1, 10)),
    ("Net 10th Prox", D(2026, 1, 31), D(2026, 2, 10), None),
    ("Net 10th Prox", D(2026, 1, 1), D(2026, 2, 10), None),
    ("Net 10th Prox", D(2026, 12, 15), D(2027, 1, 10), None),  # year-end rollover
    ("Net 10th Prox cutoff 25", D(2026, 1, 25), D(2026, 2, 10), None),  # on the cutoff
    ("Net 10th Prox cutoff 25", D(2026, 1, 26), D(2026, 3, 10), None),  # after it
    ("Net 10th Prox cutoff 25", D(2026, 11, 30), D(2027, 1, 10), None),
    ("Net 10th Prox cutoff 25", D(2026, 12, 26), D(2027, 2, 10), None),
    ("Net 10th Prox cutoff 31", D(2026, 1, 31), D(2026, 2, 10), None),  # cutoff never passed
    ("Net 31st Prox", D(2024, 1, 15), D(2024, 2, 29), None),  # leap February
    ("Net 31st Prox", D(2026, 1, 15), D(2026, 2, 28), None),
    ("Net 31st Prox", D(2100, 1, 15), D(2100, 2, 28), None),  # 2100 is not leap
    ("Net 29th Prox", D(2100, 1, 15), D(2100, 2, 28), None),
    ("Net 31st Prox", D(2026, 3, 10), D(2026, 4, 30), None),
    ("Net 31st Prox", D(2026, 6, 10), D(2026, 7, 31), None),
    ("Net 31st Prox cutoff 20", D(2023, 12, 21), D(2024, 2, 29), None),  # month after next
    ("Net 31st Prox cutoff 20", D(2024, 12, 21), D(2025, 2, 28), None),
    ("2/5th Prox Net 25th Prox cutoff 20", D(2026, 1, 20), D(2026, 2, 25), D(2026, 2, 5)),
    ("2/5th Prox Net 25th Prox cutoff 20", D(2026, 1, 21), D(2026, 3, 25), D(2026, 3, 5)),
    ("2/30th Prox Net 31st Prox", D(2024, 1, 2), D(2024, 2, 29), D(2024, 2, 29)),
    ("Installments 50% Net 30, 50% Net 60", D(2026, 1, 31), D(2026, 4, 1), None),  # Mar 2 +30
    ("Installments 40% 2/10 Net 30, 60% Net 60", D(2026, 1, 31), D(2026, 4, 1), None),
]


@pytest.mark.parametrize(
    ("text", "issued", "due", "deadline"), DUE_DATES, ids=[f"{t} {i}" for t, i, _, _ in DUE_DATES]
)
def test_due_date_and_discount_deadline_worked_out_by_hand(
    text: str, issued: date, due: date, deadline: date | None
) -> None:
    terms = parse_terms(text)
    assert due_date(terms, issued) == due
    assert discount_deadline(terms, issued) == deadline


def test_installment_schedule_dates_and_amounts_by_hand() -> None:
    rows = schedule(
        parse_terms("Installments 40% 2/10 Net 30, 60% 1/40 Net 60"), D(2026, 1, 31), usd("100.00")
    )
    assert [(r.due_date, r.amount, r.discount_deadline, r.discount_amount) for r in rows] == [
        (D(2026, 3, 2), usd("40.00"), D(2026, 2, 10), usd("0.80")),
        # Jan 31 +28 = Feb 28, +12 = Mar 12; Jan 31 +60 = Apr 1
        (D(2026, 4, 1), usd("60.00"), D(2026, 3, 12), usd("0.60")),
    ]


@pytest.mark.parametrize(
    ("text", "total", "amounts"),
    [
        # 10 cents over 33.33/33.33/33.34: floors 3,3,3; the cent left goes to the largest
        # remainder (0.334)
        ("Installments 33.33% Net 30, 33.33% Net 60, 33.34% Net 90", usd("0.10"),
         [usd("0.03"), usd("0.03"), usd("0.04")]),
        # 1001 yen in halves: 500.5 each; the odd yen goes to the first row on the tie
        ("Installments 50% Net 30, 50% Net 60", Money(1001, "JPY"),
         [Money(501, "JPY"), Money(500, "JPY")]),
        ("Installments 25% Net 0, 25% Net 30, 50% Net 60", Money("1.001", "KWD"),
         [Money("0.250", "KWD"), Money("0.250", "KWD"), Money("0.501", "KWD")]),
        ("2/10 Net 30", usd("1000.00"), [usd("1000.00")]),
    ],
)  # fmt: skip
def test_installment_amounts_split_by_largest_remainder(
    text: str, total: Money, amounts: list[Money]
) -> None:
    rows = schedule(parse_terms(text), D(2026, 1, 31), total)
    assert [row.amount for row in rows] == amounts


# --- discount amounts, by hand ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "total", "tax", "base", "expected"),
    [
        ("2/10 Net 30", usd("1000.00"), None, "total", usd("20.00")),
        ("1.5/10 Net 30", usd("99.99"), None, "total", usd("1.50")),  # 1.49985
        ("2/10 Net 30", usd("0.25"), None, "total", usd("0.01")),  # 0.005 rounds half up
        ("2/10 Net 30", usd("100.25"), None, "total", usd("2.01")),  # 2.005, not 2.00
        ("2/10 Net 30", usd("0.24"), None, "total", usd("0.00")),  # 0.0048
        ("2/10 Net 30", usd("1100.00"), usd("100.00"), "total", usd("22.00")),
        ("2/10 Net 30", usd("1100.00"), usd("100.00"), "subtotal", usd("20.00")),
        ("2/10 Net 30", usd("1100.00"), None, "subtotal", usd("22.00")),  # no tax known
        ("2/10 Net 30", Money(1025, "JPY"), None, "total", Money(21, "JPY")),  # 20.5
        ("2/10 Net 30", Money("1.025", "KWD"), None, "total", Money("0.021", "KWD")),  # 0.0205
        ("Net 30", usd("1000.00"), None, "total", usd("0.00")),
        ("2/10 EOM Net 30", usd("50.00"), None, "total", usd("1.00")),
        ("2/5th Prox Net 25th Prox", usd("50.00"), None, "total", usd("1.00")),
        # halves of 110.01: 55.01 and 55.00; halves of the 100.00 subtotal: 50.00 each
        ("Installments 50% 2/10 Net 30, 50% 2/10 Net 60", usd("110.01"), usd("10.01"),
         "subtotal", usd("2.00")),
        ("Installments 50% 2/10 Net 30, 50% Net 60", usd("110.01"), None, "total", usd("1.10")),
    ],
)  # fmt: skip
def test_discount_amount_by_hand(
    text: str, total: Money, tax: Money | None, base: str, expected: Money
) -> None:
    policy = TermsPolicy(discount_base="subtotal" if base == "subtotal" else "total")
    terms = parse_terms(text)
    assert discount_amount(terms, total, tax=tax, policy=policy) == expected
    rows = schedule(terms, D(2026, 1, 31), total, tax=tax, policy=policy)
    assert sum((r.discount_amount for r in rows), Money.zero(total.currency)) == expected


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (D(2026, 1, 20), usd("20.00")),  # before the invoice date: still in the window
        (D(2026, 1, 31), usd("20.00")),
        (D(2026, 2, 10), usd("20.00")),  # the last day of the window
        (D(2026, 2, 11), usd("0.00")),
        (D(2026, 3, 2), usd("0.00")),
    ],
)
def test_discount_available_depends_on_the_day_received(received: date, expected: Money) -> None:
    terms = parse_terms("2/10 Net 30")
    assert discount_available(terms, D(2026, 1, 31), usd("1000.00"), received) == expected


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (D(2026, 2, 10), usd("1.40")),  # both windows open: 0.80 + 0.60
        (D(2026, 2, 11), usd("0.60")),  # only the second row's, until Mar 12
        (D(2026, 3, 12), usd("0.60")),
        (D(2026, 3, 13), usd("0.00")),
    ],
)
def test_discount_available_per_installment(received: date, expected: Money) -> None:
    terms = parse_terms("Installments 40% 2/10 Net 30, 60% 1/40 Net 60")
    assert discount_available(terms, D(2026, 1, 31), usd("100.00"), received) == expected


def test_discount_available_on_subtotal() -> None:
    policy = TermsPolicy(discount_base="subtotal")
    got = discount_available(
        parse_terms("2/10 Net 30"),
        D(2026, 1, 31),
        usd("1100.00"),
        D(2026, 2, 1),
        tax=usd("100.00"),
        policy=policy,
    )
    assert got == usd("20.00")


@pytest.mark.parametrize(
    ("total", "tax", "error"),
    [
        (usd("-1.00"), None, InvalidAmountError),
        (usd("1.005"), None, InvalidAmountError),
        (usd("10.00"), usd("10.01"), InvalidAmountError),
        (usd("10.00"), usd("-0.01"), InvalidAmountError),
        (usd("10.00"), Money("1.00", "EUR"), CurrencyMismatchError),
    ],
)
def test_amounts_terms_cannot_apply_to(
    total: Money, tax: Money | None, error: type[Exception]
) -> None:
    with pytest.raises(error):
        schedule(parse_terms("2/10 Net 30"), D(2026, 1, 31), total, tax=tax)


# --- business days ---------------------------------------------------------------------------

US = HolidayCalendar("US")


@pytest.mark.parametrize(
    ("text", "issued", "calendar", "due"),
    [
        # Jun 4 +26 = Jun 30, +4 = Sat Jul 4, Independence Day; Sun 5; Mon 6
        ("Net 30", D(2026, 6, 4), US, D(2026, 7, 6)),
        ("Net 30", D(2026, 6, 4), WeekendCalendar(), D(2026, 7, 6)),
        # Fri Jul 3 is Independence Day observed: a holiday for the US, a weekday otherwise
        ("Net 30", D(2026, 6, 3), US, D(2026, 7, 6)),
        ("Net 30", D(2026, 6, 3), WeekendCalendar(), D(2026, 7, 3)),
        # Nov 25 +5 = Nov 30, +25 = Fri Dec 25; Sat 26, Sun 27, Mon 28
        ("Net 30", D(2026, 11, 25), US, D(2026, 12, 28)),
        # Fri Dec 31 2027 is New Year's Day 2028 observed (Jan 1 is a Saturday): into 2028
        ("Net 0 EOM", D(2027, 12, 1), US, D(2028, 1, 3)),
        # Fri Dec 24 2027 is Christmas observed (Dec 25 is a Saturday)
        ("Net 10th Prox", D(2027, 11, 2), WeekendCalendar(), D(2027, 12, 10)),
        ("Net 24th Prox", D(2027, 11, 2), US, D(2027, 12, 27)),
        # a business day stays put: Mon Mar 2 2026
        ("Net 30", D(2026, 1, 31), US, D(2026, 3, 2)),
        # GB-ENG: Fri Dec 25 Christmas, Mon Dec 28 Boxing Day observed, Tue Dec 29
        ("Net 30", D(2026, 11, 25), HolidayCalendar("GB", "ENG"), D(2026, 12, 29)),
    ],
)
def test_due_date_rolls_to_the_next_business_day(
    text: str, issued: date, calendar: WeekendCalendar | HolidayCalendar, due: date
) -> None:
    assert due_date(parse_terms(text), issued, calendar=calendar) == due


def test_schedule_rolls_each_installment_and_not_the_discount_deadline() -> None:
    # Jun 4 +30 = Sat Jul 4 -> Mon Jul 6; +60 = Mon Aug 3 stays; discount Jun 4 +10 = Sun Jun 14
    terms = parse_terms("Installments 50% 2/10 Net 30, 50% Net 60")
    rows = schedule(terms, D(2026, 6, 4), usd("100.00"), calendar=US)
    assert [r.due_date for r in rows] == [D(2026, 7, 6), D(2026, 8, 3)]
    assert rows[0].discount_deadline == D(2026, 6, 14)


def test_policy_business_days_uses_its_calendar_spec() -> None:
    terms = parse_terms("Net 30")
    total = usd("10.00")
    rolled = TermsPolicy(business_days=True, calendar="US")
    assert schedule(terms, D(2026, 6, 3), total, policy=rolled)[0].due_date == D(2026, 7, 6)
    weekends = TermsPolicy(business_days=True)
    assert schedule(terms, D(2026, 6, 3), total, policy=weekends)[0].due_date == D(2026, 7, 3)
    off = TermsPolicy(calendar="US")  # business_days not set: no rolling
    assert schedule(terms, D(2026, 6, 4), total, policy=off)[0].due_date == D(2026, 7, 4)


def test_unknown_policy_calendar_is_a_configuration_error() -> None:
    policy = TermsPolicy(business_days=True, calendar="Atlantis")
    with pytest.raises(ConfigurationError, match="Atlantis") as caught:
        schedule(parse_terms("Net 30"), D(2026, 1, 1), usd("1.00"), policy=policy)
    assert caught.value.field == "calendar"


# --- the edge of the calendar ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "issued"),
    [
        ("Net 30", D(9999, 12, 15)),
        ("Net 1 EOM", D(9999, 12, 15)),
        ("Net 10th Prox", D(9999, 12, 1)),
        ("Net 10th Prox cutoff 5", D(9999, 11, 6)),
        ("Installments 50% Net 0, 50% Net 30", D(9999, 12, 15)),
    ],
)
def test_a_due_date_after_date_max_is_a_terms_error(text: str, issued: date) -> None:
    with pytest.raises(TermsError, match="9999-12-31") as caught:
        due_date(parse_terms(text), issued)
    assert caught.value.field == "issued"
    assert caught.value.value == issued


def test_rolling_past_date_max_is_a_terms_error() -> None:
    class NeverOpen:
        def is_business_day(self, day: date) -> bool:
            return False

    with pytest.raises(TermsError) as caught:
        due_date(parse_terms("Net 0"), D(9999, 12, 31), calendar=NeverOpen())
    assert caught.value.field == "issued"
    with pytest.raises(TermsError, match="configuration"):
        due_date(parse_terms("Net 0"), D(2026, 1, 1), calendar=NeverOpen())


def test_discount_deadline_after_date_max_is_a_terms_error() -> None:
    with pytest.raises(TermsError):
        discount_deadline(parse_terms("2/10 Net 30"), D(9999, 12, 25))


# --- properties ------------------------------------------------------------------------------


@given(terms)
def test_str_then_parse_round_trips(t: Terms) -> None:
    text = str(t)
    assert parse_terms(text) == t
    assert str(parse_terms(text)) == text
    assert parse_terms(text.upper()) == t
    assert parse_terms(text.lower()) == t


@given(terms)
def test_json_round_trips(t: Terms) -> None:
    adapter: pydantic.TypeAdapter[Terms] = pydantic.TypeAdapter(Terms)
    assert adapter.validate_json(adapter.dump_json(t)) == t


_WORDS = st.sampled_from(
    ["net", "n", "/", "%", "eom", "prox", "cutoff", "installments", ",", "due", "on",
     "receipt", "days", "th", "st", "0", "1", "2", "10", "30", "31", "32", "100", "1.5",
     "50%", "3651", ".", "-", " "]
)  # fmt: skip


@given(st.text(max_size=60) | st.lists(_WORDS, max_size=12).map(" ".join))
def test_parse_either_returns_terms_or_raises_terms_error(text: str) -> None:
    outcome: Terms | TermsError
    try:
        outcome = parse_terms(text)
    except TermsError as error:
        outcome = error
    if isinstance(outcome, TermsError):
        assert (outcome.field, outcome.value) == ("terms", text)
    else:
        assert parse_terms(str(outcome)) == outcome


@given(terms, document_dates)
def test_every_date_function_is_total_and_never_before_the_document_date(
    t: Terms, issued: date
) -> None:
    due = due_date(t, issued)
    assert due >= issued
    deadline = discount_deadline(t, issued)
    if deadline is not None:
        assert issued <= deadline <= due
    rows = schedule(t, issued, usd("100.00"))
    assert rows[-1].due_date == due
    for row in rows:
        assert issued <= row.due_date <= due
        if row.discount_deadline is not None:
            assert issued <= row.discount_deadline <= row.due_date
    assert [row.due_date for row in rows] == sorted(row.due_date for row in rows)


@given(terms, document_dates, money(min_units=0))
def test_installments_sum_to_the_total_exactly(t: Terms, issued: date, total: Money) -> None:
    rows = schedule(t, issued, total)
    assert sum((row.amount for row in rows), Money.zero(total.currency)) == total
    assert all(row.amount.is_quantized() and row.amount.amount >= 0 for row in rows)


@given(terms, money(min_units=0), st.integers(0, 100), st.sampled_from(["total", "subtotal"]))
def test_discount_is_never_negative_nor_above_the_amount(
    t: Terms, total: Money, tax_percent: int, base: str
) -> None:
    tax = Money.from_minor_units(total.to_minor_units() * tax_percent // 100, total.currency)
    policy = TermsPolicy(discount_base="subtotal" if base == "subtotal" else "total")
    rows = schedule(t, D(2026, 1, 31), total, tax=tax, policy=policy)
    zero = Money.zero(total.currency)
    for row in rows:
        assert zero <= row.discount_amount <= row.amount
        assert row.discount_amount.is_quantized()
        if row.discount_deadline is None:
            assert row.discount_amount == zero
    on_total = discount_amount(t, total, tax=tax)
    assert discount_amount(t, total, tax=tax, policy=policy) <= on_total <= total


@given(terms, document_dates, money(min_units=0), st.integers(-40, 4000))
def test_discount_available_is_the_discount_within_the_window_and_zero_after(
    t: Terms, issued: date, total: Money, offset: int
) -> None:
    received = issued + timedelta(days=offset)
    earned = discount_available(t, issued, total, received)
    offered = discount_amount(t, total)
    assert Money.zero(total.currency) <= earned <= offered
    assert discount_available(t, issued, total, issued) == offered
    if received > due_date(t, issued):
        assert earned == Money.zero(total.currency)


@given(terms, document_dates)
def test_rolled_due_dates_land_on_business_days(t: Terms, issued: date) -> None:
    unrolled = due_date(t, issued)
    for calendar in (WeekendCalendar(), US):
        rolled = due_date(t, issued, calendar=calendar)
        assert calendar.is_business_day(rolled)
        assert rolled >= unrolled
        # nothing in between was a business day: the roll is to the *next* one
        between = (unrolled + timedelta(days=n) for n in range((rolled - unrolled).days))
        assert not any(calendar.is_business_day(day) for day in between)
        rows = schedule(t, issued, usd("1.00"), calendar=calendar)
        assert all(calendar.is_business_day(row.due_date) for row in rows)
        assert rows[-1].due_date == rolled


@given(terms)
def test_due_dates_at_the_edges_of_the_supported_range(t: Terms) -> None:
    for issued in (D(1900, 1, 1), D(1900, 2, 28), D(9000, 12, 31), D(9000, 2, 28)):
        assert due_date(t, issued, calendar=US) >= issued


@given(prox_terms(), document_dates)
def test_prox_terms_are_due_next_month_or_the_one_after(t: ProxTerms, issued: date) -> None:
    due = due_date(t, issued)
    months_ahead = (due.year - issued.year) * 12 + due.month - issued.month
    passed_cutoff = t.cutoff is not None and issued.day > t.cutoff
    assert months_ahead == (2 if passed_cutoff else 1)
    assert due.day == min(t.day, monthrange(due.year, due.month)[1])
