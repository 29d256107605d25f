"""Normalising invoice numbers and payer names as banks and customers write them.

>>> number_key("INV-001042"), number_key("inv 1042"), number_key("#1042"), number_key("SO/2024/77")
('1042', '1042', '1042', 'SO202477')
>>> sorted(numbers_in_text("Payment INV 1042 & inv-01043, ref 7"))
['1042', '1043']
>>> name_key("ACME CORP. (USA), INC")
'ACME USA'
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["PREFIXES", "name_key", "number_key", "numbers_in_text"]

PREFIXES: Final = ("INVOICE", "INV", "NUMBER", "NO", "NR", "BILL", "DOC")
"""Words written before an invoice number that are not part of it."""

_PREFIX: Final = re.compile(rf"^(?:{'|'.join(PREFIXES)})(?=[^A-Z]|$)")
_SEPARATORS: Final = re.compile(r"[^0-9A-Z]+")
_TOKEN: Final = re.compile(
    rf"(?:\b(?:{'|'.join(PREFIXES)})\b\W{{0,3}}|#)?[A-Z]{{0,4}}[-/ ]?\d[\d\-/]*\d|\d{{3,}}",
    re.IGNORECASE,
)
_LEGAL: Final = re.compile(
    r"\b(?:INC|INCORPORATED|CORP|CORPORATION|CO|COMPANY|LLC|LTD|LIMITED|GMBH|AG|SA|SAS|BV|NV|"
    r"PLC|LLP|LP|THE|AND)\b"
)


def number_key(number: str) -> str:
    """The key an invoice number is looked up by: case, separators, prefixes, zeros ignored."""
    text = _SEPARATORS.sub(" ", number.upper()).strip()
    text = _PREFIX.sub("", text).strip()
    key = _SEPARATORS.sub("", text)
    stripped = key.lstrip("0")
    return stripped or key


def numbers_in_text(text: str) -> set[str]:
    """Keys of everything in ``text`` that looks like a document number (3+ digits)."""
    found: set[str] = set()
    for match in _TOKEN.finditer(text):
        key = number_key(match.group(0))
        if sum(c.isdigit() for c in key) >= 3:
            found.add(key)
        digits = re.sub(r"\D", "", match.group(0)).lstrip("0")
        if len(digits) >= 3:
            found.add(digits)
    return found


def name_key(name: str) -> str:
    """A payer or customer name without case, punctuation or legal-form words."""
    words = _SEPARATORS.sub(" ", name.upper())
    return " ".join(_LEGAL.sub(" ", words).split())
