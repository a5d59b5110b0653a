"""Would side light measured relative to the background's own lean generalise better?

The side-light measure (``checks/illumination.py``) compares the two halves of the face. A
room lit more from one side leans the face and the backdrop alike, so one idea is to subtract
the backdrop's own left/right lean from the face's before judging: the face lean minus k times
the background lean. This script measures both leans on the same items as
``photo_generalise.py`` (real photos, resized copies, controlled degradations) and prints,
for k = 0 (the shipped measure), 0.5, 1 and 2, at the shipped limit: the compliant photos
that fail, the recall of every drawn side light, and the ratio on the real photos labelled
``uneven_lighting``.

The background lean: log of the median luminance of the background left of the eye midpoint
over that right of it, inside the token crop and away from the person (the ``far``
background of ``regions.background``, where a drawn side light on the head does not reach).

    .venv/bin/python evaluation/photo_ambient_light.py [--data DIR] [--cache PKL] [--quick]
"""

from __future__ import annotations

import argparse
import math
import pickle
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import photo_generalise as pg  # noqa: E402
from photo_eval import DEFAULT_DATA  # noqa: E402

from kiosk.photo.analysis import FrameAnalysis  # noqa: E402
from kiosk.photo.checks.illumination import side_lean  # noqa: E402
from kiosk.photo.regions import background, face_regions  # noqa: E402
from kiosk.photo.settings import PhotoSettings  # noqa: E402

LIGHTS = ("light_left_strong", "light_right_strong", "light_left_medium", "light_right_medium",
          "light_upper_left", "light_lower_right")


def background_lean(a: FrameAnalysis) -> float:
    """Log median luminance of the far background left of the eye midpoint over right of it."""
    b = background(a)
    if b is None or a.crop is None or a.right_eye is None or a.left_eye is None:
        return math.nan
    scale = a.small_scale
    mid_x = float(a.right_eye[0] + a.left_eye[0]) / 2.0 / scale
    # The box's left edge on the small frame, as regions.background cut it.
    x0 = max(0, int(np.floor((a.crop.corners() / scale)[:, 0].min())) - 13)
    cols = np.arange(b.gray.shape[1])[None, :] + x0
    left, right = b.far & (cols < mid_x), b.far & (cols > mid_x)
    if np.count_nonzero(left) < 30 or np.count_nonzero(right) < 30:
        return math.nan
    logs = np.log(b.gray.astype(np.float32) + 8.0)
    return float(np.median(logs[left]) - np.median(logs[right]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--cache", type=Path, help="the analyses kept by photo_generalise.py")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.cache and args.cache.exists():
        # photo_generalise.py run as a script pickles its items as __main__.Item.
        sys.modules["__main__"].Item = pg.Item  # type: ignore[attr-defined]
        items: list[pg.Item] = pickle.loads(args.cache.read_bytes())
    else:
        items = pg.build(args.data, args.quick)
    rows = []
    for it in items:
        a = it.analysis
        r = face_regions(a) if a is not None else None
        if a is None or r is None:
            continue
        rows.append((it, side_lean(r), background_lean(a)))
    limit = math.log(PhotoSettings().max_side_light_ratio)
    ok = [(f, b) for it, f, b in rows if it.ok and not math.isnan(f)]
    real_ok = [(f, b) for it, f, b in rows if it.ok and it.kind == "real" and not math.isnan(f)]
    bg_ok = np.array([b for _, b in real_ok if not math.isnan(b)])
    print(f"background lean on {len(bg_ok)} compliant real photos: 5/50/95 % "
          + " ".join(f"{x:+.3f}" for x in np.percentile(bg_ok, [5, 50, 95])))
    pairs = np.array([(f, b) for f, b in real_ok if not math.isnan(b)])
    print(f"correlation of face and background lean there: "
          f"{np.corrcoef(pairs[:, 0], pairs[:, 1])[0, 1]:.2f}")
    uneven = [(it.name, f, b) for it, f, b in rows
              if it.kind == "real" and "uneven_lighting" in it.truth]
    print("real photos labelled uneven_lighting (face lean, background lean): "
          + ", ".join(f"{n} {f:+.3f} {b:+.3f}" for n, f, b in uneven))
    print(f"\nat the shipped limit {math.exp(limit):.3f}:")
    print(f"{'k':>4} {'compliant failing':>18} {'real':>5}  "
          + " ".join(f"{k[6:]:>12}" for k in LIGHTS) + "   real uneven (ratio)")
    for k in (0.0, 0.5, 1.0, 2.0):
        def lean(f: float, b: float, k: float = k) -> float:
            return abs(f - k * (0.0 if math.isnan(b) else b))
        fails = sum(lean(f, b) > limit for f, b in ok)
        fails_real = sum(lean(f, b) > limit for f, b in real_ok)
        recall = []
        for kind in LIGHTS:
            got = [lean(f, b) > limit for it, f, b in rows if it.kind == kind
                   and not math.isnan(f)]
            recall.append(f"{sum(got) / max(1, len(got)):>12.3f}")
        ratios = " ".join(f"{math.exp(lean(f, b)):.2f}" for _, f, b in uneven)
        print(f"{k:>4g} {fails:>11}/{len(ok):<6} {fails_real:>5}  {' '.join(recall)}   {ratios}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
