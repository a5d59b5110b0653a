"""One module per ISO/IEC 29794-5 measure; each exposes ``check(analysis, settings, mode)``.

``CAMERA_ONLY`` names the checks a live preview frame may leave out (see
``kiosk.photo.report.assess``): what they find is the camera's or the picture's, not something
the citizen can change in front of the camera, so they only matter for the frame that is kept.
"""

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

#: Checks of the picture rather than of the pose: JPEG blocking, a greyscale image or a colour
#: cast (the camera's encoding and white balance, the room's light colour) and flash red eye.
#: The citizen cannot act on them in the moment, and every instruction they lead to ("call
#: staff: camera") ranks below any the citizen can follow, so a live preview frame need not
#: run them; every frame the capture keeps runs them all. Each with the names of the results
#: it gives, so that a report can list what it left out.
CAMERA_ONLY: tuple[tuple[Check, tuple[str, ...]], ...] = (
    (natural_colour.check, ("ColourPresent", "NaturalColour")),
    (compression.check, ("CompressionArtifacts",)),
    (red_eye.check, ("RedEye",)),
)
