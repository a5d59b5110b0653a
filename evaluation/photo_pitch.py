"""Compare pitch estimators from the face mesh: how much each spreads on compliant faces.

Every estimator reads only mesh landmarks the kiosk already has; each is calibrated (its
offset is the median over the compliant real photos) and then judged by its spread there
(standard deviation, 90th percentile and largest |deviation|), by how far apart it reads the
resized copies of the same photo, and by what it reads on the labelled ``head_rotated`` photos
whose yaw is small (the pitched ones). A smaller spread on compliant faces lets the pitch limit
sit closer to the 5 degree rule, but only if it follows a real nod as far: the separation
(smallest |pitched| reading over the largest compliant deviation) says which estimator tells
the two apart. Reads the analyses kept by ``photo_generalise.py --cache``.

    .venv/bin/python evaluation/photo_pitch.py --cache /tmp/items.pkl
        [--rewrite OUT.pkl --estimator "eye line x forehead-chin"]

``--rewrite`` writes a copy of the cache whose pitch is the named estimator's, less the
shipped ``pitch_offset_deg`` (the convention of the analyses; nothing else in an analysis
reads the pitch), for ``photo_generalise.py --cache OUT.pkl --pitch-from-training``, which
takes the offset from the compliant photos (per fold from the training folds) and sets the
pitch limit to 5 deg + 2 standard deviations of theirs: the cross-validated figures of another
estimator without re-analysing. Since round 6 the kiosk's own pitch is the face plane's
("eye line x forehead-chin"); a cache analysed before it holds the rigid plane's.
"""

from __future__ import annotations

import argparse
import math
import pickle
import statistics
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from photo_generalise import Item  # noqa: E402,F401  (the pickle refers to it)

from kiosk.photo import geometry as geo  # noqa: E402
from kiosk.photo.settings import PhotoSettings  # noqa: E402

Estimator = Callable[[geo.Coords], float]


def _levelled(points: geo.Coords) -> geo.Coords:
    """The points with the eye line levelled (roll removed), as ``head_pose`` does."""
    r, l_ = points[geo.RIGHT_IRIS], points[geo.LEFT_IRIS]
    roll = math.atan2(l_[1] - r[1], l_[0] - r[0])
    c, s = math.cos(-roll), math.sin(-roll)
    out = points.copy()
    out[:, 0] = c * points[:, 0] - s * points[:, 1]
    out[:, 1] = s * points[:, 0] + c * points[:, 1]
    return out


#: Rigid landmarks (eye corners, nose bridge, forehead, cheekbones) whose best-fit plane gave
#: the kiosk's pitch until round 6: it spreads less over faces than the face plane but follows
#: a real nod only about 0.4 x as far.
RIGID = [33, 133, 362, 263, 168, 6, 197, 195, 5, 4, 1, 10, 151, 9, 8, 234, 454, 93, 323, 127, 356]


def _plane_normal(points: geo.Coords) -> tuple[float, float, float]:
    """Unit normal of the least-squares plane through 3-D points: the direction of least
    spread about their mean."""
    _, _, vt = np.linalg.svd(points - points.mean(axis=0))
    nx, ny, nz = vt[-1].tolist()
    return nx, ny, nz


def _plane(idx: list[int]) -> Estimator:
    def f(p: geo.Coords) -> float:
        q = _levelled(p)
        _, ny, nz = _plane_normal(q[idx])
        if nz < 0:
            ny, nz = -ny, -nz
        return math.degrees(math.atan2(ny, nz))
    return f


def _line(top: int, bottom: int) -> Estimator:
    """Tilt of a vertical line in depth: 0 when it lies in the image plane."""
    def f(p: geo.Coords) -> float:
        q = _levelled(p)
        d = q[bottom] - q[top]
        return math.degrees(math.atan2(d[2], d[1]))
    return f


def _cross(top: int, bottom: int) -> Estimator:
    """Normal of (outer eye-corner line) x (a vertical line), its up/down part."""
    def f(p: geo.Coords) -> float:
        q = _levelled(p)
        a = q[geo.EYE_OUTER[1]] - q[geo.EYE_OUTER[0]]
        d = q[bottom] - q[top]
        n = np.cross(a, d)
        if n[2] < 0:
            n = -n
        return math.degrees(math.atan2(n[1], n[2]))
    return f


def _mean(*fs: Estimator) -> Estimator:
    return lambda p: sum(f(p) for f in fs) / len(fs)


