"""Normalising invoice numbers and payer names as banks and customers write them.

>>> number_key("INV-001042"), number_key("inv 1042"), number_key("#1042"), number_key("SO/2024/77")
('1042', '1042', '1042', 'SO202477')
>>> number_key("inv no. 1042"), number_key("INVOICE NR 1042")
('1042', '1042')
>>> sorted(numbers_in_text("Payment INV 1042 & inv-01043, ref 7"))
['1042', '1043']
>>> name_key("ACME CORP. (USA), INC")
'ACME USA'
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["LEGAL_WORDS", "PREFIXES", "name_key", "number_key", "numbers_in_text"]

PREFIXES: Final = ("INVOICE", "INV", "NUMBER", "NO", "NR", "BILL", "DOC")
"""Words written before an invoice number that are not part of it."""

_PREFIX_WORDS: Final = frozenset(PREFIXES)
_PREFIX: Final = re.compile(rf"^(?:{'|'.join(PREFIXES)})(?=[^A-Z]|$)")
_SEPARATORS: Final = re.compile(r"[^0-9A-Z]+")
_TOKEN: Final = re.compile(
    rf"(?:\b(?:{'|'.join(PREFIXES)})\b\W{{0,3}}|#)?[A-Z]{{0,4}}[-/ ]?\d[\d\-/]*\d|\d{{3,}}",
    re.IGNORECASE,
)
_DATES: Final = re.compile(
    r"\b(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2}))\b"
)
LEGAL_WORDS: Final = [
    "INC",
    "INCORPORATED",
    "CORP",
    "CORPORATION",
    "CO",
    "COMPANY",
    "LLC",
    "LTD",
    "LIMITED",
    "GMBH",
    "AG",
    "SA",
    "SAS",
    "BV",
    "NV",
    "PLC",
    "LLP",
    "LP",
    "THE",
    "AND",
]
"""Legal-form (and filler) words a name is compared without."""

_NOT_DIGIT: Final = re.compile(r"\D")

_LEGAL: Final = re.compile(rf"\b(?:{'|'.join(LEGAL_WORDS)})\b")


_PLAIN: Final = re.compile(rf"(?:{'|'.join(PREFIXES)})?[^0-9A-Z]*([0-9]+)", re.IGNORECASE)
"""``INV-001042``, ``#1042``, ``1042``: one prefix at most, then digits only (the fast path)."""


def number_key(number: str) -> str:
    """The key an invoice number is looked up by: case, separators, prefixes, zeros ignored."""
    if not number.isascii():
        plain = None
    else:
        head, _, digits = number.rpartition("-")  # "INV-001042", the usual: no regex
        if digits.isdigit() and head.upper() in _PREFIX_WORDS:
            return digits.lstrip("0") or digits
        plain = _PLAIN.fullmatch(number)
    if plain is not None:
        digits = plain.group(1)
        return digits.lstrip("0") or digits
    text = _SEPARATORS.sub(" ", number.upper()).strip()
    while (shorter := _PREFIX.sub("", text).strip()) != text:  # "INV NO. 1042", "INVOICE # 7"
        text = shorter
    key = _SEPARATORS.sub("", text)
    stripped = key.lstrip("0")
    return stripped or key


def numbers_in_text(text: str) -> set[str]:
    """Keys of everything in ``text`` that looks like a document number (3+ digits).

    Dates (``12/30/25``, ``2025-12-30``, ``30.12.2025``) are not numbers: banks print them in
    memos, and ``123025`` could be a real invoice's.
    """
    found: set[str] = set()
    for token in _TOKEN.findall(_DATES.sub(" ", text)):
        key = number_key(token)
        if (len(key) if key.isdigit() else sum(c.isdigit() for c in key)) >= 3:
            found.add(key)
        digits = (token if token.isdigit() else _NOT_DIGIT.sub("", token)).lstrip("0")
        if len(digits) >= 3:
            found.add(digits)
    return found


def name_key(name: str) -> str:
    """A payer or customer name without case, punctuation or legal-form words."""
    words = _SEPARATORS.sub(" ", name.upper())
    return " ".join(_LEGAL.sub(" ", words).split())
