"""arcore's own plugins, registered through the same hooks a third-party plugin uses."""

from __future__ import annotations

from arcore.calendars import BusinessCalendar, calendar_from_spec
from arcore.plugins.hookspecs import hookimpl

__all__ = ["arcore_business_calendar"]


@hookimpl
def arcore_business_calendar(spec: str) -> BusinessCalendar | None:
    """Weekends, or a country's public holidays (the ``holidays`` package) plus weekends."""
    return calendar_from_spec(spec)
