"""Face geometry from the 478-point mesh: eyes, pose, openness, crown and the token-photo crop."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

# Mediapipe face-mesh indices. "Right" and "left" are the subject's: the subject's right eye
# is on the left of the image.
RIGHT_EYE = [33, 246, 161, 160, 159, 158, 157, 173, 133, 155, 154, 153, 145, 144, 163, 7]
LEFT_EYE = [263, 466, 388, 387, 386, 385, 384, 398, 362, 382, 381, 380, 374, 373, 390, 249]
RIGHT_IRIS, LEFT_IRIS = 468, 473
# Eye aspect ratio: two vertical lid pairs over the corner-to-corner width.
RIGHT_EAR = (33, 133, (160, 144), (158, 153))
LEFT_EAR = (263, 362, (385, 380), (387, 373))
RIGHT_BROW = [70, 63, 105, 66, 107, 55, 65, 52, 53, 46]
LEFT_BROW = [300, 293, 334, 296, 336, 285, 295, 282, 283, 276]
FACE_OVAL = [10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400,
             377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67,
             109]
LIPS_OUTER = [61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 375, 321, 405, 314, 17, 84, 181,
              91, 146]
LIPS_INNER = [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308, 324, 318, 402, 317, 14, 87, 178,
              88, 95]
MOUTH_CORNERS = (61, 291)
INNER_LIP_PAIRS = ((13, 14), (82, 87), (312, 317))
CHIN, FOREHEAD, NOSE_TIP = 152, 10, 1
EYE_OUTER = (33, 263)
# How far the crown lies above the eye line, in chin-to-eye units, when the segmentation cannot
# tell (anthropometric average: the eyes sit near the middle of the head).
CROWN_FACTOR = 1.05

#: Float coordinates: landmarks (n x 3), points and 2-vectors, 2 x 3 affine matrices.
Coords = NDArray[np.float64]


@dataclass(frozen=True)
class Pose:
    """Head pose in degrees: yaw (left/right), pitch (up/down) and roll (in-plane)."""

    yaw: float
    pitch: float
    roll: float


def eye_centres(points: Coords) -> tuple[Coords, Coords]:
    """Iris centres (x, y) in pixels: the subject's right eye first (image left)."""
    # One gather (a new array, so the rows are copies of the points, as two ``copy`` calls
    # would give).
    both = points[_IRISES, :2]
    return both[0], both[1]


_IRISES = [RIGHT_IRIS, LEFT_IRIS]


def roll_degrees(right_eye: Coords, left_eye: Coords) -> float:
    """In-plane rotation of the eye line; positive when the image-right eye is lower."""
    dx, dy = left_eye - right_eye
    return math.degrees(math.atan2(dy, dx))


def _wrap(degrees: float) -> float:
    return (degrees + 180.0) % 360.0 - 180.0


#: The rows ``head_pose`` reads: the irises, the outer eye corners, chin, forehead.
_POSE_INDEX = np.array([RIGHT_IRIS, LEFT_IRIS, EYE_OUTER[0], EYE_OUTER[1], CHIN, FOREHEAD],
                       np.intp)


def head_pose(points: Coords, pitch_offset: float) -> Pose:
    """Yaw and pitch from the mesh's own 3-D face plane, roll from the eyes.

    ``cv2.solvePnP`` against a generic 3-D face showed a large pitch bias on this mesh. The
    face plane is spanned by the eye-corner line and the forehead-chin line; its normal, once
    the eye line is level, gives the yaw (its left/right part; spread 2.9 deg on frontal studio
    portraits) and the pitch (its up/down part, less ``pitch_offset``: the normal's tilt on a
    frontal face, the median over the compliant portraits). Until round 6 the pitch came from
    the plane fitted to 21 rigid landmarks, which spreads less over faces (3.0 deg against
    5.0) but follows a real nod only about 0.4 x as far and flips through the image plane on a
    face looking down by some 14 deg (``kiosk/photo/README.md``, rounds 5 and 6).
    """
    # Every point the pose reads in one gather, as plain floats (the same subtractions).
    rows = points[_POSE_INDEX].tolist()
    (rx, ry, _), (lx, ly, _) = rows[0], rows[1]
    roll = math.degrees(math.atan2(ly - ry, lx - rx))
    c, s = math.cos(math.radians(-roll)), math.sin(math.radians(-roll))

    def level(x: float, y: float, z: float) -> tuple[float, float, float]:
        # Level the eye line first, so that a rolled head does not leak into yaw and pitch.
        # Plain floats: a dozen numpy calls on 3-vectors cost more than the arithmetic.
        norm = math.sqrt(x * x + y * y + z * z) + 1e-9
        if z < 0:  # the mesh z axis points away from the camera; face the normal that way
            norm = -norm
        x, y, z = x / norm, y / norm, z / norm
        return c * x - s * y, s * x + c * y, z

    (o0x, o0y, o0z), (o1x, o1y, o1z), (cx, cy, cz), (fx, fy, fz) = rows[2:6]
    ax, ay, az = o1x - o0x, o1y - o0y, o1z - o0z
    dx, dy, dz = cx - fx, cy - fy, cz - fz
    nx, ny, nz = level(ay * dz - az * dy, az * dx - ax * dz, ax * dy - ay * dx)
    yaw = math.degrees(math.atan2(nx, nz))
    pitch = _wrap(math.degrees(math.atan2(ny, nz)) - pitch_offset)
    return Pose(yaw=yaw, pitch=pitch, roll=roll)


