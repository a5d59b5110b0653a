"""Fixtures built from scikit-image's public-domain astronaut portrait (no ../shared needed)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

import cv2
import numpy as np
import pytest

from kiosk.photo.analysis import FaceAnalyzer
from kiosk.photo.settings import PhotoSettings

#: Astronaut's eye midpoint in the 512-px original, and her inter-eye distance there.
EYES_512 = (222.0, 107.0)
IED_512 = 45.0
BACKDROP = (228, 228, 226)


@cache
def _portrait(plain: bool) -> np.ndarray:
    from mediapipe.python.solutions import selfie_segmentation
    from skimage import data

    rgb = data.astronaut()
    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    if not plain:
        return bgr
    with selfie_segmentation.SelfieSegmentation(model_selection=0) as seg:
        mask = seg.process(rgb).segmentation_mask
    mask = cv2.GaussianBlur(np.clip((mask - 0.3) / 0.4, 0, 1), (5, 5), 0)[..., None]
    backdrop = np.empty_like(bgr)
    backdrop[:] = BACKDROP
    return (bgr * mask + backdrop * (1.0 - mask)).astype(np.uint8)


def frame(width: int = 1280, height: int = 720, ied: float = 100.0, plain: bool = True,
          centre: tuple[float, float] | None = None) -> np.ndarray:
    """A camera frame of astronaut: eyes ``ied`` px apart, eye midpoint at ``centre``
    (default: middle, 42 % from the top), on a plain light backdrop when ``plain``."""
    scale = ied / IED_512
    big = cv2.resize(_portrait(plain), None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    cx, cy = centre or (width / 2.0, height * 0.42)
    m = np.float32([[1, 0, cx - EYES_512[0] * scale], [0, 1, cy - EYES_512[1] * scale]])
    border = BACKDROP if plain else 0
    return cv2.warpAffine(big, m, (width, height), borderMode=cv2.BORDER_REPLICATE
                          if not plain else cv2.BORDER_CONSTANT, borderValue=border)


@pytest.fixture(scope="session")
def settings() -> PhotoSettings:
    return PhotoSettings()


@pytest.fixture(scope="session")
def analyzer(settings: PhotoSettings) -> Iterator[FaceAnalyzer]:
    """The mediapipe models, loaded once for the whole photo test session (stills mode)."""
    with FaceAnalyzer(settings, static=True) as a:
        yield a


@pytest.fixture(scope="session")
def studio() -> np.ndarray:
    """Astronaut at the kiosk: 1280x720, inter-eye 100 px, plain light backdrop."""
    return frame()


@pytest.fixture(scope="session")
def make_frame():  # noqa: ANN201 - returns the builder above
    """The frame builder, for tests that need other sizes, positions or backdrops."""
    return frame
