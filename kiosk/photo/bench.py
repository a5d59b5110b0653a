"""Latency of the full live analysis against the face models alone, on astronaut frames.

A live preview frame leaves out the camera-only checks (``report.assess(preview=True)``), as
the kiosk's live session does; a burst frame, which the capture may keep, runs them too
(``report.complete``). Both are timed: the preview frame is what nearly every camera frame
costs, the burst frame what the few frames of a capture cost.
"""

from __future__ import annotations

import time

import cv2
import numpy as np

from kiosk.photo.analysis import FaceAnalyzer, Pixels
from kiosk.photo.report import assess, complete
from kiosk.photo.settings import PhotoSettings

SIZES = ((640, 480), (1280, 720))


def bench_frames(width: int, height: int, count: int = 30) -> list[Pixels]:
    """``count`` kiosk-like frames: astronaut's head filling the frame as a citizen at the
    kiosk would (inter-eye distance about 100 px at 1280x720, the same field of view at every
    size), drifting a few pixels per frame so that nothing is cached between frames."""
    from skimage import data

    portrait = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    # Astronaut's eyes are about 45 px apart around (222, 107) in the 512-px original.
    scale = 2.2 * height / 720.0
    big = cv2.resize(portrait, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    frames = []
    for i in range(count):
        dx = int(round(6 * np.sin(i / 5.0) * height / 720.0))
        cx, cy = int(222 * scale) + dx, int(107 * scale)
        x0, y0 = cx - width // 2, cy - int(height * 0.42)
        frame = cv2.copyMakeBorder(big, height, height, width, width, cv2.BORDER_REPLICATE)
        frames.append(np.ascontiguousarray(
            frame[y0 + height:y0 + 2 * height, x0 + width:x0 + 2 * width]))
    return frames


def run(count: int = 30, settings: PhotoSettings | None = None) -> dict[str, dict[str, float]]:
    """Per size: median and p95 of the whole live analysis of a preview frame and the median
    of the models alone; then, in a second pass, the median of a burst frame (the preview
    analysis plus the camera-only checks: every check run) and of the models alone again.

    "Models alone" is the three ``process`` calls on inputs prepared beforehand (colour order,
    the 256-px frame): the pure inference floor. Everything else, including preparing those
    inputs, counts as the analysis overhead.
    """
    settings = settings or PhotoSettings()
    out: dict[str, dict[str, float]] = {}
    for width, height in SIZES:
        frames = bench_frames(width, height, count)
        with FaceAnalyzer(settings, static=False) as analyzer:
            for frame in frames[:5]:  # warm up the graphs
                complete(assess(analyzer.analyze(frame), settings, "live", preview=True),
                         settings)
            # Interleaved, so that a busy machine slows both measurements alike; the burst
            # frames in a second pass, so that the preview figures are measured as before.
            full, models = _timed(analyzer, frames, settings, burst=False)
            burst, burst_models = _timed(analyzer, frames, settings, burst=True)
        out[f"{width}x{height}"] = {
            "median_ms": round(float(np.median(full)) * 1e3, 2),
            "p95_ms": round(float(np.percentile(full, 95)) * 1e3, 2),
            "models_ms": round(float(np.median(models)) * 1e3, 2),
            "burst_median_ms": round(float(np.median(burst)) * 1e3, 2),
            "burst_models_ms": round(float(np.median(burst_models)) * 1e3, 2),
        }
    return out


def _timed(analyzer: FaceAnalyzer, frames: list[Pixels], settings: PhotoSettings, *,
           burst: bool) -> tuple[list[float], list[float]]:
    """Seconds per frame of the whole analysis (a preview frame, or a burst frame judged in
    full) and of the models alone on inputs prepared beforehand, frame by frame."""
    whole, models = [], []
    for frame in frames:
        t0 = time.perf_counter()
        report = assess(analyzer.analyze(frame), settings, "live", preview=True)
        if burst:
            complete(report, settings)
        t1 = time.perf_counter()
        rgb, _, small_rgb = analyzer.prepare(frame)
        t2 = time.perf_counter()
        analyzer.infer(rgb, small_rgb)
        t3 = time.perf_counter()
        whole.append(t1 - t0)
        models.append(t3 - t2)
    return whole, models
