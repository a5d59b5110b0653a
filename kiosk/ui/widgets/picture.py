"""A picture on the kiosk screen (BGR numpy frames in): real pixels where the terminal can.

The live camera preview, the photo review and the summary's photo all use :class:`Picture`.
It draws with the kitty graphics protocol or Sixel when the terminal speaks one (chosen by
``display.graphics``: ``auto`` detects, see :mod:`kiosk.ui.widgets.graphics`), and with
coloured half-block cells everywhere else, including Textual's test driver.

Encoding a real-pixel frame takes tens of milliseconds, so it never runs where it could hold
anything up: :meth:`Picture.show` only drops the frame into a one-slot mailbox (a newer frame
replaces one not yet encoded: frames are dropped, never queued), the widget's own thread
resizes it and draws the overlay, a low-priority encoder process encodes it
(:func:`~kiosk.ui.widgets.graphics.encode_elsewhere`: no GIL shared with the analysis), and
the UI thread merely writes the finished escape string. The photo analysis thread that
publishes the frames never waits for any of it.

How the escape string reaches the terminal: the widget renders blank cells and appends the
image to its last line as a zero-width control segment (save the cursor, up to the image's
first cell, image, restore). Textual writes a refreshed widget's lines top to bottom, so the
image lands after the blanks; for Sixel (pixels replace the cells) that order matters, for
kitty (images float above the text) the image is deleted when its screen goes away. Until the
first frame is encoded, and whenever the widget is partly scrolled out of view, it draws half
blocks.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray
from rich.color import Color
from rich.segment import ControlType, Segment
from rich.style import Style
from textual.dom import NoScreen
from textual.errors import NoWidget
from textual.message import Message
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget

from kiosk.ui.widgets import graphics
from kiosk.ui.widgets.graphics import GraphicsSetting, Protocol

#: Upper half block: foreground paints the upper pixel, background the lower one.
HALF_BLOCK = "▀"
#: Colour levels are rounded to multiples of this: fewer distinct styles, better style reuse.
QUANTUM = 8
GUIDE_BGR = (255, 255, 255)
BOX_OK_BGR = (80, 200, 80)
BOX_BAD_BGR = (40, 170, 255)
#: Widest real-pixel picture when no config says (``display.max_width``).
DEFAULT_MAX_WIDTH = 320

#: DECSC / DECRC: save and restore the cursor around the image.
SAVE_CURSOR = "\x1b7"
RESTORE_CURSOR = "\x1b8"

_NULL_STYLE = Style()
_log = logging.getLogger(__name__)
_image_ids = iter(range(0x5A5B0001, 0x7FFFFFFF))


@dataclass(frozen=True)
class PreviewOverlay:
    """What to draw over the frame, in frame pixel coordinates."""

    #: Face box ``(x, y, width, height)`` to outline, or None.
    face_box: tuple[int, int, int, int] | None = None
    #: Outline the box in green (True) or amber (False).
    face_ok: bool = True
    #: Draw the oval the citizen lines their face up with.
    guide: bool = False


@dataclass(frozen=True)
class _Job:
    frame: NDArray[np.uint8]
    overlay: PreviewOverlay
    cells: tuple[int, int]
    cell_px: tuple[int, int]


@dataclass(frozen=True)
class Encoded:
    """A frame ready for the terminal: the escape string and where it goes inside the widget."""

    payload: str
    #: Offset of the image's top-left cell inside the widget (centred), in cells.
    offset: tuple[int, int]
    #: The image's pixel size and how long resizing, overlay and encoding took.
    pixels: tuple[int, int]
    seconds: float


class Picture(Widget):
    """Shows BGR ``uint8`` frames scaled to the widget, with the optional face box and oval."""

    DEFAULT_CSS = """
    Picture {
        width: 1fr;
        height: 1fr;
        background: black;
    }
    """

    #: Oval guide centre and half-axes as fractions of the frame (x, y, half-width, half-height),
    #: matching where a compliant citizen's face sits in the frame.
    guide_oval: tuple[float, float, float, float] = (0.5, 0.46, 0.2, 0.3)

    class Ready(Message):
        """The encoder thread has a frame for the terminal (posted at most once per frame)."""

    def __init__(
        self,
        frame: NDArray[np.uint8] | None = None,
        *,
        guide: bool = False,
        protocol: GraphicsSetting | None = None,
        max_width: int | None = None,
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's parameter name
        classes: str | None = None,
    ) -> None:
        """Create a picture, empty or showing ``frame``.

        Args:
            frame: A BGR frame to show from the start (a still such as the token photo).
            guide: Always draw the oval guide (an overlay can also ask for it per frame).
            protocol: Override ``display.graphics`` for this widget.
            max_width: Widest real-pixel image (encoding time grows with pixels); default
                ``display.max_width``.
            name: Textual widget name.
            id: Textual widget id.
            classes: Textual CSS classes.
        """
        super().__init__(name=name, id=id, classes=classes)
        self.guide = guide
        self._setting = protocol
        self._max_width = max_width
        #: How this widget draws; settled on mount.
        self.protocol: Protocol = "halfblock"
        self._frame: NDArray[np.uint8] | None = None
        self._overlay = PreviewOverlay()
        self._strips: list[Strip] = []
        self._strip_size = (0, 0)
        self._styles: dict[tuple[int, int], Style] = {}
        self._source: Callable[[], object] | None = None
        self._last_index = -1
        # Real-pixel state: the mailbox, the encoder's latest result, what is on screen.
        self._wake = threading.Condition()
        self._job: _Job | None = None
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._ready: Encoded | None = None
        self._ready_posted = False
        self._drawn: Encoded | None = None
        self._kitty_id = next(_image_ids)
        self._kitty_shown = False
        self._cell_px = graphics.DEFAULT_CELL
        #: Frames handed to :meth:`show` since mount (for the status line and benchmarks).
        self.frames_shown = 0
        #: Real-pixel frames encoded and handed to the UI, and the encoder's total busy time.
        self.frames_drawn = 0
        self.encode_seconds = 0.0
        #: Real-pixel frames written out to the terminal (Textual may merge refreshes).
        self.frames_painted = 0
        self._painted: Encoded | None = None
        if frame is not None:
            self.show(frame)

    # -- settling the protocol -----------------------------------------------------------------

    def on_mount(self) -> None:
        config = getattr(getattr(self.app, "config", None), "display", None)
        setting: GraphicsSetting = self._setting or getattr(config, "graphics", None) or "auto"
        if self._max_width is None:
            self._max_width = int(getattr(config, "max_width", DEFAULT_MAX_WIDTH))
        self.protocol = graphics.choose(setting, os.environ, headless=self.app.is_headless,
                                        answers=graphics.detected())
        if self.protocol == "halfblock":
            return
        self._cell_px = graphics.cell_pixels()
        self._thread = threading.Thread(target=self._encode_loop, name="picture-encoder",
                                        daemon=True)
        self._thread.start()
        self.app.screen_change_signal.subscribe(self, self._screen_changed)
        if self._frame is not None:
            self._submit()

    def on_unmount(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify()
        self._forget_kitty_image()

    def on_resize(self) -> None:
        if self.protocol != "halfblock" and self._frame is not None:
            self._cell_px = graphics.cell_pixels()
            self._submit()

    def _screen_changed(self, screen: Screen[object]) -> None:
        # Kitty images float above the text: another screen's cells would not cover them.
        if screen is not self.screen:
            self._forget_kitty_image()
        else:
            self.refresh()

    def _forget_kitty_image(self) -> None:
        if self.protocol == "kitty" and self._kitty_shown:
            self._kitty_shown = False
            self._write(graphics.kitty_delete(self._kitty_id))

    def _write(self, data: str) -> None:
        driver = getattr(self.app, "_driver", None)
        if driver is not None:
            driver.write(data)

    # -- feeding frames ------------------------------------------------------------------------

    def show(self, frame: NDArray[np.uint8], overlay: PreviewOverlay | None = None) -> None:
        """Display a BGR ``uint8`` frame (call from the UI thread; use ``call_from_thread``)."""
        self._frame = frame
        self._overlay = overlay or PreviewOverlay()
        self._strips = []
        self.frames_shown += 1
        if self.protocol == "halfblock" or self._drawn is None:
            self.refresh()  # (half blocks until the first real-pixel frame is encoded)
        if self.protocol != "halfblock":
            self._submit()

    def follow(self, camera: object, fps: float = 20.0) -> None:
        """Poll ``camera.latest()`` (which never blocks) ``fps`` times a second and show new frames.

        Args:
            camera: Anything with a ``latest() -> Frame | None`` method (the ``Camera`` protocol).
            fps: Polling rate; about 20 is what a terminal redraw sustains.
        """
        self._source = camera.latest  # type: ignore[attr-defined]
        self.set_interval(1.0 / fps, self._poll, name="camera-preview")

    def _poll(self) -> None:
        frame = self._source() if self._source else None
        index = getattr(frame, "index", -1)
        if frame is not None and index != self._last_index:
            self._last_index = index
            self.show(frame.pixels)  # type: ignore[attr-defined]

    # -- real pixels: the encoder thread -------------------------------------------------------

    def _submit(self) -> None:
        """Put the current frame in the one-slot mailbox (replacing one not yet encoded)."""
        if self._frame is None or self._thread is None:
            return
        width, height = self.content_size
        if width == 0 or height == 0:
            return  # not laid out yet: on_resize submits again
        with self._wake:
            self._job = _Job(self._frame, self._overlay, (width, height), self._cell_px)
            self._wake.notify()

    def _encode_loop(self) -> None:
        while True:
            with self._wake:
                while self._job is None and not self._stopping:
                    self._wake.wait()
                if self._stopping:
                    return
                job, self._job = self._job, None
            assert job is not None
            try:
                encoded = self.encode(job)
            except Exception:  # a bad frame must not end the preview: log, wait for the next
                _log.exception("picture: encoding a %s frame failed", self.protocol)
                continue
            with self._wake:
                self._ready = encoded
                post, self._ready_posted = not self._ready_posted, True
            if post:
                self.post_message(self.Ready())

    def encode(self, job: _Job) -> Encoded:
        """Resize ``job.frame`` into the widget's pixel area, overlay it and encode it."""
        started = time.perf_counter()
        cols, rows = job.cells
        cw, ch = job.cell_px
        frame_h, frame_w = job.frame.shape[:2]
        limit = self._max_width or DEFAULT_MAX_WIDTH
        box = (min(cols * cw, limit), rows * ch)
        width, height = graphics.fit((frame_w, frame_h), box)
        small = np.asarray(cv2.resize(job.frame, (width, height), interpolation=cv2.INTER_AREA),
                           dtype=np.uint8)
        self._draw_overlay(small, frame_w, frame_h, job.overlay)
        rgb = np.asarray(cv2.cvtColor(small, cv2.COLOR_BGR2RGB), dtype=np.uint8)
        if self.protocol == "kitty":
            # The terminal scales: the largest cell rectangle with the frame's aspect.
            cells = graphics.fit((frame_w * ch, frame_h * cw), (cols, rows))
        else:
            cells = (math.ceil(width / cw), math.ceil(height / ch))
        payload = graphics.encode_elsewhere(rgb, self.protocol, self._kitty_id, cells)
        offset = (max(0, (cols - cells[0]) // 2), max(0, (rows - cells[1]) // 2))
        return Encoded(payload, offset, (width, height), time.perf_counter() - started)

    def on_picture_ready(self, message: Picture.Ready) -> None:
        message.stop()
        with self._wake:
            ready, self._ready, self._ready_posted = self._ready, None, False
        if ready is not None:
            self._drawn = ready
            self.frames_drawn += 1
            self.encode_seconds += ready.seconds
            self.refresh()

    # -- rendering -----------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        """One row of cells: half blocks, or blanks with the real-pixel image on the last row."""
        width, height = self.size
        if self._frame is None or width == 0 or height == 0:
            return Strip.blank(width, self.rich_style)
        if self.protocol != "halfblock" and self._drawn is not None and self._fully_visible():
            return self._graphics_line(y, width, height)
        # Half blocks, also for a real-pixel picture partly scrolled out of view: an image
        # cannot be cut to the visible cells, Textual's cells can.
        if not self._strips or self._strip_size != (width, height):
            self._strips = self._build(width, height)
            self._strip_size = (width, height)
        return self._strips[y] if y < len(self._strips) else Strip.blank(width)

    def _fully_visible(self) -> bool:
        try:
            geometry = self.screen.find_widget(self)
        except (NoScreen, NoWidget):
            return False
        return geometry.visible_region == geometry.region

    def _graphics_line(self, y: int, width: int, height: int) -> Strip:
        """Blank cells; the last line ends with the image, drawn from its top-left cell.

        After the last line's blanks the cursor is on the widget's last row: save it, go up
        (relative, so a scrolled container's cached lines stay right) to the image's first row
        and its column, draw, restore. For Sixel the blanks must come first: they would erase
        the pixels they are written over.
        """
        blank = Strip.blank(width, self.rich_style)
        drawn = self._drawn
        if drawn is None or y != height - 1 or not self.screen.is_active:
            return blank  # (drawn is set: render_line checked)
        if self.protocol == "kitty":
            self._kitty_shown = True
        if drawn is not self._painted:
            self._painted = drawn
            self.frames_painted += 1
        up = height - 1 - drawn.offset[1]
        column = self.content_region.x + drawn.offset[0] + 1
        place = SAVE_CURSOR + (f"\x1b[{up}A" if up else "") + f"\x1b[{column}G"
        # Zero cells wide as far as Textual is concerned: a control segment.
        image = Segment(place + drawn.payload + RESTORE_CURSOR, _NULL_STYLE,
                        [(ControlType.CURSOR_FORWARD, 0)])
        return Strip([*blank, image], width)

    def _build(self, width: int, height: int) -> list[Strip]:
        """Resize, overlay, quantise and turn the whole frame into half-block strips at once."""
        assert self._frame is not None
        small = np.asarray(cv2.resize(self._frame, (width, height * 2),
                                      interpolation=cv2.INTER_AREA), dtype=np.uint8)
        self._draw_overlay(small, self._frame.shape[1], self._frame.shape[0], self._overlay)
        # Quantise so neighbouring cells share styles (and runs merge into one segment).
        quantised = ((small // QUANTUM) * QUANTUM + QUANTUM // 2).astype(np.int32)
        packed = ((quantised[:, :, 2] << 16) | (quantised[:, :, 1] << 8)
                  | quantised[:, :, 0])  # 0xRRGGBB
        top, bottom = packed[0::2].tolist(), packed[1::2].tolist()
        styles = self._styles
        strips: list[Strip] = []
        for upper, lower in zip(top, bottom, strict=True):
            segments: list[Segment] = []
            run_key, run_len = (upper[0], lower[0]), 0
            for key in zip(upper, lower, strict=True):
                if key == run_key:
                    run_len += 1
                    continue
                segments.append(
                    Segment(HALF_BLOCK * run_len, styles.get(run_key) or self._style(run_key))
                )
                run_key, run_len = key, 1
            segments.append(
                Segment(HALF_BLOCK * run_len, styles.get(run_key) or self._style(run_key))
            )
            strips.append(Strip(segments, width))
        return strips

    def _style(self, key: tuple[int, int]) -> Style:
        upper, lower = key
        style = Style(
            color=Color.from_rgb(upper >> 16, (upper >> 8) & 0xFF, upper & 0xFF),
            bgcolor=Color.from_rgb(lower >> 16, (lower >> 8) & 0xFF, lower & 0xFF),
        )
        if len(self._styles) > 50_000:  # a bounded cache: scenes change, styles pile up
            self._styles.clear()
        self._styles[key] = style
        return style

    def _draw_overlay(self, small: NDArray[np.uint8], frame_w: int, frame_h: int,
                      overlay: PreviewOverlay) -> None:
        """Draw the guide oval and face box onto the resized image (lines stay visible)."""
        h, w = small.shape[:2]
        sx, sy = w / frame_w, h / frame_h
        thickness = max(1, round(min(w, h) / 160))
        if self.guide or overlay.guide:
            cx, cy, ax, ay = self.guide_oval
            # Half-axes relative to frame height keep the oval face-shaped at any aspect ratio.
            axes = (max(1, round(ax * frame_h * sx)), max(1, round(ay * frame_h * sy)))
            cv2.ellipse(small, (round(cx * w), round(cy * h)), axes, 0, 0, 360, GUIDE_BGR,
                        thickness)
        if overlay.face_box is not None:
            x, y, bw, bh = overlay.face_box
            colour = BOX_OK_BGR if overlay.face_ok else BOX_BAD_BGR
            p0 = (round(x * sx), round(y * sy))
            p1 = (round((x + bw) * sx), round((y + bh) * sy))
            cv2.rectangle(small, p0, p1, colour, thickness)
