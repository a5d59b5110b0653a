"""The done screen's QR code: drawn with half blocks, read back by OpenCV to the exact reference."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.color import Color
from textual.app import App, ComposeResult

from kiosk.handoff.references import ALPHABET, check_symbol, grouped, new_reference
from kiosk.ui.widgets.qr import HALF_BLOCK, QUIET_ZONE, QRCode, half_block_rows, modules

#: Screen pixels per module when the drawn code is turned into an image.
SCALE = 8


def grey(color: Color | None) -> int:
    assert color is not None
    red, green, blue = color.get_truecolor()
    return (red + green + blue) // 3


async def drawn_image(reference: str) -> np.ndarray:
    """Run the widget in an app and turn its cells back into pixels (two per cell, stacked)."""

    class Show(App[None]):
        def compose(self) -> ComposeResult:
            yield QRCode(reference, id="qr")

    app = Show()
    async with app.run_test(size=(60, 30)) as pilot:
        await pilot.pause()
        widget = app.query_one(QRCode)
        width, height = widget.size
        image: list[list[int]] = []
        for y in range(height):
            rows: list[list[int]] = [[], []]
            for segment in widget.render_line(y):
                assert segment.text == HALF_BLOCK * len(segment.text)
                assert segment.style is not None
                rows[0] += [grey(segment.style.color)] * len(segment.text)
                rows[1] += [grey(segment.style.bgcolor)] * len(segment.text)
            assert len(rows[0]) == width
            image += rows
    pixels = np.array(image, dtype=np.uint8)
    return cv2.resize(pixels, None, fx=SCALE, fy=SCALE, interpolation=cv2.INTER_NEAREST)


def decode(image: np.ndarray) -> str:
    text, points, _ = cv2.QRCodeDetector().detectAndDecode(image)
    assert points is not None, "no QR code found"
    return str(text)


@pytest.mark.parametrize("reference", ["PB-814S-0DS3-6", new_reference()])
async def test_drawn_code_reads_back_to_the_exact_reference(reference: str) -> None:
    image = await drawn_image(reference)
    assert decode(image) == reference


async def test_dark_on_light_with_a_quiet_zone_of_four_modules() -> None:
    image = await drawn_image("PB-814S-0DS3-6")
    border = QUIET_ZONE * SCALE
    assert (image[:border] == 255).all() and (image[:, :border] == 255).all()
    assert (image[:, -border:] == 255).all()
    assert (image > 127).mean() > 0.5  # a light ground with dark modules


def test_half_blocks_keep_every_module() -> None:
    matrix = modules("PB-814S-0DS3-6")
    cells = half_block_rows(matrix)
    assert len(cells) == (len(matrix) + 1) // 2
    for y, row in enumerate(cells):
        for x, (upper, lower) in enumerate(row):
            assert (upper == "#000000") == matrix[2 * y][x]
            if 2 * y + 1 < len(matrix):
                assert (lower == "#000000") == matrix[2 * y + 1][x]
            else:
                assert lower == "#ffffff"  # the odd last row is quiet zone


@settings(max_examples=30)
@given(st.text(alphabet=ALPHABET, min_size=8, max_size=8))
def test_grouping_reads_back_to_the_reference(symbols: str) -> None:
    reference = f"PB-{symbols[:4]}-{symbols[4:]}-{check_symbol(symbols)}"
    shown = grouped(reference)
    assert shown.split(" · ") == reference.split("-")
    assert "-".join(shown.split(" · ")) == reference


def test_grouping_example_from_the_brief() -> None:
    assert grouped("PB-814S-0DS3-6") == "PB · 814S · 0DS3 · 6"
