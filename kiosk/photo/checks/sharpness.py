"""Sharpness: focus and motion blur, on the aligned face at a fixed inter-eye distance."""

from __future__ import annotations

import cv2

from kiosk.photo.analysis import FrameAnalysis
from kiosk.photo.regions import face_regions, mask8
from kiosk.photo.result import CheckResult, Mode, unknown, verdict
from kiosk.photo.settings import PhotoSettings


def check(a: FrameAnalysis, s: PhotoSettings, mode: Mode) -> list[CheckResult]:
    """Fine-detail energy over contrast: mean |Laplacian| / luminance spread in the face oval.

    Measured on the aligned face (64 px between the eyes), so the value is about detail at the
    scale of the face, not at the scale of the sensor, and does not depend on the distance. The
    division by the spread keeps a dim but sharp face from reading as blurred. Motion blur
    lowers the same energy along one direction; the direction ratio is reported as well.
    """
    r = face_regions(a)
    if r is None:
        return [unknown("Sharpness", "no face")]
    oval = mask8(r.oval)
    spread = float(cv2.meanStdDev(r.gray, mask=oval)[1][0, 0]) + 1.0
    value = cv2.mean(r.texture, mask=oval)[0] / spread
    # 16-bit derivatives of 8-bit luminance are exact, and a one-pixel central difference is
    # at most 255, so its 8-bit absolute value is exact too; masked means avoid gathering.
    gx = cv2.mean(cv2.convertScaleAbs(cv2.Sobel(r.gray, cv2.CV_16S, 1, 0, ksize=1)), mask=oval)[0]
    gy = cv2.mean(cv2.convertScaleAbs(cv2.Sobel(r.gray, cv2.CV_16S, 0, 1, ksize=1)), mask=oval)[0]
    direction = float(max(gx, gy) / (min(gx, gy) + 1e-6))
    return [verdict("Sharpness", value, value >= s.min_sharpness, "blurred",
                    f">= {s.min_sharpness:g}", {"blur_direction_ratio": direction})]
