"""Fingerprint image transfer time over the paced pty versus the wire's theoretical minimum.

Runs the real R30x driver against the simulated module on a pty paced at the given baud rate
(default 57600, 10 bits per byte) and times the UpImage exchange (command, acknowledge and the
data packets) of several captures. The theoretical minimum is the same bytes at line speed.

Usage: ``python evaluation/fingerprint_transfer_bench.py [RUNS] [BAUD]``.
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np

from drivers.r30x import R30xFingerprintReader
from drivers.r30x_protocol import IMAGE_BYTES, OVERHEAD
from simulator.fingerprint_sensor import SimulatedR30x


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    baud = int(sys.argv[2]) if len(sys.argv) > 2 else 57600
    sim = SimulatedR30x.from_model("r307", baud=baud, pacing=True)
    driver = R30xFingerprintReader("fingerprint", sim.start(), baud)
    upload_times: list[float] = []
    original = driver._upload_image

    def timed_upload() -> bytes:
        # UpImage command, acknowledge and the whole data stream.
        start = time.monotonic()
        data = original()
        upload_times.append(time.monotonic() - start)
        return data

    driver._upload_image = timed_upload  # type: ignore[method-assign]
    capture_times: list[float] = []
    try:
        driver.open()
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

    packet_size = driver.packet_size
    packets = -(-IMAGE_BYTES // packet_size)
    stream = IMAGE_BYTES + packets * OVERHEAD
    exchange = stream + 12 + 12  # plus the UpImage command and its acknowledge
    bits = 10 / baud
    print(f"baud {baud}, {packets} data packets of {packet_size} bytes, {runs} runs")
    print(f"theoretical: payload only       {IMAGE_BYTES:6d} bytes  {IMAGE_BYTES * bits:6.3f} s")
    print(f"theoretical: + packet overhead  {stream:6d} bytes  {stream * bits:6.3f} s")
    print(f"theoretical: + command and ack  {exchange:6d} bytes  {exchange * bits:6.3f} s")
    print(f"measured UpImage exchange: median {statistics.median(upload_times):6.3f} s "
          f"(min {min(upload_times):.3f}, max {max(upload_times):.3f}); "
          f"{statistics.median(upload_times) / (exchange * bits) * 100:.1f} % of the minimum")
    print(f"measured whole capture (GenImg + UpImage): median "
          f"{statistics.median(capture_times):6.3f} s")


if __name__ == "__main__":
    main()
