"""Each check against controlled degradations of the astronaut frame with known ground truth."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from kiosk.photo.analysis import FaceAnalyzer
from kiosk.photo.report import PhotoReport, assess
from kiosk.photo.result import REASON_CODES, Status
from kiosk.photo.settings import PhotoSettings

#: Astronaut smiles with her teeth showing: these two fail on every frame of her, truly.
HER_EXPRESSION = {"mouth_open", "smiling"}


class Verdict:
    """A report whose ``defects`` is a set, so that failed assertions print short."""

    def __init__(self, report: PhotoReport) -> None:
        self.report = report
        self.defects = set(report.defects)
        self.measures = report.measures

    def __repr__(self) -> str:
        return f"Verdict({sorted(self.defects)})"


def check(analyzer: FaceAnalyzer, image: np.ndarray, mode: str = "live") -> Verdict:
    return Verdict(assess(analyzer.analyze(image), PhotoSettings(), mode))  # type: ignore[arg-type]


def test_studio_frame_fails_only_on_her_smile(analyzer: FaceAnalyzer, studio: np.ndarray) -> None:
    report = check(analyzer, studio)
    assert report.defects == HER_EXPRESSION
    assert not report.report.compliant
    assert report.measures["InterEyeDistance"] == pytest.approx(100, abs=8)
    assert abs(report.measures["HeadPoseRoll"]) < 5
    assert not report.report.unknown


def test_every_reason_code_is_in_the_vocabulary(analyzer: FaceAnalyzer, studio: np.ndarray):
    for c in check(analyzer, studio).report.checks:
        assert c.status in Status
        assert c.reason is None or c.reason in REASON_CODES


@pytest.mark.parametrize("angle", [-20.0, -12.0, 12.0, 20.0])
def test_rotation_is_a_tilted_head(analyzer: FaceAnalyzer, studio: np.ndarray,
                                   angle: float) -> None:
    base = check(analyzer, studio).measures["HeadPoseRoll"]
    h, w = studio.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h * 0.42), angle, 1.0)
    rotated = cv2.warpAffine(studio, m, (w, h), borderMode=cv2.BORDER_REPLICATE)
    report = check(analyzer, rotated)
    assert "head_tilted" in report.defects
    # OpenCV turns the picture counter-clockwise for a positive angle: the roll goes down.
    assert report.measures["HeadPoseRoll"] == pytest.approx(base - angle, abs=1.5)


def test_small_rotation_passes(analyzer: FaceAnalyzer, studio: np.ndarray) -> None:
    h, w = studio.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h * 0.42), 3.0, 1.0)
    assert "head_tilted" not in check(analyzer, cv2.warpAffine(studio, m, (w, h))).defects


@pytest.mark.parametrize("sigma", [4.0, 7.0])
def test_blur_is_blurred(analyzer: FaceAnalyzer, studio: np.ndarray, sigma: float) -> None:
    assert "blurred" in check(analyzer, cv2.GaussianBlur(studio, (0, 0), sigma)).defects


def test_motion_blur_is_blurred(analyzer: FaceAnalyzer, studio: np.ndarray) -> None:
    kernel = np.zeros((1, 25), np.float32)
    kernel[0, :] = 1 / 25
    assert "blurred" in check(analyzer, cv2.filter2D(studio, -1, kernel)).defects


def test_dark_frame_is_underexposed(analyzer: FaceAnalyzer, studio: np.ndarray) -> None:
    dark = (studio.astype(np.float32) * 0.22).astype(np.uint8)
    assert "underexposed" in check(analyzer, dark).defects


def test_washed_out_frame_is_overexposed(analyzer: FaceAnalyzer, studio: np.ndarray) -> None:
    bright = np.clip(studio.astype(np.float32) * 1.9 + 40, 0, 255).astype(np.uint8)
    assert "overexposed" in check(analyzer, bright).defects


def test_greyscale_frame(analyzer: FaceAnalyzer, studio: np.ndarray) -> None:
    grey = cv2.cvtColor(cv2.cvtColor(studio, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    report = check(analyzer, grey)
    assert "grayscale" in report.defects
    assert "color_cast" not in report.defects


def test_teal_cast_is_color_cast(analyzer: FaceAnalyzer, studio: np.ndarray) -> None:
    cast = studio.astype(np.float32) * np.array([1.35, 1.15, 0.55])
    report = check(analyzer, np.clip(cast, 0, 255).astype(np.uint8))
    assert "color_cast" in report.defects
    assert "color_cast" not in check(analyzer, studio).defects


def test_downscaled_frame_is_low_resolution(analyzer: FaceAnalyzer, studio: np.ndarray) -> None:
    small = cv2.resize(studio, (640, 360), interpolation=cv2.INTER_AREA)
    report = check(analyzer, small)
    assert "low_resolution" in report.defects
    assert report.measures["InterEyeDistance"] == pytest.approx(50, abs=5)


def test_far_away_is_too_small(analyzer: FaceAnalyzer, make_frame) -> None:
    report = check(analyzer, make_frame(ied=42.0))
    assert {"face_too_small", "low_resolution"} <= set(report.defects)


def test_too_close_is_too_large(analyzer: FaceAnalyzer, make_frame) -> None:
    assert "face_too_large" in check(analyzer, make_frame(ied=260.0)).defects


def test_head_cut_at_the_top(analyzer: FaceAnalyzer, make_frame) -> None:
    report = check(analyzer, make_frame(centre=(640.0, 70.0)))
    assert "face_cut_off" in report.defects or "face_too_large" in report.defects


def test_busy_background(analyzer: FaceAnalyzer, make_frame) -> None:
    busy = check(analyzer, make_frame(plain=False))
    assert "background_not_plain" not in check(analyzer, make_frame()).defects
    noisy = make_frame().astype(np.int16)
    rng = np.random.default_rng(1)
    stripes = (np.sin(np.arange(noisy.shape[1]) / 6.0) * 60).astype(np.int16)
    backdrop = np.all(np.abs(noisy - 228) < 4, axis=2)
    noisy[backdrop] += stripes[np.nonzero(backdrop)[1]][:, None] + rng.integers(
        -5, 5, size=(int(backdrop.sum()), 1))
    assert "background_not_plain" in check(
        analyzer, np.clip(noisy, 0, 255).astype(np.uint8)).defects
    assert busy.measures["BackgroundUniformity"] is not None


def test_dark_background_is_not_plain_light(analyzer: FaceAnalyzer, studio: np.ndarray):
    dark = studio.copy()
    backdrop = np.all(np.abs(studio.astype(np.int16) - 228) < 4, axis=2)
    dark[backdrop] = (60, 60, 60)
    assert "background_not_plain" in check(analyzer, dark).defects


def test_two_people_are_multiple_faces(analyzer: FaceAnalyzer, make_frame) -> None:
    left = make_frame(640, 720, ied=90.0)
    pair = np.hstack([left, left])
    assert "multiple_faces" in check(analyzer, pair).defects


def test_empty_frame_is_no_face(analyzer: FaceAnalyzer) -> None:
    report = check(analyzer, np.full((720, 1280, 3), (205, 220, 232), np.uint8))
    assert report.defects == {"no_face"}
    assert not report.report.compliant
    assert report.report.unknown  # face checks cannot assess; nothing raised


def test_heavy_jpeg_is_compression_artifacts(analyzer: FaceAnalyzer, studio: np.ndarray):
    ok, buf = cv2.imencode(".jpg", studio, [cv2.IMWRITE_JPEG_QUALITY, 4])
    blocky = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    assert "compression_artifacts" in check(analyzer, blocky).defects
    ok, buf = cv2.imencode(".jpg", studio, [cv2.IMWRITE_JPEG_QUALITY, 85])
    fine = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    assert "compression_artifacts" not in check(analyzer, fine).defects


def test_as_is_mode_judges_framing(analyzer: FaceAnalyzer, studio: np.ndarray) -> None:
    # A landscape camera frame with a small head is no finished passport photo.
    report = check(analyzer, studio, mode="as_is")
    assert "face_too_small" in report.defects
    assert "face_too_small" not in check(analyzer, studio).defects
