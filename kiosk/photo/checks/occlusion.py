"""FaceOcclusionPrevention, EyesVisible and MouthOcclusionPrevention: hands, masks or hair over
the face, the eyes or the mouth."""

from __future__ import annotations

import math

import cv2
import numpy as np
from numpy.typing import NDArray

from kiosk.photo import geometry as geo
from kiosk.photo.analysis import FrameAnalysis
from kiosk.photo.regions import FaceRegions, face_regions, mask8, median_f, share
from kiosk.photo.result import CheckResult, Mode, unknown, verdict
from kiosk.photo.settings import PhotoSettings

#: Lab distance from the nose-bridge colour beyond which a lower-face pixel is not skin.
_LOWER_LIMIT = 20.0
#: Local detail, relative to the cheeks, above which a dark pixel counts as facial hair.
_HAIR_TEXTURE = 1.3
#: Where across the mouth (corner to corner) the lip line is looked for.
_MOUTH_COLUMNS = np.linspace(0.3, 0.7, 9)
_MOUTH_COLUMN_LIST: list[float] = _MOUTH_COLUMNS.tolist()
#: The points the lip line reads: mid upper lip (outer, inner), mid lower lip (inner, outer)
#: and the two mouth corners.
_MOUTH_POINTS = [0, 13, 14, 17, geo.MOUTH_CORNERS[0], geo.MOUTH_CORNERS[1]]


def texture_asymmetry(r: FaceRegions, detail: NDArray[np.float32]) -> float:
    """Mean |detail - mirrored detail| over the skin, relative to the mean detail.

    A face is nearly mirror-symmetric in fine detail once its eyes are level; a hand, a
    microphone or fingers on one side add edges there only. The aligned face has the iris
    midpoint on its vertical centre line (``FACE_EYES``), so a horizontal flip is the mirror
    (off by half a pixel, far below the 5-px blur). A turned head (yaw) or light from one
    side makes it larger too, which is why it is a secondary cue with a high threshold.

    Args:
        r: the face regions.
        detail: ``r.texture`` blurred over 5 x 5 pixels (shared with the facial-hair test).
    """
    # Mirrors, masks and the absolute difference through OpenCV on whole images (numpy's
    # reversed views are slow to combine); the same pixels are gathered in the same order.
    skin8 = r.skin.view(np.uint8)
    both = cv2.bitwise_and(skin8, cv2.flip(skin8, 1)).view(np.bool_)
    if np.count_nonzero(both) < 50:
        return float("nan")
    d = detail[both]
    return float(cv2.absdiff(detail, cv2.flip(detail, 1))[both].mean() / (d.mean() + 1.0))


def mouth_line(a: FrameAnalysis, r: FaceRegions) -> float:
    """Contrast of the line between the lips across the middle of the mouth.

    Closed or open, a visible mouth has a dark line where the lips meet (or a dark gap between
    them): down the middle 40 % of the mouth, from mid upper lip to mid lower lip, the darkest
    pixel of each column is well below the column's median. A hand, a mask or a microphone
    over the mouth has no such line, whatever its colour (so a skin-coloured hand is found
    too). Luminance only, so it holds for greyscale images.
    """
    assert a.face_points is not None
    # The six points in one gather, the column positions in plain floats (numpy's rounding,
    # half to even, is ``round``'s): the same columns without half a dozen numpy calls.
    (_, upper), (_, top_in), (_, bottom_in), (_, lower), (left, _), (right, _) = (
        a.face_points[_MOUTH_POINTS].tolist())
    top = (upper + top_in) / 2.0
    bottom = (bottom_in + lower) / 2.0
    y0, y1 = max(0, math.floor(top)), min(r.gray.shape[0], math.ceil(bottom) + 1)
    last = r.gray.shape[1] - 1
    xs = [min(max(round(left + (right - left) * c), 0), last) for c in _MOUTH_COLUMN_LIST]
    if y1 - y0 < 3:
        return math.nan
    cols = r.gray[y0:y1][:, xs].astype(np.float32)
    median = median_f(cols.copy(), axis=0)
    return float(median_f((median - cols.min(axis=0)) / (median + 1.0)))


