"""What the light-direction measure adds to the per-frame time of the illumination check.

On aligned faces (128 x 166) of real analyses, times the left/right lean alone (the measure
before the upper/lower lean was added, re-implemented here as it was) against both leans
(``checks/illumination.face_leans``), and the whole illumination check: the fastest of many
batches, the three taking turns; prints microseconds per frame and the difference.

Faces: the astronaut portrait of scikit-image at the kiosk's frame size, and, when the
labelled set is there, the first ``--faces`` of its photographs.

    .venv/bin/python evaluation/photo_light_bench.py [--data DIR] [--faces N] [--repeat R]
"""

from __future__ import annotations

import argparse
import csv
import math
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from photo_eval import DEFAULT_DATA, _load  # noqa: E402

from kiosk.photo.analysis import FaceAnalyzer, FrameAnalysis  # noqa: E402
from kiosk.photo.checks import illumination as il  # noqa: E402
from kiosk.photo.regions import FaceRegions, face_regions, median_f  # noqa: E402
from kiosk.photo.settings import PhotoSettings  # noqa: E402


def side_only(r: FaceRegions) -> float:
    """The left/right lean as it was computed before the upper/lower lean was added."""
    skin = r.skin & (r.skin_hue_distance2 < il._SKIN_AB * il._SKIN_AB)
    pairs = skin & skin[:, ::-1] & il._LEFT_HALF
    if np.count_nonzero(pairs) < 40:
        return math.nan
    logs = cv2.LUT(r.gray, il._LOG)
    return float(median_f(cv2.subtract(logs, cv2.flip(logs, 1))[pairs]))


def per_call_us(fns: list[Callable[[], object]], repeat: int) -> list[float]:
    """Time of one call of each function in microseconds: batches of 20 calls, the functions
    taking turns batch by batch (so a busy spell of the machine hits all alike), and the
    fastest batch of each (the machine's own noise only ever adds time)."""
    for fn in fns:
        fn()
    best = [math.inf] * len(fns)
    for _ in range(repeat):
        for k, fn in enumerate(fns):
            t0 = time.perf_counter()
            for _ in range(20):
                fn()
            best[k] = min(best[k], (time.perf_counter() - t0) / 20)
    return [b * 1e6 for b in best]


def astronaut() -> np.ndarray:
    from skimage import data

    bgr = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    scale = 100.0 / 45.0  # 100 px between the eyes, as the unit tests' studio frame
    big = cv2.resize(bgr, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    m = np.float32([[1, 0, 640 - 222 * scale], [0, 1, 302 - 107 * scale]])
    return cv2.warpAffine(big, m, (1280, 720), borderMode=cv2.BORDER_REPLICATE)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--faces", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args(argv)
    if args.faces < 0 or args.repeat < 1:
        print("error: --faces must be >= 0 and --repeat >= 1", file=sys.stderr)
        return 2
    settings = PhotoSettings()
    images = [("astronaut", astronaut())]
    manifest = args.data / "manifest.csv"
    if manifest.is_file() and args.faces:
        with open(manifest, newline="") as handle:
            for row in list(csv.DictReader(handle))[:args.faces]:
                image = _load(args.data / "images" / row["file"])
                if image is not None:
                    images.append((row["file"], image))
    analyses: list[tuple[str, FrameAnalysis]] = []
    with FaceAnalyzer(settings, static=True) as analyzer:
        for name, image in images:
            a = analyzer.analyze(image)
            if face_regions(a) is not None:
                analyses.append((name, a))
    print(f"{'face':<14} {'left/right':>11} {'both leans':>11} {'added':>8} {'whole check':>12}"
          "   (us per frame)")
    added = []
    for name, a in analyses:
        r = face_regions(a)
        assert r is not None
        old, new, whole = per_call_us([
            lambda r=r: side_only(r),
            lambda r=r: il.face_leans(
                r.gray, r.skin & (r.skin_hue_distance2 < il._SKIN_AB * il._SKIN_AB), r.texture),
            lambda a=a: il.check(a, settings, "live")], args.repeat)
        added.append(new - old)
        print(f"{name:<14} {old:>11.1f} {new:>11.1f} {new - old:>8.1f} {whole:>12.1f}")
    print(f"\nadded by the upper/lower lean: median {statistics.median(added):.1f} us, "
          f"largest {max(added):.1f} us per frame over {len(added)} faces")
    return 0


if __name__ == "__main__":
    sys.exit(main())
