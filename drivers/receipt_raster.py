"""Receipt lines no code page can print, drawn as the printer's dots (Arabic, Ukrainian...).

A thermal printer prints text from its character ROM, one code page at a time; the DOS pages
every ESC/POS printer has carry the Latin letters of Danish, German, Polish, Romanian and
Turkish, but no Cyrillic on many printers and never Arabic as it must be read (joined letters,
right to left). So a paragraph whose letters do not all fit those code pages is drawn here with
Pillow, one black-and-white image as wide as the paper's dots, and the driver sends it as an
ESC/POS raster image (``GS v 0``).

Layout: words are wrapped in logical order to the paper's width, then each line is laid out
on its own (so the lines of a right-to-left paragraph stay top to bottom in reading order).
Right-to-left lines are shaped and reordered by raqm when Pillow has it (HarfBuzz + FriBiDi),
else by arabic-reshaper and python-bidi as the screens do (:mod:`kiosk.ui.widgets.bidi`), and
a paragraph that starts with a right-to-left letter is right-aligned where a left-to-right one
is left-aligned. Centred stays centred.

Font: DejaVu Sans (Latin, Cyrillic and Arabic with its joining forms). It ships inside
matplotlib's wheel (a dependency of mediapipe, so in every kiosk venv, found without importing
matplotlib) and in Debian's ``fonts-dejavu-core``; without either, Pillow's own default font is
used and :func:`font_source` says so (Latin only: Cyrillic and Arabic then print as boxes, which
``kiosk devices check`` shows staff through the printer's health).
"""

from __future__ import annotations

import importlib.util
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from PIL import Image, ImageDraw, ImageFont, features

Align = Literal["left", "center", "right"]
LayoutEngine = Literal["raqm", "basic"]
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

#: DejaVu Sans regular and bold, by where they may be: matplotlib's wheel, then Debian.
FONT_FILES = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}
SYSTEM_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu",)
#: Text size in dots: the printer's own font A is 12 x 24 dots, so the drawn lines match it.
TEXT_PIXELS = 24
#: Blank dots left and right of drawn text (the printer's own text has no margin either,
#: but a glyph's side bearing can stick out of its box).
MARGIN = 4


@dataclass(frozen=True)
class RasterStyle:
    """How one paragraph is drawn."""

    #: The paper's printable width in dots (58 mm paper: 384; 80 mm: 512 to 576).
    width: int
    #: Alignment of a left-to-right paragraph; a right-to-left one mirrors left and right.
    align: Align = "left"
    bold: bool = False
    pixels: int = TEXT_PIXELS
    #: ``raqm`` (Pillow's complex layout) or ``basic`` (arabic-reshaper + python-bidi); None:
    #: raqm when Pillow has it.
    layout: LayoutEngine | None = None


def default_layout() -> LayoutEngine:
    """raqm when this Pillow can use it (libraqm and FriBiDi found), else basic."""
    return "raqm" if features.check_feature("raqm") else "basic"


@lru_cache(maxsize=2)
def font_path(bold: bool) -> Path | None:
    """The DejaVu Sans file to draw with, or None when there is none."""
    name = FONT_FILES[bold]
    places: list[Path] = []
    try:
        spec = importlib.util.find_spec("matplotlib")  # finds the package without importing it
    except (ImportError, ValueError):  # a half-imported or odd module: look elsewhere
        spec = None
    if spec is not None and spec.origin is not None:
        places.append(Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf")
    places += [Path(folder) for folder in SYSTEM_FONT_DIRS]
    return next((place / name for place in places if (place / name).is_file()), None)


def font_source() -> str:
    """Where the receipt's drawn lines get their letters (for the printer's health report)."""
    path = font_path(False)
    if path is None:
        return "pillow-default (no Cyrillic or Arabic: install fonts-dejavu-core)"
    return "dejavu (matplotlib)" if "mpl-data" in path.parts else "dejavu (system)"


@lru_cache(maxsize=16)
def load_font(pixels: int, bold: bool, layout: LayoutEngine) -> Font:
    """DejaVu Sans at ``pixels``, laid out by ``layout``; Pillow's default font without it."""
    path = font_path(bold) or font_path(False)
    if path is None:
        return ImageFont.load_default(size=pixels)
    engine = ImageFont.Layout.RAQM if layout == "raqm" else ImageFont.Layout.BASIC
    return ImageFont.truetype(str(path), pixels, layout_engine=engine)


def is_rtl(text: str) -> bool:
    """Whether the paragraph reads right to left: its first strong letter is (bidi rule P2)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def _visual(line: str, rtl: bool, layout: LayoutEngine) -> str:
    """The line as the basic layout must draw it: shaped and in visual order."""
    if layout == "raqm" or not rtl:
        return line
    import arabic_reshaper
    from bidi import get_display

    return str(get_display(arabic_reshaper.reshape(line), base_dir="R"))


class _Measure:
    """The drawn width of a line in one font, direction and layout."""

    def __init__(self, font: Font, rtl: bool, layout: LayoutEngine) -> None:
        self.font, self.rtl, self.layout = font, rtl, layout

    @property
    def direction(self) -> str | None:
        if self.layout != "raqm":
            return None
        return "rtl" if self.rtl else "ltr"

    def text(self, line: str) -> str:
        return _visual(line, self.rtl, self.layout)

    def length(self, line: str) -> float:
        return float(self.font.getlength(self.text(line), direction=self.direction))


def wrap(text: str, length: Callable[[str], float], width: float) -> list[str]:
    """Words (in logical order) into lines no wider than ``width`` as ``length`` measures
    them; a word wider than that gets a line of its own. (The screens' large text wraps
    with it too.)"""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if line and length(candidate) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line] if line else lines or [""]


def render_paragraph(text: str, style: RasterStyle) -> Image.Image:
    """``text`` as a 1-bit image ``style.width`` dots wide (black text on white)."""
    layout = style.layout or default_layout()
    rtl = is_rtl(text)
    font = load_font(style.pixels, style.bold, layout)
    if getattr(font, "layout_engine", None) != ImageFont.Layout.RAQM:
        layout = "basic"  # Pillow's own font is laid out without raqm
    measure = _Measure(font, rtl, layout)
    usable = style.width - 2 * MARGIN
    lines = wrap(text, measure.length, usable)
    line_height = round(style.pixels * 1.25)
    image = Image.new("L", (style.width, line_height * len(lines) + style.pixels // 4), 255)
    draw = ImageDraw.Draw(image)
    align = style.align
    if rtl and align != "center":
        align = "left" if align == "right" else "right"
    for number, line in enumerate(lines):
        length = measure.length(line)
        if align == "center":
            x = (style.width - length) / 2
        elif align == "right":
            x = style.width - MARGIN - length
        else:
            x = MARGIN
        draw.text((x, number * line_height + style.pixels // 8), measure.text(line), font=font,
                  fill=0, direction=measure.direction)
    # A hard threshold, not dithering: thermal dots are on or off, and grey edges dithered
    # into specks read worse than a clean outline.
    return image.point(lambda value: 0 if value < 128 else 255, mode="1")
