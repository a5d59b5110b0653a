"""Glasses: presence (frame edges), tinted lenses and glare.

Honest limits: presence is inferred from the edges a frame draws across the nose bridge and
under the eyes, which rimless glasses barely show; tint is the eye region being much darker
than the cheeks (deep-set eyes in top light also do that a little); glare is clipped pixels
round the eyes. No example of glare exists in the labelled set, so its threshold is untested.
"""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.photo.analysis import FrameAnalysis
from kiosk.photo.regions import face_regions, mask8, median_u8, share
from kiosk.photo.result import CheckResult, Mode, unknown, verdict
from kiosk.photo.settings import PhotoSettings


def check(a: FrameAnalysis, s: PhotoSettings, mode: Mode) -> list[CheckResult]:
    """Glasses fail only when the policy forbids clear glasses, or when tinted or glaring."""
    r = face_regions(a)
    if r is None:
        return [unknown(n, "no face") for n in ("Glasses", "GlassesGlare")]
    # Horizontal frame edges (bridge, rims) show as vertical gradient; normalise by the face's
    # own contrast so that lighting does not matter. 16-bit from 8-bit input is exact.
    gy = np.abs(cv2.Sobel(r.gray, cv2.CV_16S, 0, 1, ksize=3))
    cheek_mask = r.cheeks
    norm = cv2.mean(gy, mask=mask8(cheek_mask))[0] + 4.0
    bridge = (cv2.mean(gy, mask=mask8(r.bridge))[0] / norm
              if r.bridge.any() else 0.0)
    score = bridge / 10.0
    cheeks = median_u8(r.gray[cheek_mask]) + 1.0
    band = r.gray[r.eye_band]
    tint = median_u8(band) / cheeks
    glare = share(band > 250)
    present = score >= s.glasses_threshold
    tinted = tint < s.max_lens_tint
    ok = not (present and not s.allow_clear_glasses) and not tinted
    return [
        verdict("Glasses", score, ok, "glasses",
                "no glasses" if not s.allow_clear_glasses else
                f"clear glasses allowed; lens tint >= {s.max_lens_tint:g}",
                {"glasses_detected": float(present), "lens_tint": tint}),
        verdict("GlassesGlare", glare, glare <= s.max_glare_fraction, "glasses_glare",
                f"clipped eye-region pixels <= {s.max_glare_fraction:g}"),
    ]
