"""How long the simulator takes to make a synthetic fingerprint: a master print and impressions.

A new persona's master prints are generated when its fingers are first asked for (aim: about
0.35 s each); impressions are made per placement. Each master uses a fresh seed, so the cache
in ``simulator.fingerprints`` does not hide the cost.

Usage: ``python evaluation/fingerprint_synth_bench.py [RUNS]``.
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np

from simulator.fingerprints import CONDITIONS, impression, master_print


def main() -> None:
    """Time master generation and each impression condition; print one line per number."""
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    masters: list[float] = []
    for run in range(runs):
        started = time.perf_counter()
        master = master_print(900_000 + run, 3)
        masters.append(time.perf_counter() - started)
    print(
        f"master print: median {statistics.median(masters) * 1000:.0f} ms "
        f"(min {min(masters) * 1000:.0f}, max {max(masters) * 1000:.0f}) over {runs} seeds"
    )
    rng = np.random.default_rng(0)
    for condition in CONDITIONS:
        costs = []
        for _ in range(runs):
            started = time.perf_counter()
            impression(master, rng, condition)
            costs.append(time.perf_counter() - started)
        print(f"impression {condition:<7} median {statistics.median(costs) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
