"""Head coverings, fabric, hands and faces cut by the border, painted onto the astronaut frame."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from kiosk.photo import geometry as geo
from kiosk.photo.analysis import FaceAnalyzer, FrameAnalysis, _landmarks
from kiosk.photo.report import PhotoReport, assess
from kiosk.photo.settings import PhotoSettings


def judge(analyzer: FaceAnalyzer, image: np.ndarray) -> PhotoReport:
    return assess(analyzer.analyze(image), PhotoSettings(), "live")


@pytest.fixture(scope="module")
def studio_analysis(analyzer: FaceAnalyzer, studio: np.ndarray) -> FrameAnalysis:
    return analyzer.analyze(studio)


def _skin(studio: np.ndarray, a: FrameAnalysis) -> tuple[int, int, int]:
    assert a.points is not None
    mask = np.zeros(studio.shape[:2], np.uint8)
    cv2.fillPoly(mask, [np.round(a.points[geo.FACE_OVAL, :2]).astype(np.int32)], 1)
    b, g, r, _ = cv2.mean(studio, mask=mask)
    return int(b), int(g), int(r)


def test_studio_frame_has_no_covering_or_occlusion(analyzer: FaceAnalyzer,
                                                   studio: np.ndarray) -> None:
    report = judge(analyzer, studio)
    assert not {"head_covering", "occlusion", "face_cut_off"} & set(report.defects)
    m = report.measures
    assert m["head_top_chroma"] < 10
    assert m["SkinTexture"] < 20
    assert m["texture_asymmetry"] < 0.4
    assert m["face_box_outside"] == 0.0



def red_hat(studio: np.ndarray, a: FrameAnalysis) -> np.ndarray:
    """The studio frame with a dyed beanie: half an ellipse from the forehead over the crown."""
    assert a.points is not None and a.chin is not None
    oval = a.points[geo.FACE_OVAL, :2]
    x0, x1, top = oval[:, 0].min(), oval[:, 0].max(), a.points[geo.FOREHEAD, 1]
    hat = studio.copy()
    cv2.ellipse(hat, (int((x0 + x1) / 2), int(top)),
                (int((x1 - x0) * 0.62), int((a.chin[1] - top) * 0.55)), 0, 180, 360,
                (40, 40, 200), -1)
    return hat

def test_red_hat_is_a_head_covering(analyzer: FaceAnalyzer, studio: np.ndarray,
                                    studio_analysis: FrameAnalysis) -> None:
    hat = red_hat(studio, studio_analysis)
    report = judge(analyzer, hat)
    assert "head_covering" in report.defects
    assert report.measures["head_top_chroma"] > 25


def test_red_hat_passes_when_coverings_are_allowed(analyzer: FaceAnalyzer, studio: np.ndarray,
                                                   studio_analysis: FrameAnalysis) -> None:
    hat = red_hat(studio, studio_analysis)
    settings = PhotoSettings(allow_head_covering=True)
    assert "head_covering" not in assess(analyzer.analyze(hat), settings, "live").defects


def test_knitted_fabric_over_the_face_is_not_skin(analyzer: FaceAnalyzer, studio: np.ndarray,
                                                  studio_analysis: FrameAnalysis) -> None:
    a = studio_analysis
    assert a.points is not None
    mask = np.zeros(studio.shape[:2], np.uint8)
    cv2.fillPoly(mask, [np.round(a.points[geo.FACE_OVAL, :2]).astype(np.int32)], 1)
    yy, xx = np.mgrid[: studio.shape[0], : studio.shape[1]]
    # A balaclava: a fine knit pattern in the skin's own colour below the eyes.
    knit = (np.sin(xx / 1.3) * np.sin(yy / 1.1) * 60).astype(np.int16)
    fabric = np.clip(np.array(_skin(studio, a))[None, None, :] + knit[..., None], 0, 255)
    covered = studio.copy()
    below_eyes = (mask > 0) & (yy > a.points[6, 1])
    covered[below_eyes] = fabric.astype(np.uint8)[below_eyes]
    report = judge(analyzer, covered)
    assert "head_covering" in report.defects
    assert report.measures["SkinTexture"] > PhotoSettings().max_skin_texture


def test_hand_over_one_cheek_is_an_occlusion(analyzer: FaceAnalyzer, studio: np.ndarray,
                                             studio_analysis: FrameAnalysis) -> None:
    a = studio_analysis
    assert a.points is not None and a.chin is not None
    oval = a.points[geo.FACE_OVAL, :2]
    width = oval[:, 0].max() - oval[:, 0].min()
    colour = _skin(studio, a)
    # A skin-coloured palm on the image-right cheek and jaw, with four finger creases: the
    # colour cue cannot see it, the left/right detail asymmetry can.
    cx, cy = int(a.points[361, 0]), int((a.points[geo.NOSE_TIP, 1] + a.chin[1]) / 2)
    w, h = int(width * 0.35), int((a.chin[1] - a.points[geo.NOSE_TIP, 1]) * 0.9)
    hand = studio.copy()
    cv2.ellipse(hand, (cx, cy), (w, h), -15, 0, 360, colour, -1)
    crease = tuple(int(c * 0.6) for c in colour)
    for k in range(4):
        yk = cy - h // 2 + k * h // 4
        cv2.line(hand, (cx - w, yk), (cx + w, yk + 6), crease, 2)
    report = judge(analyzer, hand)
    assert "occlusion" in report.defects
    assert report.measures["texture_asymmetry"] > PhotoSettings().max_texture_asymmetry


def test_second_face_cut_by_the_border_is_cut_off(analyzer: FaceAnalyzer, make_frame) -> None:
    one = make_frame(640, 720, ied=90.0)
    row = np.hstack([one, one, one])
    # The second face runs about a quarter of its width past the right edge.
    cut = judge(analyzer, np.ascontiguousarray(row[:, 380:1660]))
    assert {"multiple_faces", "face_cut_off"} <= set(cut.defects)
    assert cut.measures["face_box_outside"] > 0.1
    # Both faces inside: still two people, but nobody is cut.
    inside = judge(analyzer, np.ascontiguousarray(row[:, 470:1750]))
    assert "multiple_faces" in inside.defects
    assert "face_cut_off" not in inside.defects


def test_fast_landmark_reader_matches_the_protobuf_fields(studio: np.ndarray) -> None:
    from mediapipe.python.solutions import face_mesh

    rgb = cv2.cvtColor(studio, cv2.COLOR_BGR2RGB)
    with face_mesh.FaceMesh(static_image_mode=True, refine_landmarks=True) as mesh:
        face = mesh.process(rgb).multi_face_landmarks[0]
    h, w = studio.shape[:2]
    slow = np.array([(p.x * w, p.y * h, p.z * w) for p in face.landmark])
    fast = _landmarks(face, w, h)
    assert fast.shape == (478, 3)
    np.testing.assert_allclose(fast, slow, rtol=1e-6, atol=1e-4)
