"""Mapping between xero-python's models and arcore records, one module per entity.

Each module holds two pure functions: ``*_to_record`` (a xero-python model, as the SDK
deserialises Xero's answer, to a [`Record`][arcore.adapter.Record]) and ``record_to_*`` (a
record to the model to send). Ids and references stay Xero ids (GUIDs); the sync engine maps
them to core ids. Amounts are ``Decimal`` both ways (see
[`common`][arcore_xero.mapping.common] for the one place xero-python uses floats).
"""

from __future__ import annotations

from arcore_xero.mapping.common import MappingContext, XeroMappingError

__all__ = ["MappingContext", "XeroMappingError"]
