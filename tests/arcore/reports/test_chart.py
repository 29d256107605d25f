"""The aging chart: a real PNG whose bars stand as tall as their amounts."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from arcore.errors import ValidationError
from arcore.money import Money
from arcore.reports.chart import aging_chart
from arcore.reports.model import AgingBasis, AgingReport, AgingRow, buckets


def row(customer_id: str | None, currency: str, *amounts: str) -> AgingRow:
    money = tuple(Money(a, currency) for a in amounts)
    return AgingRow(
        customer_id=customer_id,
        currency=currency,
        amounts=money,
        total=sum(money, Money.zero(currency)),
    )


def report(*totals: AgingRow) -> AgingReport:
    return AgingReport(
        as_of=date(2026, 3, 31),
        basis=AgingBasis.DUE,
        buckets=buckets(),
        rows=(),
        totals={t.currency: t for t in totals},
    )


def colour_counts(image: Image.Image) -> Counter[object]:
    width, height = image.size
    return Counter({colour: n for n, colour in image.getcolors(width * height) or []})


def bars(image: Image.Image) -> list[tuple[int, int, int]]:
    """(left x, top y, bottom y) of each run of the bar colour along the zero line's row above.

    The bar colour is the most common colour that is not white.
    """
    rgb = image.convert("RGB")
    width, height = rgb.size
    counts = colour_counts(rgb)
    counts.pop((255, 255, 255), None)
    colour = counts.most_common(1)[0][0]
    found: list[list[int]] = []
    for x in range(width):
        column = [y for y in range(height) if rgb.getpixel((x, y)) == colour]
        if column and (not found or x != found[-1][3] + 1):
            found.append([x, min(column), max(column), x])
        elif column:
            found[-1][3] = x
    return [(x0, top, bottom) for x0, top, bottom, _ in found]


def test_png_of_the_asked_size(tmp_path: Path) -> None:
    aging = report(row("TOTAL", "USD", "100.00", "400.00", "50.00", "0.00", "200.00"))
    path = aging_chart(aging, tmp_path / "aging.png", size=(640, 360))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.size == (640, 360)
        image.load()
        found = bars(image)
    # Four non-zero buckets, four bars, from left to right in bucket order.
    assert len(found) == 4
    heights = [bottom - top for _, top, bottom in found]
    # current 100 < 1-30 400 > 31-60 50; 91+ 200: the tallest is 1-30, then 91+, 100, 50.
    order = sorted(range(4), key=lambda i: heights[i])
    assert order == [2, 0, 3, 1]
    assert heights[1] == pytest.approx(2 * heights[3], abs=2)  # 400 is twice 200
    assert heights[1] == pytest.approx(8 * heights[2], abs=8)  # and eight times 50
    # Every bar stands on the same zero line.
    assert len({bottom for _, _, bottom in found}) == 1


def test_credits_hang_below_the_zero_line(tmp_path: Path) -> None:
    aging = report(row("TOTAL", "EUR", "300.00", "0.00", "-100.00", "0.00", "0.00"))
    with Image.open(aging_chart(aging, tmp_path / "a.png")) as image:
        rgb = image.convert("RGB")
        colours = colour_counts(rgb)
    blue, orange = (61, 90, 158), (196, 120, 48)
    # bars cover about 3 to 1 in area (same widths)
    assert colours[blue] == pytest.approx(3 * colours[orange], rel=0.05)


def test_one_currency_per_chart(tmp_path: Path) -> None:
    two = report(
        row("TOTAL", "USD", "1.00", "0.00", "0.00", "0.00", "0.00"),
        row("TOTAL", "EUR", "2.00", "0.00", "0.00", "0.00", "0.00"),
    )
    with pytest.raises(ValidationError, match="several currencies"):
        aging_chart(two, tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()
    aging_chart(two, tmp_path / "eur.png", currency="eur")
    with Image.open(tmp_path / "eur.png") as image:
        assert len(bars(image)) == 1
    # A currency with nothing open: zero bars, still a chart.
    aging_chart(two, tmp_path / "gbp.png", currency="GBP")
    with Image.open(tmp_path / "gbp.png") as image:
        assert image.size == (800, 450)
    with pytest.raises(ValidationError, match="nothing open"):
        aging_chart(report(), tmp_path / "none.png")
