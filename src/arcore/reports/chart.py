"""The aging chart: a PNG bar chart of an aging's total per bucket, one currency per chart.

Drawn with Pillow's ``ImageDraw`` and its default font, so it needs no plotting library
and no system fonts. Bar heights are computed with ``Decimal`` (amounts never become
floats); a bucket with a net credit (unapplied payments older than the invoices) is drawn
below the zero line.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from arcore.errors import ValidationError
from arcore.money import Money
from arcore.reports.model import AgingReport

__all__ = ["aging_chart"]

_BACKGROUND = (255, 255, 255)
_BAR = (61, 90, 158)
_CREDIT_BAR = (196, 120, 48)
_INK = (34, 34, 34)
_AXIS = (150, 150, 150)


def _chart_currency(report: AgingReport, currency: str | None) -> str:
    if currency is not None:
        return currency.strip().upper()
    found = sorted(report.totals)
    if len(found) == 1:
        return found[0]
    if not found:
        raise ValidationError(
            f"the aging as of {report.as_of} has nothing open in any currency",
            hint="Name the currency to chart (an empty chart), or choose another date",
            field="currency",
        )
    raise ValidationError(
        f"the aging holds several currencies ({', '.join(found)}); a chart shows one",
        hint="Name the currency to chart, e.g. --currency USD",
        field="currency",
    )


def _amount_label(money: Money) -> str:
    exponent = money.amount.as_tuple().exponent
    places = max(money.exponent, -exponent if isinstance(exponent, int) else 0)
    return format(money.amount, f",.{places}f")


def _scaled(amount: Decimal, largest: Decimal, room: int) -> int:
    """Pixels for ``amount`` when ``largest`` takes ``room`` pixels (exact, then rounded)."""
    if not largest:
        return 0
    return int((abs(amount) * room / largest).to_integral_value(rounding=ROUND_HALF_UP))


def aging_chart(
    report: AgingReport,
    path: Path,
    *,
    currency: str | None = None,
    size: tuple[int, int] = (800, 450),
) -> Path:
    """Draw the total row of ``report`` in one currency as a PNG bar chart at ``path``.

    One bar per bucket, its amount written above it, the bucket's label below; the title
    gives the date, the currency and the total.

    Args:
        report: The aging.
        path: The PNG file to write.
        currency: Which currency to chart; optional when the report holds exactly one.
            A currency with nothing open gives a chart of zero bars.
        size: Width and height in pixels.

    Returns:
        ``path``.

    Raises:
        ValidationError: no currency named and the report holds several (or none), or a
            size too small to draw in.
    """
    chosen = _chart_currency(report, currency)
    width, height = size
    if width < 200 or height < 150:
        raise ValidationError(
            f"an aging chart of {width}x{height} pixels is too small to read",
            hint="Give at least 200x150 pixels",
            field="size",
            value=size,
        )
    total_row = report.totals.get(chosen)
    zero = Money.zero(chosen)
    amounts = total_row.amounts if total_row is not None else (zero,) * len(report.buckets)
    total = total_row.total if total_row is not None else zero
    labels = [bucket.label for bucket in report.buckets]

    image = Image.new("RGB", (width, height), _BACKGROUND)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=max(10, height // 32))
    title = f"Aging as of {report.as_of.isoformat()} ({chosen}), total {_amount_label(total)}"
    draw.text((width // 2, 12), title, fill=_INK, font=font, anchor="mt")

    left, right = 20, width - 20
    top, bottom = 40 + height // 16, height - 30 - height // 16
    largest_up = max((m.amount for m in amounts if m.amount > 0), default=Decimal(0))
    largest_down = max((-m.amount for m in amounts if m.amount < 0), default=Decimal(0))
    span = largest_up + largest_down
    room = bottom - top
    # The zero line splits the plot in proportion to the largest charge and credit.
    baseline = top + _scaled(largest_up, span, room) if span else bottom
    slot = (right - left) // max(1, len(amounts))
    bar = max(4, slot * 3 // 5)
    for index, (label, money) in enumerate(zip(labels, amounts, strict=True)):
        centre = left + slot * index + slot // 2
        x0, x1 = centre - bar // 2, centre + bar // 2
        pixels = _scaled(money.amount, span, room)
        if money.amount > 0:
            draw.rectangle((x0, baseline - pixels, x1, baseline), fill=_BAR)
            draw.text((centre, baseline - pixels - 4), _amount_label(money), fill=_INK,
                      font=font, anchor="mb")  # fmt: skip
        elif money.amount < 0:
            draw.rectangle((x0, baseline, x1, baseline + pixels), fill=_CREDIT_BAR)
            draw.text((centre, baseline + pixels + 4), _amount_label(money), fill=_INK,
                      font=font, anchor="mt")  # fmt: skip
        else:
            draw.text((centre, baseline - 4), _amount_label(money), fill=_INK, font=font,
                      anchor="mb")  # fmt: skip
        draw.text((centre, height - 12), label, fill=_INK, font=font, anchor="mb")
    draw.line((left, baseline, right, baseline), fill=_AXIS, width=1)
    image.save(path, format="PNG")
    return path
