"""A live camera preview drawn with half-block characters: two image rows per terminal cell."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

#: Upper half block: foreground paints the upper pixel, background the lower one.
HALF_BLOCK = "▀"
#: Colour levels are rounded to multiples of this: fewer distinct styles, better style reuse.
QUANTUM = 8
GUIDE_BGR = (255, 255, 255)
BOX_OK_BGR = (80, 200, 80)
BOX_BAD_BGR = (40, 170, 255)


@dataclass(frozen=True)
class PreviewOverlay:
    """What to draw over the frame, in frame pixel coordinates."""

    #: Face box ``(x, y, width, height)`` to outline, or None.
    face_box: tuple[int, int, int, int] | None = None
    #: Outline the box in green (True) or amber (False).
    face_ok: bool = True
    #: Draw the oval the citizen lines their face up with.
    guide: bool = False


class CameraPreview(Widget):
    """Shows BGR numpy frames, resized to the widget, as ``▀`` cells (fg upper, bg lower pixel)."""

    DEFAULT_CSS = """
    CameraPreview {
        width: 1fr;
        height: 1fr;
        background: black;
    }
    """

    #: Oval guide centre and half-axes as fractions of the frame (x, y, half-width, half-height),
    #: matching where a compliant citizen's face sits in the frame.
    guide_oval: tuple[float, float, float, float] = (0.5, 0.46, 0.2, 0.3)

    def __init__(
        self,
        *,
        guide: bool = False,
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's parameter name
        classes: str | None = None,
    ) -> None:
        """Create an empty preview.

        Args:
            guide: Always draw the oval guide (an overlay can also ask for it per frame).
            name: Textual widget name.
            id: Textual widget id.
            classes: Textual CSS classes.
        """
        super().__init__(name=name, id=id, classes=classes)
        self.guide = guide
        self._frame: NDArray[np.uint8] | None = None
        self._overlay = PreviewOverlay()
        self._strips: list[Strip] = []
        self._strip_size = (0, 0)
        self._styles: dict[tuple[int, int], Style] = {}
        self._source: Callable[[], object] | None = None
        self._last_index = -1
        #: Frames shown since mount (for the status line and benchmarks).
        self.frames_shown = 0

    # -- feeding frames ------------------------------------------------------------------------

    def show(self, frame: NDArray[np.uint8], overlay: PreviewOverlay | None = None) -> None:
        """Display a BGR ``uint8`` frame (call from the UI thread; use ``call_from_thread``)."""
        self._frame = frame
        self._overlay = overlay or PreviewOverlay()
        self._strips = []
        self.frames_shown += 1
        self.refresh()

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

    # -- rendering -----------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        """One row of cells: image rows ``2y`` (foreground) and ``2y+1`` (background)."""
        width, height = self.size
        if self._frame is None or width == 0 or height == 0:
            return Strip.blank(width, self.rich_style)
        if not self._strips or self._strip_size != (width, height):
            self._strips = self._build(width, height)
            self._strip_size = (width, height)
        return self._strips[y] if y < len(self._strips) else Strip.blank(width)

    def _build(self, width: int, height: int) -> list[Strip]:
        """Resize, overlay, quantise and turn the whole frame into strips at once."""
        assert self._frame is not None
        small = np.asarray(cv2.resize(self._frame, (width, height * 2),
                                      interpolation=cv2.INTER_AREA), dtype=np.uint8)
        self._draw_overlay(small, self._frame.shape[1], self._frame.shape[0])
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

    def _draw_overlay(self, small: NDArray[np.uint8], frame_w: int, frame_h: int) -> None:
        """Draw the guide oval and face box onto the resized image (1 px lines stay visible)."""
        h, w = small.shape[:2]
        sx, sy = w / frame_w, h / frame_h
        overlay = self._overlay
        if self.guide or overlay.guide:
            cx, cy, ax, ay = self.guide_oval
            # Half-axes relative to frame height keep the oval face-shaped at any aspect ratio.
            axes = (max(1, round(ax * frame_h * sx)), max(1, round(ay * frame_h * sy)))
            cv2.ellipse(small, (round(cx * w), round(cy * h)), axes, 0, 0, 360, GUIDE_BGR, 1)
        if overlay.face_box is not None:
            x, y, bw, bh = overlay.face_box
            colour = BOX_OK_BGR if overlay.face_ok else BOX_BAD_BGR
            p0 = (round(x * sx), round(y * sy))
            p1 = (round((x + bw) * sx), round((y + bh) * sy))
            cv2.rectangle(small, p0, p1, colour, 1)