def check(a: FrameAnalysis, s: PhotoSettings, mode: Mode) -> list[CheckResult]:
    """Share of the lower face, and of the skin round the eyes, unlike the cheek colour.

    The mesh is predicted even under an occluder, so the regions are known; what covers them
    shows as a colour unlike skin. A hand is skin-coloured and escapes this measure unless its
    shading differs: that limit is known.
    """
    r = face_regions(a)
    names = ("FaceOcclusionPrevention", "EyesVisible", "MouthOcclusionPrevention")
    if r is None or not r.lower.any():
        return [unknown(n, "no face") for n in names]
    line = mouth_line(a, r)
    mouth = verdict("MouthOcclusionPrevention", line, line >= s.min_mouth_line_contrast,
                    "occlusion", f"lip line contrast >= {s.min_mouth_line_contrast:g}")
    # Colour from the skin's mean a*, b* distance from neutral (cheap: one masked mean).
    mean_ab = cv2.mean(r.chroma, mask=mask8(r.skin))[0]
    if mean_ab < 3.0:
        # Without colour, skin and a grey mask or shadow cannot be told apart.
        return [unknown(n, "greyscale image") for n in names[:2]] + [mouth]
    limit = max(22.0, 3.0 * r.skin_spread)
    # A mask covers the cheeks too, so the lower face is compared with the nose bridge, which
    # masks and hands rarely reach. Luminance counts half: the chin is naturally darker.
    detail = np.asarray(cv2.blur(r.texture, (5, 5)), np.float32)
    if np.count_nonzero(r.nose_bridge) >= 10:
        ref = np.array(cv2.mean(r.lab8, mask=mask8(r.nose_bridge))[:3], np.float32)
        # Only the lower-face pixels are needed: gather them once (a fifth of the face).
        # Flat indices: boolean indexing of a 3-channel image is ten times slower.
        lower_idx = np.flatnonzero(r.lower)
        # Whole rows of the float Lab (the 8-bit values as float32, so the differences are
        # those of the 8-bit ones), gathered by ``take`` and shifted in place: a third of the
        # time of fancy indexing and a mixed-type subtraction.
        d = r.lab.reshape(-1, 3).take(lower_idx, axis=0)
        d -= ref
        dist2 = 0.25 * d[:, 0] ** 2 + d[:, 1] ** 2 + d[:, 2] ** 2
        # A beard is unlike skin too, but darker and fine-grained; a mask, a hand or a
        # microphone is smooth or lighter. Leave out dark, textured pixels (facial hair).
        skin_tex = float(detail[r.cheeks].mean()) + 1.0
        hair = (d[:, 0] < -15.0) & (detail.ravel()[lower_idx] > _HAIR_TEXTURE * skin_tex)
        unlike_lower = dist2 > _LOWER_LIMIT ** 2
        lower = float(np.count_nonzero(unlike_lower & ~hair)) / len(d)
        texture = float(np.count_nonzero(unlike_lower & hair)) / len(d)
    else:
        lower = share(r.skin_distance[r.lower] > limit)
        texture = 0.0
    around = r.eye_band & ~r.eye_left & ~r.eye_right
    eyes = share(r.skin_distance[around] > limit) if around.any() else float("nan")
    asym = texture_asymmetry(r, detail)
    ok = lower <= s.max_occlusion and not asym > s.max_texture_asymmetry
    return [
        verdict("FaceOcclusionPrevention", lower, ok, "occlusion",
                f"lower face unlike skin <= {s.max_occlusion:g}, detail asymmetry <= "
                f"{s.max_texture_asymmetry:g}", {"facial_hair": texture,
                                                  "texture_asymmetry": asym}),
        verdict("EyesVisible", eyes, eyes <= s.max_eye_occlusion, "hair_over_eyes",
                f"eye surround unlike skin <= {s.max_eye_occlusion:g}"),
        mouth,
    ]
