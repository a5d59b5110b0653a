"""``kill -9`` near the hand-off loses no shown reference and leaves no plaintext behind.

A handful of runs of the kill harness (``evaluation/kill_harness.py``, which does a hundred):
``kiosk simulate --no-ui --trace`` processes, two at once on one shared store, each killed
with SIGKILL just after the summary or the hand-off screen shows, the moment the record is
sealed and committed. Every reference a run's trace showed must be in the store and decrypt
whole, ``kiosk store verify`` must pass, and no file the runs touched (store, key, logs, their
TMPDIR and /tmp) may hold the holder's name, document number or an image.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from evaluation.kill_harness import (
    RunPlan,
    holder_needles,
    run_campaign,
    scan_bytes,
)

#: A run that is still going after this long has hung (a run takes well under a minute).
HANG_S = 240.0


def _image(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (32, 24), 128).save(buffer, kind)
    return buffer.getvalue()


def test_the_scan_finds_what_it_looks_for() -> None:
    """The scan's own check: the holder's data in any case, and every kind of image."""
    needles = holder_needles("happy")
    assert {"surname", "document number", "given name 1"} <= set(needles)
    found = scan_bytes(b"..." + needles["surname"].upper() + b"<<" + needles["document number"],
                       needles)
    assert {"surname", "document number"} <= set(found)
    assert "jpeg" in scan_bytes(b"\x00" * 7 + _image("JPEG"), needles)
    assert "png" in scan_bytes(_image("PNG"), needles)
    assert "jp2" in scan_bytes(_image("JPEG2000"), needles)
    # Random bytes that happen to start like a JPEG are not one.
    assert scan_bytes(b"\xff\xd8\xff\x00\x01\x02\x03" * 50, needles) == []


def test_kill_plans_are_reproducible() -> None:
    assert RunPlan.make(1, 7, ("uniform", "handoff")) == RunPlan.make(1, 7, ("uniform", "handoff"))
    assert RunPlan.make(1, 1, ("uniform", "handoff")).draw <= 0.06


@pytest.mark.slow
def test_kills_near_the_hand_off_lose_nothing_and_leave_no_plaintext(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    report = run_campaign(
        3, seed=11, jobs=2, scenario="happy", mix=("handoff", "summary", "handoff"),
        # Without a private /tmp per run the files created in /tmp are scanned; other tests'
        # own temporary directories are theirs, not the kiosk's.
        tmp_ignored=[Path(tmp_path_factory.getbasetemp()).parent], hang_s=HANG_S)
    assert report.hung == 0, report.as_dict()
    assert report.failed == 0, report.as_dict()
    assert report.lost == [], report.as_dict()
    assert report.missing_after_run == 0, report.as_dict()
    assert report.shown_and_found == report.shown
    assert report.verify_exit == 0, report.verify_output
    assert report.audit_broken == 0
    assert report.audit_missing_stored == 0
    assert report.plaintext_hits == [], report.plaintext_hits
    assert report.files_scanned > 0
    if report.shown:
        # The scan would have seen the holder, had any of it been left in plaintext.
        assert {"surname", "document number", "png"} <= set(report.control), report.control
