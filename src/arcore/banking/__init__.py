"""Bank statement files into typed transactions: camt.053, BAI2, MT940, OFX and CSV.

Each format has its own module with ``parse(path)`` and ``sniff(head)``; all return
[`BankStatement`][arcore.banking.model.BankStatement] objects whose lines are signed from the
account holder's side (credits positive), so cash application and deposit verification read
every bank the same way. [`read_statements`][arcore.banking.read_statements] picks the parser
by looking at the file's first bytes.

Which library reads what: camt (ISO 20022 XML) is read with the standard library's XML parser
made safe by ``defusedxml``; BAI2 with ``bai2``; MT940/MT942 with ``mt-940``; OFX with
``ofxtools``; CSV with the standard ``csv`` module through a
[`CsvMapping`][arcore.banking.csv_format.CsvMapping]. Any file that cannot be read raises
[`BankFileError`][arcore.errors.BankFileError] naming the file, the line or XML element and
the value; nothing of it is returned.

The parsers are plugins: arcore registers these through the
``arcore_register_statement_parsers`` hook, and a plugin adds a bank's own format the same
way; pass ``Plugins.statement_parsers()`` as ``parsers`` to use them.

>>> sorted(FORMATS)
['bai2', 'camt053', 'csv', 'mt940', 'ofx']
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import Final

from arcore.banking import bai2, camt, csv_format, mt940, ofx
from arcore.banking._common import HEAD_BYTES, read_bytes
from arcore.banking.csv_format import CsvMapping
from arcore.banking.model import BankStatement, BankTransaction
from arcore.errors import BankFileError

__all__ = [
    "FORMATS",
    "BankStatement",
    "BankTransaction",
    "CsvMapping",
    "read_statements",
]

FORMATS: Final[Mapping[str, ModuleType]] = MappingProxyType(
    {
        camt.FORMAT: camt,
        bai2.FORMAT: bai2,
        mt940.FORMAT: mt940,
        ofx.FORMAT: ofx,
        csv_format.FORMAT: csv_format,
    }
)
"""The built-in parsers by format name, in the order ``"auto"`` tries them."""


def read_statements(
    path: Path,
    format: str = "auto",
    *,
    csv_mapping: CsvMapping | None = None,
    parsers: Mapping[str, object] | None = None,
) -> list[BankStatement]:
    """The statements in the bank file at ``path``.

    Args:
        path: The file.
        format: A format name (``"camt053"``, ``"bai2"``, ``"mt940"``, ``"ofx"``, ``"csv"``,
            or one a plugin registered), or ``"auto"`` to ask each parser's ``sniff`` in turn
            (CSV is chosen only when ``csv_mapping`` is given).
        csv_mapping: The column mapping, for CSV files.
        parsers: The parsers by format name, each with ``parse(path)`` (``parse(path,
            mapping)`` for CSV) and ``sniff(head)``; ``Plugins.statement_parsers()`` gives
            the built-ins and every plugin's. Default: [`FORMATS`][arcore.banking.FORMATS].

    Raises:
        BankFileError: no parser recognises the file, the format is unknown, or the file is
            malformed.
    """
    path = Path(path)
    available: Mapping[str, object] = FORMATS if parsers is None else parsers
    if format == "auto":
        format = csv_format.FORMAT if csv_mapping is not None else _sniffed(path, available)
    parser = available.get(format)
    if parser is None:
        raise BankFileError(
            f"no statement parser for the format {format!r}",
            hint=f"Use one of: auto, {', '.join(available)}",
            file=path,
            field="format",
            value=format,
        )
    if format == csv_format.FORMAT or csv_mapping is not None:
        if csv_mapping is None:
            raise BankFileError(
                "a CSV statement needs a column mapping",
                hint="Pass csv_mapping=CsvMapping(...) describing the file's columns",
                file=path,
                field="csv_mapping",
            )
        statements: list[BankStatement] = getattr(parser, "parse")(path, csv_mapping)  # noqa: B009
    else:
        statements = getattr(parser, "parse")(path)  # noqa: B009
    return statements


def _sniffed(path: Path, parsers: Mapping[str, object]) -> str:
    head = read_bytes(path)[:HEAD_BYTES]
    for name, parser in parsers.items():
        sniff = getattr(parser, "sniff", None)
        if callable(sniff) and sniff(head):
            return name
    raise BankFileError(
        "the file is not a bank statement format arcore recognises",
        hint=f"Name the format ({', '.join(parsers)}); for CSV pass a csv_mapping",
        file=path,
        value=head[:40].decode("utf-8", "replace"),
    )
