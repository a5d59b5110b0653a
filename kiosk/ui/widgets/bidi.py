"""Right-to-left text for the kiosk's screens: Arabic shaped and shown in visual order.

Terminals (and Textual) draw cells left to right in the order the text is stored, and neither
joins Arabic letters into their connected forms. So each *rendered line* is shaped
(arabic-reshaper: contextual letter forms and the lam-alef ligature) and reordered with the
Unicode bidirectional algorithm (python-bidi, paragraph direction right to left) after Textual has
wrapped it. Wrapping first and reordering per line keeps the lines of a paragraph in reading
order top to bottom, which reordering a whole paragraph before wrapping would turn around.
Numbers and Latin runs (a reference like ``PB-814S-0DS3-6``) stay left to right inside a line,
as the algorithm says.

The line is also mirrored in its cell: text that Textual placed on the left (start of a
left-to-right line) ends up on the right, where a right-to-left reader starts; centred text stays
centred. Styles inside a line collapse to the line's main style, which the kiosk's plain
screens never vary within a line.

The screens import :class:`Static`, :class:`Button` and :class:`Label` from here instead of
``textual.widgets``; in a left-to-right language they are exactly Textual's widgets.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

import arabic_reshaper
from bidi import get_display
from rich.segment import Segment
from rich.style import Style
from textual import widgets
from textual.strip import Strip

from kiosk.i18n import is_rtl

if TYPE_CHECKING:
    from textual.widget import Widget

#: Characters of right-to-left scripts (Arabic, Hebrew and their presentation forms).
_RTL_CHARACTER = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


def has_rtl(text: str) -> bool:
    """Whether ``text`` contains a right-to-left letter."""
    return _RTL_CHARACTER.search(text) is not None


@lru_cache(maxsize=4096)
def visual_line(text: str) -> str:
    """One logical line of text as it must be drawn left to right: shaped and reordered.

    Leading and trailing blanks are swapped (left-aligned becomes right-aligned) and the result
    keeps the line's length in cells, so it fills the same place.
    """
    core = text.strip(" ")
    if not core or not has_rtl(core):
        return text
    leading = len(text) - len(text.lstrip(" "))
    trailing = len(text) - len(text.rstrip(" "))
    shown = str(get_display(arabic_reshaper.reshape(core), base_dir="R"))
    # The lam-alef ligature joins two letters into one cell: pad to the original width.
    shown += " " * (len(core) - len(shown))
    return " " * trailing + shown + " " * leading


def _main_style(strip: Strip) -> Style:
    """The style of most of the strip's visible characters."""
    counts: dict[Style | None, int] = {}
    for segment in strip:
        if segment.text.strip():
            counts[segment.style] = counts.get(segment.style, 0) + len(segment.text)
    if not counts:
        return next((s.style for s in strip if s.style is not None), Style())
    style = max(counts, key=lambda key: counts[key])
    return style or Style()


def visual_strip(strip: Strip, width: int | None = None) -> Strip:
    """A rendered line, reordered for right-to-left reading when it holds RTL text.

    ``width`` is the widget's content width: Textual leaves left-aligned lines unpadded, and
    the padding is what moves to the left.
    """
    text = strip.text
    if not has_rtl(text):
        return strip
    if width is not None and strip.cell_length < width:
        strip = strip.extend_cell_length(width)
        text = strip.text
    return _rebuild(strip, text)


def _rebuild(strip: Strip, text: str) -> Strip:
    shown = visual_line(text)
    main = _main_style(strip)
    # Blank cells keep the background of the line's ends (padding, button face).
    first = next(iter(strip), None)
    edge = first.style if first is not None and first.style is not None else main
    core_start = len(shown) - len(shown.lstrip(" "))
    core_end = len(shown.rstrip(" "))
    segments = [Segment(shown[:core_start], edge), Segment(shown[core_start:core_end], main),
                Segment(shown[core_end:], edge)]
    return Strip([segment for segment in segments if segment.text], strip.cell_length)


def _right_to_left(widget: Widget) -> bool:
    language = getattr(widget.app, "language", "en")
    return isinstance(language, str) and is_rtl(language)


class Static(widgets.Static):
    """Textual's Static, drawn right to left in a right-to-left language."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        return visual_strip(strip, self.size.width) if _right_to_left(self) else strip


class Label(widgets.Label):
    """Textual's Label, drawn right to left in a right-to-left language."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        return visual_strip(strip, self.size.width) if _right_to_left(self) else strip


class Button(widgets.Button):
    """Textual's Button, its label drawn right to left in a right-to-left language."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        return visual_strip(strip, self.size.width) if _right_to_left(self) else strip
