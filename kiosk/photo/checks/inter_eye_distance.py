"""InterEyeDistance: pixels between the iris centres in the source frame."""

from __future__ import annotations

from kiosk.photo.analysis import FrameAnalysis
from kiosk.photo.result import CheckResult, Mode, unknown, verdict
from kiosk.photo.settings import PhotoSettings


def check(a: FrameAnalysis, s: PhotoSettings, mode: Mode) -> list[CheckResult]:
    """Fail below the configured minimum (ICAO: 90 px)."""
    if not a.has_face:
        # Without a mesh, the detector's eye keypoints can still show a too-small face.
        if a.faces and 0 < a.faces[0].eye_distance < s.min_inter_eye_px:
            return [verdict("InterEyeDistance", a.faces[0].eye_distance, False,
                            "low_resolution", f">= {s.min_inter_eye_px:g} px (detector)")]
        return [unknown("InterEyeDistance", "no face mesh")]
    return [verdict("InterEyeDistance", a.inter_eye, a.inter_eye >= s.min_inter_eye_px,
                    "low_resolution", f">= {s.min_inter_eye_px:g} px")]
