"""IlluminationUniformity: light from one side (left/right and the diagonals), shadows and hot
spots on the face.

The face halves are compared twice: left against right (mirror pixel pairs across the face
midline, where the natural shading is the same on both sides and cancels), and upper against
lower (mirror pairs across the middle row of the aligned face, where it does not: a forehead
faces the light more than a chin, so the typical face's own upper/lower lean, learnt from
evenly lit faces, is subtracted). The two leans are the components of a light direction: a
diagonal light moves both, and their length (:func:`gradient_of`) flags it even on a face
the room already lights a little from the other side, where the left/right part alone
partly cancels.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
from numpy.typing import NDArray

from kiosk.photo.analysis import FACE_EYES, FACE_SIZE, FrameAnalysis, Pixels
from kiosk.photo.regions import FaceRegions, Mask, face_regions, median_f, median_u8
from kiosk.photo.result import CheckResult, Mode, unknown, verdict
from kiosk.photo.settings import PhotoSettings

#: log(level + 8) per 8-bit level: a gain multiplies the level, so it adds a constant in log
#: space whatever the skin tone; the offset keeps the noise of very dark pixels from counting.
_LOG = np.log(np.arange(256, dtype=np.float32) + 8.0)
#: The image-left half of the aligned face (the mirror line is the eye midpoint, x = 64).
_LEFT_HALF = np.broadcast_to(
    np.arange(FACE_SIZE[0])[None, :] < (FACE_EYES[0][0] + FACE_EYES[1][0]) / 2.0,
    (FACE_SIZE[1], FACE_SIZE[0]))
#: The same as 0/1 bytes, for OpenCV's mask arithmetic.
_LEFT_HALF8 = np.ascontiguousarray(_LEFT_HALF, np.uint8)
#: Rows above the horizontal mirror line of the aligned face (its middle row, y = 82.5: the
#: eye line pairs with the nose tip, the forehead with the chin).
_UPPER = FACE_SIZE[1] // 2
#: a*b* distance from the cheek colour beyond which a pixel is hair, brows or background,
#: not skin. Chroma only: lighting moves the luminance, hardly the hue.
_SKIN_AB = 18.0
#: |Laplacian| of the aligned face (``FaceRegions.texture``) from which a pixel is left out of
#: the upper/lower comparison: stubble and beards have the skin's hue but are darker and
#: textured, and lie only in the lower half (cheek skin reads 4-33 on average). Chosen by
#: hand; 6-20 give the same recall on the drawn lights (kiosk/photo/README.md, round 4).
_SMOOTH = 16.0
#: Fewest mirror pairs a lean is read from.
_MIN_PAIRS = 40


def face_leans(gray: Pixels, skin: Mask, texture: NDArray[np.float32]) -> tuple[float, float]:
    """(left/right, upper/lower) log-luminance leans of an aligned face (``FACE_SIZE``): the
    median log-luminance difference of mirror pixel pairs, both of them ``skin``, across the
    face midline (image-left minus image-right) and across the middle row (upper minus
    lower; only pairs smoother than stubble, ``texture`` below ``_SMOOTH``). NaN where fewer
    than ``_MIN_PAIRS`` pairs are left."""
    logs = cv2.LUT(gray, _LOG)
    # Mirrors and masks as 0/1 bytes through OpenCV: numpy's reversed views are slow to combine.
    skin8 = skin.view(np.uint8)
    pairs = cv2.bitwise_and(cv2.bitwise_and(skin8, cv2.flip(skin8, 1)), _LEFT_HALF8)
    side = math.nan
    if cv2.countNonZero(pairs) >= _MIN_PAIRS:
        diff = cv2.subtract(logs, cv2.flip(logs, 1))[pairs.view(np.bool_)]
        # The median: a slightly turned head puts the nose's own shading, or an ear, beside
        # its mirror image; those pairs are a minority and drop out.
        side = float(median_f(diff))
    smooth = cv2.bitwise_and(skin8, (texture < _SMOOTH).view(np.uint8))
    upper = cv2.bitwise_and(smooth[:_UPPER], cv2.flip(smooth, 0)[:_UPPER])
    vertical = math.nan
    if cv2.countNonZero(upper) >= _MIN_PAIRS:
        diff = cv2.subtract(logs[:_UPPER], cv2.flip(logs, 0)[:_UPPER])[upper.view(np.bool_)]
        vertical = float(median_f(diff))
    return side, vertical


def _leans(r: FaceRegions) -> tuple[float, float]:
    """:func:`face_leans` over the face's skin (its hue near the cheeks')."""
    return face_leans(r.gray, r.skin & (r.skin_hue_distance2 < _SKIN_AB * _SKIN_AB), r.texture)


def side_lean(r: FaceRegions) -> float:
    """Signed log of the image-left face half over the image-right half (see
    :func:`side_balance`): positive when the light comes from the image left (evaluation)."""
    return _leans(r)[0]


def vertical_lean(r: FaceRegions) -> float:
    """Signed log of the upper face half over the lower half, from mirror pixel pairs across
    the middle row of the aligned face, over smooth skin on both sides (see
    :func:`gradient_of`). Evenly lit faces lean a little: their own shading (evaluation)."""
    return _leans(r)[1]


def side_balance(side: float) -> float:
    """Brighter half over darker half of the face (>= 1), from the left/right lean.

    As in OFIQ's IlluminationUniformity, the two halves of the face region are compared; here
    pixel by pixel with its mirror image across the face midline (the aligned face has the
    eyes level and centred), over skin on both sides only, so hair, brows and the background
    drop out and the natural shading of the face (the same on both sides) cancels. The
    log-luminance difference is a ratio of brightness: the same for dark and light skin and
    for a darker or brighter exposure. Compliant studio portraits read 1.00-1.29 (median
    1.05); a face lit from one side with the far side at half the light reads 1.3-1.8.
    """
    return math.exp(abs(side))


def gradient_of(side: float, vertical: float, reference: float) -> float:
    """Unevenness of the light across the face in any direction (>= 1).

    The left/right lean and the upper/lower lean less ``reference`` (the upper/lower lean of
    a typical evenly lit face, ``PhotoSettings.light_vertical_reference``) are the two
    components of the light's direction; exp of the length of the pair is the brighter over
    the darker half along it. On the drawn lights 40 degrees off the eye line the measured
    direction is within 6 degrees of the drawn one, so the two components weigh alike.
    Without an upper/lower lean (too little smooth skin), the left/right one alone.
    """
    if math.isnan(vertical):
        return side_balance(side)
    return math.exp(math.hypot(side, vertical - reference))


def check(a: FrameAnalysis, s: PhotoSettings, mode: Mode) -> list[CheckResult]:
    """Compare the halves of the face (left/right and in the light's own direction), and find
    skin much darker than the face median."""
    r = face_regions(a)
    if r is None or np.count_nonzero(r.cheek_left) < 20 or np.count_nonzero(r.cheek_right) < 20:
        return [unknown(n, "no face") for n in ("IlluminationUniformity", "FaceShadow")]
    g = r.gray
    right = median_u8(g[r.cheek_right]) + 1.0
    left = median_u8(g[r.cheek_left]) + 1.0
    cheeks = max(right, left) / min(right, left)
    side, vertical = _leans(r)
    balance = side_balance(side)
    gradient = gradient_of(side, vertical, s.light_vertical_reference)
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
        verdict("IlluminationUniformity", balance,
                balance <= s.max_side_light_ratio and not gradient > s.max_light_gradient,
                "uneven_lighting", f"brighter / darker face half <= {s.max_side_light_ratio:g} "
                f"left/right, <= {s.max_light_gradient:g} in any direction",
                {"cheek_ratio": cheeks} if math.isnan(gradient)
                else {"cheek_ratio": cheeks, "light_gradient": gradient}),
        verdict("FaceShadow", shadow,
                shadow <= s.max_face_shadow and hot <= s.max_hot_spot_fraction,
                "shadow_on_face", f"dark skin <= {s.max_face_shadow:g}, hot spots <= "
                f"{s.max_hot_spot_fraction:g}", {"hot_spot_fraction": hot}),
    ]
