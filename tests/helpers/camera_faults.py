"""Camera faults drawn on a frame for the photo tests: faults the citizen cannot fix, which only
the full (burst-frame) assessment judges."""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.photo.analysis import FaceAnalyzer


def grey(image: np.ndarray) -> np.ndarray:
    """The frame as a greyscale camera would give it."""
    return cv2.cvtColor(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)


def red_eyes(analyzer: FaceAnalyzer, image: np.ndarray) -> np.ndarray:
    """The frame with flash-red pupils drawn where the mesh finds the irises."""
    points = analyzer.analyze(image).points
    assert points is not None
    out = image.copy()
    for centre, edge in ((468, 469), (473, 474)):
        radius = float(np.hypot(*(points[centre, :2] - points[edge, :2])))
        cv2.circle(out, (round(points[centre, 0]), round(points[centre, 1])),
                   round(0.8 * radius), (40, 30, 200), -1)
    return out