#: The point pairs of both eye aspect ratios and of the mouth gap, each pair as two neighbours:
#: the right eye's width and two lid gaps, the left eye's, then the mouth width and the three
#: inner-lip gaps.
_GAP_INDEX = np.array([*(q for spec in (RIGHT_EAR, LEFT_EAR)
                         for q in (spec[0], spec[1], *spec[2], *spec[3])),
                       *MOUTH_CORNERS, *(q for pair in INNER_LIP_PAIRS for q in pair)], np.intp)


def openness_and_gap(points: Coords) -> tuple[float, float, float]:
    """Both eyes' openness and the mouth gap: ``(right eye, left eye, mouth)``.

    Eye openness is the eye aspect ratio, the mean lid gap over the corner-to-corner width
    (open about 0.25-0.35); the mouth gap is the largest inner-lip gap over the mouth width
    (closed about 0-0.03). One gather and one ``np.hypot`` over all ten point pairs: the live
    loop reads these three per frame, where every small numpy call costs several microseconds.
    """
    p = points[_GAP_INDEX, :2]
    d = p[0::2] - p[1::2]
    (rw, r1, r2, lw, l1, l2, mw, *gaps) = np.hypot(d[:, 0], d[:, 1]).tolist()
    return ((r1 + r2) / (2.0 * (rw + 1e-9)), (l1 + l2) / (2.0 * (lw + 1e-9)),
            max(gaps) / (mw + 1e-9))


def rotate_points(points: Coords, centre: Coords, degrees: float) -> Coords:
    """Rotate 2-D points about ``centre`` by ``degrees`` (image coordinates, y down)."""
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    rel = points[..., :2] - centre
    out = np.empty_like(rel)
    out[..., 0] = c * rel[..., 0] - s * rel[..., 1]
    out[..., 1] = s * rel[..., 0] + c * rel[..., 1]
    rotated: Coords = out + centre
    return rotated


def smile_lift(points: Coords, inter_eye: float, roll: float) -> float:
    """How far the mouth corners sit above the lip centre, in inter-eye units (eye line level).

    A neutral mouth has its corners level with or below the centre of the lips; a smile lifts
    them.
    """
    return _smile_lift_xy(points[_SMILE_INDEX, :2].tolist(), inter_eye, roll)


#: The points ``smile_lift`` reads: the mouth corners and the middle of the inner lips.
_SMILE_INDEX = [MOUTH_CORNERS[0], MOUTH_CORNERS[1], 13, 14]


def _smile_lift_xy(xy: list[list[float]], inter_eye: float, roll: float) -> float:
    """:func:`smile_lift` of the ``_SMILE_INDEX`` points as plain floats."""
    # Only the levelled y coordinates are needed: y' = sin(-roll) * x + cos(-roll) * y (the
    # rotation centre cancels in the difference). Plain floats: four points.
    c, s = math.cos(math.radians(-roll)), math.sin(math.radians(-roll))
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = xy
    lip_centre_y = (s * (x2 + x3) + c * (y2 + y3)) / 2.0
    corners_y = (s * (x0 + x1) + c * (y0 + y1)) / 2.0
    return float((lip_centre_y - corners_y) / (inter_eye + 1e-9))


