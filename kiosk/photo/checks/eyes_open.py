"""EyesOpen: lid gap over eye width of the less open eye."""

from __future__ import annotations

from kiosk.photo.analysis import FrameAnalysis
from kiosk.photo.result import CheckResult, Mode, unknown, verdict
from kiosk.photo.settings import PhotoSettings


def check(a: FrameAnalysis, s: PhotoSettings, mode: Mode) -> list[CheckResult]:
    """A blink, a wink or a squint: either eye below the openness threshold."""
    if not a.has_face:
        return [unknown("EyesOpen", "no face")]
    right, left = a.eye_openness
    value = min(right, left)
    return [verdict("EyesOpen", value, value >= s.min_eye_openness, "eyes_closed",
                    f"eye aspect ratio >= {s.min_eye_openness:g}",
                    {"eye_open_right": right, "eye_open_left": left})]
