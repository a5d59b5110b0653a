"""GazeDirection: the irises centred between the eye corners (looking into the camera).

The shared vocabulary has no gaze code; an averted gaze reports ``head_rotated``, whose
guidance ("look straight into the camera") is the right instruction for it.
"""

from __future__ import annotations

from kiosk.photo.analysis import FrameAnalysis
from kiosk.photo.result import CheckResult, Mode, unknown, verdict
from kiosk.photo.settings import PhotoSettings


def check(a: FrameAnalysis, s: PhotoSettings, mode: Mode) -> list[CheckResult]:
    """Fail when an iris sits far from the middle of its eye; unknown when the eyes are shut."""
    if not a.has_face:
        return [unknown("GazeDirection", "no face")]
    if min(a.eye_openness) < s.min_eye_openness:
        return [unknown("GazeDirection", "eyes closed")]
    return [verdict("GazeDirection", a.gaze_offset, a.gaze_offset <= s.max_gaze_offset,
                    "head_rotated", f"iris offset <= {s.max_gaze_offset:g} of eye width")]
