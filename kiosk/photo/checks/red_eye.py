"""RedEye: flash red-eye in the pupils."""

from __future__ import annotations

import numpy as np

from kiosk.photo.analysis import Coords, FrameAnalysis, Pixels
from kiosk.photo.regions import Mask, face_regions, share
from kiosk.photo.result import CheckResult, Mode, unknown, verdict
from kiosk.photo.settings import PhotoSettings


def _red_share(face: Pixels, iris: Mask, centre: Coords) -> float:
    """Share of the iris pixels that are flash-red, read inside a box round the iris only."""
    # The iris disc has a radius of a few pixels; 12 px round its centre always holds it.
    x, y = int(round(float(centre[0]))), int(round(float(centre[1])))
    box = (slice(max(0, y - 12), y + 13), slice(max(0, x - 12), x + 13))
    inside = iris[box]
    if not inside.any():
        return float("nan")
    px = face[box][inside].astype(np.int16)
    b, g, red = px[:, 0], px[:, 1], px[:, 2]
    return share((red > 90) & (red > 1.8 * g) & (red > 1.8 * b))


def check(a: FrameAnalysis, s: PhotoSettings, mode: Mode) -> list[CheckResult]:
    """Share of iris pixels that are strongly red (red well above green and blue, not dark)."""
    r = face_regions(a)
    if r is None or a.face is None or min(a.eye_openness) < s.min_eye_openness:
        return [unknown("RedEye", "no open eyes")]
    assert a.face_points is not None
    value = max(_red_share(a.face, r.iris_right, a.face_points[468]),
                _red_share(a.face, r.iris_left, a.face_points[473]))
    return [verdict("RedEye", value, value <= s.max_red_eye, "red_eye",
                    f"red iris share <= {s.max_red_eye:g}")]
