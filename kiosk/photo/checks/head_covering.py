"""NoHeadCoverings: a hat, cap, scarf or hood over the head."""

from __future__ import annotations

import numpy as np

from kiosk.photo.analysis import FrameAnalysis
from kiosk.photo.regions import face_regions
from kiosk.photo.result import CheckResult, Mode, unknown, verdict
from kiosk.photo.settings import PhotoSettings


def check(a: FrameAnalysis, s: PhotoSettings, mode: Mode) -> list[CheckResult]:
    """Two cues: the forehead hidden under something unlike skin, and a head far taller than
    a skull (a tall hat, from the person mask).

    A fringe of hair also hides the forehead, and telling hair from a beanie by colour did not
    work on the labelled set (light falls on the top of the head, not its sides), so the
    forehead threshold is set high: only a forehead almost entirely covered counts. Scarves
    that leave the forehead free are missed.
    """
    r = face_regions(a)
    if r is None or r.forehead.sum() < 20:
        return [unknown("NoHeadCoverings", "no face")]
    covered = float(np.mean(r.skin_distance[r.forehead] > 30.0))
    ok = covered <= s.max_forehead_occlusion and not (a.crown_ratio > s.max_crown_ratio)
    if s.allow_head_covering:
        ok = True
    return [verdict("NoHeadCoverings", covered, ok, "head_covering",
                    f"forehead unlike skin <= {s.max_forehead_occlusion:g}, crown ratio <= "
                    f"{s.max_crown_ratio:g}", {"crown_ratio": a.crown_ratio})]