UPPER = [33, 133, 362, 263, 168, 6, 10, 151, 9, 8]
MIDDLE = [33, 133, 362, 263, 168, 6, 197, 195, 5, 4, 1]
CHEEKS = [234, 454, 93, 323, 127, 356, 33, 263]
NOSE = [168, 6, 197, 195, 5, 4, 1]
ESTIMATORS: dict[str, Estimator] = {
    "rigid plane (until round 6)": _plane(RIGID),
    "eye line x forehead-chin": _cross(geo.FOREHEAD, geo.CHIN),  # shipped (round 6)
    "eye line x bridge-chin": _cross(168, geo.CHIN),
    "forehead-chin depth tilt": _line(geo.FOREHEAD, geo.CHIN),
    "bridge-chin depth tilt": _line(168, geo.CHIN),
    "nose ridge depth tilt": _line(168, 4),
    "upper plane (eyes, forehead)": _plane(UPPER),
    "middle plane (eyes, nose)": _plane(MIDDLE),
    "cheek plane": _plane(CHEEKS),
    "mean: upper + middle planes": _mean(_plane(UPPER), _plane(MIDDLE)),
    "mean: rigid plane + eye x forehead-chin": _mean(_plane(RIGID),
                                                    _cross(geo.FOREHEAD, geo.CHIN)),
    "mean: rigid plane + eye x bridge-chin": _mean(_plane(RIGID), _cross(168, geo.CHIN)),
    "mean: upper plane + eye x bridge-chin": _mean(_plane(UPPER), _cross(168, geo.CHIN)),
}
WATCH = ("f116.jpg", "f117.jpg", "f127.jpg")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--rewrite", type=Path)
    parser.add_argument("--estimator", choices=sorted(ESTIMATORS),
                        default="eye line x forehead-chin")
    args = parser.parse_args(argv)
    items = pickle.loads(args.cache.read_bytes())
    if args.rewrite:
        shipped = PhotoSettings().pitch_offset_deg
        estimate = ESTIMATORS[args.estimator]
        for it in items:
            if it.analysis is not None and it.analysis.points is not None:
                pitch = (estimate(it.analysis.points) - shipped + 180.0) % 360.0 - 180.0
                it.analysis.pose = replace(geo.head_pose(it.analysis.points, shipped),
                                           pitch=pitch)
        args.rewrite.write_bytes(pickle.dumps(items))
        print(f"rewrote {args.rewrite}: pitch from {args.estimator}")
        return 0
    real = [it for it in items if it.kind == "real" and it.analysis is not None
            and it.analysis.points is not None]
    compliant = [it for it in real if it.ok]
    # Pitched: labelled head_rotated with a small yaw (so it is the pitch that is wrong).
    pitched = [it for it in real if "head_rotated" in it.truth and it.analysis.pose is not None
               and abs(it.analysis.pose.yaw) <= 8.0]
    copies: dict[str, list[Item]] = defaultdict(list)
    for it in items:
        if it.ok and it.analysis is not None and it.analysis.points is not None and (
                it.kind in ("real", "resized")):
            copies[it.name.split(":")[0]].append(it)
    print(f"{len(compliant)} compliant real photos, {len(pitched)} pitched "
          f"({', '.join(it.name for it in pitched)})\n")
    print(f"{'estimator':<42} {'sd':>5} {'p90':>5} {'max':>5} {'copy':>5}  "
          + " ".join(f"{n[:4]:>5}" for n in WATCH) + "   pitched (calibrated)"
          "   sep = smallest |pitched| / largest compliant |deviation|")
    for name, f in ESTIMATORS.items():
        raw = [f(it.analysis.points) for it in compliant]
        offset = statistics.median(raw)
        dev = sorted(abs(v - offset) for v in raw)
        sd = statistics.pstdev(raw)
        p90 = dev[int(0.9 * (len(dev) - 1))]
        copy_sd = statistics.mean(
            statistics.pstdev([f(c.analysis.points) for c in group])
            for group in copies.values() if len(group) > 1)
        watch = {it.name: f(it.analysis.points) - offset for it in compliant}
        print(f"{name:<42} {sd:5.2f} {p90:5.2f} {dev[-1]:5.2f} {copy_sd:5.2f}  "
              + " ".join(f"{watch.get(n, math.nan):5.1f}" for n in WATCH) + "   "
              + " ".join(f"{f(it.analysis.points) - offset:+.0f}" for it in pitched)
              + f"   sep {min(abs(f(it.analysis.points) - offset) for it in pitched) / dev[-1]:.2f}"
              if pitched else "")
    return 0


if __name__ == "__main__":
    sys.exit(main())
