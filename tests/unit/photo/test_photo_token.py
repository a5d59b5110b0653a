"""Token photo geometry and encoding, the live session, and the CLI."""

from __future__ import annotations

import io
import json

import cv2
import numpy as np
import pytest
from PIL import Image

from kiosk.photo import commands
from kiosk.photo.analysis import FaceAnalyzer
from kiosk.photo.capture import CaptureState
from kiosk.photo.session import LivePhotoSession
from kiosk.photo.settings import PhotoSettings
from kiosk.photo.token import TokenPhotoError, make_token_photo


@pytest.mark.parametrize("angle", [0.0, 6.0, -6.0])
def test_token_is_level_sized_and_centred(analyzer: FaceAnalyzer, studio: np.ndarray,
                                          angle: float) -> None:
    h, w = studio.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h * 0.42), angle, 1.0)
    frame = cv2.warpAffine(studio, m, (w, h), borderMode=cv2.BORDER_REPLICATE)
    s = PhotoSettings()
    token = make_token_photo(frame, analyzer.analyze(frame), s)
    t = token.measurements
    assert token.image.shape == (531, 413, 3)
    assert abs(t["token_roll_deg"]) < 0.5
    assert t["token_head_ratio"] == pytest.approx(s.token_head_ratio, abs=0.01)
    assert abs(t["token_eye_center_offset"]) < 0.01
    assert 0.30 <= t["token_eye_line_from_top"] <= 0.50
    assert len(token.jpeg) <= s.jpeg_max_bytes and token.jpeg[:2] == b"\xff\xd8"
    assert not hasattr(token, "full_frame")  # the camera frame is not handed off
    # The token is the face re-measured: analysing it again finds the same level eyes.
    again = analyzer.analyze(cv2.imdecode(np.frombuffer(token.jpeg, np.uint8), 1))
    assert again.pose is not None and abs(again.pose.roll) < 1.5


def test_token_respects_the_size_limit(analyzer: FaceAnalyzer, studio: np.ndarray) -> None:
    s = PhotoSettings(jpeg_max_bytes=20_000, encode_jpeg2000=True)
    token = make_token_photo(studio, analyzer.analyze(studio), s)
    assert len(token.jpeg) <= 20_000
    assert token.jpeg2000 is not None and len(token.jpeg2000) <= 20_000
    assert token.jpeg2000[4:8] == b"jP  "  # a JP2 file, decodable as such
    assert Image.open(io.BytesIO(token.jpeg2000)).size == (413, 531)


def test_no_face_no_token(analyzer: FaceAnalyzer) -> None:
    blank = np.full((480, 640, 3), 220, np.uint8)
    with pytest.raises(TokenPhotoError):
        make_token_photo(blank, analyzer.analyze(blank))


def test_live_session_guides_her_to_close_her_mouth(studio: np.ndarray) -> None:
    session = LivePhotoSession(PhotoSettings(stable_seconds=0.2, burst_size=2))
    try:
        for i in range(4):
            update = session.process(studio, timestamp=i * 0.1)
        assert update.instruction.code == "close_mouth"
        assert update.capture.state is CaptureState.SEARCHING
        assert update.token is None
    finally:
        session.close()


def test_live_session_captures_when_compliant(studio: np.ndarray) -> None:
    # Astronaut always smiles; a policy that ignores expression stands in for a compliant face.
    lenient = PhotoSettings(stable_seconds=0.2, burst_size=2, max_mouth_gap=1.0,
                            max_smile_score=99.0)
    session = LivePhotoSession(lenient)
    try:
        states = [session.process(studio, timestamp=i * 0.1) for i in range(6)]
        assert states[0].capture.state is CaptureState.HOLDING_STILL
        assert states[-1].capture.state is CaptureState.CAPTURED
        assert states[-1].token is not None and states[-1].token.image.shape[:2] == (531, 413)
        session.retake()
        assert session.process(studio, timestamp=1.0).token is None
    finally:
        session.close()


def test_cli_check_json(tmp_path, studio: np.ndarray, capsys) -> None:
    import argparse

    path = tmp_path / "astronaut.png"
    cv2.imwrite(str(path), studio)
    parser = argparse.ArgumentParser()
    commands.register(parser.add_subparsers())
    args = parser.parse_args(["photo", "check", str(path), "--json"])
    assert args.handler(args) == 1
    line = json.loads(capsys.readouterr().out.strip())
    assert line["image"] == str(path) and line["compliant"] is False
    assert set(line["defects"]) == {"mouth_open", "smiling"}
    assert line["measures"]["InterEyeDistance"] > 90
    assert line["guidance"] == "Close your mouth."
    out = tmp_path / "token.jpg"
    args = parser.parse_args(["photo", "crop", str(path), "-o", str(out)])
    assert args.handler(args) == 1  # the source is not compliant, but the token is written
    assert cv2.imread(str(out)).shape == (531, 413, 3)


def test_token_passes_the_as_is_framing_rules(analyzer: FaceAnalyzer,
                                              studio: np.ndarray) -> None:
    """Round trip: the crop the kiosk makes is a finished photo with correct framing."""
    from kiosk.photo.report import assess

    token = make_token_photo(studio, analyzer.analyze(studio))
    image = cv2.imdecode(np.frombuffer(token.jpeg, np.uint8), cv2.IMREAD_COLOR)
    report = assess(analyzer.analyze(image), PhotoSettings(), "as_is")
    assert set(report.defects) == {"mouth_open", "smiling"}
    assert 0.70 <= report.measures["HeadSize"] <= 0.80


def test_session_runs_in_a_worker_thread(studio: np.ndarray) -> None:
    """The UI calls the session from a worker thread: models made and used there."""
    import threading

    results: list[object] = []

    def work() -> None:
        session = LivePhotoSession()
        try:
            results.append(session.process(studio, timestamp=0.0).instruction.code)
        finally:
            session.close()

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(timeout=30)
    assert results == ["close_mouth"]


def test_jpeg2000_never_goes_through_opencv(analyzer: FaceAnalyzer, studio: np.ndarray,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # OpenCV's JPEG 2000 encoder writes the face to a 0666 file in /tmp for a moment.
    real = cv2.imencode

    def guarded(ext: str, *args: object, **kwargs: object) -> object:
        assert ext.lower() not in (".jp2", ".j2k"), "JPEG 2000 must be encoded in memory"
        return real(ext, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(cv2, "imencode", guarded)
    token = make_token_photo(studio, analyzer.analyze(studio), PhotoSettings())
    assert token.jpeg2000 is not None
