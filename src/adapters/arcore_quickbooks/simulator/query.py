r"""The QBO query language, as far as the SDK and the adapter use it.

``SELECT * | COUNT(*) | f1, f2 FROM Entity [WHERE cond [AND cond]...]
[ORDERBY | ORDER BY field [ASC|DESC] [, ...]] [STARTPOSITION n] [MAXRESULTS m]`` where ``cond`` is
``field op value`` (``=``, ``<``, ``>``, ``<=``, ``>=``, ``!=``), ``field IN (v, ...)`` or
``field LIKE 'pat%'``. Values are quoted strings (``\\'`` escapes a quote), numbers, ``true`` or
``false``. Fields may be dotted (``MetaData.LastUpdatedTime``); a reference field
(``CustomerRef``) compares by its ``value``. Keywords and names are case-insensitive.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from .wire import JSONObject, parse_qbo_datetime, query_parse_error

Scalar = str | Decimal | bool


@dataclass(frozen=True)
class Condition:
    """One ``WHERE`` term: ``field op values`` (``values`` has one item except for ``IN``)."""

    field: str
    op: str
    values: tuple[Scalar, ...]


@dataclass(frozen=True)
class Query:
    """A parsed query."""

    entity: str
    count: bool = False
    fields: tuple[str, ...] = ()
    where: tuple[Condition, ...] = ()
    order_by: tuple[tuple[str, bool], ...] = ()
    start_position: int = 1
    max_results: int | None = None
    raw: str = field(default="", compare=False)


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'(?:\\.|''|[^'\\])*')
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<op><=|>=|!=|<>|=|<|>)
      | (?P<punct>[(),*])
      | (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
    )""",
    re.VERBOSE,
)


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text.strip().rstrip(";")
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise query_parse_error(
                f'Encountered "{text[position : position + 20]}" at column {position + 1}'
            )
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.index = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def next(self, expected: str) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise query_parse_error(f"Encountered end of query, expected {expected}")
        self.index += 1
        return token

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token is not None and token[0] == "word" and token[1].upper() == word:
            self.index += 1
            return True
        return False

    def expect_keyword(self, word: str) -> None:
        if not self.keyword(word):
            token = self.peek()
            found = "end of query" if token is None else f'"{token[1]}"'
            raise query_parse_error(f"Encountered {found}, expected {word}")

    def expect_punct(self, punct: str) -> None:
        kind, value = self.next(f'"{punct}"')
        if kind != "punct" or value != punct:
            raise query_parse_error(f'Encountered "{value}", expected "{punct}"')

    def name(self) -> str:
        kind, value = self.next("a field name")
        if kind != "word":
            raise query_parse_error(f'Encountered "{value}", expected a field name')
        return value

    def integer(self, clause: str) -> int:
        kind, value = self.next(f"a number after {clause}")
        if kind != "number" or "." in value or value.startswith("-"):
            raise query_parse_error(
                f'Encountered "{value}", expected a whole number after {clause}'
            )
        return int(value)

    def value(self) -> Scalar:
        kind, value = self.next("a value")
        if kind == "string":
            inner = value[1:-1]
            return inner.replace("\\'", "'").replace("''", "'").replace("\\\\", "\\")
        if kind == "number":
            return Decimal(value)
        if kind == "word" and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise query_parse_error(f'Encountered "{value}", expected a quoted value')

    def parse(self) -> Query:
        self.expect_keyword("SELECT")
        count = False
        fields: list[str] = []
        token = self.peek()
        if token == ("punct", "*"):
            self.index += 1
            while self.peek() == ("punct", ","):
                # "SELECT *, Sku FROM Item" (the SDK's Item.all): still every field.
                self.index += 1
                self.name()
        elif token is not None and token[0] == "word" and token[1].upper() == "COUNT":
            self.index += 1
            self.expect_punct("(")
            self.expect_punct("*")
            self.expect_punct(")")
            count = True
        else:
            fields.append(self.name())
            while self.peek() == ("punct", ","):
                self.index += 1
                fields.append(self.name())
        self.expect_keyword("FROM")
        entity = self.name()
        where: list[Condition] = []
        if self.keyword("WHERE"):
            where.append(self.condition())
            while self.keyword("AND"):
                where.append(self.condition())
        order_by: list[tuple[str, bool]] = []
        if self.keyword("ORDERBY") or (self.keyword("ORDER") and self._by()):
            order_by.append(self.order_term())
            while self.peek() == ("punct", ","):
                self.index += 1
                order_by.append(self.order_term())
        start = 1
        max_results: int | None = None
        while self.peek() is not None:
            if self.keyword("STARTPOSITION"):
                start = self.integer("STARTPOSITION")
                if start < 1:
                    raise query_parse_error("STARTPOSITION is 1-based")
            elif self.keyword("MAXRESULTS"):
                max_results = self.integer("MAXRESULTS")
            else:
                _kind, value = self.next("end of query")
                raise query_parse_error(f'Encountered "{value}"')
        return Query(
            entity=entity,
            count=count,
            fields=tuple(fields),
            where=tuple(where),
            order_by=tuple(order_by),
            start_position=start,
            max_results=max_results,
            raw=self.text,
        )

    def _by(self) -> bool:
        self.expect_keyword("BY")
        return True

    def order_term(self) -> tuple[str, bool]:
        name = self.name()
        descending = False
        if self.keyword("DESC"):
            descending = True
        else:
            self.keyword("ASC")
        return name, descending

    def condition(self) -> Condition:
        name = self.name()
        if self.keyword("IN"):
            self.expect_punct("(")
            values = [self.value()]
            while self.peek() == ("punct", ","):
                self.index += 1
                values.append(self.value())
            self.expect_punct(")")
            return Condition(name, "IN", tuple(values))
        if self.keyword("LIKE"):
            return Condition(name, "LIKE", (self.value(),))
        kind, op = self.next("an operator")
        if kind != "op":
            raise query_parse_error(f'Encountered "{op}", expected an operator')
        return Condition(name, "!=" if op == "<>" else op, (self.value(),))


