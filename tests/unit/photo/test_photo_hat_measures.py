"""The head-top measures of NoHeadCoverings: a straight boundary across the forehead, and a
skin-coloured head top higher than a skull. Hats are drawn in the test onto astronaut."""

from __future__ import annotations

import dataclasses
import math

import cv2
import numpy as np
import pytest

from kiosk.photo import geometry as geo
from kiosk.photo.analysis import FaceAnalyzer, FrameAnalysis
from kiosk.photo.checks.head_covering import forehead_edge, head_top_colours
from kiosk.photo.regions import face_regions
from kiosk.photo.report import assess
from kiosk.photo.settings import PhotoSettings

HAIR = (30, 38, 52)  # dark brown, BGR


@pytest.fixture(scope="module")
def studio_analysis(analyzer: FaceAnalyzer, studio: np.ndarray) -> FrameAnalysis:
    return analyzer.analyze(studio)


def _with_face(a: FrameAnalysis, face: np.ndarray) -> FrameAnalysis:
    """The same analysis with another aligned face (its regions recomputed)."""
    return dataclasses.replace(a, face=face)


def _edge_of(a: FrameAnalysis) -> float:
    r = face_regions(a)
    assert r is not None
    return forehead_edge(a, r)


def _forehead_rows(a: FrameAnalysis) -> tuple[float, float]:
    """Top of the mesh (the hairline) and the brow line in the aligned face."""
    assert a.face_points is not None
    p = a.face_points
    return float(p[geo.FOREHEAD, 1]), float(min(p[105, 1], p[334, 1]))


def _hair_above(a: FrameAnalysis, edge_at: np.ndarray) -> FrameAnalysis:
    """The aligned face with a bare forehead (the colour of her skin just above the brows,
    which hides her own fringe) up to ``edge_at[x]`` in every column x, and hair (or a hat)
    above it."""
    assert a.face is not None and a.face_points is not None
    face = a.face.copy()
    rows = np.arange(face.shape[0])[:, None]
    _, brow = _forehead_rows(a)
    x0, x1 = int(a.face_points[105, 0]), int(a.face_points[334, 0])
    skin = np.median(face[int(brow) - 5:int(brow) - 3, x0:x1].reshape(-1, 3), axis=0)
    face[: int(brow) - 3] = skin.astype(np.uint8)
    face[rows < edge_at[None, :]] = HAIR
    return _with_face(a, face)


def test_her_straight_fringe_alone_is_not_a_hat(analyzer: FaceAnalyzer, studio: np.ndarray,
                                                 studio_analysis: FrameAnalysis,
                                                 settings: PhotoSettings) -> None:
    """Astronaut's fringe is cut straight across: the edge reads like a hat band, but her
    head ends at skull height, so it is hair."""
    report = assess(studio_analysis, settings, "live")
    assert report.measures["forehead_edge"] > settings.cap_forehead_edge
    assert studio_analysis.crown_ratio < settings.cap_crown_ratio
    assert "head_covering" not in report.defects


def test_straight_band_reads_far_above_an_arched_hairline(studio_analysis: FrameAnalysis,
                                                          settings: PhotoSettings) -> None:
    """Same colours on either side, the same lowest point: a level edge (a hat band) reads
    high, an arch rising towards the temples (a hairline) low."""
    top, brow = _forehead_rows(studio_analysis)
    low = top + 0.55 * (brow - top)
    assert studio_analysis.face is not None
    width = studio_analysis.face.shape[1]
    x = np.arange(width, dtype=np.float64)
    straight = _edge_of(_hair_above(studio_analysis, np.full(width, low)))
    rise = 1.2 * (brow - top)  # the arch climbs this much towards the temples
    arch = low - rise * ((x - width / 2.0) / (width / 4.0)) ** 2
    arched = _edge_of(_hair_above(studio_analysis, arch))
    assert straight > settings.cap_forehead_edge
    assert arched < 0.5 * straight


def test_edge_measure_is_the_same_for_any_band_height(studio_analysis: FrameAnalysis) -> None:
    top, brow = _forehead_rows(studio_analysis)
    assert studio_analysis.face is not None
    width = studio_analysis.face.shape[1]
    values = [_edge_of(_hair_above(studio_analysis, np.full(width, top + f * (brow - top))))
              for f in (0.4, 0.55, 0.7)]
    assert max(values) < 1.25 * min(values)


def _dome(studio: np.ndarray, a: FrameAnalysis, colour: tuple[int, int, int],
          edge_ied: float) -> np.ndarray:
    """A hat drawn over the head: the upper half of an ellipse, wider than the face, from
    ``edge_ied`` inter-eye distances above the eyes up to 2.5 above them."""
    assert a.points is not None and a.right_eye is not None and a.left_eye is not None
    mid = (a.right_eye + a.left_eye) / 2.0
    oval = a.points[geo.FACE_OVAL, :2]
    half = 0.5 * float(np.ptp(oval[:, 0])) + 0.25 * a.inter_eye
    edge_y = mid[1] - edge_ied * a.inter_eye
    out = studio.copy()
    cv2.ellipse(out, (int(mid[0]), int(edge_y)),
                (int(half), int((2.5 - edge_ied) * a.inter_eye)), 0, 180, 360, colour, -1)
    return out


