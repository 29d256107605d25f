"""The ``arcore`` console script, run as a user runs it: a separate process."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from arcore import __version__


def arcore(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "arcore", *args], capture_output=True, text=True, check=False
    )


def terms_json(*args: str) -> dict[str, Any]:
    done = arcore("terms", *args, "--json")
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_version() -> None:
    done = arcore("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"arcore {__version__}"


# Each row worked out by hand with a calendar: (terms, date, amount, extra options) ->
# (canonical terms, due date, discount date, discount amount).
CASES = [
    (
        "2/10 Net 30",
        "2026-01-31",
        "1000.00",
        (),
        ("2/10 Net 30", "2026-03-02", "2026-02-10", "20.00"),
    ),
    (
        "due upon receipt",
        "2026-01-31",
        "1000.00",
        (),
        ("Due on receipt", "2026-01-31", None, "0.00"),
    ),
    ("Net 30", "2024-01-31", "10.00", (), ("Net 30", "2024-03-01", None, "0.00")),  # leap year
    ("Net 30", "2026-12-15", "10.00", (), ("Net 30", "2027-01-14", None, "0.00")),  # year end
    ("net 30 eom", "2024-01-15", "10.00", (), ("Net 30 EOM", "2024-03-01", None, "0.00")),
    (
        "2/10 EOM Net 30",
        "2026-02-14",
        "500.00",
        (),
        ("2/10 EOM Net 30", "2026-03-30", "2026-03-10", "10.00"),
    ),
    ("10th Prox", "2026-01-31", "10.00", (), ("Net 10th Prox", "2026-02-10", None, "0.00")),
    (
        "Net 10th Prox cutoff 25",
        "2026-01-25",
        "10.00",
        (),
        ("Net 10th Prox cutoff 25", "2026-02-10", None, "0.00"),
    ),
    (
        "Net 10th Prox cutoff 25",
        "2026-01-26",
        "10.00",
        (),
        ("Net 10th Prox cutoff 25", "2026-03-10", None, "0.00"),
    ),
    ("Net 31st Prox", "2024-01-10", "10.00", (), ("Net 31st Prox", "2024-02-29", None, "0.00")),
    ("Net 31st Prox", "2100-01-10", "10.00", (), ("Net 31st Prox", "2100-02-28", None, "0.00")),
    # 1.5 % of 333.33 = 4.99995, half up to the cent.
    (
        "1.5/10 Net 30",
        "2026-03-01",
        "333.33",
        (),
        ("1.5/10 Net 30", "2026-03-31", "2026-03-11", "5.00"),
    ),
    # Discount on the subtotal: 2 % of 1,080.00 less 80.00 tax.
    (
        "2/10 Net 30",
        "2026-01-31",
        "1,080.00",
        ("--tax", "80.00", "--discount-base", "subtotal"),
        ("2/10 Net 30", "2026-03-02", "2026-02-10", "20.00"),
    ),
    # JPY has no minor unit: 2 % of 12,345 = 246.9, half up to 247.
    (
        "2/10 Net 30",
        "2026-01-31",
        "12345",
        ("--currency", "JPY"),
        ("2/10 Net 30", "2026-03-02", "2026-02-10", "247"),
    ),
    # 2026-07-04 is a Saturday and 2026-07-03 the observed Independence Day: Monday the 6th.
    ("Net 30", "2026-06-04", "10.00", ("--calendar", "US"), ("Net 30", "2026-07-06", None, "0.00")),
]


@pytest.mark.parametrize(("notation", "issued", "amount", "options", "expected"), CASES)
def test_terms_answers_worked_out_by_hand(
    notation: str,
    issued: str,
    amount: str,
    options: tuple[str, ...],
    expected: tuple[str, str, str | None, str],
) -> None:
    result = terms_json(notation, "--date", issued, "--amount", amount, *options)
    assert (
        result["terms"],
        result["due_date"],
        result["discount_date"],
        result["discount_amount"],
    ) == expected
    assert [row["due_date"] for row in result["installments"]] == [expected[1]]


def test_installments_split_to_the_cent() -> None:
    result = terms_json(
        "Installments 50% Net 30, 50% Net 60", "--date", "2026-05-31", "--amount", "1000.01"
    )
    assert result["due_date"] == "2026-07-30"
    assert result["discount_date"] is None
    assert [(row["due_date"], row["amount"]) for row in result["installments"]] == [
        ("2026-06-30", "500.01"),
        ("2026-07-30", "500.00"),
    ]


def test_table_output_for_people() -> None:
    done = arcore("terms", "2/10 Net 30", "--date", "2026-01-31", "--amount", "1000.00")
    assert done.returncode == 0
    assert "2026-03-02" in done.stdout
    assert "20.00 USD" in done.stdout


def test_bad_terms_exit_1_with_what_to_write() -> None:
    done = arcore("terms", "Net thirty", "--date", "2026-01-31")
    assert done.returncode == 1
    assert "cannot read credit terms 'Net thirty'" in done.stderr
    assert "2/10 Net 30" in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_amount_exit_1_naming_the_field() -> None:
    done = arcore("terms", "Net 30", "--date", "2026-01-31", "--amount", "12,34.5")
    assert done.returncode == 1
    assert "field 'amount'" in done.stderr


def test_bad_date_is_a_usage_error() -> None:
    done = arcore("terms", "Net 30", "--date", "2026-02-30")
    assert done.returncode == 2
    assert "YYYY-MM-DD" in done.stderr


def test_unknown_calendar_exit_1() -> None:
    done = arcore("terms", "Net 30", "--date", "2026-01-31", "--calendar", "Atlantis")
    assert done.returncode == 1
    assert "no business calendar named 'Atlantis'" in done.stderr


def test_adapters_json_lists_what_is_installed() -> None:
    done = arcore("adapters", "--json")
    assert done.returncode == 0
    rows = json.loads(done.stdout)
    assert isinstance(rows, list)
    assert all({"name", "available"} <= row.keys() for row in rows)