#: The expression measures, in the order :func:`expression_features` returns them.
EXPRESSION_FEATURES = ("corner_lift", "mouth_width", "corner_nose", "upper_lip", "eye_aperture")


def expression_features(points: Coords, roll: float, eye_aperture: float) -> tuple[float, ...]:
    """Scale-, roll- and (mostly) pitch-free shape of the mouth and eyes (see the names above).

    Heights are measured along the face axis once the eye line is level, from the eye
    midpoint, and every one is divided by another length of the same face, so the image size,
    the face's own size and an up/down tilt (which shortens every height alike) cancel:

    - ``corner_lift``: how far the mouth corners sit above the lip centre, over the eye-to-lips
      height. A smile lifts the corners, with the lips closed or open.
    - ``mouth_width``: corner-to-corner width over the face width at the cheekbones (less
      person-dependent than the inter-eye distance); a smile stretches the mouth.
    - ``corner_nose``: corner height below the nose base over the nose-to-lips height; the
      corners rise towards the nose along the nasolabial folds.
    - ``upper_lip``: upper-lip height over the mouth width; a smile stretches it thin.
    - ``eye_aperture``: the eye aspect ratio; the cheeks raised by a smile narrow the eyes.
    """
    # Plain floats: a dozen numpy calls on 2-vectors cost more.
    return _expression_xy(points[_EXPRESSION_INDEX, :2].tolist(), roll, eye_aperture)


#: The points ``expression_features`` reads.
_EXPRESSION_INDEX = [RIGHT_IRIS, LEFT_IRIS, MOUTH_CORNERS[0], MOUTH_CORNERS[1], 13, 14, 0, 2,
                     234, 454]


def _expression_xy(xy: list[list[float]], roll: float, eye_aperture: float
                   ) -> tuple[float, ...]:
    """:func:`expression_features` of the ``_EXPRESSION_INDEX`` points as plain floats."""
    c, s = math.cos(math.radians(-roll)), math.sin(math.radians(-roll))
    ys = [s * x + c * y for x, y in xy]
    eye_y = (ys[0] + ys[1]) / 2.0
    corner_y = (ys[2] + ys[3]) / 2.0 - eye_y
    lips_y = (ys[4] + ys[5]) / 2.0 - eye_y
    nose_y = ys[7] - eye_y
    width = math.hypot(xy[3][0] - xy[2][0], xy[3][1] - xy[2][1]) + 1e-9
    face = math.hypot(xy[9][0] - xy[8][0], xy[9][1] - xy[8][1]) + 1e-9
    return ((lips_y - corner_y) / (lips_y + 1e-9), width / face,
            (corner_y - nose_y) / (lips_y - nose_y + 1e-9), (ys[4] - ys[6]) / width,
            eye_aperture)


def gaze_offset(points: Coords) -> float:
    """Largest horizontal iris offset from the eye-corner midpoint, as a fraction of eye width."""
    # Plain floats: a dozen numpy calls on 2-vectors cost more.
    return _gaze_offset_xy(points[_GAZE_INDEX, :2].tolist())


#: The points ``gaze_offset`` reads: each eye's corners and iris.
_GAZE_INDEX = [RIGHT_EAR[0], RIGHT_EAR[1], RIGHT_IRIS, LEFT_EAR[0], LEFT_EAR[1], LEFT_IRIS]


def _gaze_offset_xy(xy: list[list[float]]) -> float:
    """:func:`gaze_offset` of the ``_GAZE_INDEX`` points as plain floats."""
    offsets = []
    for (ax, ay), (bx, by), (ix, iy) in (xy[0:3], xy[3:6]):
        ux, uy = bx - ax, by - ay
        width = math.hypot(ux, uy) + 1e-9
        t = ((ix - (ax + bx) / 2.0) * ux + (iy - (ay + by) / 2.0) * uy) / width
        offsets.append(t / width)
    # Both irises move the same way when the gaze is averted; a squint moves them apart.
    return float(max(abs(o) for o in offsets))


