"""RedEye: flash red-eye in the pupils."""

from __future__ import annotations

import numpy as np

from kiosk.photo.analysis import FrameAnalysis
from kiosk.photo.regions import face_regions
from kiosk.photo.result import CheckResult, Mode, unknown, verdict
from kiosk.photo.settings import PhotoSettings


def check(a: FrameAnalysis, s: PhotoSettings, mode: Mode) -> list[CheckResult]:
    """Share of iris pixels that are strongly red (red well above green and blue, not dark)."""
    r = face_regions(a)
    if r is None or a.face is None or min(a.eye_openness) < s.min_eye_openness:
        return [unknown("RedEye", "no open eyes")]
    face = a.face.astype(np.int16)
    b, g, red = face[..., 0], face[..., 1], face[..., 2]
    is_red = (red > 90) & (red > 1.8 * g) & (red > 1.8 * b)
    value = max(float(is_red[r.iris_right].mean()), float(is_red[r.iris_left].mean()))
    return [verdict("RedEye", value, value <= s.max_red_eye, "red_eye",
                    f"red iris share <= {s.max_red_eye:g}")]
