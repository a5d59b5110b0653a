"""IlluminationUniformity: left/right balance, shadows and hot spots on the face."""

from __future__ import annotations

import math

import numpy as np

from kiosk.photo.analysis import FrameAnalysis
from kiosk.photo.regions import face_regions, median_u8
from kiosk.photo.result import CheckResult, Mode, unknown, verdict
from kiosk.photo.settings import PhotoSettings


def check(a: FrameAnalysis, s: PhotoSettings, mode: Mode) -> list[CheckResult]:
    """Compare the cheeks, and find skin much darker than the face median (a cast shadow)."""
    r = face_regions(a)
    if r is None or np.count_nonzero(r.cheek_left) < 20 or np.count_nonzero(r.cheek_right) < 20:
        return [unknown(n, "no face") for n in ("IlluminationUniformity", "FaceShadow")]
    g = r.gray
    right = median_u8(g[r.cheek_right]) + 1.0
    left = median_u8(g[r.cheek_left]) + 1.0
    ratio = max(right, left) / min(right, left)
    # From the shared cumulative skin histogram: the same numbers as sorting the pixels.
    cum = r.skin_levels
    total = float(cum[-1])
    if total == 0:
        return [unknown(n, "no face") for n in ("IlluminationUniformity", "FaceShadow")]
    median = float(np.searchsorted(cum, total / 2.0)) + 1.0
    # skin < t for integer levels means level <= ceil(t) - 1.
    below = math.ceil(0.55 * median) - 1
    shadow = float(cum[below]) / total if below >= 0 else 0.0
    hot = 1.0 - float(cum[250]) / total
    return [
        verdict("IlluminationUniformity", ratio, ratio <= s.max_lr_luminance_ratio,
                "uneven_lighting", f"cheek ratio <= {s.max_lr_luminance_ratio:g}"),
        verdict("FaceShadow", shadow,
                shadow <= s.max_face_shadow and hot <= s.max_hot_spot_fraction,
                "shadow_on_face", f"dark skin <= {s.max_face_shadow:g}, hot spots <= "
                f"{s.max_hot_spot_fraction:g}", {"hot_spot_fraction": hot}),
    ]
