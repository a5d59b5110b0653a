"""BackgroundUniformity: plain, light, unsaturated and shadow-free background inside the crop."""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.photo.analysis import FrameAnalysis
from kiosk.photo.regions import background, median_u8, percentile_u8
from kiosk.photo.result import CheckResult, Mode, unknown, verdict
from kiosk.photo.settings import PhotoSettings

#: Fewer background pixels than this (on the 256-px frame) cannot be judged.
_MIN_PIXELS = 150
#: The erosion that keeps the gradient away from the crop border (made once).
_INNER = np.ones((3, 3), np.uint8)


def check(a: FrameAnalysis, s: PhotoSettings, mode: Mode) -> list[CheckResult]:
    """Measure the background the token photo will show, on the downscaled frame.

    Plainness is the luminance spread and mean gradient; lightness the mean L; colour the mean
    chroma. A cast shadow darkens the background next to the person relative to further away.
    """
    bg = background(a)
    if bg is None or np.count_nonzero(bg.mask) < _MIN_PIXELS:
        return [unknown(n, "no background visible")
                for n in ("BackgroundUniformity", "BackgroundShadow")]
    mask8 = bg.mask.view(np.uint8)
    means, stds = cv2.meanStdDev(bg.lab, mask=mask8)
    mean, std = float(means[0, 0]), float(stds[0, 0])
    # Chroma of the mean colour: a backdrop is one colour, so this is its saturation.
    chroma = float(np.hypot(means[1, 0] - 128.0, means[2, 0] - 128.0))
    grad = cv2.add(cv2.convertScaleAbs(cv2.Sobel(bg.gray, cv2.CV_16S, 1, 0, ksize=3)),
                   cv2.convertScaleAbs(cv2.Sobel(bg.gray, cv2.CV_16S, 0, 1, ksize=3)))
    # Gradients at the crop border are fine; the mask already keeps away from the person.
    inner = cv2.erode(mask8, _INNER)
    gradient = cv2.mean(grad, mask=inner)[0] / 8.0 if inner.any() else float("nan")
    plain = (std <= s.max_background_std and gradient <= s.max_background_gradient
             and mean >= s.min_background_luminance and chroma <= s.max_background_chroma)
    results = [verdict("BackgroundUniformity", std, plain, "background_not_plain",
                       f"std <= {s.max_background_std:g}, gradient <= "
                       f"{s.max_background_gradient:g}, L >= {s.min_background_luminance:g}, "
                       f"chroma <= {s.max_background_chroma:g}",
                       {"background_luminance": mean, "background_gradient": gradient,
                        "background_chroma": chroma})]
    if np.count_nonzero(bg.near) < 30 or np.count_nonzero(bg.far) < 30:
        results.append(unknown("BackgroundShadow", "background too small"))
        return results
    # A cast shadow falls on one side only: compare the darkest tenth next to the person
    # with the typical background further away.
    g = bg.gray
    near = percentile_u8(g[bg.near], 10)
    far = median_u8(g[bg.far])
    shadow = (far - near) / (far + 1.0)
    results.append(verdict("BackgroundShadow", shadow, shadow <= s.max_background_shadow,
                           "background_shadow",
                           f"darkening next to the head <= {s.max_background_shadow:g}"))
    return results