def test_dark_hat_over_dark_hair_is_a_head_covering(analyzer: FaceAnalyzer,
                                                     studio: np.ndarray,
                                                     studio_analysis: FrameAnalysis,
                                                     settings: PhotoSettings) -> None:
    """Hat and hair the same dark colour and nothing dyed: the level edge across the
    forehead on a head taller than a skull gives it away."""
    image = _dome(studio, studio_analysis, HAIR, edge_ied=0.6)
    report = assess(analyzer.analyze(image), settings, "live")
    assert report.measures["forehead_edge"] > settings.cap_forehead_edge
    assert report.measures["crown_ratio"] > settings.cap_crown_ratio
    assert report.measures["head_top_chroma"] < settings.max_head_top_chroma
    assert "head_covering" in report.defects


def _cheek_bgr(a: FrameAnalysis) -> tuple[int, int, int]:
    r = face_regions(a)
    assert r is not None
    lab = np.array([[r.cheek_colour]], np.float32).round().astype(np.uint8)
    b, g, rr = cv2.cvtColor(lab, cv2.COLOR_LAB2BGR)[0, 0]
    return int(b), int(g), int(rr)


def test_head_top_skin_share_counts_skin_coloured_pixels(
        studio_analysis: FrameAnalysis) -> None:
    a = studio_analysis
    assert a.head_top is not None
    r = face_regions(a)
    assert r is not None
    skin_top = np.empty_like(a.head_top)
    skin_top[:] = _cheek_bgr(a)
    hair_top = np.empty_like(a.head_top)
    hair_top[:] = HAIR
    _, skin = head_top_colours(dataclasses.replace(a, head_top=skin_top), r)
    _, hair = head_top_colours(dataclasses.replace(a, head_top=hair_top), r)
    _, own = head_top_colours(a, r)
    assert skin > 0.95
    assert hair < 0.05
    assert own < PhotoSettings().cap_head_top_skin  # her own brown hair


def test_skin_coloured_hat_higher_than_a_skull_is_a_head_covering(
        analyzer: FaceAnalyzer, studio: np.ndarray, studio_analysis: FrameAnalysis,
        settings: PhotoSettings) -> None:
    """A hat in her own skin colour: the forehead still looks like skin and nothing is dyed,
    but a skin-coloured head top reaching far above a skull is not a bald head."""
    image = _dome(studio, studio_analysis, _cheek_bgr(studio_analysis), edge_ied=0.6)
    a = analyzer.analyze(image)
    report = assess(a, settings, "live")
    assert report.measures["head_top_skin"] > settings.cap_head_top_skin
    assert a.crown_ratio > settings.cap_crown_ratio
    assert "head_covering" in report.defects


def test_measures_are_unknown_without_a_head_top(studio_analysis: FrameAnalysis) -> None:
    r = face_regions(studio_analysis)
    assert r is not None
    chroma, skin = head_top_colours(dataclasses.replace(studio_analysis, head_top=None), r)
    assert math.isnan(chroma) and math.isnan(skin)


def test_scarf_of_another_hue_over_the_forehead_is_a_head_covering(
        analyzer: FaceAnalyzer, studio: np.ndarray, studio_analysis: FrameAnalysis,
        settings: PhotoSettings) -> None:
    """A teal headscarf down to just above the brows: a hue no skin has."""
    image = _dome(studio, studio_analysis, (130, 120, 20), edge_ied=0.45)
    report = assess(analyzer.analyze(image), settings, "live")
    assert report.measures["forehead_hue_cover"] > settings.max_forehead_hue_cover
    assert "head_covering" in report.defects


def _side_lit(studio: np.ndarray, a: FrameAnalysis) -> np.ndarray:
    """Light falling linearly from 1.3 to 0.4 across the face oval, from the image left."""
    assert a.points is not None
    oval = a.points[geo.FACE_OVAL, 0]
    x = np.arange(studio.shape[1], dtype=np.float32)
    t = np.clip((x - oval.min()) / np.ptp(oval), 0.0, 1.0)
    gain = (1.3 - 0.9 * t)[None, :, None]
    return np.clip(studio.astype(np.float32) * gain, 0, 255).astype(np.uint8)


def test_side_light_leaves_the_forehead_hue_alone(analyzer: FaceAnalyzer, studio: np.ndarray,
                                                  studio_analysis: FrameAnalysis,
                                                  settings: PhotoSettings) -> None:
    """Light falling from 1.3 to 0.4 across the face darkens half the forehead; its hue
    stays that of the skin."""
    lit = _side_lit(studio, studio_analysis)
    report = assess(analyzer.analyze(lit), settings, "live")
    assert "uneven_lighting" in report.defects
    assert report.measures["forehead_hue_cover"] < 0.5 * settings.max_forehead_hue_cover

