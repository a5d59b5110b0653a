"""MouthClosed: inner-lip gap over mouth width."""

from __future__ import annotations

from kiosk.photo.analysis import FrameAnalysis
from kiosk.photo.result import CheckResult, Mode, unknown, verdict
from kiosk.photo.settings import PhotoSettings


def check(a: FrameAnalysis, s: PhotoSettings, mode: Mode) -> list[CheckResult]:
    """Lips visibly apart (speaking, laughing, teeth showing)."""
    if not a.has_face:
        return [unknown("MouthClosed", "no face")]
    return [verdict("MouthClosed", a.mouth_gap, a.mouth_gap <= s.max_mouth_gap, "mouth_open",
                    f"lip gap / mouth width <= {s.max_mouth_gap:g}")]
