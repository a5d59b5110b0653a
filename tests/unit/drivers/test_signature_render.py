"""Stroke rendering shared by real and simulated pads."""

from __future__ import annotations

import numpy as np

from drivers.interfaces import StrokePoint
from drivers.signature import render_strokes


def line(pressure: float) -> tuple[StrokePoint, ...]:
    return tuple(StrokePoint(20 + 28 * i, 100, pressure, i * 0.005) for i in range(11))


def test_no_strokes_is_blank_paper() -> None:
    img = render_strokes((), 320, 200)
    assert img.shape == (200, 320) and img.dtype == np.uint8 and (img == 255).all()


def test_a_stroke_leaves_antialiased_ink_along_its_path() -> None:
    img = render_strokes((line(0.8),), 320, 200)
    assert img[100, 20:300].max() < 60  # dark along the line
    assert img[50].min() == 255 and img[150].min() == 255  # paper elsewhere
    assert len(np.unique(img)) > 2  # grey edge pixels: anti-aliased


def test_scale_and_pressure_set_size_and_width() -> None:
    assert render_strokes((line(0.5),), 320, 200, scale=2.0).shape == (400, 640)
    light = (render_strokes((line(0.05),), 320, 200, scale=3.0) < 128).sum()
    heavy = (render_strokes((line(1.0),), 320, 200, scale=3.0) < 128).sum()
    assert heavy > 1.5 * light


def test_a_single_point_is_a_dot() -> None:
    img = render_strokes(((StrokePoint(160, 100, 1.0, 0.0),),), 320, 200, scale=4.0)
    assert img[400, 640] < 128
