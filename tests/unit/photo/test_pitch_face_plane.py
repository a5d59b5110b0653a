"""The pitch ``head_pose`` reads from the face plane (eye-corner line x forehead-chin line, the
yaw's own normal) follows a known nod of a synthetic mesh, and a yaw or a roll of the same
mesh leaks into it by less than a stated tolerance.

The mesh is made here, not read from ../shared: the six points the pose reads sit where a
face's would (eyes in front, forehead and chin set back a little), the other 472 are noise on
an ellipsoid; it is turned by known angles about its centre and projected orthographically
into pixels, as mediapipe's mesh is (x and y in pixels, z in the same scale).
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from kiosk.photo import geometry as geo

#: Pitch within this many degrees of the nod made, in the range the kiosk judges (|pitch| up to
#: 15 deg, |yaw| up to 5, |roll| up to 8: its limits and some way past them) ...
TOLERANCE_DEG, NARROW = 0.2, (15.0, 5.0, 8.0)
#: ... and within this many far past them (|pitch| 30, |yaw| 10, |roll| 20). Levelling the
#: eye line is what leaks: a head turned and then nodded has its irises at two depths, so
#: its eye line really is tilted in the image (by up to 3-4 deg here).
WIDE_TOLERANCE_DEG, WIDE = 1.0, (30.0, 10.0, 20.0)

#: Where the points the pose reads sit on a face 90 units between the outer eye corners: x to
#: the image right, y down, z away from the camera (mediapipe's convention).
FACE = {
    geo.EYE_OUTER[0]: (-45.0, 0.0, 8.0), geo.EYE_OUTER[1]: (45.0, 0.0, 8.0),
    geo.RIGHT_IRIS: (-31.0, 0.0, 0.0), geo.LEFT_IRIS: (31.0, 0.0, 0.0),
    geo.FOREHEAD: (0.0, -75.0, 10.0), geo.CHIN: (0.0, 115.0, 18.0),
}


def _rotation(yaw: float, pitch: float, roll: float) -> np.ndarray:
    """Yaw about the head's vertical axis, then the nod about the image's horizontal axis,
    then the roll in the image plane. A positive nod lifts the chin (it comes towards the
    camera) and tips the forehead back, as when looking at the ceiling."""
    y, p, r = (math.radians(v) for v in (yaw, pitch, roll))
    ry = np.array([[math.cos(y), 0, math.sin(y)], [0, 1, 0], [-math.sin(y), 0, math.cos(y)]])
    rx = np.array([[1, 0, 0], [0, math.cos(p), math.sin(p)], [0, -math.sin(p), math.cos(p)]])
    rz = np.array([[math.cos(r), -math.sin(r), 0], [math.sin(r), math.cos(r), 0], [0, 0, 1]])
    return rz @ rx @ ry


def _mesh(yaw: float, pitch: float, roll: float, scale: float = 2.0,
          centre: tuple[float, float] = (640.0, 360.0), seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    points = rng.normal(0.0, 1.0, (478, 3)) * np.array([60.0, 90.0, 30.0])
    for index, xyz in FACE.items():
        points[index] = xyz
    turned = points @ _rotation(yaw, pitch, roll).T * scale
    turned[:, 0] += centre[0]
    turned[:, 1] += centre[1]
    return turned


#: The raw pitch of the frontal mesh: its calibration, as ``pitch_offset_deg`` is the
#: median raw pitch of frontal portraits.
OFFSET = geo.head_pose(_mesh(0.0, 0.0, 0.0), 0.0).pitch


def test_frontal_mesh_reads_no_pose_once_calibrated() -> None:
    pose = geo.head_pose(_mesh(0.0, 0.0, 0.0), OFFSET)
    assert abs(pose.pitch) < 1e-9 and abs(pose.yaw) < 1e-9 and abs(pose.roll) < 1e-9


@given(pitch=st.floats(-40.0, 40.0))
def test_a_nod_reads_its_own_angle(pitch: float) -> None:
    assert math.isclose(geo.head_pose(_mesh(0.0, pitch, 0.0), OFFSET).pitch, pitch,
                        abs_tol=1e-6)


def test_chin_up_is_positive_and_looking_down_is_not_flipped() -> None:
    # The rigid-landmark plane shipped before round 6 flipped through the image plane on a
    # face looking down by some 14 deg and read it as +166.
    readings = {p: geo.head_pose(_mesh(0.0, p, 0.0), OFFSET).pitch for p in (-25, -15, 15, 25)}
    assert readings[15] > 0 and readings[25] > readings[15]
    assert readings[-15] < 0 and readings[-25] < readings[-15]


def _leak(pitch: float, yaw: float, roll: float, scale: float, seed: int) -> tuple[float,
                                                                                   float]:
    pose = geo.head_pose(_mesh(yaw, pitch, roll, scale, seed=seed), OFFSET)
    return abs(pose.pitch - pitch), abs(pose.yaw - yaw)


@given(fraction=st.tuples(*(st.floats(-1.0, 1.0) for _ in range(3))),
       scale=st.floats(0.3, 8.0), seed=st.integers(0, 2**16))
def test_yaw_and_roll_do_not_leak_into_pitch(fraction: tuple[float, float, float],
                                             scale: float, seed: int) -> None:
    narrow = [f * m for f, m in zip(fraction, NARROW, strict=True)]
    wide = [f * m for f, m in zip(fraction, WIDE, strict=True)]
    assert _leak(*narrow, scale, seed)[0] <= TOLERANCE_DEG
    pitch_leak, yaw_leak = _leak(*wide, scale, seed)
    assert pitch_leak <= WIDE_TOLERANCE_DEG
    # The yaw comes from the same normal and follows its own angle about as closely.
    assert yaw_leak <= 2 * WIDE_TOLERANCE_DEG


def test_only_the_face_plane_points_move_the_pitch() -> None:
    # Moving every other point (the rigid-landmark plane of the old measure among them)
    # changes nothing: the pitch reads only the eye corners, forehead, chin and irises.
    a = _mesh(4.0, 12.0, 3.0, seed=1)
    b = _mesh(4.0, 12.0, 3.0, seed=2)
    assert geo.head_pose(a, OFFSET) == geo.head_pose(b, OFFSET)
    a[geo.CHIN, 2] -= 40.0  # the chin brought towards the camera: chin up
    assert geo.head_pose(a, OFFSET).pitch > geo.head_pose(b, OFFSET).pitch + 5.0