@dataclass(frozen=True)
class CropBox:
    """A rotated crop: centre (x, y), size (w, h) in source pixels and the rotation in degrees."""

    cx: float
    cy: float
    width: float
    height: float
    angle: float

    def corner_points(self) -> list[tuple[float, float]]:
        """The four corners as plain floats (the same numbers as :meth:`corners`)."""
        hw, hh = self.width / 2.0, self.height / 2.0
        cx, cy = self.cx, self.cy
        c, s = math.cos(math.radians(self.angle)), math.sin(math.radians(self.angle))
        out = []
        # As ``rotate_points`` on the shifted rectangle: shift, back to the centre, rotate,
        # shift again (each step rounds as the array arithmetic does).
        for dx, dy in ((-hw, -hh), (hw, -hh), (hw, hh), (-hw, hh)):
            rx, ry = (dx + cx) - cx, (dy + cy) - cy
            out.append(((c * rx - s * ry) + cx, (s * rx + c * ry) + cy))
        return out

    def corners(self) -> Coords:
        """The four corners in source pixels (top-left, top-right, bottom-right, bottom-left)."""
        return np.array(self.corner_points())

    def outside_fraction(self, width: int, height: int) -> float:
        """How far the crop reaches outside a ``width`` x ``height`` frame (share of its size)."""
        xs, ys = zip(*self.corner_points(), strict=True)
        over_x = max(0.0, -min(xs), max(xs) - width) / self.width
        over_y = max(0.0, -min(ys), max(ys) - height) / self.height
        return float(max(over_x, over_y))


def distance(a: Coords, b: Coords) -> float:
    """Distance between two points' x and y (``math.hypot``: a tenth of ``np.linalg.norm``'s
    cost on two numbers, and these are read many times per live frame)."""
    return math.hypot(float(b[0]) - float(a[0]), float(b[1]) - float(a[1]))


def token_crop(chin: Coords, crown: Coords, eye_mid: Coords, roll: float,
               head_ratio: float, aspect: float = 35.0 / 45.0,
               top_margin: float | None = None) -> CropBox:
    """The crop whose chin-to-crown is ``head_ratio`` of its height, centred on the eyes.

    Along the face axis, the crown sits ``top_margin`` of the height below the top edge (by
    default the head is centred, equal margins above and below); across it, the box is centred
    on the eye midpoint. The box is rotated by the roll, so the eye line comes out level.
    """
    # Plain floats: a dozen numpy calls on 2-vectors cost more than the arithmetic (the same
    # operations in the same order, so the same numbers).
    chx, chy = float(chin[0]), float(chin[1])
    crx, cry = float(crown[0]), float(crown[1])
    head = math.hypot(crx - chx, cry - chy)
    height = head / head_ratio
    width = height * aspect
    if top_margin is None:
        top_margin = (1.0 - head_ratio) / 2.0
    ax, ay = (chx - crx) / (head + 1e-9), (chy - cry) / (head + 1e-9)
    across_x, across_y = ay, -ax
    along = height / 2.0 - top_margin * height
    acx, acy = crx + ax * along, cry + ay * along
    offset = (float(eye_mid[0]) - acx) * across_x + (float(eye_mid[1]) - acy) * across_y
    return CropBox(cx=acx + across_x * offset, cy=acy + across_y * offset, width=width,
                   height=height, angle=roll)


#: The points of :func:`face_shape`, in one gather: smile, expression, gaze.
_SHAPE_INDEX = [*_SMILE_INDEX, *_EXPRESSION_INDEX, *_GAZE_INDEX]
_SHAPE_PARTS = (slice(0, len(_SMILE_INDEX)),
                slice(len(_SMILE_INDEX), len(_SMILE_INDEX) + len(_EXPRESSION_INDEX)),
                slice(len(_SMILE_INDEX) + len(_EXPRESSION_INDEX), len(_SHAPE_INDEX)))


def face_shape(points: Coords, inter_eye: float, roll: float, eye_aperture: float
               ) -> tuple[float, float, float, tuple[float, ...]]:
    """``(smile_lift, mouth width in pixels, gaze_offset, expression_features)`` from one
    gather of their points (the same numbers as each function on its own; the live loop
    reads them all per frame, where each gather costs several microseconds)."""
    xy = points[_SHAPE_INDEX, :2].tolist()
    smile, expression, gaze = (xy[part] for part in _SHAPE_PARTS)
    (x0, y0), (x1, y1) = smile[0], smile[1]  # the mouth corners
    return (_smile_lift_xy(smile, inter_eye, roll), math.hypot(x1 - x0, y1 - y0),
            _gaze_offset_xy(gaze), _expression_xy(expression, roll, eye_aperture))
