"""CropOfTheFaceImage and HeadSize: is the whole head in frame, with room for a token crop?

Live, the kiosk crops the frame, so the question is whether a compliant crop exists: the head
fully inside, big enough, and the 35 x 45 crop (head at most 80 % of its height) inside the
frame. As-is, the photo's own framing is judged: head height 70-80 % of the image height, eyes
and face centred.
"""

from __future__ import annotations

import numpy as np

from kiosk.photo import geometry as geo
from kiosk.photo.analysis import FrameAnalysis
from kiosk.photo.result import CheckResult, Mode, unknown, verdict
from kiosk.photo.settings import PhotoSettings

#: The detector's box is about this fraction of the chin-to-crown head height.
_BOX_TO_HEAD = 0.6
#: The face outline's points, x and y columns (one gather).
_OVAL_XY = (np.asarray(geo.FACE_OVAL, np.intp)[:, None], np.array([[0, 1]]))


def _cut_off(a: FrameAnalysis) -> float:
    """How far the head reaches outside the frame, as a fraction of the head height."""
    assert a.points is not None and a.crown is not None and a.chin is not None
    head = geo.distance(a.chin, a.crown) + 1e-9
    # The extreme coordinates decide (subtracting the frame size keeps the order, so this is
    # the largest overshoot of any point, as from the stacked points): one gather, then plain
    # floats.
    columns: list[list[float]] = a.points[_OVAL_XY].T.tolist()
    xs, ys = columns
    x_low, y_low, x_high, y_high = min(xs), min(ys), max(xs), max(ys)
    cx, cy = float(a.crown[0]), float(a.crown[1])
    over = max(-min(x_low, cx), max(x_high, cx) - a.width, -min(y_low, cy),
               max(y_high, cy) - a.height)
    return max(0.0, over) / head


def box_outside(a: FrameAnalysis, s: PhotoSettings) -> float:
    """How far any counted face's detector box reaches past the frame edge (share of its width).

    The detector box spans brows to chin, so a box past the edge is a face cut by the border:
    the main face, or a second face at the border of a group photo. Faces too small to count
    as a second face (``min_second_face_ratio``) are ignored, like in ``single_face``.
    """
    if not a.faces:
        return 0.0
    main = a.faces[0].width
    worst = 0.0
    for f in a.faces:
        if f.width < s.min_second_face_ratio * main or f.width <= 0:
            continue
        over = max(-f.x, -f.y, f.x + f.width - a.width, f.y + f.height - a.height)
        worst = max(worst, over / f.width)
    return worst


def check(a: FrameAnalysis, s: PhotoSettings, mode: Mode) -> list[CheckResult]:
    """Head cut off, too small, too large, or (as-is) off centre."""
    if not a.has_face:
        # The mesh fails on small faces; the detector box still tells "too small".
        if a.faces:
            head = a.faces[0].height / _BOX_TO_HEAD / a.height
            limit = s.min_head_frame_ratio if mode == "live" else s.asis_head_ratio_min
            if head < limit:
                return [verdict("HeadSize", head, False, "face_too_small",
                                f"head >= {limit:g} of frame (from the detector box)")]
        return [unknown("HeadSize", "no face mesh")]
    assert a.chin is not None and a.crown is not None
    assert a.right_eye is not None and a.left_eye is not None  # has_face: all set together
    head = geo.distance(a.chin, a.crown)
    head_ratio = head / a.height
    cut = _cut_off(a)
    boxes = box_outside(a, s)
    # The mask running off the frame above the head is the surest sign of a cut crown.
    inside = cut <= 0.02 and not a.crown_cut and boxes <= s.max_face_box_outside
    results = [verdict("FaceInFrame", cut, inside, "face_cut_off",
                       "whole head inside the frame, no face box past the edge",
                       {"crown_cut": float(a.crown_cut), "face_box_outside": boxes})]
    if mode == "live":
        results.append(verdict("HeadSize", head_ratio, head_ratio >= s.min_head_frame_ratio,
                               "face_too_small", f"head >= {s.min_head_frame_ratio:g} of frame"))
        eye_mid = (a.right_eye + a.left_eye) / 2.0
        # The smallest compliant crop: head at the largest allowed share of the crop height.
        # Unrotated: a tilted head is asked to straighten, not to step back.
        crop = geo.token_crop(a.chin, a.crown, eye_mid, 0.0, s.asis_head_ratio_max)
        too_big = max(crop.height / a.height, crop.width / a.width)
        outside = crop.outside_fraction(a.width, a.height)
        ok = too_big <= 1.0 + s.max_frame_outside and outside <= s.max_frame_outside
        # A head running off the top is taller than measured; already half the frame high,
        # it cannot get its margins: the citizen is too close.
        ok = ok and not (a.crown_cut and head_ratio >= 0.5)
        results.append(verdict("CropOfTheFaceImage", outside, ok, "face_too_large",
                               f"35x45 crop inside the frame (tolerance {s.max_frame_outside:g})",
                               {"crop_to_frame": too_big}))
        return results
    lo, hi = s.asis_head_ratio_min, s.asis_head_ratio_max
    results.append(verdict("HeadSize", head_ratio, head_ratio >= lo, "face_too_small",
                           f"head >= {lo:g} of image height"))
    results.append(verdict("HeadSizeMax", head_ratio, head_ratio <= hi, "face_too_large",
                           f"head <= {hi:g} of image height"))
    eye_mid = (a.right_eye + a.left_eye) / 2.0
    offset = abs(eye_mid[0] / a.width - 0.5)
    eye_line = eye_mid[1] / a.height
    e_lo, e_hi = s.asis_eye_line_range
    results.append(verdict("FaceCentring", offset,
                           offset <= s.asis_max_center_offset and e_lo <= eye_line <= e_hi,
                           "face_off_center",
                           f"centre offset <= {s.asis_max_center_offset:g}, eye line in "
                           f"[{e_lo:g}, {e_hi:g}]", {"eye_line": eye_line}))
    return results
