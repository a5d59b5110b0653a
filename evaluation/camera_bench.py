"""Benchmark the real camera driver on the simulated MJPEG stream: open time, fps and latency.

Usage: ``python evaluation/camera_bench.py [--seconds 5] [--width 1280 --height 720]``.
Also the cost of one ``latest()`` call (the UI polls it; it must never block).
Latency is from the simulator publishing a frame to the driver's capture thread holding it
decoded; frames carry their number in a pixel stamp, so the two ends are matched exactly (both
run in this process, on the same monotonic clock).
"""

from __future__ import annotations

import argparse
import statistics
import time

from drivers.camera import OpenCvCamera
from simulator.camera.persona import load_persona
from simulator.camera.scene import Scene
from simulator.camera.server import SimulatedCamera
from simulator.camera.stamp import read_stamp


def render_cost(width: int, height: int) -> tuple[float, float]:
    """Median ms per frame to render a moving persona (uncached) and a still one (cached)."""
    scene = Scene(width, height)
    moving, still = load_persona("moving"), load_persona("compliant")
    costs: dict[str, list[float]] = {"moving": [], "still": []}
    for i in range(60):
        for key, persona in (("moving", moving), ("still", still)):
            started = time.perf_counter()
            scene.render(persona.pose_at(i / 30), persona.background, i)
            costs[key].append((time.perf_counter() - started) * 1000)
    return statistics.median(costs["moving"]), statistics.median(costs["still"])


def main() -> None:
    """Run the measurements and print one line per number."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--fps", type=float, default=30.0)
    args = parser.parse_args()

    moving_ms, still_ms = render_cost(args.width, args.height)
    print(f"render {args.width}x{args.height}: moving {moving_ms:.1f} ms, still {still_ms:.2f} ms")

    sim = SimulatedCamera("moving", args.width, args.height, fps=args.fps, stamp_frames=True)
    url = sim.start()
    opens = []
    for _ in range(5):
        cam = OpenCvCamera("camera", url)
        cam.open()
        opens.append(cam.open_seconds or 0.0)
        cam.close()
    print(
        f"open to first frame: median {statistics.median(opens) * 1000:.0f} ms "
        f"(min {min(opens) * 1000:.0f}, max {max(opens) * 1000:.0f}) over {len(opens)} opens"
    )

    cam = OpenCvCamera("camera", url)
    cam.open()
    time.sleep(0.5)
    latencies, ages, calls, last, seen = [], [], [], -1, 0
    read_before, sent_before = cam.status().frames_read, sim.frames_sent
    started = time.monotonic()
    while time.monotonic() - started < args.seconds:
        called = time.perf_counter()
        frame = cam.latest()
        calls.append((time.perf_counter() - called) * 1e6)
        if frame is not None and frame.index != last:
            last, seen = frame.index, seen + 1
            ages.append((time.monotonic() - frame.timestamp) * 1000)
            sent = sim.sent_at.get(read_stamp(frame.pixels))
            if sent is not None:
                latencies.append((frame.timestamp - sent) * 1000)
        time.sleep(0.002)
    elapsed = time.monotonic() - started
    status = cam.status()
    delivered = (status.frames_read - read_before) / elapsed
    sent = (sim.frames_sent - sent_before) / elapsed
    cam.close()
    sim.stop()
    print(
        f"stream: sent {sent:.1f} fps, delivered {delivered:.1f} fps "
        f"(driver's own estimate {status.fps:.1f}), polled {seen / elapsed:.1f} distinct/s"
    )
    if latencies:
        q = statistics.quantiles(latencies, n=20)
        print(
            f"latency publish->decoded: median {statistics.median(latencies):.1f} ms, "
            f"p95 {q[-1]:.1f} ms ({len(latencies)} matched frames)"
        )
    print(f"frame age when polled: median {statistics.median(ages):.1f} ms")
    print(
        f"latest() call: median {statistics.median(calls):.1f} us, "
        f"max {max(calls):.1f} us over {len(calls)} calls"
    )


if __name__ == "__main__":
    main()
