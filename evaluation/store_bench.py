"""How long the encrypted store takes: the commit before a reference is shown, a fetch's
decryption, a crypto-shredding delete, a full verify. Prints numbers; asserts nothing.

    .venv/bin/python evaluation/store_bench.py [--applications 200] [--dir DIR]

Applications have the sizes of a real one (token photo ~125 kB JPEG 2000, ISO/IEC 19794-4
record ~14 kB, signature PNG ~10 kB, case JSON ~2 kB) filled with random bytes. The directory
defaults to a fresh one under /var/tmp (a real disk, so fsync costs what it costs; /tmp may be
memory).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.store.db import DB_FILE, ApplicationStore  # noqa: E402

SIZES = {"case": 2_000, "photo": 125_000, "fingerprints": 14_000, "signature": 10_000}


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (f"median {statistics.median(ordered) * 1000:7.2f} ms   p95 {p95 * 1000:7.2f} ms   "
            f"max {ordered[-1] * 1000:7.2f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=200)
    parser.add_argument("--dir", type=Path, help="store directory (default: fresh, removed)")
    args = parser.parse_args()
    if args.applications < 1:
        parser.error("--applications must be at least 1")
    base = args.dir or Path(tempfile.mkdtemp(prefix="pasboks-store-bench-", dir="/var/tmp"))
    try:
        store = ApplicationStore(base, secrets.token_bytes(32), retention_s=96 * 3600)
        puts, gets, deletes = [], [], []
        references = []
        for _ in range(args.applications):
            parts = {name: os.urandom(size) for name, size in SIZES.items()}
            started = time.perf_counter()
            references.append(store.put(parts))
            puts.append(time.perf_counter() - started)
        for reference in references:
            started = time.perf_counter()
            store.get(reference)
            gets.append(time.perf_counter() - started)
        started = time.perf_counter()
        problems = store.verify()
        verify_s = time.perf_counter() - started
        size = sum(path.stat().st_size for path in base.iterdir() if path.is_file())
        for reference in references:
            started = time.perf_counter()
            store.delete(reference)
            deletes.append(time.perf_counter() - started)
        store.close()
        after = (base / DB_FILE).stat().st_size
        print(f"store in {base} ({args.applications} applications of "
              f"{sum(SIZES.values()) / 1000:.0f} kB)")
        print(f"put (commit + fsync)   {percentiles(puts)}")
        print(f"get (decrypt)          {percentiles(gets)}")
        print(f"delete (shred + ckpt)  {percentiles(deletes)}")
        print(f"verify all             {verify_s * 1000:7.1f} ms, {len(problems)} problem(s)")
        print(f"on disk when full      {size / 1e6:7.1f} MB; after deleting all "
              f"{after / 1e6:.1f} MB (pages zeroed, reused)")
    finally:
        if args.dir is None:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
