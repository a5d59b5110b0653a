"""The light-direction measure (``checks/illumination.py``): left/right and upper/lower leans of
a face drawn in the test (an ellipse of skin with eyes and a mouth, in the aligned-face frame)
under a planar light at eight directions, and on the astronaut frame under a diagonal light."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from kiosk.photo import geometry as geo
from kiosk.photo.analysis import FACE_SIZE, FaceAnalyzer, FrameAnalysis
from kiosk.photo.checks.illumination import face_leans, gradient_of
from kiosk.photo.report import PhotoReport, assess
from kiosk.photo.result import CheckResult
from kiosk.photo.settings import PhotoSettings

W, H = FACE_SIZE
_Y, _X = np.mgrid[0:H, 0:W].astype(np.float32)
#: Unit coordinates round the middle of the aligned face (x right, y down).
_U, _V = (_X - (W - 1) / 2.0) / (W / 2.0), (_Y - (H - 1) / 2.0) / (W / 2.0)


def _ellipse(cx: float, cy: float, ax: float, ay: float) -> np.ndarray:
    return np.hypot((_X - cx) / ax, (_Y - cy) / ay)


#: The mirror lines of the aligned face: between columns 63 and 64, rows 82 and 83.
CX, CY = (W - 1) / 2.0, (H - 1) / 2.0


def drawn_face(light: np.ndarray | None = None, level: float = 150.0) -> tuple[np.ndarray,
                                                                               np.ndarray]:
    """(grey face, skin mask): an ellipse of skin whose level falls off towards its rim (the
    same on every side), darker eyes and mouth left out of the skin, times ``light``."""
    rim = _ellipse(CX, CY, 50.0, 72.0)
    oval = rim <= 1.0
    face = np.where(oval, level * (1.0 - 0.25 * rim ** 2), 40.0).astype(np.float32)
    features = ((_ellipse(CX - 25.6, 64.0, 11.0, 5.0) <= 1.0)
                | (_ellipse(CX + 25.6, 64.0, 11.0, 5.0) <= 1.0)
                | (_ellipse(CX, 124.0, 18.0, 6.0) <= 1.0))
    face[features] *= 0.45
    if light is not None:
        face *= light
    skin = oval & ~features
    return np.clip(np.round(face), 0, 255).astype(np.uint8), skin


def planar(strength: float, angle_deg: float) -> np.ndarray:
    """Log-planar light from ``angle_deg`` (as on a clock face drawn on the image: 0 from the
    image right, 90 from above, 180 from the image left): the log gain rises by
    ``strength`` per half face width towards the light."""
    a = math.radians(angle_deg)
    return np.exp(strength * (math.cos(a) * _U - math.sin(a) * _V)).astype(np.float32)


def leans(gray: np.ndarray, skin: np.ndarray) -> tuple[float, float]:
    texture = np.abs(cv2.Laplacian(gray, cv2.CV_16S)).astype(np.float32)
    return face_leans(gray, skin, texture)


def gradient(gray: np.ndarray, skin: np.ndarray) -> float:
    side, vertical = leans(gray, skin)
    return gradient_of(side, vertical, 0.0)


DIRECTIONS = [0.0, 45.0, 90.0, 135.0, 180.0, 225.0, 270.0, 315.0]


def test_an_evenly_lit_face_does_not_lean() -> None:
    gray, skin = drawn_face()
    side, vertical = leans(gray, skin)
    assert abs(side) < 0.01 and abs(vertical) < 0.01
    assert gradient(gray, skin) < PhotoSettings().max_light_gradient


@pytest.mark.parametrize("angle", DIRECTIONS)
def test_strong_light_from_any_direction_is_flagged(angle: float) -> None:
    gray, skin = drawn_face(planar(0.6, angle))
    assert gradient(gray, skin) > PhotoSettings().max_light_gradient


@pytest.mark.parametrize("angle", DIRECTIONS)
def test_the_leans_point_to_the_light(angle: float) -> None:
    side, vertical = leans(*drawn_face(planar(0.6, angle)))
    # Positive side lean: the image-left half is brighter; positive vertical: the upper half.
    towards = ((side, -math.cos(math.radians(angle))), (vertical, math.sin(math.radians(angle))))
    for lean, component in towards:
        if abs(component) < 0.1:
            assert abs(lean) < 0.02
        else:
            assert math.copysign(1.0, lean) == math.copysign(1.0, component)


@pytest.mark.parametrize("angle", DIRECTIONS)
def test_a_faint_light_is_not_flagged(angle: float) -> None:
    gray, skin = drawn_face(planar(0.05, angle))
    assert gradient(gray, skin) < PhotoSettings().max_light_gradient


@pytest.mark.parametrize("angle", [0.0, 45.0, 135.0])
def test_the_measure_grows_with_the_light(angle: float) -> None:
    values = [gradient(*drawn_face(planar(s, angle))) for s in (0.0, 0.2, 0.4, 0.6)]
    assert values == sorted(values) and values[-1] > values[0] + 0.2


@pytest.mark.parametrize("level", [60.0, 110.0, 200.0])
def test_the_measure_ignores_the_exposure(level: float) -> None:
    base = gradient(*drawn_face(planar(0.4, 45.0), level=150.0))
    assert gradient(*drawn_face(planar(0.4, 45.0), level=level)) == pytest.approx(base, abs=0.03)


def test_a_diagonal_light_on_a_face_lit_from_the_other_side_is_flagged() -> None:
    # The face already lit a little from the image left; a strong light from the upper right
    # leaves its left/right ratio within the side-light limit, not its direction-free one.
    s = PhotoSettings()
    pre = planar(0.15, 180.0)
    gray, skin = drawn_face(pre * planar(0.45, 40.0))
    side, vertical = leans(gray, skin)
    assert math.exp(abs(side)) <= s.max_side_light_ratio
    assert gradient_of(side, vertical, 0.0) > s.max_light_gradient


def test_a_beard_does_not_count_as_light_from_above() -> None:
    # Stubble below the nose: darker than the skin above it, and rough.
    gray, skin = drawn_face()
    rng = np.random.default_rng(7)
    beard = (_Y > CY + 8) & skin
    rough = 0.6 * (1.0 + 0.3 * rng.uniform(-1.0, 1.0, (H, W)))
    bearded = gray.copy()
    bearded[beard] = np.round(gray[beard] * rough[beard]).astype(np.uint8)
    assert abs(leans(bearded, skin)[1]) < 0.05
    # Without the texture rule the darker chin would read as light from above.
    logs = np.log(bearded.astype(np.float32) + 8.0)
    pairs = (skin & skin[::-1])[:H // 2]
    assert float(np.median((logs[:H // 2] - logs[::-1][:H // 2])[pairs])) > 0.3


def test_too_little_skin_gives_no_lean_and_the_side_lean_alone() -> None:
    gray, _ = drawn_face()
    few = np.zeros((H, W), bool)
    few[80:83, 60:63] = True
    assert all(math.isnan(v) for v in leans(gray, few))
    assert gradient_of(0.3, math.nan, 0.05) == pytest.approx(math.exp(0.3))
    assert gradient_of(-0.3, 0.45, 0.05) == pytest.approx(math.exp(0.5))


# --- the whole check on the astronaut frame ----------------------------------------------------

def diagonal_light(image: np.ndarray, a: FrameAnalysis, strength: float,
                   angle_deg: float) -> np.ndarray:
    """A gain falling linearly across the face oval, from 1 + strength/2 on the side the light
    comes from (``angle_deg`` as in :func:`planar`) to 1 - strength on the other."""
    assert a.points is not None
    oval = a.points[geo.FACE_OVAL, :2]
    a_rad = math.radians(angle_deg)
    d = np.array([-math.cos(a_rad), math.sin(a_rad)])  # from the lit side to the dark side
    proj = oval @ d
    h, w = image.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    t = np.clip((xx * d[0] + yy * d[1] - proj.min()) / (proj.max() - proj.min()), 0, 1)
    gain = (1.0 + strength / 2.0) * (1.0 - t) + (1.0 - strength) * t
    return np.clip(image.astype(np.float32) * gain[..., None], 0, 255).astype(np.uint8)


def illumination(analyzer: FaceAnalyzer, image: np.ndarray) -> tuple[CheckResult, PhotoReport]:
    report = assess(analyzer.analyze(image), PhotoSettings(), "live")
    return next(c for c in report.checks if c.name == "IlluminationUniformity"), report


@pytest.mark.parametrize("angle", [40.0, 140.0, -40.0, -140.0])
def test_strong_diagonal_light_on_a_real_face_is_uneven_lighting(analyzer: FaceAnalyzer,
                                                                 studio: np.ndarray,
                                                                 angle: float) -> None:
    lit = diagonal_light(studio, analyzer.analyze(studio), 0.75, angle)
    check, report = illumination(analyzer, lit)
    assert "uneven_lighting" in report.defects
    assert check.extra["light_gradient"] > PhotoSettings().max_light_gradient


def test_light_from_the_lower_right_on_a_face_lit_from_the_left(analyzer: FaceAnalyzer,
                                                                studio: np.ndarray) -> None:
    # The studio frame leans to the image left (astronaut's own light): a light from the
    # lower right brings its halves closer, so the left/right ratio alone misses it.
    s = PhotoSettings()
    lit = diagonal_light(studio, analyzer.analyze(studio), 0.6, -40.0)
    check, report = illumination(analyzer, lit)
    assert check.value is not None and check.value <= s.max_side_light_ratio
    assert check.extra["light_gradient"] > s.max_light_gradient
    assert "uneven_lighting" in report.defects


def test_the_untouched_real_face_is_evenly_lit_in_every_direction(analyzer: FaceAnalyzer,
                                                                  studio: np.ndarray) -> None:
    check, report = illumination(analyzer, studio)
    assert check.extra["light_gradient"] < PhotoSettings().max_light_gradient
    assert "uneven_lighting" not in report.defects
