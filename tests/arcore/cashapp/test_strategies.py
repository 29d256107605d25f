"""Hand-worked examples of each matching strategy, and of received-date-order consumption."""

from __future__ import annotations

from datetime import date

import pytest

from arcore.cashapp import MatchStatus, OpenDocument, Proposal, match, number_key
from arcore.documents import Customer, Payment, RemittanceLine
from arcore.money import Money
from arcore.terms import parse_terms

JAN = date(2026, 1, 10)


def usd(text: str) -> Money:
    return Money(text, "USD")


def invoice(
    number: str,
    amount: str,
    customer: str = "c-1",
    day: date = JAN,
    terms: str | None = None,
    balance: str | None = None,
) -> OpenDocument:
    return OpenDocument(
        document_id=f"d-{number}",
        number=number,
        customer_id=customer,
        currency="USD",
        document_date=day,
        balance=usd(balance if balance is not None else amount),
        total=usd(amount),
        terms=parse_terms(terms) if terms else None,
    )


def payment(
    amount: str,
    *,
    pid: str = "p-1",
    received: date = date(2026, 2, 20),
    reference: str = "",
    payer: str = "",
    account: str = "",
    remittance: tuple[RemittanceLine, ...] = (),
) -> Payment:
    return Payment(
        company_id="acme",
        id=pid,
        currency="USD",
        received_date=received,
        amount=usd(amount),
        method="ach",
        reference=reference,
        payer_name=payer,
        payer_account=account,
        remittance=remittance,
    )


CUSTOMERS = [
    Customer(
        company_id="acme",
        id="c-1",
        name="Blue Harbor Logistics Inc",
        currency="USD",
        bank_accounts=("021000021-1111",),
    ),
    Customer(company_id="acme", id="c-2", name="Granite Peak Foods LLC", currency="USD"),
    Customer(company_id="acme", id="c-3", name="Acme Corp", currency="USD"),
    Customer(company_id="acme", id="c-4", name="Acme Corporation Ltd", currency="USD"),
    Customer(company_id="acme", id="c-5", name="Granite Holdings Inc", currency="USD"),
    Customer(company_id="acme", id="c-6", name="Granite East Inc", currency="USD", parent_id="c-5"),
]


def one(payments: list[Payment], documents: list[OpenDocument]) -> Proposal:
    [proposal] = match(payments, documents, CUSTOMERS)
    return proposal


def applied(proposal: Proposal) -> dict[str, tuple[str, str]]:
    return {
        a.document_id: (str(a.amount.amount), str(a.discount.amount)) for a in proposal.applications
    }


# --- 1. remittance ---------------------------------------------------------------------------


def test_remittance_lines_are_applied_as_listed() -> None:
    docs = [invoice("INV-1001", "300.00"), invoice("INV-1002", "700.00")]
    lines = (
        RemittanceLine(document_number="inv 1001", amount=usd("300.00")),
        RemittanceLine(document_number="INV NO. 001002", amount=usd("700.00")),
    )
    proposal = one([payment("1000.00", remittance=lines)], docs)
    assert proposal.status is MatchStatus.AUTO
    assert proposal.strategy == "remittance"
    assert applied(proposal) == {"d-INV-1001": ("300.00", "0.00"), "d-INV-1002": ("700.00", "0.00")}


def test_remittance_short_line_goes_to_review_with_a_deduction() -> None:
    lines = (RemittanceLine(document_number="INV-1001", amount=usd("250.00")),)
    proposal = one([payment("250.00", remittance=lines)], [invoice("INV-1001", "300.00")])
    assert proposal.status is MatchStatus.REVIEW
    assert "short_pay" in proposal.flags
    assert proposal.deduction == usd("50.00")


# --- 2. numbers in text ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "memo", ["INV-0001042", "inv 1042", "#1042", "Invoice No. 1042", "PMT INV 1-042 THX"]
)
def test_number_written_any_way_with_the_amount(memo: str) -> None:
    docs = [invoice("INV-1042", "1000.00"), invoice("INV-1043", "1000.00")]
    proposal = one([payment("1000.00", reference=memo)], docs)
    assert (proposal.status, proposal.strategy) == (MatchStatus.AUTO, "numbers_in_text")
    assert applied(proposal) == {"d-INV-1042": ("1000.00", "0.00")}


