"""``kiosk simulate --json`` reports the citizen's time per step, from the service's states."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


def test_the_json_summary_has_seconds_per_step_and_their_total() -> None:
    env = dict(os.environ, PASBOKS_SIMULATOR__PACING="false")
    done = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "simulate", "--scenario", "happy", "--no-ui",
         "--json"], capture_output=True, text=True, timeout=300, env=env, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert done.returncode == 0 and lines, done.stdout + done.stderr
    summary = json.loads(lines[-1])
    steps = summary["step_seconds"]
    assert {"identify", "photo", "fingerprints", "signature", "handoff", "total"} <= set(steps)
    assert "welcome" not in steps and "done" not in steps
    # Each step is the sum of its screen's visits in the summary's list of screens.
    for name, seconds in steps.items():
        if name != "total":
            visits = [s["seconds"] for s in summary["steps"] if s["screen"] == name]
            assert seconds == pytest.approx(sum(visits), abs=0.01), name
    parts = sum(v for k, v in steps.items() if k != "total")
    assert steps["total"] == pytest.approx(parts, abs=0.01)
    assert 0 < steps["fingerprints"] < steps["total"] <= summary["seconds"]
