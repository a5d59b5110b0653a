"""Sharpness: focus and motion blur, on the aligned face at a fixed inter-eye distance."""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.photo.analysis import FrameAnalysis, Pixels
from kiosk.photo.regions import face_regions, mask8
from kiosk.photo.result import CheckResult, Mode, unknown, verdict
from kiosk.photo.settings import PhotoSettings


def central_difference(gray: Pixels, axis: int) -> Pixels:
    """|gray one pixel on - gray one pixel back| along ``axis`` (1: x, 0: y), 0 on the first
    and last line: ``|Sobel(ksize=1)|`` with OpenCV's default (mirrored) border, the same 8-bit
    values (a central difference of 8-bit levels is at most 255), in one ``absdiff`` of two
    shifted views instead of a 16-bit derivative and its conversion."""
    out = np.zeros(gray.shape, np.uint8)
    if gray.shape[axis] < 3:
        return out  # every line is a first or a last one
    if axis == 1:
        cv2.absdiff(gray[:, 2:], gray[:, :-2], dst=out[:, 1:-1])
    else:
        cv2.absdiff(gray[2:], gray[:-2], dst=out[1:-1])
    return out


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
    gx = cv2.mean(central_difference(r.gray, 1), mask=oval)[0]
    gy = cv2.mean(central_difference(r.gray, 0), mask=oval)[0]
    direction = float(max(gx, gy) / (min(gx, gy) + 1e-6))
    return [verdict("Sharpness", value, value >= s.min_sharpness, "blurred",
                    f">= {s.min_sharpness:g}", {"blur_direction_ratio": direction})]