def test_number_with_earned_discount() -> None:
    doc = invoice("INV-1042", "1000.00", day=date(2026, 1, 31), terms="2/10 Net 30")
    proposal = one([payment("980.00", received=date(2026, 2, 9), reference="1042")], [doc])
    assert proposal.status is MatchStatus.AUTO
    assert applied(proposal) == {"d-INV-1042": ("980.00", "20.00")}


def test_number_of_a_paid_invoice_goes_to_review() -> None:
    doc = invoice("INV-1042", "1000.00", balance="0.00")
    proposal = one([payment("1000.00", reference="INV-1042")], [doc])
    assert proposal.status is MatchStatus.REVIEW
    assert proposal.flags == ("already_settled",)


def test_another_customer_paying_by_number_is_a_third_party() -> None:
    doc = invoice("INV-1042", "1000.00", customer="c-2")
    proposal = one([payment("1000.00", reference="INV-1042", account="021000021-1111")], [doc])
    assert proposal.status is MatchStatus.REVIEW
    assert "third_party_payer" in proposal.flags


def test_parent_paying_a_subsidiary_invoice_is_not_a_third_party() -> None:
    doc = invoice("INV-1042", "1000.00", customer="c-6")
    proposal = one([payment("1000.00", reference="INV-1042", payer="GRANITE HOLDINGS")], [doc])
    assert proposal.status is MatchStatus.AUTO
    assert proposal.customer_id == "c-6"


# --- 3. identify, 4a. exact balance ------------------------------------------------------------


@pytest.mark.parametrize(
    ("payer", "account"),
    [
        ("", " 021000021-1111"),  # a known account
        ("BLUE HARBOR LOGISTICS INC.", ""),  # the name as the bank prints it
        ("PAYMENT FROM BLUE HARBOR LOGISTICS", ""),  # with the bank's words before it
        ("LOGISTICS BLUE HARBOR", ""),  # words reordered
        ("BLUE HARBOR LOGISTIC", ""),  # cut at 20 characters
    ],
)
def test_identified_customer_with_one_item_of_the_amount(payer: str, account: str) -> None:
    docs = [
        invoice("INV-1", "120.00"),
        invoice("INV-2", "455.10"),
        invoice("INV-3", "455.10", "c-2"),
    ]
    proposal = one([payment("455.10", payer=payer, account=account)], docs)
    assert (proposal.status, proposal.strategy) == (MatchStatus.AUTO, "exact_balance")
    assert applied(proposal) == {"d-INV-2": ("455.10", "0.00")}


def test_near_duplicate_names_identify_no_one() -> None:
    docs = [invoice("INV-1", "455.10", "c-3"), invoice("INV-2", "455.10", "c-4")]
    for payer in ("ACME CORP", "ACME CORPORATION", "ACME CORPORATI"):
        proposal = one([payment("455.10", payer=payer)], docs)
        assert proposal.status is not MatchStatus.AUTO, payer


def test_two_items_of_the_amount_are_ambiguous() -> None:
    docs = [invoice("INV-1", "455.10"), invoice("INV-2", "455.10", day=date(2026, 1, 20))]
    proposal = one([payment("455.10", account="021000021-1111")], docs)
    assert proposal.status is MatchStatus.REVIEW
    assert "ambiguous" in proposal.flags


def test_one_edit_number_confirmed_by_the_amount() -> None:
    docs = [invoice("INV-204518", "455.10"), invoice("INV-204519", "455.10")]
    proposal = one([payment("455.10", reference="INV 204578", account="021000021-1111")], docs)
    assert proposal.status is MatchStatus.AUTO
    assert applied(proposal) == {"d-INV-204518": ("455.10", "0.00")}


def test_unknown_payer_without_number_stays_unapplied() -> None:
    proposal = one([payment("455.10", payer="JOHN SMITH")], [invoice("INV-1", "455.10")])
    assert proposal.status is MatchStatus.UNAPPLIED
    assert proposal.applications == ()


# --- 4b. discounted balance, 4c. subset sum, 5. tolerance ------------------------------------