def parse_query(text: str) -> Query:
    """Parse the text of a query.

    Raises:
        QBOError: code 4000 (``Error parsing query``) when the text is malformed.

    Example:
        >>> q = parse_query("select * from Invoice where TxnDate > '2024-01-01' "
        ...                 "ORDERBY MetaData.LastUpdatedTime STARTPOSITION 1 MAXRESULTS 10")
        >>> (q.entity, q.order_by, q.max_results)
        ('Invoice', (('MetaData.LastUpdatedTime', False),), 10)
    """
    return _Parser(text).parse()


def field_value(obj: JSONObject, path: str) -> Any:
    """The value of a (dotted, case-insensitive) field; a reference yields its ``value``."""
    current: Any = obj
    for part in path.split("."):
        if not isinstance(current, dict):
            return None
        if part in current:
            current = current[part]
            continue
        lowered = part.lower()
        current = next((v for k, v in current.items() if k.lower() == lowered), None)
    if isinstance(current, dict) and "value" in current:
        return current["value"]
    return current


_DATETIME_FIELDS = ("createtime", "lastupdatedtime")


@functools.lru_cache(maxsize=262_144)
def instant(text: str) -> datetime:
    """A cached parse: paging sorts every row by its timestamp on every page."""
    return parse_qbo_datetime(text)


def _comparable(value: Any, target: Scalar, path: str) -> tuple[Any, Any] | None:
    """Both sides in one comparable type, or ``None`` when they cannot be compared."""
    if value is None:
        return None
    if isinstance(target, bool) or isinstance(value, bool):
        return (value is True or value == "true"), target
    if path.lower().endswith(_DATETIME_FIELDS):
        try:
            left: datetime = value if isinstance(value, datetime) else instant(str(value))
            return left, instant(str(target))
        except ValueError:
            return None
    lowered = path.lower()
    if (lowered == "id" or lowered.endswith(("ref", "txnid"))) and (
        str(value).isdigit() and str(target).isdigit()
    ):
        return Decimal(str(value)), Decimal(str(target))
    if isinstance(target, Decimal) or isinstance(value, int | Decimal):
        try:
            return Decimal(str(value)), Decimal(str(target))
        except InvalidOperation:
            return str(value), str(target)
    return str(value), str(target)


def _like(value: Any, pattern: str) -> bool:
    regex = "".join(".*" if ch == "%" else re.escape(ch) for ch in pattern)
    return re.fullmatch(regex, str(value), flags=re.IGNORECASE | re.DOTALL) is not None


def matches(obj: JSONObject, condition: Condition) -> bool:
    """Whether ``obj`` satisfies one ``WHERE`` term."""
    value = field_value(obj, condition.field)
    if condition.op == "LIKE":
        return value is not None and _like(value, str(condition.values[0]))
    if condition.op == "IN":
        return any(matches(obj, Condition(condition.field, "=", (v,))) for v in condition.values)
    pair = _comparable(value, condition.values[0], condition.field)
    if pair is None:
        return False
    left, right = pair
    try:
        if condition.op == "=":
            return bool(left == right)
        if condition.op == "!=":
            return bool(left != right)
        if condition.op == "<":
            return bool(left < right)
        if condition.op == ">":
            return bool(left > right)
        if condition.op == "<=":
            return bool(left <= right)
        return bool(left >= right)
    except TypeError:
        return False


def sort_key(obj: JSONObject, path: str) -> tuple[int, Any]:
    """A key ordering objects by one field: missing values first, numbers and dates typed."""
    value = field_value(obj, path)
    if value is None:
        return (0, "")
    if isinstance(value, bool):
        return (1, int(value))
    if isinstance(value, int | Decimal):
        return (2, Decimal(value))
    if path.lower().endswith(_DATETIME_FIELDS):
        try:
            return (3, instant(str(value)).timestamp())
        except ValueError:
            pass
    if path.lower() == "id" and str(value).isdigit():
        return (2, Decimal(str(value)))
    return (4, str(value).lower())
