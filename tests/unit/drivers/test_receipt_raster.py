"""Drawn receipt lines, looked at as dots: Arabic joined, right to left and right-aligned with
raqm and with the arabic-reshaper + python-bidi fallback alike; Ukrainian left-aligned; the
paper's width kept; and without DejaVu, Pillow's own font with the health report saying so."""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image, ImageDraw

from drivers import receipt_raster
from drivers.receipt_raster import (
    MARGIN,
    LayoutEngine,
    RasterStyle,
    default_layout,
    font_source,
    is_rtl,
    load_font,
    render_paragraph,
)

LAYOUTS: list[LayoutEngine] = ["basic", *(["raqm"] if default_layout() == "raqm" else [])]
#: "Passport renewal" and "Your reference number" in Arabic (the receipt's own texts).
TITLE = "تجديد جواز السفر"
WORDS = TITLE.split()


def black(image: Image.Image) -> NDArray[np.bool_]:
    return np.asarray(image.convert("L")) < 128


def ink_columns(image: Image.Image) -> NDArray[np.intp]:
    return np.flatnonzero(black(image).any(axis=0))


def components(image: Image.Image) -> int:
    count, _labels = cv2.connectedComponents(black(image).astype(np.uint8), connectivity=8)
    return int(count) - 1


def word_at(line: Image.Image, word: str, layout: LayoutEngine) -> float:
    """Where ``word`` (drawn alone) is found in ``line``: its left edge, as a share of the
    width."""
    alone = black(render_paragraph(word, RasterStyle(384, layout=layout)))
    rows, columns = np.flatnonzero(alone.any(axis=1)), np.flatnonzero(alone.any(axis=0))
    template = alone[rows[0]:rows[-1] + 1, columns[0]:columns[-1] + 1].astype(np.uint8) * 255
    found = cv2.matchTemplate(black(line).astype(np.uint8) * 255, template, cv2.TM_CCOEFF_NORMED)
    _low, best, _where, (x, _y) = cv2.minMaxLoc(found)
    assert best > 0.8, f"{word!r} not found in the line ({best:.2f})"
    return x / line.width


@pytest.mark.parametrize("layout", LAYOUTS)
def test_an_arabic_line_is_right_aligned_and_reads_from_the_right(layout: LayoutEngine) -> None:
    line = render_paragraph(TITLE, RasterStyle(384, align="left", layout=layout))

    assert line.size[0] == 384 and line.mode == "1"
    columns = ink_columns(line)
    # "left" in a left-to-right language is where a right-to-left reader starts: the right.
    assert columns[-1] >= 384 - MARGIN - 4
    assert columns[0] > 384 // 3
    # The first word is rightmost, the last leftmost.
    first, middle, last = (word_at(line, word, layout) for word in WORDS)
    assert first > middle > last


@pytest.mark.parametrize("layout", LAYOUTS)
def test_arabic_letters_are_joined(layout: LayoutEngine) -> None:
    # Drawn without shaping, every letter of a word stands alone (isolated forms, as a code
    # page prints them); shaped, the joining letters make one stroke: fewer separate blobs.
    word = WORDS[0]
    shaped = render_paragraph(word, RasterStyle(384, layout=layout))
    font = load_font(24, False, "basic")
    unshaped = Image.new("L", (384, 40), 255)
    ImageDraw.Draw(unshaped).text((MARGIN, 3), word[::-1], font=font, fill=0)

    assert components(shaped) < components(unshaped)


def test_raqm_and_the_fallback_draw_the_same_line() -> None:
    if "raqm" not in LAYOUTS:
        pytest.skip("this Pillow has no raqm: only the fallback layout is used")
    raqm = black(render_paragraph(TITLE, RasterStyle(384, layout="raqm")))
    basic = black(render_paragraph(TITLE, RasterStyle(384, layout="basic")))
    # The same size, and the ink of each within two dots of the other's (the engines may
    # place a letter's dots or a pixel of kerning differently).
    assert raqm.shape == basic.shape
    near = np.ones((5, 5), np.uint8)
    for one, other in ((raqm, basic), (basic, raqm)):
        around = cv2.dilate(other.astype(np.uint8), near).astype(bool)
        assert (one & around).sum() / one.sum() > 0.85


@pytest.mark.parametrize("layout", LAYOUTS)
def test_cyrillic_is_left_aligned_and_wraps_to_the_paper(layout: LayoutEngine) -> None:
    text = ("Оплатіть на стійці бібліотеки або онлайн протягом 30 днів. Ви отримаєте "
            "повідомлення, коли паспорт буде готовий.")
    narrow = render_paragraph(text, RasterStyle(384, layout=layout))
    wide = render_paragraph(text, RasterStyle(576, layout=layout))

    assert ink_columns(narrow)[0] <= MARGIN + 3
    assert ink_columns(narrow)[-1] < 384 - 1
    assert (narrow.width, wide.width) == (384, 576)
    assert narrow.height > wide.height  # more lines on narrower paper


def test_a_centred_paragraph_stays_centred_in_both_directions() -> None:
    for text in (TITLE, "Оновлення паспорта"):
        columns = ink_columns(render_paragraph(text, RasterStyle(384, align="center")))
        assert abs((columns[0] + columns[-1]) / 2 - 192) < 8


@pytest.mark.parametrize(("text", "rtl"), [
    (TITLE, True), ("تاريخ الطلب: 30 نوفمبر 2026", True), ("2026 تاريخ", True),
    ("Оновлення паспорта", False), ("PB-7K3Q-9XM2-T", False), ("30", False),
])
def test_the_direction_is_the_first_strong_letters(text: str, rtl: bool) -> None:
    assert is_rtl(text) is rtl


def test_the_font_comes_from_a_wheel_in_the_venv() -> None:
    # matplotlib (a dependency of mediapipe) ships DejaVu Sans: no system font needed.
    path = receipt_raster.font_path(False)
    assert path is not None and path.name == "DejaVuSans.ttf"
    assert font_source().startswith("dejavu")


@pytest.fixture
def no_fonts(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    receipt_raster.load_font.cache_clear()
    monkeypatch.setattr(receipt_raster, "font_path", lambda bold: None)
    yield
    receipt_raster.load_font.cache_clear()


def test_without_dejavu_pillows_font_draws_and_the_health_says_so(no_fonts: None) -> None:
    image = render_paragraph("Оновлення паспорта", RasterStyle(384))

    assert image.width == 384 and ink_columns(image).size > 0
    assert font_source().startswith("pillow-default")
