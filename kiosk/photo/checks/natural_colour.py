"""NaturalColour: greyscale images and colour casts over the skin."""

from __future__ import annotations

import math

import cv2
import numpy as np

from kiosk.photo.analysis import FrameAnalysis
from kiosk.photo.regions import face_regions, mask8
from kiosk.photo.result import CheckResult, Mode, unknown, verdict
from kiosk.photo.settings import PhotoSettings

#: Typical skin hue in (a*, b*) over all skin tones, in degrees (reddish yellow).
_SKIN_HUE = 55.0


def check(a: FrameAnalysis, s: PhotoSettings, mode: Mode) -> list[CheckResult]:
    """Greyscale: almost no chroma anywhere. Cast: skin hue or chroma far from any skin tone."""
    results = []
    # The contiguous RGB copy when there is one: the measure does not depend on the channel
    # order, and the BGR frame is a reversed view of it that is slower to read.
    small = a.small_rgb if a.small_rgb is not None else a.small
    if small is not None:
        # Every other pixel is plenty for a whole-image average.
        sub = small[::2, ::2]
        c0, c1, c2 = sub[..., 0], sub[..., 1], sub[..., 2]
        # The largest of the three channel differences is the largest channel minus the
        # smallest: two 8-bit maxima and minima and exact integer sums give the same mean.
        high = np.maximum(np.maximum(c0, c1), c2)
        low = np.minimum(np.minimum(c0, c1), c2)
        chroma = (int(high.sum(dtype=np.int64)) - int(low.sum(dtype=np.int64))) / high.size
        results.append(verdict("ColourPresent", chroma, chroma >= s.min_colour_chroma,
                               "grayscale", f"mean channel spread >= {s.min_colour_chroma:g}"))
    reg = face_regions(a)
    if reg is None:
        results.append(unknown("NaturalColour", "no face"))
        return results
    mean = cv2.mean(reg.lab8, mask=mask8(reg.skin))
    am, bm = mean[1] - 128.0, mean[2] - 128.0
    face_chroma = math.hypot(am, bm)
    hue = math.degrees(math.atan2(bm, am))
    deviation = abs(hue - _SKIN_HUE)
    if results and results[0].failed:
        return results + [unknown("NaturalColour", "greyscale image")]
    # Hue is meaningless when there is almost no chroma; that case is the greyscale check's.
    cast = face_chroma > s.max_cast_chroma or (face_chroma > 6
                                               and deviation > s.max_skin_hue_deviation)
    results.append(verdict("NaturalColour", deviation, not cast, "color_cast",
                           f"skin hue within {s.max_skin_hue_deviation:g} deg of skin, chroma <= "
                           f"{s.max_cast_chroma:g}", {"skin_chroma": face_chroma,
                                                       "skin_hue": hue}))
    return results
