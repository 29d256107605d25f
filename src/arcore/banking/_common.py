"""Helpers shared by the statement parsers: reading files and building errors and money."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError as PydanticValidationError

from arcore.errors import ArcoreError, BankFileError
from arcore.money import Money

T = TypeVar("T")

HEAD_BYTES = 4096
"""How many bytes of a file the sniffers look at."""


def read_bytes(path: Path) -> bytes:
    """The file's content, or a ``BankFileError`` naming it."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise BankFileError(
            f"cannot read the file: {exc.strerror or exc}",
            hint="Check the path and the file's permissions",
            file=path,
        ) from exc


def read_text(path: Path, encodings: tuple[str, ...] = ("utf-8-sig", "cp1252")) -> str:
    """The file decoded with the first encoding that fits (UTF-8, then Windows-1252)."""
    data = read_bytes(path)
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BankFileError(
        "the file is neither UTF-8 nor Windows-1252 text",
        hint="Export the statement again as text",
        file=path,
    )


def strip_head(head: bytes) -> bytes:
    """``head`` without a UTF-8 byte-order mark and leading whitespace."""
    return head.removeprefix(b"\xef\xbb\xbf").lstrip()


def money(
    amount: Decimal | int | str,
    currency: str,
    *,
    path: Path,
    row: int | None = None,
    field: str | None = None,
) -> Money:
    """``Money(amount, currency)``, or a ``BankFileError`` naming where the amount was."""
    try:
        return Money(amount, currency)
    except ArcoreError as exc:
        raise BankFileError(
            f"{amount!r} in {currency!r} is not an amount: {exc.message}",
            hint="The file is damaged or not what its format says; ask the bank for it again",
            file=path,
            row=row,
            field=field,
            value=amount,
        ) from exc


def build(factory: Callable[..., T], *, path: Path, row: int | None = None, **fields: Any) -> T:
    """``factory(**fields)`` (a model), turning pydantic's errors into a ``BankFileError``."""
    try:
        return factory(**fields)
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise BankFileError(
            f"{where}: {first['msg']}",
            hint="The file is missing a value the statement needs",
            file=path,
            row=row,
            field=where,
            value=first.get("input"),
        ) from exc


def join_text(*parts: str | None) -> str:
    """The non-empty parts, stripped, each once, joined by a space."""
    seen: list[str] = []
    for part in parts:
        text = " ".join((part or "").split())
        if text and text not in seen:
            seen.append(text)
    return " ".join(seen)
