"""Contrast of what a Textual screen actually draws: every text cell's colour against its
background, as WCAG 2.2 defines contrast (relative luminance, (L1 + 0.05) / (L2 + 0.05))."""

from __future__ import annotations

from dataclasses import dataclass

from rich.color import Color
from rich.style import Style
from textual.app import App

#: WCAG 2.2 SC 1.4.3 (text) and 1.4.11 (focus indicators, at 3:1; we hold them to text's 4.5).
MINIMUM = 4.5
#: Picture cells (the camera preview, the token photo, the QR code) are images, not text.
PICTURE_CHARACTERS = frozenset("▀▄█")


def luminance(rgb: tuple[int, int, int]) -> float:
    """Relative luminance of an sRGB colour (WCAG 2.2)."""
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: tuple[int, int, int], second: tuple[int, int, int]) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _rgb(color: Color | None, default: tuple[int, int, int]) -> tuple[int, int, int]:
    if color is None or color.is_default:
        return default
    triplet = color.get_truecolor()
    return triplet.red, triplet.green, triplet.blue


@dataclass(frozen=True)
class Finding:
    """Text drawn with too little contrast."""

    row: int
    text: str
    ratio: float
    foreground: tuple[int, int, int]
    background: tuple[int, int, int]

    def __str__(self) -> str:
        return (f"row {self.row}: {self.text!r} {self.ratio:.2f}:1 "
                f"({_hex(self.foreground)} on {_hex(self.background)})")


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#" + "".join(f"{value:02x}" for value in rgb)


def colours(style: Style | None) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """A segment's text and background colour as the terminal shows them."""
    style = style or Style()
    foreground = _rgb(style.color, (255, 255, 255))
    background = _rgb(style.bgcolor, (0, 0, 0))
    if style.reverse:
        foreground, background = background, foreground
    return foreground, background


def low_contrast(app: App[object], minimum: float = MINIMUM) -> list[Finding]:
    """Every run of text on the app's current screen whose contrast is below ``minimum``."""
    findings: list[Finding] = []
    for row, strip in enumerate(app.screen._compositor.render_strips()):
        for segment in strip:
            if segment.control:
                continue
            visible = "".join(ch for ch in segment.text
                              if not ch.isspace() and ch not in PICTURE_CHARACTERS)
            if not visible:
                continue
            foreground, background = colours(segment.style)
            ratio = contrast(foreground, background)
            if ratio < minimum:
                findings.append(Finding(row, segment.text.strip(), ratio, foreground, background))
    return findings
