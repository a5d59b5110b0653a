"""Fingerprint image transfer time over the paced pty versus the wire's theoretical minimum, and
the citizen's time per step of the happy path at device speed.

Transfer: runs the real R30x driver against the simulated module on a pty paced at the module's
rate (10 bits per byte) and times the UpImage exchange (command, acknowledge and the data
packets) of several captures. The module starts at ``BAUD`` (its default, 57600); with
``--target`` the driver switches it on open (SetSysPara 4), as the kiosk does with
``devices.fingerprint.target_baudrate`` (``--packet-size``: ``target_packet_size``). The
theoretical minimum is the same bytes at line speed.

Happy path (``--happy N``): runs ``kiosk simulate --scenario happy --no-ui --json`` N times with
baud-rate pacing on (``PASBOKS_SIMULATOR__PACING=true``) and prints each run's seconds per step
(``step_seconds``, from the service's state changes) and the medians.

Usage::

    python evaluation/fingerprint_transfer_bench.py [RUNS] [BAUD] [--target BAUD]
        [--packet-size 256] [--happy N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from drivers.r30x import R30xFingerprintReader, TransferProgress
from drivers.r30x_protocol import IMAGE_BYTES, OVERHEAD
from simulator.fingerprint_sensor import SimulatedR30x

ROOT = Path(__file__).resolve().parents[1]


def transfer(runs: int, baud: int, target: int | None, packet_size: int | None) -> None:
    """Time ``runs`` captures of a module that starts at ``baud``."""
    sim = SimulatedR30x.from_model("r307", baud=baud, pacing=True, line_speed_check=True)
    driver = R30xFingerprintReader("fingerprint", sim.start(), baud, target_baudrate=target,
                                   target_packet_size=packet_size)
    upload_times: list[float] = []
    reports: list[int] = []
    original = driver._upload_image

    def timed_upload() -> bytes:
        # UpImage command, acknowledge and the whole data stream.
        start = time.monotonic()
        data = original()
        upload_times.append(time.monotonic() - start)
        return data

    def heard(progress: TransferProgress) -> None:
        reports.append(progress.received)

    driver._upload_image = timed_upload  # type: ignore[method-assign]
    driver.on_transfer = heard
    capture_times: list[float] = []
    try:
        start = time.monotonic()
        driver.open()
        opened = time.monotonic() - start
        y, x = np.mgrid[0:288, 0:256]
        sim.place((128 + 100 * np.sin((x + 0.3 * y) / 4.0)).astype(np.uint8))
        for _ in range(runs):
            start = time.monotonic()
            image = driver.capture(timeout=5.0)
            capture_times.append(time.monotonic() - start)
            assert image is not None and image.pixels.shape == (288, 256)
    finally:
        driver.close()
        sim.stop()

    rate = driver.line_rate
    packet_size = driver.packet_size
    packets = -(-IMAGE_BYTES // packet_size)
    stream = IMAGE_BYTES + packets * OVERHEAD
    exchange = stream + 12 + 12  # plus the UpImage command and its acknowledge
    bits = 10 / rate
    print(f"module starts at {baud} baud, target {target or '-'}: open (with any switch) "
          f"{opened:.3f} s, line rate now {rate}")
    print(f"{packets} data packets of {packet_size} bytes, {runs} runs, "
          f"{len(reports) // max(1, runs)} progress reports per image")
    print(f"theoretical: payload only       {IMAGE_BYTES:6d} bytes  {IMAGE_BYTES * bits:6.3f} s")
    print(f"theoretical: + packet overhead  {stream:6d} bytes  {stream * bits:6.3f} s")
    print(f"theoretical: + command and ack  {exchange:6d} bytes  {exchange * bits:6.3f} s")
    print(f"measured UpImage exchange: median {statistics.median(upload_times):6.3f} s "
          f"(min {min(upload_times):.3f}, max {max(upload_times):.3f}); "
          f"{statistics.median(upload_times) / (exchange * bits) * 100:.1f} % of the minimum")
    print(f"measured whole capture (GenImg + UpImage): median "
          f"{statistics.median(capture_times):6.3f} s")


def happy(runs: int) -> None:
    """Run the happy scenario with pacing ``runs`` times; print seconds per step."""
    env = dict(os.environ, PASBOKS_SIMULATOR__PACING="true")
    kiosk = [sys.executable, "-m", "kiosk.cli"] if not (ROOT / ".venv/bin/kiosk").exists() \
        else [str(ROOT / ".venv/bin/kiosk")]
    results: list[dict[str, float]] = []
    for run in range(runs):
        done = subprocess.run([*kiosk, "simulate", "--scenario", "happy", "--no-ui", "--json"],
                              cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        if not lines:
            print(f"run {run + 1}: no summary (exit {done.returncode}): "
                  f"{done.stderr.strip().splitlines()[-1:]}")
            continue
        summary = json.loads(lines[-1])
        steps: dict[str, float] = summary.get("step_seconds", {})
        steps["wall"] = summary["seconds"]
        results.append(steps)
        print(f"run {run + 1}: {summary['outcome']}, " + ", ".join(
            f"{name} {value:.2f}" for name, value in steps.items()))
    if results:
        names = list(dict.fromkeys(name for steps in results for name in steps))
        print(f"median of {len(results)}: " + ", ".join(
            f"{name} {statistics.median(s.get(name, 0.0) for s in results):.2f}"
            for name in names))
        print("(seconds; total = Start to the reference; wall = the whole scripted visit, "
              "with the welcome screens and the player's last second)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="?", type=int, default=3, help="captures to time")
    parser.add_argument("baud", nargs="?", type=int, default=57600,
                        help="the rate the module starts at")
    parser.add_argument("--target", type=int, default=None,
                        help="the rate the driver switches the module to (e.g. 115200)")
    parser.add_argument("--packet-size", type=int, default=None, choices=(32, 64, 128, 256),
                        help="the data packet size the driver sets (the module has 128)")
    parser.add_argument("--happy", type=int, default=0, metavar="N",
                        help="also run the paced happy scenario N times and time its steps")
    args = parser.parse_args()
    if args.runs > 0:
        transfer(args.runs, args.baud, args.target, args.packet_size)
    if args.happy:
        happy(args.happy)


if __name__ == "__main__":
    main()
