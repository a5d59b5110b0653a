"""RedEye: flash red-eye in the pupils.

A camera-only check (``checks.CAMERA_ONLY``): it runs on the frames the capture may keep, not
on every live preview frame, so it draws its own iris discs rather than the shared face
regions drawing them for every frame.
"""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.photo import geometry as geo
from kiosk.photo.analysis import FACE_SIZE, Coords, FrameAnalysis, Pixels
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


def iris_disc(points: Coords, centre: int, edge: int) -> Mask:
    """The iris of mesh point ``centre`` (radius to point ``edge``) over the aligned face."""
    r = max(2.0, geo.distance(points[centre], points[edge]))
    m = np.zeros((FACE_SIZE[1], FACE_SIZE[0]), np.uint8)
    cv2.circle(m, (round(points[centre, 0]), round(points[centre, 1])), round(r), (1,), -1)
    return m.view(np.bool_)


def check(a: FrameAnalysis, s: PhotoSettings, mode: Mode) -> list[CheckResult]:
    """Share of iris pixels that are strongly red (red well above green and blue, not dark)."""
    r = face_regions(a)
    if r is None or a.face is None or min(a.eye_openness) < s.min_eye_openness:
        return [unknown("RedEye", "no open eyes")]
    p = a.face_points
    assert p is not None
    value = max(_red_share(a.face, iris_disc(p, 468, 469), p[468]),
                _red_share(a.face, iris_disc(p, 473, 474), p[473]))
    return [verdict("RedEye", value, value <= s.max_red_eye, "red_eye",
                    f"red iris share <= {s.max_red_eye:g}")]
