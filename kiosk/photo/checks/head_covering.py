"""NoHeadCoverings: a hat, cap, scarf, hood or balaclava over the head."""

from __future__ import annotations

import math

import cv2
import numpy as np

from kiosk.photo import geometry as geo
from kiosk.photo.analysis import HEAD_TOP_SIZE, FrameAnalysis
from kiosk.photo.regions import FaceRegions, U, face_regions, mask8, median_f, share
from kiosk.photo.result import CheckResult, Mode, unknown, verdict
from kiosk.photo.settings import PhotoSettings

#: Fewer head-top pixels than this (of 48 x 48) cannot be judged.
_MIN_TOP_PIXELS = 20
#: Row and column coordinates of the head-top image (built once, broadcast when compared).
_ROWS = np.arange(HEAD_TOP_SIZE[1], dtype=np.float32)[:, None]
_COLS = np.arange(HEAD_TOP_SIZE[0], dtype=np.float32)[None, :]
#: Lab distance from the cheek colour within which a pixel counts as skin (as the forehead).
_SKIN_LIMIT = 30.0
#: The landmarks the head-top colours read: the mesh's top point and the two cheekbones.
_TOP_LANDMARKS = [geo.FOREHEAD, 234, 454]
#: Channel weights summing three channels (``cv2.transform``).
_SUM3 = np.ones((1, 3), np.float32)
#: Half the row distance of the colour step across the forehead (aligned-face pixels).
_STEP = 2
#: a*b* distance from the cheek colour beyond which a forehead pixel is not skin whatever
#: the light on it (the side-light measure's skin test: light moves luminance, hardly hue).
_SKIN_HUE = 18.0


def head_top_colours(a: FrameAnalysis, r: FaceRegions) -> tuple[float, float]:
    """The head above the hairline against the cheeks: (chroma excess, share of skin colour).

    Chroma excess: chroma of the mean colour above the forehead minus that of the mean cheek
    colour. Hair of every natural colour is less saturated than the skin of the same person
    (melanins are brown to black), while beanies, caps and scarves are often dyed: a head
    top much more colourful than the face is fabric. Vividly dyed hair reads the same.

    Skin share: the part of the same region within the skin-distance limit of the cheek
    colour (Lab distance < 30, as for the forehead). Hair is not skin-coloured; a bald or
    shaved head is, but a skull ends about one chin-to-eye distance above the eyes, so a
    skin-coloured head top that rises well above that is a skin-coloured hat (judged together
    with the crown ratio in :func:`check`).
    """
    # The three landmarks read (the same numbers as those rows of ``head_top_points``).
    p = a.head_top_points_at(_TOP_LANDMARKS)
    if a.head_top is None or a.head_top_mask is None or p is None:
        return math.nan, math.nan
    (_, hairline), (left, _), (right, _) = p.tolist()
    # Above the mesh's top point (the hairline), across the face's width, inside the person.
    yy, xx = _ROWS, _COLS
    top = ((yy < hairline - 1.0) & ((xx > left) & (xx < right)) & (a.head_top_mask > 0.5))
    count = np.count_nonzero(top)
    if count < _MIN_TOP_PIXELS:
        return math.nan, math.nan
    if a.head_top_rgb is not None and a.head_top.base is a.head_top_rgb:
        # The analyser's BGR head top is a reversed view of the RGB one (the same numbers).
        lab = cv2.cvtColor(a.head_top_rgb, cv2.COLOR_RGB2LAB)
    else:
        lab = cv2.cvtColor(a.head_top, cv2.COLOR_BGR2LAB)
    # Mean colours, not mean per-pixel chroma: a hat is one dyed colour, and the cheek mean
    # is already known from the face regions.
    top8 = mask8(top)  # the same 0/1 bytes, no copy
    _, ta, tb, _ = cv2.mean(lab, mask=top8)
    cl, ca, cb = r.cheek_colour
    chroma = math.hypot(ta - 128.0, tb - 128.0) - math.hypot(ca - 128.0, cb - 128.0)
    diff = cv2.subtract(lab.astype(np.float32), (cl, ca, cb, 0.0))  # type: ignore[call-overload]
    dist2 = cv2.transform(cv2.multiply(diff, diff), _SUM3)
    skin = np.count_nonzero((dist2 < _SKIN_LIMIT * _SKIN_LIMIT) & top) / count
    return chroma, skin


def head_top_chroma(a: FrameAnalysis, r: FaceRegions) -> float:
    """Chroma of the mean colour above the forehead minus that of the cheeks (see
    :func:`head_top_colours`)."""
    return head_top_colours(a, r)[0]


