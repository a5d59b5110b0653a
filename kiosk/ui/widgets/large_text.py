"""Large-text mode: a screen's title and live instruction drawn twice as tall, as real pixels.

A terminal program cannot change the terminal's font size (foot has no control sequence for it,
Cage has no zoom), and letters built from half blocks would be five times wider than text. So
where the terminal draws real pixels (Sixel or the kitty protocol: the deployed foot and kitty),
the text is rendered with Pillow (FreeType, and raqm for Arabic shaping and direction) at two
cell rows per line and shown through :class:`~kiosk.ui.widgets.picture.Picture`. On a terminal
without real pixels the mode is not offered (:func:`available`).

:class:`LargeText` mirrors a hidden :class:`~textual.widgets.Static`: screens keep updating
their ``#status`` line as before, and the large copy follows it.
"""

from __future__ import annotations

import os

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw
from textual.app import App
from textual.widgets import Static

from drivers.receipt_raster import default_layout, load_font, wrap
from kiosk.ui.widgets import graphics
from kiosk.ui.widgets.graphics import GraphicsSetting
from kiosk.ui.widgets.picture import Picture

#: Rows of the terminal per line of large text (ordinary text takes one).
ROWS_PER_LINE = 2
#: Widest image drawn: a 4K screen's width, far above any line of text here.
FULL_WIDTH_PX = 3840
#: Yellow titles and white instructions on black, as the stylesheet draws them.
COLOURS = {"title": (255, 215, 0), "status": (255, 255, 255)}


def available(app: App[object]) -> bool:
    """Whether the terminal draws real pixels, so large text can be shown."""
    config = getattr(getattr(app, "config", None), "display", None)
    setting: GraphicsSetting = getattr(config, "graphics", None) or "auto"
    return graphics.choose(setting, os.environ, headless=app.is_headless,
                           answers=graphics.detected()) != "halfblock"


def render(text: str, columns: int, cell: tuple[int, int], *, rtl: bool = False,
           colour: tuple[int, int, int] = (255, 255, 255)) -> NDArray[np.uint8]:
    """``text`` as a BGR image ``columns`` cells wide, two cell rows per line of text.

    Right-to-left text is laid out by raqm (shaping and direction) and right-aligned.
    """
    cell_w, cell_h = cell
    line_px = ROWS_PER_LINE * cell_h
    font = load_font(max(8, int(line_px * 0.72)), True, default_layout())
    width_px = max(cell_w, columns * cell_w)
    # Each paragraph wrapped on its own, as the receipt's drawn lines are.
    lines = [line for paragraph in text.splitlines() or [""]
             for line in wrap(paragraph, font.getlength, width_px - cell_w)]
    image = Image.new("RGB", (width_px, line_px * len(lines)), (0, 0, 0))
    draw = ImageDraw.Draw(image)
    for number, line in enumerate(lines):
        if not line:
            continue
        direction = "rtl" if rtl else "ltr"
        length = draw.textlength(line, font=font, direction=direction)
        x = width_px - cell_w // 2 - length if rtl else cell_w // 2
        draw.text((x, number * line_px + line_px * 0.1), line, font=font, fill=colour,
                  direction=direction)
    rgb = np.asarray(image, dtype=np.uint8)
    return np.ascontiguousarray(rgb[:, :, ::-1])


class LargeText(Picture):
    """A large copy of ``source``'s text; ``source`` is hidden and keeps its id and updates."""

    DEFAULT_CSS = """
    LargeText {
        width: 1fr;
        height: 2;
        margin: 0 2;
    }
    """

    def __init__(self, source: Static, kind: str, *, rtl: bool = False) -> None:
        # Full width: the preview's cap (display.max_width) would shrink the letters.
        super().__init__(classes=f"large-{kind}", max_width=FULL_WIDTH_PX)
        self.source = source
        self.kind = kind
        self.rtl = rtl
        self._shown: tuple[str, int] | None = None

    def on_mount(self) -> None:
        super().on_mount()
        self.source.display = False
        self.set_interval(0.25, self.follow_source)
        self.call_after_refresh(self.follow_source)

    def text(self) -> str:
        """What the source says now."""
        return str(self.source.render())

    def follow_source(self) -> None:
        """Draw the source's text again when it or the widget's width changed."""
        text, columns = self.text(), self.size.width
        if columns <= 0 or (text, columns) == self._shown:
            return
        self._shown = (text, columns)
        cell = graphics.cell_pixels() if self.protocol != "halfblock" else (8, 16)
        image = render(text, columns, cell, rtl=self.rtl, colour=COLOURS.get(self.kind,
                                                                             (255, 255, 255)))
        self.styles.height = max(ROWS_PER_LINE, image.shape[0] // cell[1]) if text else 0
        self.show(image)
