"""The smile score, the side-light measure and the lip line, on the astronaut frame: each one
against a controlled change with known ground truth, and unchanged where it should be."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from kiosk.photo import geometry as geo
from kiosk.photo.analysis import FaceAnalyzer, FrameAnalysis
from kiosk.photo.checks import expression_model
from kiosk.photo.checks.expression import smile_score
from kiosk.photo.report import PhotoReport, assess
from kiosk.photo.settings import PhotoSettings


def judge(analyzer: FaceAnalyzer, image: np.ndarray) -> PhotoReport:
    return assess(analyzer.analyze(image), PhotoSettings(), "live")


@pytest.fixture(scope="module")
def studio_analysis(analyzer: FaceAnalyzer, studio: np.ndarray) -> FrameAnalysis:
    return analyzer.analyze(studio)


def side_light(image: np.ndarray, a: FrameAnalysis, strength: float,
               from_left: bool) -> np.ndarray:
    """A gain falling linearly across the face oval, from 1 + strength/2 on the lit side to
    1 - strength on the other (held beyond the oval)."""
    assert a.points is not None
    oval = a.points[geo.FACE_OVAL, :2]
    x0, x1 = oval[:, 0].min(), oval[:, 0].max()
    t = np.clip((np.arange(image.shape[1], dtype=np.float32) - x0) / (x1 - x0), 0, 1)
    if not from_left:
        t = 1.0 - t
    gain = (1.0 + strength / 2.0) * (1.0 - t) + (1.0 - strength) * t
    return np.clip(image.astype(np.float32) * gain[None, :, None], 0, 255).astype(np.uint8)


# --- lighting ---------------------------------------------------------------------------------

@pytest.mark.parametrize("from_left", [True, False])
def test_light_from_one_side_is_uneven_lighting(analyzer: FaceAnalyzer, studio: np.ndarray,
                                                studio_analysis: FrameAnalysis,
                                                from_left: bool) -> None:
    report = judge(analyzer, side_light(studio, studio_analysis, 0.6, from_left))
    assert "uneven_lighting" in report.defects
    assert report.measures["IlluminationUniformity"] > PhotoSettings().max_side_light_ratio


def test_untouched_face_is_evenly_lit(analyzer: FaceAnalyzer, studio: np.ndarray) -> None:
    report = judge(analyzer, studio)
    assert "uneven_lighting" not in report.defects
    assert report.measures["IlluminationUniformity"] < PhotoSettings().max_side_light_ratio


@pytest.mark.parametrize("gain", [0.6, 1.25])
def test_side_light_measure_ignores_overall_exposure(analyzer: FaceAnalyzer,
                                                     studio: np.ndarray, gain: float) -> None:
    # A darker or brighter exposure multiplies both halves alike: the ratio stays.
    base = judge(analyzer, studio).measures["IlluminationUniformity"]
    scaled = np.clip(studio.astype(np.float32) * gain, 0, 255).astype(np.uint8)
    report = judge(analyzer, scaled)
    assert "uneven_lighting" not in report.defects
    assert report.measures["IlluminationUniformity"] == pytest.approx(base, abs=0.05)


def test_side_light_measure_ignores_image_size(analyzer: FaceAnalyzer, make_frame) -> None:
    near = judge(analyzer, make_frame(ied=100.0)).measures["IlluminationUniformity"]
    far = judge(analyzer, make_frame(1920, 1080, ied=170.0)).measures["IlluminationUniformity"]
    assert near == pytest.approx(far, abs=0.05)


# --- expression -------------------------------------------------------------------------------

def test_her_open_smile_scores_far_above_the_limit(studio_analysis: FrameAnalysis) -> None:
    score = smile_score(studio_analysis.expression)
    assert score > 2 * PhotoSettings().max_smile_score


def test_smile_measures_ignore_image_size_and_roll(analyzer: FaceAnalyzer, make_frame,
                                                   studio_analysis: FrameAnalysis) -> None:
    base = np.array(studio_analysis.expression)
    big = np.array(analyzer.analyze(make_frame(1920, 1080, ied=170.0)).expression)
    h, w = 720, 1280
    m = cv2.getRotationMatrix2D((w / 2, h * 0.42), 7.0, 1.0)
    tilted_frame = cv2.warpAffine(make_frame(), m, (w, h), borderMode=cv2.BORDER_REPLICATE)
    tilted = np.array(analyzer.analyze(tilted_frame).expression)
    scale = np.array(expression_model.SCALE)
    # Within half a neutral-face standard deviation of each measure.
    assert np.all(np.abs(big - base) < 0.5 * scale), (base, big)
    assert np.all(np.abs(tilted - base) < 0.5 * scale), (base, tilted)


def test_neutral_reference_scores_zero_and_each_measure_counts_its_way() -> None:
    mean = np.array(expression_model.MEAN)
    scale = np.array(expression_model.SCALE)
    assert smile_score(tuple(mean)) == pytest.approx(0.0)
    n = len(mean)
    for k, sign in enumerate(expression_model.SIGN):
        moved = mean.copy()
        moved[k] += sign * scale[k]  # one standard deviation the way a smile moves it
        assert smile_score(tuple(moved)) == pytest.approx(1.0 / math.sqrt(n))
    assert math.isnan(smile_score((0.0, 0.0)))


def test_mouth_corners_lowered_read_as_less_of_a_smile(studio_analysis: FrameAnalysis) -> None:
    # Geometry only: the same mesh with the mouth corners moved down to the lip centre.
    a = studio_analysis
    assert a.points is not None and a.pose is not None
    points = a.points.copy()
    centre_y = (points[13, 1] + points[14, 1]) / 2.0
    for corner in geo.MOUTH_CORNERS:
        points[corner, 1] = centre_y + 2.0
    ear = sum(a.eye_openness) / 2.0
    lowered = geo.expression_features(points, a.pose.roll, ear)
    assert lowered[0] < a.expression[0]
    assert smile_score(lowered) < smile_score(a.expression)


# --- mouth occlusion --------------------------------------------------------------------------

def hand_over_mouth(image: np.ndarray, a: FrameAnalysis) -> np.ndarray:
    """A skin-coloured hand (the face's own cheek colour, a little darker) over the mouth."""
    assert a.points is not None
    cheek = a.points[205, :2].astype(int)
    skin = image[cheek[1] - 4:cheek[1] + 4, cheek[0] - 4:cheek[0] + 4].reshape(-1, 3).mean(0)
    nose, chin = a.points[geo.NOSE_TIP, :2], a.points[geo.CHIN, :2]
    centre = (nose + chin) / 2.0
    out = image.copy()
    cv2.ellipse(out, (int(centre[0]), int(centre[1])),
                (int(0.95 * a.inter_eye), int(0.5 * a.inter_eye)), 0, 0, 360,
                tuple(float(c) * 0.92 for c in skin), -1)
    return cv2.GaussianBlur(out, (3, 3), 0)


def test_skin_coloured_hand_over_the_mouth_is_occlusion(analyzer: FaceAnalyzer,
                                                        studio: np.ndarray,
                                                        studio_analysis: FrameAnalysis) -> None:
    limit = PhotoSettings().min_mouth_line_contrast
    assert judge(analyzer, studio).measures["MouthOcclusionPrevention"] > limit
    report = judge(analyzer, hand_over_mouth(studio, studio_analysis))
    assert "occlusion" in report.defects
    assert report.measures["MouthOcclusionPrevention"] < limit
