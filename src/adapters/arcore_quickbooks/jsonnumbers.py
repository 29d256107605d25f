"""JSON with exact decimal numbers: what QuickBooks sends and receives, without a float.

The standard library writes a ``Decimal`` only through ``float`` (``1234567890123456.78``
becomes ``1234567890123457.0``). Here every ``Decimal`` is written as the number it is, and
numbers with a fraction are read back as ``Decimal``.

>>> from decimal import Decimal
>>> dumps({"Amount": Decimal("19.990"), "Big": Decimal("1234567890123456.78")})
'{"Amount": 19.990, "Big": 1234567890123456.78}'
>>> loads('{"Amount": 19.990}')
{'Amount': Decimal('19.990')}
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

__all__ = ["dumps", "loads"]


def dumps(
    value: object,
    *,
    default: Callable[[object], object] | None = None,
    separators: tuple[str, str] | None = None,
) -> str:
    """``value`` as JSON text, every ``Decimal`` an exact JSON number.

    Args:
        value: What to write.
        default: Turns other objects JSON cannot write into ones it can (as ``json.dumps``).
        separators: As ``json.dumps`` (``(",", ":")`` for compact text).

    Raises:
        ValueError: a ``Decimal`` that is not finite (JSON has no NaN or infinity).
    """
    marker = f"@@decimal-{uuid.uuid4().hex}:"

    def exact(item: object) -> object:
        if isinstance(item, Decimal):
            if not item.is_finite():
                raise ValueError(f"{item} is not a JSON number")
            return f"{marker}{item}"
        if default is not None:
            return default(item)
        raise TypeError(f"{type(item).__name__} is not JSON serialisable")

    text = json.dumps(value, default=exact, separators=separators)
    return re.sub(rf'"{re.escape(marker)}([^"]*)"', r"\1", text)


def loads(text: str | bytes) -> Any:
    """JSON text as Python values, numbers with a fraction as ``Decimal``."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    return json.loads(text or "null", parse_float=Decimal)