def forehead_edge(a: FrameAnalysis, r: FaceRegions) -> float:
    """How sharp and straight a colour boundary runs across the forehead (Lab units).

    A hat band, a scarf or a beanie's edge crosses the forehead as one near-level line, so
    in the aligned face (eyes level) every column of the forehead changes colour at the same
    row. A hairline is arched (higher at the temples, ragged at a fringe), so at any one row
    only some columns change. Per row, the median over the forehead's middle columns (brow
    centre to brow centre) of the Lab step from two pixels above to two pixels below;
    the measure is the largest such median between the mesh's top point and the brows.
    Compliant portraits of the labelled set read 5-42 (median 10), dark hats drawn over the
    forehead 20-166 (median 128), the real cap, beanie and hood 48-82. A straight-cut fringe
    reads as high (astronaut: 60), so in :func:`check` the edge counts only together with a
    head taller than a skull: a fringe is cut from hair that lies on the skull.
    """
    p = a.face_points
    if p is None:
        return math.nan
    x0, x1 = int(round(p[105, 0])), int(round(p[334, 0]))
    bottom = int(min(p[105, 1], p[334, 1]) - 3.0 * U)
    top = max(_STEP, int(p[geo.FOREHEAD, 1]) - 4)
    x0, x1 = max(0, x0), min(r.lab.shape[1], x1)
    bottom = min(bottom, r.lab.shape[0] - _STEP)
    if x1 - x0 < 8 or bottom - top < 4:
        return math.nan
    band = r.lab[top - _STEP:bottom + _STEP, x0:x1]
    step = cv2.subtract(band[2 * _STEP:], band[:-2 * _STEP])
    size = cv2.sqrt(cv2.transform(cv2.multiply(step, step), _SUM3))
    return float(median_f(np.asarray(size, np.float32), axis=1).max())


def check(a: FrameAnalysis, s: PhotoSettings, mode: Mode) -> list[CheckResult]:
    """Cues, each for a kind of covering the others miss.

    - The forehead hidden under something unlike skin (hoods, scarves, wide brims). A fringe
      of hair hides it too, so only an almost fully hidden forehead counts on its own.
    - The forehead covered by something of another hue than the skin (a scarf, a hood, a
      cap's peak): as the first cue, but by a*b* alone, so that a side light or a shadow
      darkening half the forehead does not count and a much smaller share is enough.
    - A head far taller than a skull (a tall hat), from the person mask.
    - A cap: the forehead mostly hidden *and* the head taller than usual. A fringe alone
      leaves the crown at skull height; a peak or brim sits on top of the hair.
    - A head top much more colourful than the face (a dyed beanie or scarf).
    - A straight colour boundary across the forehead (a hat band; a hairline is arched),
      whatever the colours on either side, *and* the head taller than usual (a straight
      fringe makes the same edge but leaves the crown at skull height).
    - A skin-coloured head top *and* the head taller than usual (a skin-coloured hat; a bald
      head is skin-coloured too but ends at skull height).

    ``SkinTexture`` catches fabric over the face itself (balaclava, niqab): the cheeks of
    the aligned face are far more textured than any skin at 64 px between the eyes. It holds
    even when head coverings are allowed: a face hidden under fabric is never acceptable.
    """
    r = face_regions(a)
    if r is None or np.count_nonzero(r.forehead) < 20:
        return [unknown(n, "no face") for n in ("NoHeadCoverings", "SkinTexture")]
    covered = share(r.skin_distance[r.forehead] > 30.0)
    hue_covered = share(r.skin_hue_distance2[r.forehead] > _SKIN_HUE * _SKIN_HUE)
    chroma, top_skin = head_top_colours(a, r)
    edge = forehead_edge(a, r)
    crown = a.crown_ratio
    raised = crown > s.cap_crown_ratio
    cap = raised and (covered > s.cap_forehead_occlusion or edge > s.cap_forehead_edge
                      or top_skin > s.cap_head_top_skin)
    ok = not (covered > s.max_forehead_occlusion or crown > s.max_crown_ratio or cap
              or chroma > s.max_head_top_chroma or hue_covered > s.max_forehead_hue_cover)
    cheeks = r.cheeks
    texture = cv2.mean(r.texture, mask=mask8(cheeks))[0] if cheeks.any() else math.nan
    allowed = s.allow_head_covering
    return [
        verdict("NoHeadCoverings", covered, ok or allowed, "head_covering",
                f"forehead unlike skin <= {s.max_forehead_occlusion:g}, of another hue <= "
                f"{s.max_forehead_hue_cover:g}, crown ratio <= "
                f"{s.max_crown_ratio:g}, not both > ({s.cap_forehead_occlusion:g}, "
                f"{s.cap_crown_ratio:g}), head-top chroma excess <= "
                f"{s.max_head_top_chroma:g}; with the crown above {s.cap_crown_ratio:g}, also "
                f"forehead edge <= {s.cap_forehead_edge:g} and skin-coloured head top <= "
                f"{s.cap_head_top_skin:g}",
                {"crown_ratio": crown, "head_top_chroma": chroma, "forehead_edge": edge,
                 "forehead_hue_cover": hue_covered,
                 "head_top_skin": top_skin}),
        verdict("SkinTexture", texture, texture <= s.max_skin_texture,
                "head_covering", f"cheek detail <= {s.max_skin_texture:g} (fabric, not skin)"),
    ]
