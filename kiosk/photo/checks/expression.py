"""ExpressionNeutrality: no smile, from the mouth corners and the mouth width."""

from __future__ import annotations

from kiosk.photo.analysis import FrameAnalysis
from kiosk.photo.result import CheckResult, Mode, unknown, verdict
from kiosk.photo.settings import PhotoSettings


def check(a: FrameAnalysis, s: PhotoSettings, mode: Mode) -> list[CheckResult]:
    """A smile lifts the mouth corners above the lip centre and widens the mouth.

    The value is the corner lift in inter-eye units; the mouth width (over the inter-eye
    distance) is a second cue because a broad closed-mouth smile stretches more than it lifts.
    """
    if not a.has_face:
        return [unknown("ExpressionNeutrality", "no face")]
    ok = a.smile_lift <= s.max_smile and a.mouth_width <= s.max_mouth_width
    return [verdict("ExpressionNeutrality", a.smile_lift, ok, "smiling",
                    f"corner lift <= {s.max_smile:g} and mouth width <= {s.max_mouth_width:g} IED",
                    {"mouth_width": a.mouth_width})]
