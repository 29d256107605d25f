"""The query language the SDK sends: paging, both ORDER BY spellings, COUNT, WHERE, errors."""

from __future__ import annotations

from typing import Any

import pytest
from quickbooks.exceptions import ValidationException
from quickbooks.objects.customer import Customer
from quickbooks.objects.invoice import Invoice

from arcore_quickbooks.simulator import QuickBooksSimulator


@pytest.fixture
def invoices(simulator: QuickBooksSimulator, sim_clock: Any, realm: str) -> list[dict[str, Any]]:
    """25 invoices for two customers, one a minute, amounts 1..25."""
    alpha = simulator.seed(realm, "Customer", {"DisplayName": "Alpha"})
    beta = simulator.seed(realm, "Customer", {"DisplayName": "Beta"})
    made = []
    for n in range(1, 26):
        customer = alpha if n % 2 else beta
        made.append(
            simulator.seed(
                realm,
                "Invoice",
                {
                    "CustomerRef": {"value": customer["Id"]},
                    "DocNumber": f"INV-{n:03}",
                    "TxnDate": f"2026-02-{n:02}",
                    "Line": [{"Amount": n, "DetailType": "SalesItemLineDetail"}],
                },
            )
        )
        sim_clock.advance(minutes=1)
    return made


def test_where_pages_with_orderby_without_a_space(qb: Any, invoices: list[dict[str, Any]]) -> None:
    pages = [
        Invoice.where(
            "TotalAmt > '0'",
            order_by="MetaData.LastUpdatedTime DESC",
            start_position=start,
            max_results=10,
            qb=qb,
        )
        for start in (1, 11, 21, 31)
    ]

    assert [len(page) for page in pages] == [10, 10, 5, 0]
    doc_numbers = [inv.DocNumber for page in pages for inv in page]
    assert doc_numbers == [f"INV-{n:03}" for n in range(25, 0, -1)]


def test_all_pages_with_order_by_with_a_space(qb: Any, invoices: list[dict[str, Any]]) -> None:
    first = Invoice.all(order_by="DocNumber", max_results=20, qb=qb)
    rest = Invoice.all(order_by="DocNumber", start_position=21, max_results=20, qb=qb)

    assert [inv.DocNumber for inv in first + rest] == [f"INV-{n:03}" for n in range(1, 26)]


def test_count(qb: Any, invoices: list[dict[str, Any]]) -> None:
    assert Invoice.count(qb=qb) == 25
    assert Invoice.count("TotalAmt >= '20'", qb=qb) == 6


def test_where_operators_and_dotted_fields(
    qb: Any, invoices: list[dict[str, Any]], realm: str
) -> None:
    alpha_id = invoices[0]["CustomerRef"]["value"]
    cutoff = invoices[19]["MetaData"]["LastUpdatedTime"]

    assert len(Invoice.where(f"CustomerRef = '{alpha_id}'", qb=qb)) == 13
    assert len(Invoice.where(f"MetaData.LastUpdatedTime >= '{cutoff}'", qb=qb)) == 6
    assert len(Invoice.where("TxnDate < '2026-02-03' AND TotalAmt <= '1'", qb=qb)) == 1
    assert len(Invoice.where("DocNumber IN ('INV-001', 'INV-002', 'nope')", qb=qb)) == 2
    assert len(Invoice.where("DocNumber LIKE 'INV-01%'", qb=qb)) == 10
    assert len(Customer.filter(DisplayName="Alpha", qb=qb)) == 1


def test_envelope_has_no_entity_key_when_no_rows(qb: Any) -> None:
    response = qb.query("SELECT * FROM Invoice WHERE DocNumber = 'none'")

    assert response["QueryResponse"] == {}
    assert "time" in response


def test_envelope_fields_of_a_page(qb: Any, invoices: list[dict[str, Any]]) -> None:
    response = qb.query("select * from Invoice STARTPOSITION 3 MAXRESULTS 4")["QueryResponse"]

    assert (response["startPosition"], response["maxResults"]) == (3, 4)
    assert [row["DocNumber"] for row in response["Invoice"]] == [
        "INV-003",
        "INV-004",
        "INV-005",
        "INV-006",
    ]


def test_maxresults_is_capped_by_page_limit(sim_clock: Any, make_qb: Any, realm: str) -> None:
    with QuickBooksSimulator(clock=sim_clock, page_limit=3) as small:
        for n in range(5):
            small.seed(realm, "Customer", {"DisplayName": f"C{n}"})
        qb = make_qb(small)

        assert len(Customer.all(max_results=1000, qb=qb)) == 3


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * FROM",
        "SELECT * Invoice",
        "SELECT * FROM Invoice WHERE TotalAmt >",
        "SELECT * FROM Invoice STARTPOSITION x",
        "SELECT * FROM Invoice ORDER DocNumber",
        "DELETE FROM Invoice",
    ],
)
def test_malformed_query_is_a_4000_fault(qb: Any, text: str) -> None:
    with pytest.raises(ValidationException) as caught:
        qb.query(text)
    assert caught.value.error_code == 4000


def test_unknown_entity_is_a_validation_fault(qb: Any) -> None:
    with pytest.raises(ValidationException) as caught:
        qb.query("SELECT * FROM Spaceship")
    assert caught.value.error_code == 4001


def test_escaped_quote_in_a_value(qb: Any, simulator: QuickBooksSimulator, realm: str) -> None:
    simulator.seed(realm, "Customer", {"DisplayName": "O'Brien"})

    assert len(Customer.where("DisplayName = 'O\\'Brien'", qb=qb)) == 1


def test_ids_compare_as_numbers_and_choose_works(qb: Any, invoices: list[dict[str, Any]]) -> None:
    ids = [inv["Id"] for inv in invoices]

    assert len(Invoice.where(f"Id > '{ids[8]}'", qb=qb)) == 16
    assert [inv.Id for inv in Invoice.choose(ids[:2], qb=qb)] == ids[:2]


def test_selected_fields_only(qb: Any, invoices: list[dict[str, Any]]) -> None:
    rows = qb.query("SELECT DocNumber, TotalAmt FROM Invoice MAXRESULTS 1")["QueryResponse"]

    assert set(rows["Invoice"][0]) == {"Id", "domain", "sparse", "DocNumber", "TotalAmt"}
