"""The frame the capture keeps is judged by every check, the camera-only ones included."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from kiosk.photo.analysis import FaceAnalyzer
from kiosk.photo.capture import AutoCapture, CaptureState
from kiosk.photo.report import PhotoReport
from kiosk.photo.result import CheckResult, Status
from kiosk.photo.session import LivePhotoSession
from kiosk.photo.settings import PhotoSettings
from tests.helpers.camera_faults import grey, red_eyes

#: Astronaut always smiles; a policy that ignores expression stands in for a compliant face.
LENIENT = PhotoSettings(stable_seconds=0.2, burst_size=2, max_mouth_gap=1.0,
                        max_smile_score=99.0)


def blocky(image: np.ndarray) -> np.ndarray:
    """The frame through a very poor JPEG encoder: 8-px blocks over the face."""
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 4])
    assert ok
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)


def checks_of(session: LivePhotoSession, frames: list[np.ndarray], start: float = 0.0):
    """Feed the frames 0.1 s apart; the updates."""
    return [session.process(f, timestamp=start + i * 0.1) for i, f in enumerate(frames)]


@pytest.fixture
def session():  # noqa: ANN201 - a generator fixture
    s = LivePhotoSession(LENIENT)
    try:
        yield s
    finally:
        s.close()


@pytest.mark.parametrize(("fault", "code"), [("blocky", "compression_artifacts"),
                                             ("red_eyes", "red_eye"), ("grey", "grayscale")])
def test_camera_faults_pass_the_preview_but_are_never_kept(
        session: LivePhotoSession, analyzer: FaceAnalyzer, studio: np.ndarray,
        fault: str, code: str) -> None:
    if fault == "blocky":
        bad = blocky(studio)
    elif fault == "red_eyes":
        bad = red_eyes(analyzer, studio)
    else:
        bad = grey(studio)
    updates = checks_of(session, [bad] * 12)
    # Nothing the preview runs finds fault: the stable period starts...
    assert updates[0].capture.state is CaptureState.HOLDING_STILL
    assert updates[0].report.skipped and updates[0].report.compliant
    # ... but the frame that would be kept is judged in full, and fails like any failing frame.
    assert all(u.token is None for u in updates)
    assert all(u.capture.state is not CaptureState.CAPTURING for u in updates)
    kept_at = next(i for i, u in enumerate(updates) if u.report.complete)
    assert updates[kept_at].report.defects == (code,)
    assert updates[kept_at].capture.state is CaptureState.SEARCHING
    # From then on every frame that passes the rest is judged in full, so the citizen is
    # told what today's full judging tells them, and no stable period starts.
    assert session.camera_suspect
    assert all(u.report.complete and u.report.defects == (code,)
               and u.capture.state is CaptureState.SEARCHING for u in updates[kept_at:])
    assert updates[-1].instruction.code == "call_staff_camera"


def test_a_kept_frame_has_passed_every_check(session: LivePhotoSession,
                                             studio: np.ndarray) -> None:
    # A blocky frame in the middle of the burst is a failing burst frame, not a candidate.
    frames = [studio, studio, studio, blocky(studio), studio, studio]
    updates = checks_of(session, frames)
    done = next(u for u in updates if u.token is not None)
    best = session.capture.best
    assert best is not None and best.report.complete and best.report.compliant
    assert not np.array_equal(best.frame, frames[3])
    statuses = {name: status for name, _value, status in done.token.checks}
    for name in ("ColourPresent", "NaturalColour", "CompressionArtifacts", "RedEye"):
        assert statuses[name] == Status.PASS.value
    assert updates[3].report.complete and "compression_artifacts" in updates[3].report.defects


def test_the_camera_fault_clears_and_the_capture_goes_on(session: LivePhotoSession,
                                                         studio: np.ndarray) -> None:
    first = checks_of(session, [blocky(studio)] * 4)
    assert session.camera_suspect and first[-1].token is None
    after = checks_of(session, [studio] * 6, start=1.0)
    assert not session.camera_suspect
    assert after[-1].capture.state is CaptureState.CAPTURED and after[-1].token is not None


def test_a_waived_camera_fault_no_longer_holds_the_capture(session: LivePhotoSession,
                                                           studio: np.ndarray) -> None:
    session.waived = frozenset({"compression_artifacts"})
    updates = checks_of(session, [blocky(studio)] * 6)
    assert updates[-1].capture.state is CaptureState.CAPTURED and updates[-1].token is not None
    assert session.capture.best is not None and session.capture.best.report.complete


def _report(*, skipped: tuple[str, ...] = ()) -> PhotoReport:
    """A compliant report (the eyes could be judged), with checks left out when ``skipped``."""
    return PhotoReport(checks=(CheckResult("EyesOpen", 0.3, Status.PASS),
                               CheckResult("Sharpness", 0.3, Status.PASS)),
                       mode="live", skipped=skipped)


def test_the_capture_refuses_to_keep_a_frame_on_a_preview_report() -> None:
    capture = AutoCapture(PhotoSettings(stable_seconds=1.0, burst_size=2))
    frame = np.zeros((4, 4, 3), np.uint8)
    preview = _report(skipped=("RedEye",))
    # A preview counts towards the stable period...
    assert not capture.keeps(0.0)
    assert capture.feed(frame, preview, 0.0).state is CaptureState.HOLDING_STILL
    assert not capture.keeps(0.5)
    assert capture.feed(frame, preview, 0.5).state is CaptureState.HOLDING_STILL
    # ... but a frame that would be kept needs its complete report.
    assert capture.keeps(1.0)
    with pytest.raises(ValueError, match="RedEye"):
        capture.feed(frame, preview, 1.0)
    assert capture.feed(frame, _report(), 1.0).state is CaptureState.CAPTURING
    assert capture.keeps(1.1)
    with pytest.raises(ValueError):
        capture.feed(frame, preview, 1.1)
    assert capture.feed(frame, _report(), 1.1).state is CaptureState.CAPTURED
    assert not capture.keeps(1.2)
