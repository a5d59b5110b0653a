"""One module per ISO/IEC 29794-5 measure; each exposes ``check(analysis, settings, mode)``."""

from __future__ import annotations

from collections.abc import Callable

from kiosk.photo.analysis import FrameAnalysis
from kiosk.photo.checks import (
    background,
    compression,
    exposure,
    expression,
    eyes_open,
    framing,
    gaze,
    glasses,
    head_covering,
    head_pose,
    illumination,
    inter_eye_distance,
    mouth_closed,
    natural_colour,
    occlusion,
    red_eye,
    sharpness,
    single_face,
)
from kiosk.photo.result import CheckResult, Mode
from kiosk.photo.settings import PhotoSettings

Check = Callable[[FrameAnalysis, PhotoSettings, Mode], list[CheckResult]]

#: Every check, in the order the report lists them (presence and framing first).
ALL_CHECKS: tuple[Check, ...] = (
    single_face.check,
    framing.check,
    inter_eye_distance.check,
    head_pose.check,
    eyes_open.check,
    gaze.check,
    mouth_closed.check,
    expression.check,
    glasses.check,
    head_covering.check,
    occlusion.check,
    sharpness.check,
    exposure.check,
    illumination.check,
    natural_colour.check,
    background.check,
    compression.check,
    red_eye.check,
)
