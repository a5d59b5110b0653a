"""Camera frames of any shape, pixel type and channel count: never an abort, never an exception.

The face models abort the process on some frames (a 4 x 1000 strip is scaled past OpenCV's
32767-pixel limit); the analysis must refuse those before any model sees them and report
"no usable frame", and must analyse every frame it accepts.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.photo.analysis import FaceAnalyzer
from kiosk.photo.frame import MAX_ASPECT, MIN_SIDE_PX, frame_problem
from kiosk.photo.report import USABLE_FRAME, assess
from kiosk.photo.session import LivePhotoSession
from kiosk.photo.settings import PhotoSettings

#: Sides that hit every edge of the guard: empty, one pixel, just under and at the minimum,
#: ordinary sizes, and long sides that make strips.
sides = st.one_of(st.integers(0, 3), st.integers(MIN_SIDE_PX - 2, MIN_SIDE_PX + 2),
                  st.integers(4, 400), st.sampled_from([640, 720, 1000, 1280]))
dtypes = st.sampled_from([np.uint8, np.uint8, np.uint8, np.uint16, np.int8, np.float32,
                          np.float64, np.bool_])
channels = st.sampled_from([None, 1, 2, 3, 3, 4, 5])


@st.composite
def frames(draw: st.DrawFn) -> np.ndarray:
    """A frame of a drawn shape and type: flat grey, random noise, or a strided view."""
    h, w, c, dtype = draw(sides), draw(sides), draw(channels), draw(dtypes)
    shape = (h, w) if c is None else (h, w, c)
    fill = draw(st.sampled_from(["flat", "noise", "strided"]))
    if fill == "noise":
        rng = np.random.default_rng(draw(st.integers(0, 2**16)))
        return rng.integers(0, 256, shape).astype(dtype)
    if fill == "strided" and w > 0:
        wide = np.full((h, 2 * w) + shape[2:], draw(st.integers(0, 255)), dtype)
        return wide[:, ::2]
    return np.full(shape, draw(st.integers(0, 255)), dtype)


@given(frame=frames())
@settings(max_examples=150)
def test_any_frame_gives_a_report(analyzer: FaceAnalyzer, settings: PhotoSettings,
                                  frame: np.ndarray) -> None:
    problem = frame_problem(frame, settings.max_image_pixels)
    report = assess(analyzer.analyze(frame), settings, "live")
    if problem is None:
        assert report.usable and report.unusable_reason == ""
        assert any(c.name == "SingleFacePresent" for c in report.checks)
    else:
        assert not report.usable and report.unusable_reason == problem
        assert [c.name for c in report.checks] == [USABLE_FRAME]
        assert report.defects == ("no_face",) and not report.compliant


@given(w=st.integers(0, 5000), h=st.integers(0, 5000))
def test_guard_accepts_exactly_the_shapes_the_models_can_take(w: int, h: int) -> None:
    shaped = np.lib.stride_tricks.as_strided(np.zeros(1, np.uint8), (h, w, 3), (0, 0, 0))
    problem = frame_problem(shaped, 10**9)
    ok = min(w, h) >= MIN_SIDE_PX and max(w, h) <= MAX_ASPECT * min(w, h)
    assert (problem is None) == ok
    if not ok:
        assert f"{w}x{h}" in str(problem)


def test_oversized_and_non_array_frames_are_refused(settings: PhotoSettings) -> None:
    big = np.lib.stride_tricks.as_strided(np.zeros(1, np.uint8), (8000, 8000, 3), (0, 0, 0))
    assert "more than" in str(frame_problem(big, settings.max_image_pixels))
    assert "not an image array" in str(frame_problem([[0, 1], [2, 3]], 10**6))


def test_live_session_survives_a_strip_then_sees_the_face(studio: np.ndarray) -> None:
    """The exact frame that aborted the kiosk (4 x 1000), inside the live loop, then a face."""
    session = LivePhotoSession(PhotoSettings())
    try:
        strip = session.process(np.zeros((1000, 4, 3), np.uint8), 0.0)
        assert not strip.report.usable and "4x1000" in strip.report.unusable_reason
        assert strip.instruction.code == "face_camera" and strip.token is None
        face = session.process(studio, 0.1)
        assert face.report.usable and face.report.assessable
    finally:
        session.close()


@pytest.mark.parametrize("shape", [(720, 1280), (720, 1280, 1), (720, 1280, 4)])
def test_grey_and_bgra_frames_are_analysed(analyzer: FaceAnalyzer, studio: np.ndarray,
                                           shape: tuple[int, ...]) -> None:
    import cv2

    grey = cv2.cvtColor(studio, cv2.COLOR_BGR2GRAY)
    frame = (grey if len(shape) == 2 else grey[..., None] if shape[2] == 1
             else cv2.cvtColor(studio, cv2.COLOR_BGR2BGRA))
    report = assess(analyzer.analyze(frame), PhotoSettings(), "live")
    assert report.usable and report.assessable
