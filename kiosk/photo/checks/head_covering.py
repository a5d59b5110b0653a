"""NoHeadCoverings: a hat, cap, scarf, hood or balaclava over the head."""

from __future__ import annotations

import math

import cv2
import numpy as np

from kiosk.photo import geometry as geo
from kiosk.photo.analysis import HEAD_TOP_SIZE, FrameAnalysis
from kiosk.photo.regions import FaceRegions, face_regions
from kiosk.photo.result import CheckResult, Mode, unknown, verdict
from kiosk.photo.settings import PhotoSettings

#: Fewer head-top pixels than this (of 48 x 48) cannot be judged.
_MIN_TOP_PIXELS = 20
#: Row and column coordinates of the head-top image (built once, broadcast when compared).
_ROWS = np.arange(HEAD_TOP_SIZE[1], dtype=np.float32)[:, None]
_COLS = np.arange(HEAD_TOP_SIZE[0], dtype=np.float32)[None, :]


def head_top_chroma(a: FrameAnalysis, r: FaceRegions) -> float:
    """Chroma of the mean colour above the forehead minus that of the mean cheek colour.

    Hair of every natural colour is less saturated than the skin of the same person
    (melanins are brown to black), while beanies, caps and scarves are often dyed: a head
    top much more colourful than the face is fabric. Vividly dyed hair reads the same.
    """
    if a.head_top is None or a.head_top_mask is None or a.head_top_points is None:
        return math.nan
    p = a.head_top_points
    # Above the mesh's top point (the hairline), across the face's width, inside the person.
    yy, xx = _ROWS, _COLS
    top = ((yy < p[geo.FOREHEAD, 1] - 1.0) & ((xx > p[234, 0]) & (xx < p[454, 0]))
           & (a.head_top_mask > 0.5))
    if np.count_nonzero(top) < _MIN_TOP_PIXELS:
        return math.nan
    # Mean colours, not mean per-pixel chroma: a hat is one dyed colour, and the cheek mean
    # is already known from the face regions.
    _, ta, tb, _ = cv2.mean(cv2.cvtColor(a.head_top, cv2.COLOR_BGR2LAB),
                            mask=top.astype(np.uint8))
    _, ca, cb = r.cheek_colour
    return math.hypot(ta - 128.0, tb - 128.0) - math.hypot(ca - 128.0, cb - 128.0)


def check(a: FrameAnalysis, s: PhotoSettings, mode: Mode) -> list[CheckResult]:
    """Four cues, each for a kind of covering the others miss.

    - The forehead hidden under something unlike skin (hoods, scarves, wide brims). A fringe
      of hair hides it too, so only an almost fully hidden forehead counts on its own.
    - A head far taller than a skull (a tall hat), from the person mask.
    - A cap: the forehead mostly hidden *and* the head taller than usual. A fringe alone
      leaves the crown at skull height; a peak or brim sits on top of the hair.
    - A head top much more colourful than the face (a dyed beanie or scarf).

    ``SkinTexture`` catches fabric over the face itself (balaclava, niqab): the cheeks of
    the aligned face are far more textured than any skin at 64 px between the eyes. It holds
    even when head coverings are allowed: a face hidden under fabric is never acceptable.
    """
    r = face_regions(a)
    if r is None or np.count_nonzero(r.forehead) < 20:
        return [unknown(n, "no face") for n in ("NoHeadCoverings", "SkinTexture")]
    covered = float(np.mean(r.skin_distance[r.forehead] > 30.0))
    chroma = head_top_chroma(a, r)
    crown = a.crown_ratio
    cap = covered > s.cap_forehead_occlusion and crown > s.cap_crown_ratio
    ok = not (covered > s.max_forehead_occlusion or crown > s.max_crown_ratio or cap
              or chroma > s.max_head_top_chroma)
    cheeks = r.cheek_left | r.cheek_right
    texture = cv2.mean(r.texture, mask=cheeks.astype(np.uint8))[0] if cheeks.any() else math.nan
    allowed = s.allow_head_covering
    return [
        verdict("NoHeadCoverings", covered, ok or allowed, "head_covering",
                f"forehead unlike skin <= {s.max_forehead_occlusion:g}, crown ratio <= "
                f"{s.max_crown_ratio:g}, not both > ({s.cap_forehead_occlusion:g}, "
                f"{s.cap_crown_ratio:g}), head-top chroma excess <= "
                f"{s.max_head_top_chroma:g}",
                {"crown_ratio": crown, "head_top_chroma": chroma}),
        verdict("SkinTexture", texture, texture <= s.max_skin_texture,
                "head_covering", f"cheek detail <= {s.max_skin_texture:g} (fabric, not skin)"),
    ]
