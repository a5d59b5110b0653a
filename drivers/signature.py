"""Render pen strokes to a grey image, for the vendor-SDK pad facades and the simulated pad."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
from numpy.typing import NDArray

from drivers.interfaces import StrokePoint

#: Sub-pixel precision OpenCV draws with (coordinates are multiplied by 2**SHIFT).
SHIFT = 4


def render_strokes(
    strokes: Sequence[Sequence[StrokePoint]],
    width: int,
    height: int,
    scale: float = 1.0,
    pen_width: float = 2.5,
) -> NDArray[np.uint8]:
    """Draw strokes as anti-aliased black polylines on white, thicker where pressed harder.

    Args:
        strokes: Strokes in pad coordinates (pressure 0..1).
        width: Pad width in its own units (e.g. 320 for a Wacom STU-430).
        height: Pad height in its own units.
        scale: Output pixels per pad unit (2.0 doubles the resolution).
        pen_width: Line width in pad units at full pressure.

    Returns:
        A ``uint8`` array of shape ``(round(height * scale), round(width * scale))``.
    """
    out_w, out_h = max(1, round(width * scale)), max(1, round(height * scale))
    canvas = np.full((out_h, out_w), 255, np.uint8)
    one = 1 << SHIFT

    def fixed(p: StrokePoint) -> tuple[int, int]:
        return round(p.x * scale * one), round(p.y * scale * one)

    def thickness(pressure: float) -> int:
        # Never thinner than a hairline: a light touch still leaves ink on a real pad.
        return max(1, round(pen_width * scale * (0.35 + 0.65 * min(max(pressure, 0.0), 1.0))))

    for stroke in strokes:
        if len(stroke) == 1:
            p = stroke[0]
            cv2.circle(
                canvas, fixed(p), (thickness(p.pressure) * one) // 2, (0,), -1, cv2.LINE_AA, SHIFT
            )
            continue
        for a, b in zip(stroke, stroke[1:], strict=False):
            width_px = thickness((a.pressure + b.pressure) / 2)
            cv2.line(canvas, fixed(a), fixed(b), (0,), width_px, cv2.LINE_AA, SHIFT)
    return canvas
