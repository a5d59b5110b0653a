"""IlluminationUniformity: left/right balance, shadows and hot spots on the face."""

from __future__ import annotations

import math

import cv2
import numpy as np

from kiosk.photo.analysis import FACE_EYES, FACE_SIZE, FrameAnalysis
from kiosk.photo.regions import FaceRegions, face_regions, median_f, median_u8
from kiosk.photo.result import CheckResult, Mode, unknown, verdict
from kiosk.photo.settings import PhotoSettings

#: log(level + 8) per 8-bit level: a gain multiplies the level, so it adds a constant in log
#: space whatever the skin tone; the offset keeps the noise of very dark pixels from counting.
_LOG = np.log(np.arange(256, dtype=np.float32) + 8.0)
#: The image-left half of the aligned face (the mirror line is the eye midpoint, x = 64).
_LEFT_HALF = np.broadcast_to(
    np.arange(FACE_SIZE[0])[None, :] < (FACE_EYES[0][0] + FACE_EYES[1][0]) / 2.0,
    (FACE_SIZE[1], FACE_SIZE[0]))
#: a*b* distance from the cheek colour beyond which a pixel is hair, brows or background,
#: not skin. Chroma only: lighting moves the luminance, hardly the hue.
_SKIN_AB = 18.0


def side_lean(r: FaceRegions) -> float:
    """Signed log of the image-left face half over the image-right half (see
    :func:`side_balance`): positive when the light comes from the image left."""
    skin = r.skin & (r.skin_hue_distance2 < _SKIN_AB * _SKIN_AB)
    pairs = skin & skin[:, ::-1] & _LEFT_HALF
    if np.count_nonzero(pairs) < 40:
        return math.nan
    logs = cv2.LUT(r.gray, _LOG)
    diff = cv2.subtract(logs, cv2.flip(logs, 1))[pairs]
    # The median: a slightly turned head puts the nose's own shading, or an ear, beside its
    # mirror image; those pairs are a minority and drop out.
    return float(median_f(diff))


def side_balance(r: FaceRegions) -> float:
    """Brighter half over darker half of the face, from mirror-image pixel pairs (>= 1).

    As in OFIQ's IlluminationUniformity, the two halves of the face region are compared; here
    pixel by pixel with its mirror image across the face midline (the aligned face has the
    eyes level and centred), over skin on both sides only, so hair, brows and the background
    drop out and the natural shading of the face (the same on both sides) cancels. The mean
    log-luminance difference is a ratio of brightness: the same for dark and light skin and
    for a darker or brighter exposure. Compliant studio portraits read 1.00-1.29 (median
    1.05); a face lit from one side with the far side at half the light reads 1.3-1.8.
    """
    return math.exp(abs(side_lean(r)))


def check(a: FrameAnalysis, s: PhotoSettings, mode: Mode) -> list[CheckResult]:
    """Compare the two halves of the face, and find skin much darker than the face median."""
    r = face_regions(a)
    if r is None or np.count_nonzero(r.cheek_left) < 20 or np.count_nonzero(r.cheek_right) < 20:
        return [unknown(n, "no face") for n in ("IlluminationUniformity", "FaceShadow")]
    g = r.gray
    right = median_u8(g[r.cheek_right]) + 1.0
    left = median_u8(g[r.cheek_left]) + 1.0
    cheeks = max(right, left) / min(right, left)
    balance = side_balance(r)
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
        verdict("IlluminationUniformity", balance, balance <= s.max_side_light_ratio,
                "uneven_lighting", f"brighter / darker face half <= {s.max_side_light_ratio:g}",
                {"cheek_ratio": cheeks}),
        verdict("FaceShadow", shadow,
                shadow <= s.max_face_shadow and hot <= s.max_hot_spot_fraction,
                "shadow_on_face", f"dark skin <= {s.max_face_shadow:g}, hot spots <= "
                f"{s.max_hot_spot_fraction:g}", {"hot_spot_fraction": hot}),
    ]
