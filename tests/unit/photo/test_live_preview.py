"""A live preview frame leaves out exactly the camera-only checks; everything else runs them all."""

from __future__ import annotations

import argparse
import json

import cv2
import numpy as np
import pytest

from kiosk.photo import commands
from kiosk.photo.analysis import FaceAnalyzer
from kiosk.photo.checks import ALL_CHECKS, CAMERA_ONLY
from kiosk.photo.guidance import PRIORITY, instruction_for
from kiosk.photo.report import assess, complete
from kiosk.photo.session import LivePhotoSession
from kiosk.photo.settings import PhotoSettings
from tests.helpers.camera_faults import grey, red_eyes

#: The result names of the camera-only checks.
CAMERA_NAMES = {name for _check, names in CAMERA_ONLY for name in names}
#: Astronaut always smiles; a policy that ignores expression stands in for a compliant face.
LENIENT = PhotoSettings(stable_seconds=0.2, burst_size=2, max_mouth_gap=1.0,
                        max_smile_score=99.0)


def test_the_camera_only_checks_are_the_picture_checks() -> None:
    assert {"ColourPresent", "NaturalColour", "CompressionArtifacts", "RedEye"} == CAMERA_NAMES
    assert all(check in ALL_CHECKS for check, _names in CAMERA_ONLY)


def test_their_instructions_rank_below_every_other(analyzer: FaceAnalyzer,
                                                   studio: np.ndarray) -> None:
    """So a preview frame failing any other check gets the instruction the full report gives."""
    faults = [grey(studio), np.clip(studio * np.array([1.35, 1.15, 0.55]), 0, 255)
              .astype(np.uint8)]
    ok, buf = cv2.imencode(".jpg", studio, [cv2.IMWRITE_JPEG_QUALITY, 4])
    faults += [cv2.imdecode(buf, cv2.IMREAD_COLOR), red_eyes(analyzer, studio)]
    codes = {c.reason for image in faults
             for c in assess(analyzer.analyze(image), LENIENT, "live").failed
             if c.name in CAMERA_NAMES}
    assert codes == {"grayscale", "color_cast", "compression_artifacts", "red_eye"}
    assert codes == {defect for defect, _code in PRIORITY[-len(codes):]}


def test_preview_skips_exactly_the_camera_only_checks(analyzer: FaceAnalyzer,
                                                      studio: np.ndarray) -> None:
    analysis = analyzer.analyze(studio)
    full = assess(analysis, PhotoSettings(), "live")
    preview = assess(analysis, PhotoSettings(), "live", preview=True)
    full_names = [c.name for c in full.checks]
    assert set(full_names) >= CAMERA_NAMES and full.complete and not full.skipped
    # Left out, and said so: not among the results, neither passed nor "could not assess".
    assert set(preview.skipped) == CAMERA_NAMES and not preview.complete
    assert [c.name for c in preview.checks] == [n for n in full_names if n not in CAMERA_NAMES]
    assert not CAMERA_NAMES & set(preview.measures)
    assert not CAMERA_NAMES & {c.name for c in preview.unknown}
    # Every check that ran gives what the full assessment gives.
    assert preview.checks == tuple(c for c in full.checks if c.name not in CAMERA_NAMES)
    assert preview.defects == full.defects == ("mouth_open", "smiling")
    assert instruction_for(preview) == instruction_for(full)


def test_completing_a_preview_gives_the_full_report(analyzer: FaceAnalyzer,
                                                   studio: np.ndarray) -> None:
    for image in (studio, grey(studio)):
        analysis = analyzer.analyze(image)
        full = assess(analysis, LENIENT, "live")
        done = complete(assess(analysis, LENIENT, "live", preview=True), LENIENT)
        assert done.complete
        assert done.checks == full.checks  # same results in the same order
        assert done.defects == full.defects
        assert complete(full, LENIENT) is full


def test_a_skipped_check_is_not_a_passed_one(analyzer: FaceAnalyzer, studio: np.ndarray) -> None:
    """A greyscale camera: the preview has nothing against it, the full report fails it."""
    analysis = analyzer.analyze(grey(studio))
    preview = assess(analysis, LENIENT, "live", preview=True)
    assert preview.compliant and not preview.complete
    full = complete(preview, LENIENT)
    assert full.defects == ("grayscale",) and not full.compliant
    assert instruction_for(full).code == "call_staff_camera"


@pytest.mark.parametrize("as_is", [False, True])
def test_the_cli_check_runs_every_check(tmp_path, studio: np.ndarray, capsys,
                                        as_is: bool) -> None:
    path = tmp_path / "astronaut.png"
    cv2.imwrite(str(path), studio)
    parser = argparse.ArgumentParser()
    commands.register(parser.add_subparsers())
    args = parser.parse_args(["photo", "check", str(path), "--json",
                              *(["--as-is"] if as_is else [])])
    args.handler(args)
    line = json.loads(capsys.readouterr().out.strip())
    assert set(line["measures"]) >= CAMERA_NAMES


def test_a_live_frame_that_fails_anyway_is_a_preview(studio: np.ndarray) -> None:
    """Her smile fails the frame: the camera-only checks need not run, and do not."""
    session = LivePhotoSession(PhotoSettings(stable_seconds=0.2, burst_size=2))
    try:
        for i in range(3):
            update = session.process(studio, timestamp=i * 0.1)
            assert set(update.report.skipped) == CAMERA_NAMES
            assert set(update.report.defects) == {"mouth_open", "smiling"}
        assert update.instruction.code == "close_mouth"
    finally:
        session.close()
