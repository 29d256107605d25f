"""Mapping between QuickBooks Online JSON objects and arcore records, one module per entity.

Each module holds two pure functions: ``*_to_record`` (a QBO object, as the JSON dict the API
returns, to a [`Record`][arcore.adapter.Record]) and ``record_to_*`` (a record to the JSON
dict to send). Ids and references stay QuickBooks ids; the sync engine maps them to core ids.

Amounts are read as ``Decimal`` (the adapter parses responses with ``parse_float=Decimal``);
a ``float`` reaching a mapping function is refused, never rounded.
"""

from __future__ import annotations

from arcore_quickbooks.mapping.common import MappingContext, QuickBooksMappingError

__all__ = ["MappingContext", "QuickBooksMappingError"]
