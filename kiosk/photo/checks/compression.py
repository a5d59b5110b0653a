"""CompressionArtifacts: JPEG blocking on the 8-pixel grid of the source face region."""

from __future__ import annotations

import numpy as np

from kiosk.photo.analysis import FrameAnalysis, Pixels
from kiosk.photo.result import CheckResult, Mode, unknown, verdict
from kiosk.photo.settings import PhotoSettings


def blockiness(gray: Pixels) -> float:
    """Mean luminance step across 8-px block borders over the mean step inside blocks.

    Uncompressed or mildly compressed images give about 1; strong JPEG blocking makes the
    steps on the grid stand out. Measured on the source pixels, since resampling hides the grid.
    A camera-only check: it runs on the frames the capture may keep, not on every preview.
    """
    g = gray.astype(np.float32)
    dx = np.abs(np.diff(g, axis=1))
    dy = np.abs(np.diff(g, axis=0))
    cols = np.arange(dx.shape[1])
    rows = np.arange(dy.shape[0])
    on_x, on_y = (cols % 8) == 7, (rows % 8) == 7
    border = (dx[:, on_x].mean() + dy[on_y, :].mean()) / 2.0
    inside = (dx[:, ~on_x].mean() + dy[~on_y, :].mean()) / 2.0
    return float(border / (inside + 1e-3))


def check(a: FrameAnalysis, s: PhotoSettings, mode: Mode) -> list[CheckResult]:
    """Blockiness inside the face box of the source frame (stored on the analysis)."""
    gray = getattr(a, "source_face_gray", None)
    if gray is None or min(gray.shape) < 32:
        return [unknown("CompressionArtifacts", "no face")]
    value = blockiness(gray)
    return [verdict("CompressionArtifacts", value, value <= s.max_blockiness,
                    "compression_artifacts", f"blockiness <= {s.max_blockiness:g}")]
