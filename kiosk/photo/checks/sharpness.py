"""Sharpness: focus and motion blur, on the aligned face at a fixed inter-eye distance."""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.photo.analysis import FrameAnalysis
from kiosk.photo.regions import face_regions
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
    g = r.gray.astype(np.float32)
    lap = np.abs(cv2.Laplacian(g, cv2.CV_32F, ksize=1))
    spread = float(np.std(g[r.oval])) + 1.0
    value = float(lap[r.oval].mean()) / spread
    gx = np.abs(cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=1))[r.oval].mean()
    gy = np.abs(cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=1))[r.oval].mean()
    direction = float(max(gx, gy) / (min(gx, gy) + 1e-6))
    return [verdict("Sharpness", value, value >= s.min_sharpness, "blurred",
                    f">= {s.min_sharpness:g}", {"blur_direction_ratio": direction})]
