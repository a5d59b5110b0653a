"""LuminanceMean, UnderExposurePrevention, OverExposurePrevention and DynamicRange of the face."""

from __future__ import annotations

from kiosk.photo.analysis import FrameAnalysis
from kiosk.photo.regions import face_regions, levels_u8
from kiosk.photo.result import CheckResult, Mode, unknown, verdict
from kiosk.photo.settings import PhotoSettings


def check(a: FrameAnalysis, s: PhotoSettings, mode: Mode) -> list[CheckResult]:
    """Judge the face skin, not the frame: a light background must not hide a dark face.

    Skin tones differ by a factor of three in luminance, so "too dark" needs both a low mean
    and a compressed tonal range or many near-black pixels.
    """
    r = face_regions(a)
    if r is None:
        return [unknown(n, "no face") for n in ("LuminanceMean", "OverExposurePrevention")]
    # Histograms instead of sorting: the same numbers, a fraction of the time.
    hist_skin = r.skin_levels
    if hist_skin[-1] < 20:
        return [unknown(n, "no face") for n in ("LuminanceMean", "OverExposurePrevention")]
    hist_oval = levels_u8(r.gray, r.oval)
    # The arrays' own searches, two levels per call (``np.searchsorted``'s dispatch layer
    # costs as much as a search; the same levels).
    total, oval_total = hist_skin[-1], hist_oval[-1]
    middle, top = hist_skin.searchsorted([total / 2.0, 0.95 * total]).tolist()
    mean = float(middle)
    dark = float(hist_skin[34] / total)
    bright = float(1.0 - hist_skin[248] / total)
    lo, hi = hist_oval.searchsorted([0.01 * oval_total, 0.99 * oval_total]).tolist()
    dyn = float(hi - lo)
    # Nothing bright anywhere on the face: even dark skin has highlights under good light.
    p95 = float(top)
    under = (mean < s.min_face_luminance and (dark > s.max_dark_fraction
                                              or dyn < s.min_dynamic_range or mean < 45)
             ) or p95 < s.min_face_highlight
    over = mean > s.max_face_luminance or bright > s.max_bright_fraction
    extra = {"dark_fraction": dark, "bright_fraction": bright, "dynamic_range": dyn,
             "face_highlight": p95}
    return [
        verdict("LuminanceMean", mean, not under, "underexposed",
                f"face median >= {s.min_face_luminance:g} unless range is wide", extra),
        verdict("OverExposurePrevention", bright, not over, "overexposed",
                f"clipped skin <= {s.max_bright_fraction:g}, median <= "
                f"{s.max_face_luminance:g}"),
    ]
