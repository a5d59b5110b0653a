"""A QR code of the reference number, drawn with half-block characters a phone camera can read.

The citizen photographs the done screen with their phone and has the reference in text. The code
is made by ``segno`` (ISO/IEC 18004), dark modules on a light ground with the quiet zone of four
modules the standard asks for, so a reader finds it on the kiosk's black screen. A terminal
cell is about twice as tall as it is wide, so each cell shows two modules one above the other:
``▀`` with the upper module as the foreground colour and the lower one as the background, which
keeps the modules square.
"""

from __future__ import annotations

import segno
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget

#: Upper half block: foreground paints the upper module, background the lower one.
HALF_BLOCK = "▀"
#: The quiet zone around the code, in modules (ISO/IEC 18004: at least four).
QUIET_ZONE = 4
DARK = "#000000"
LIGHT = "#ffffff"


def modules(text: str, quiet_zone: int = QUIET_ZONE) -> list[list[bool]]:
    """The code's modules for ``text`` (True: dark), quiet zone included, row by row.

    Medium error correction (15 %): a screen's glare or a finger on the glass still reads.
    """
    code = segno.make(text, error="m", micro=False)
    return [[bool(module) for module in row] for row in code.matrix_iter(scale=1,
                                                                         border=quiet_zone)]


def half_block_rows(matrix: list[list[bool]]) -> list[list[tuple[str, str]]]:
    """Pairs of module rows as cells: ``(upper colour, lower colour)`` per column.

    An odd last row is paired with a light one (it is quiet zone in any case)."""
    rows = []
    for top in range(0, len(matrix), 2):
        upper = matrix[top]
        lower = matrix[top + 1] if top + 1 < len(matrix) else [False] * len(upper)
        rows.append([(DARK if a else LIGHT, DARK if b else LIGHT) for a, b in zip(upper, lower,
                                                                                strict=True)])
    return rows


class QRCode(Widget):
    """The QR code of ``text``, one terminal cell per module column and two module rows."""

    DEFAULT_CSS = """
    QRCode {
        width: auto;
        height: auto;
    }
    """

    def __init__(self, text: str, *, id: str | None = None,  # noqa: A002 - Textual's name
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.text = text
        self._cells = half_block_rows(modules(text)) if text else []
        self._styles = {pair: Style(color=pair[0], bgcolor=pair[1])
                        for row in self._cells for pair in row}

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return len(self._cells[0]) if self._cells else 0

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._cells)

    def render_line(self, y: int) -> Strip:
        if y >= len(self._cells):
            return Strip.blank(self.size.width)
        row = self._cells[y]
        segments = [Segment(HALF_BLOCK, self._styles[pair]) for pair in row]
        return Strip(segments, len(row)).simplify()
