"""FaceOcclusionPrevention and EyesVisible: hands, masks or hair over the face or eyes."""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.photo.analysis import FrameAnalysis
from kiosk.photo.regions import face_regions
from kiosk.photo.result import CheckResult, Mode, unknown, verdict
from kiosk.photo.settings import PhotoSettings

#: Lab distance from the nose-bridge colour beyond which a lower-face pixel is not skin.
_LOWER_LIMIT = 20.0
#: Local detail, relative to the cheeks, above which a dark pixel counts as facial hair.
_HAIR_TEXTURE = 1.3


def check(a: FrameAnalysis, s: PhotoSettings, mode: Mode) -> list[CheckResult]:
    """Share of the lower face, and of the skin round the eyes, unlike the cheek colour.

    The mesh is predicted even under an occluder, so the regions are known; what covers them
    shows as a colour unlike skin. A hand is skin-coloured and escapes this measure unless its
    shading differs: that limit is known.
    """
    r = face_regions(a)
    if r is None:
        return [unknown(n, "no face") for n in ("FaceOcclusionPrevention", "EyesVisible")]
    if not r.lower.any():
        return [unknown(n, "no face") for n in ("FaceOcclusionPrevention", "EyesVisible")]
    # Colour from the skin's mean a*, b* distance from neutral (cheap: one masked mean).
    mean_ab = cv2.mean(r.chroma, mask=r.skin.astype(np.uint8))[0]
    if mean_ab < 3.0:
        # Without colour, skin and a grey mask or shadow cannot be told apart.
        return [unknown(n, "greyscale image") for n in ("FaceOcclusionPrevention", "EyesVisible")]
    limit = max(22.0, 3.0 * r.skin_spread)
    unlike = r.skin_distance > limit
    # A mask covers the cheeks too, so the lower face is compared with the nose bridge, which
    # masks and hands rarely reach. Luminance counts half: the chin is naturally darker.
    if r.nose_bridge.sum() >= 10:
        ref = cv2.mean(r.lab, mask=r.nose_bridge.astype(np.uint8))
        d = [cv2.subtract(r.lab[..., i], ref[i]) for i in range(3)]
        dist2 = cv2.add(cv2.add(cv2.multiply(d[0], d[0], scale=0.25), cv2.multiply(d[1], d[1])),
                        cv2.multiply(d[2], d[2]))
        # A beard is unlike skin too, but darker and fine-grained; a mask, a hand or a
        # microphone is smooth or lighter. Leave out dark, textured pixels (facial hair).
        lap = cv2.blur(np.abs(cv2.Laplacian(r.gray, cv2.CV_16S)).astype(np.float32), (5, 5))
        skin_tex = float(lap[r.cheek_left | r.cheek_right].mean()) + 1.0
        hair = (d[0] < -15.0) & (lap > _HAIR_TEXTURE * skin_tex)
        unlike_lower = r.lower & (dist2 > _LOWER_LIMIT ** 2)
        lower = float(np.count_nonzero(unlike_lower & ~hair)) / r.lower.sum()
        texture = float(np.count_nonzero(unlike_lower & hair)) / r.lower.sum()
    else:
        lower = float(unlike[r.lower].mean())
        texture = 0.0
    around = r.eye_band & ~r.eye_left & ~r.eye_right
    eyes = float(unlike[around].mean()) if around.any() else float("nan")
    return [
        verdict("FaceOcclusionPrevention", lower, lower <= s.max_occlusion, "occlusion",
                f"lower face unlike skin <= {s.max_occlusion:g}", {"facial_hair": texture}),
        verdict("EyesVisible", eyes, eyes <= s.max_eye_occlusion, "hair_over_eyes",
                f"eye surround unlike skin <= {s.max_eye_occlusion:g}"),
    ]
