"""Property tests of the face geometry: roll, crop boxes, openness ratios."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.photo import geometry as geo

angles = st.floats(-60, 60)
coords = st.floats(-500, 500)


@given(angle=angles, x=coords, y=coords, d=st.floats(20, 400))
def test_roll_of_a_rotated_eye_line_is_the_rotation(angle: float, x: float, y: float,
                                                     d: float) -> None:
    right = np.array([x, y])
    left = right + d * np.array([math.cos(math.radians(angle)), math.sin(math.radians(angle))])
    assert math.isclose(geo.roll_degrees(right, left), angle, abs_tol=1e-6)


@given(angle=angles, cx=coords, cy=coords)
def test_rotate_points_round_trip(angle: float, cx: float, cy: float) -> None:
    pts = np.array([[1.0, 2.0], [300.0, -40.0], [-7.0, 99.0]])
    centre = np.array([cx, cy])
    back = geo.rotate_points(geo.rotate_points(pts, centre, angle), centre, -angle)
    assert np.allclose(back, pts, atol=1e-6)


@given(angle=st.floats(-30, 30), ratio=st.floats(0.6, 0.9), head=st.floats(50, 800),
       cx=st.floats(0, 2000), cy=st.floats(0, 2000))
@settings(max_examples=60)
def test_token_crop_holds_the_head_at_the_ratio(angle: float, ratio: float, head: float,
                                                cx: float, cy: float) -> None:
    # A head of the given height, rotated by the roll, its eyes centred across the face axis.
    down = np.array([-math.sin(math.radians(angle)), math.cos(math.radians(angle))])
    crown = np.array([cx, cy])
    chin = crown + head * down
    eye_mid = crown + 0.48 * head * down
    box = geo.token_crop(chin, crown, eye_mid, angle, ratio)
    assert math.isclose(box.height * ratio, head, rel_tol=1e-6)
    assert math.isclose(box.width / box.height, 35 / 45, rel_tol=1e-9)
    # Head centred: the box centre is the midpoint of chin and crown.
    assert np.allclose([box.cx, box.cy], (chin + crown) / 2, atol=1e-6)
    # The top edge of the box is level with the eye line after levelling: corners rotate too.
    c = box.corners()
    assert math.isclose(geo.roll_degrees(c[0], c[1]), angle, abs_tol=1e-6)


@given(w=st.integers(100, 3000), h=st.integers(100, 3000))
def test_a_box_inside_the_frame_has_nothing_outside(w: int, h: int) -> None:
    box = geo.CropBox(cx=w / 2, cy=h / 2, width=w * 0.5, height=h * 0.5, angle=0.0)
    assert box.outside_fraction(w, h) == 0.0
    shifted = geo.CropBox(cx=w / 2 + w * 0.5, cy=h / 2, width=w * 0.5, height=h * 0.5, angle=0)
    assert math.isclose(shifted.outside_fraction(w, h), 0.5, rel_tol=1e-6)


@given(scale=st.floats(0.2, 20), angle=angles)
def test_eye_and_mouth_ratios_do_not_depend_on_scale_or_rotation(scale: float,
                                                                 angle: float) -> None:
    rng = np.random.default_rng(4)
    pts = rng.uniform(0, 100, size=(478, 3))
    moved = pts.copy()
    moved[:, :2] = geo.rotate_points(pts[:, :2] * scale, np.zeros(2), angle)
    moved[:, 2] *= scale
    # Right eye, left eye, mouth.
    for before, after in zip(geo.openness_and_gap(pts), geo.openness_and_gap(moved),
                             strict=True):
        assert math.isclose(before, after, rel_tol=1e-6)
