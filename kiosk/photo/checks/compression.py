"""CompressionArtifacts: JPEG blocking on the 8-pixel grid of the source face region."""

from __future__ import annotations

import numpy as np

from kiosk.photo.analysis import FrameAnalysis, Pixels
from kiosk.photo.result import CheckResult, Mode, unknown, verdict
from kiosk.photo.settings import PhotoSettings

#: Sums of absolute 8-bit steps below this are exact in float32, whatever the order.
_EXACT_F32 = 1 << 24


def blockiness(gray: Pixels) -> float:
    """Mean luminance step across 8-px block borders over the mean step inside blocks.

    Uncompressed or mildly compressed images give about 1; strong JPEG blocking makes the
    steps on the grid stand out. Measured on the source pixels, since resampling hides the grid.

    The steps are whole numbers: on the live face box (at most 192 x 192 pixels) their sums
    are exact in float32, so the means come from integer sums over slices of the grid, the
    same values as float32 means of the gathered steps in a quarter of the numpy calls.
    """
    if gray.size * 255 >= _EXACT_F32:
        return _blockiness_gathered(gray)
    g = gray.astype(np.int16)
    dx = np.abs(g[:, 1:] - g[:, :-1])
    dy = np.abs(g[1:, :] - g[:-1, :])
    on_x, on_y = dx[:, 7::8], dy[7::8, :]
    sum_x, sum_y, on_sum_x, on_sum_y = (int(v.sum()) for v in (dx, dy, on_x, on_y))
    border = (_mean_f32(on_sum_x, on_x.size) + _mean_f32(on_sum_y, on_y.size)) / 2.0
    inside = (_mean_f32(sum_x - on_sum_x, dx.size - on_x.size)
              + _mean_f32(sum_y - on_sum_y, dy.size - on_y.size)) / 2.0
    return float(border / (inside + 1e-3))


def _mean_f32(total: int, count: int) -> np.float32:
    """``np.mean`` of ``count`` float32 values summing exactly to ``total`` (NaN if none)."""
    return np.float32(total / count) if count else np.float32(np.nan)


def _blockiness_gathered(gray: Pixels) -> float:
    """:func:`blockiness` by float32 means of the gathered steps (any size)."""
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
