"""The response examples of Xero's OpenAPI file (``../shared/specs/xero/xero_accounting.yaml``,
read as the simulator reads them), parsed as xero-python parses Xero's answers."""

from __future__ import annotations

from typing import Any

from adapters.xero.conftest import spec_file
from adapters.xero.xero_harness import model
from arcore_xero.simulator.examples import spec_examples


def examples() -> dict[str, list[dict[str, Any]]]:
    """The examples by envelope (``Contacts``, ``Invoices``, ``CreditNotes``, ``Payments``)."""
    return spec_examples(spec_file())


def _booleans(node: Any) -> Any:
    """``"true"``/``"false"`` strings as booleans: the spec's Payments example writes a
    boolean as a string, which xero-python refuses (Xero itself sends JSON booleans)."""
    if isinstance(node, dict):
        return {key: _booleans(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_booleans(value) for value in node]
    return {"true": True, "false": False}.get(node, node) if isinstance(node, str) else node


def example_models(entity: str) -> list[Any]:
    """The examples of ``entity`` (``invoice``...) as xero-python models."""
    envelope = {
        "customer": "Contacts",
        "invoice": "Invoices",
        "credit_memo": "CreditNotes",
        "payment": "Payments",
    }[entity]
    return [model(entity, _booleans(obj)) for obj in examples()[envelope]]