def test_discount_earned_without_number() -> None:
    doc = invoice("INV-7", "500.00", day=date(2026, 2, 1), terms="2/10 Net 30")
    proposal = one([payment("490.00", received=date(2026, 2, 11), account="021000021-1111")], [doc])
    assert (proposal.status, proposal.strategy) == (MatchStatus.AUTO, "discounted_balance")
    assert applied(proposal) == {"d-INV-7": ("490.00", "10.00")}


def test_discount_not_earned_late_payment_of_the_discounted_amount() -> None:
    doc = invoice("INV-7007", "500.00", day=date(2026, 2, 1), terms="2/10 Net 30")
    proposal = one([payment("490.00", received=date(2026, 2, 12), reference="INV-7007")], [doc])
    assert proposal.status is MatchStatus.REVIEW
    assert "short_pay" in proposal.flags


def test_unique_subset_sums_to_the_amount() -> None:
    docs = [invoice("INV-1", "100.00"), invoice("INV-2", "250.00"), invoice("INV-3", "475.50")]
    proposal = one([payment("575.50", account="021000021-1111")], docs)
    assert (proposal.status, proposal.strategy) == (MatchStatus.AUTO, "subset_sum")
    assert applied(proposal) == {"d-INV-1": ("100.00", "0.00"), "d-INV-3": ("475.50", "0.00")}


def test_two_subsets_summing_to_the_amount_are_ambiguous() -> None:
    docs = [invoice(f"INV-{i}", a) for i, a in enumerate(("100.00", "200.00", "300.00", "50.00"))]
    proposal = one([payment("300.00", account="021000021-1111", reference="x")], docs[:3])
    # 300.00 is INV-2 alone: an exact balance wins over any subset.
    assert applied(proposal) == {"d-INV-2": ("300.00", "0.00")}
    docs = [invoice(f"INV-{i}", a) for i, a in enumerate(("100.00", "200.00", "150.00", "150.00"))]
    proposal = one([payment("300.00", account="021000021-1111")], docs)
    assert proposal.status is MatchStatus.REVIEW
    assert "ambiguous" in proposal.flags


@pytest.mark.parametrize(
    ("amount", "flag", "unapplied", "deduction"),
    [("990.00", "short_pay", "0.00", "10.00"), ("1005.00", "overpayment", "5.00", "0.00")],
)
def test_within_tolerance_goes_to_review(
    amount: str, flag: str, unapplied: str, deduction: str
) -> None:
    proposal = one([payment(amount, account="021000021-1111")], [invoice("INV-1", "1000.00")])
    assert (proposal.status, proposal.strategy) == (MatchStatus.REVIEW, "tolerance")
    assert proposal.flags == (flag,)
    assert proposal.unapplied == usd(unapplied)
    assert proposal.deduction == usd(deduction)


# --- received-date order ------------------------------------------------------------------


def test_the_earlier_payment_takes_the_invoice_the_later_goes_to_review() -> None:
    docs = [invoice("INV-1042", "1000.00")]
    later = payment("1000.00", pid="p-a", received=date(2026, 3, 5), reference="INV-1042")
    earlier = payment("1000.00", pid="p-b", received=date(2026, 3, 1), reference="INV 1042")
    first, second = match([later, earlier], docs, CUSTOMERS)
    assert (first.payment_id, first.status) == ("p-b", MatchStatus.AUTO)
    assert applied(first) == {"d-INV-1042": ("1000.00", "0.00")}
    assert (second.payment_id, second.status) == ("p-a", MatchStatus.REVIEW)
    assert second.flags == ("already_settled",)


def test_the_later_payment_of_the_same_amount_takes_the_next_item() -> None:
    docs = [invoice("INV-101", "455.10"), invoice("INV-102", "455.10", day=date(2026, 1, 20))]
    first, second = match(
        [
            payment("455.10", pid="p-1", reference="INV-102", received=date(2026, 2, 1)),
            payment("455.10", pid="p-2", account="021000021-1111", received=date(2026, 2, 2)),
        ],
        docs,
        CUSTOMERS,
    )
    assert applied(first) == {"d-INV-102": ("455.10", "0.00")}
    assert second.status is MatchStatus.AUTO
    assert applied(second) == {"d-INV-101": ("455.10", "0.00")}


def test_number_key_strips_stacked_prefixes() -> None:
    assert {number_key(n) for n in ("inv no. 1042", "INVOICE # 1042", "INV-NR-01042")} == {"1042"}
