"""The ``where`` and ``order`` query parameters: the forms arcore uses, refused clearly otherwise.

Supported ``where``: comparisons ``Path op Value`` joined by ``AND``/``OR`` (also ``&&``/``||``;
``AND`` binds tighter), where ``Path`` is a field or a dotted path (``Contact.ContactID``), ``op``
one of ``== != >= <= > <`` and ``Value`` a ``"string"``, ``DateTime(y,m,d[,h,mi,s])``,
``Guid("...")``, ``true``/``false``, ``null`` or a number. String equality ignores case, as
Xero's does. Method calls (``Name.Contains("x")``), parentheses and anything else answer HTTP 400
naming the part that was not understood.

``order``: ``Path [ASC|DESC]``, comma-separated.

>>> matcher = parse_where('Type=="ACCREC" AND Status!="DRAFT"')
>>> matcher({"Type": "ACCREC", "Status": "AUTHORISED"})
True
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from .wire import XeroError, validation

Record = dict[str, Any]
"""An object as the store keeps it (Python dates, ``Decimal`` money)."""

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<call>(?:DateTime|Guid)\s*\([^)]*\))
      | (?P<op>==|!=|>=|<=|>|<|&&|\|\|)
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<word>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
      | (?P<other>\S+)
    )""",
    re.VERBOSE,
)
_COMPARISONS = frozenset({"==", "!=", ">=", "<=", ">", "<"})


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str


def _bad_where(where: str, detail: str) -> XeroError:
    return validation(
        f"The where parameter {where!r} is not supported by the simulator: {detail}. "
        'Use comparisons (==, !=, >=, <=, >, <) of a field with a "string", DateTime(y,m,d), '
        'Guid("..."), true, false or a number, joined by AND / OR.'
    )


def _tokens(where: str) -> list[_Token]:
    out: list[_Token] = []
    for match in _TOKEN.finditer(where):
        kind = match.lastgroup or "other"
        text = match.group(kind)
        if kind == "word" and text.upper() in ("AND", "OR"):
            kind, text = "op", "&&" if text.upper() == "AND" else "||"
        out.append(_Token(kind, text))
    return out


def _value(token: _Token, where: str) -> Any:
    if token.kind == "string":
        return re.sub(r"\\(.)", r"\1", token.text[1:-1])
    if token.kind == "number":
        return Decimal(token.text)
    if token.kind == "word" and token.text.lower() in ("true", "false"):
        return token.text.lower() == "true"
    if token.kind == "word" and token.text.lower() == "null":
        return None
    if token.kind == "call":
        name, _, args = token.text.partition("(")
        args = args.rstrip(")").strip()
        if name.strip() == "Guid":
            return args.strip('"').lower()
        try:
            if args.startswith('"'):
                moment = datetime.fromisoformat(args.strip('"'))
            else:
                numbers = [int(part) for part in args.split(",")]
                hms = [*numbers[3:6], 0, 0, 0][:3]
                moment = datetime(numbers[0], numbers[1], numbers[2], hms[0], hms[1], hms[2])
        except (TypeError, ValueError) as exc:
            raise _bad_where(where, f"{token.text} is not a valid DateTime") from exc
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    raise _bad_where(where, f"{token.text!r} is not a value")


def field_value(record: Record, path: str) -> Any:
    """The value at a dotted ``path`` of ``record`` (``None`` when absent)."""
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _comparable(left: Any, right: Any) -> tuple[Any, Any] | None:
    """Both sides as values Python can compare, or ``None`` when the types differ."""
    if isinstance(right, datetime):
        if isinstance(left, datetime):
            return left, right
        if isinstance(left, date):
            return left, right.date()
        return None
    if isinstance(right, bool) or isinstance(left, bool):
        return (left, right) if isinstance(left, bool) and isinstance(right, bool) else None
    if isinstance(right, Decimal):
        try:
            return Decimal(str(left)), right
        except (InvalidOperation, ValueError):
            return None
    if isinstance(right, str) and isinstance(left, str):
        return left.lower(), right.lower()
    return None


def _compare(path: str, op: str, right: Any) -> Callable[[Record], bool]:
    def test(record: Record) -> bool:
        left = field_value(record, path)
        if right is None or left is None:
            same = left is None and right is None
            return same if op == "==" else (not same if op == "!=" else False)
        pair = _comparable(left, right)
        if pair is None:
            return op == "!="
        a, b = pair
        return bool(
            {
                "==": a == b,
                "!=": a != b,
                ">=": a >= b,
                "<=": a <= b,
                ">": a > b,
                "<": a < b,
            }[op]
        )

    return test


def parse_where(where: str) -> Callable[[Record], bool]:
    """A predicate over records for a ``where`` parameter.

    Raises:
        XeroError: HTTP 400 naming the part of ``where`` that is not supported.
    """
    tokens = _tokens(where)
    if not tokens:
        return lambda record: True
    disjuncts: list[list[Callable[[Record], bool]]] = [[]]
    index = 0
    while True:
        if index + 3 > len(tokens):
            raise _bad_where(where, "a comparison is incomplete")
        path, op, value = tokens[index : index + 3]
        if path.kind != "word":
            raise _bad_where(where, f"{path.text!r} is not a field name")
        if op.kind != "op" or op.text not in _COMPARISONS:
            raise _bad_where(where, f"{op.text!r} after {path.text} is not a comparison")
        disjuncts[-1].append(_compare(path.text, op.text, _value(value, where)))
        index += 3
        if index == len(tokens):
            break
        joiner = tokens[index]
        if joiner.kind != "op" or joiner.text not in ("&&", "||"):
            raise _bad_where(where, f"{joiner.text!r} is not AND or OR")
        if joiner.text == "||":
            disjuncts.append([])
        index += 1

    def matches(record: Record) -> bool:
        return any(all(test(record) for test in conjunct) for conjunct in disjuncts)

    return matches


def parse_order(order: str) -> list[tuple[str, bool]]:
    """``[(path, descending), ...]`` for an ``order`` parameter.

    >>> parse_order("UpdatedDateUTC DESC, InvoiceNumber")
    [('UpdatedDateUTC', True), ('InvoiceNumber', False)]

    Raises:
        XeroError: HTTP 400 for a part that is not ``Path [ASC|DESC]``.
    """
    keys: list[tuple[str, bool]] = []
    for part in order.split(","):
        words = part.split()
        if not words:
            continue
        valid_path = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", words[0]) is not None
        if (
            len(words) > 2
            or not valid_path
            or (len(words) == 2 and words[1].upper() not in ("ASC", "DESC"))
        ):
            raise validation(
                f"The order parameter {order!r} is not supported: {part.strip()!r} is not "
                "'Field ASC' or 'Field DESC'."
            )
        keys.append((words[0], len(words) == 2 and words[1].upper() == "DESC"))
    return keys


def sort_records(records: list[Record], keys: list[tuple[str, bool]]) -> list[Record]:
    """``records`` sorted by ``keys`` (stable; absent values first)."""
    out = list(records)
    for path, descending in reversed(keys):
        out.sort(key=lambda record: _sort_key(field_value(record, path)), reverse=descending)
    return out


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, 0)
    if isinstance(value, datetime):
        return (1, value.timestamp())  # float-ok: ordering only
    if isinstance(value, date):
        return (1, value.toordinal())
    if isinstance(value, bool):
        return (2, int(value))
    if isinstance(value, (int, Decimal)):
        return (3, value)
    return (4, str(value).lower())
