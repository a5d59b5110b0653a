"""Face geometry from the 478-point mesh: eyes, pose, openness, crown and the token-photo crop."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

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


@dataclass(frozen=True)
class Pose:
    """Head pose in degrees: yaw (left/right), pitch (up/down) and roll (in-plane)."""

    yaw: float
    pitch: float
    roll: float


def eye_centres(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Iris centres (x, y) in pixels: the subject's right eye first (image left)."""
    return points[RIGHT_IRIS, :2].copy(), points[LEFT_IRIS, :2].copy()


def roll_degrees(right_eye: np.ndarray, left_eye: np.ndarray) -> float:
    """In-plane rotation of the eye line; positive when the image-right eye is lower."""
    dx, dy = left_eye - right_eye
    return math.degrees(math.atan2(dy, dx))


#: Rigid landmarks (eye corners, nose bridge, forehead, cheekbones) whose best-fit plane gives
#: a steadier pitch than any two landmark vectors: jaw and chin shapes vary too much.
RIGID = [33, 133, 362, 263, 168, 6, 197, 195, 5, 4, 1, 10, 151, 9, 8, 234, 454, 93, 323, 127, 356]


def _wrap(degrees: float) -> float:
    return (degrees + 180.0) % 360.0 - 180.0


def head_pose(points: np.ndarray, pitch_offset: float) -> Pose:
    """Yaw from the mesh's own 3-D face plane, pitch from a rigid-landmark plane, roll from eyes.

    ``cv2.solvePnP`` against a generic 3-D face showed a large pitch bias on this mesh. The
    normal of (eye-corner line) x (forehead-chin line) is symmetric in yaw (spread 2.9 deg on
    frontal studio portraits); for pitch, the normal of the plane fitted to rigid landmarks
    spreads less (3.0 deg against 5.0) but is tilted by a constant, calibrated as
    ``pitch_offset`` on frontal portraits.
    """
    roll = roll_degrees(*eye_centres(points))
    c, s = math.cos(math.radians(-roll)), math.sin(math.radians(-roll))

    def level(n: np.ndarray) -> tuple[float, float, float]:
        # Level the eye line first, so that a rolled head does not leak into yaw and pitch.
        n = n / (np.linalg.norm(n) + 1e-9)
        if n[2] < 0:  # the mesh z axis points away from the camera; face the normal that way
            n = -n
        return c * n[0] - s * n[1], s * n[0] + c * n[1], n[2]

    across = points[EYE_OUTER[1]] - points[EYE_OUTER[0]]
    down = points[CHIN] - points[FOREHEAD]
    nx, _, nz = level(np.cross(across, down))
    yaw = math.degrees(math.atan2(nx, nz))
    rigid = points[RIGID] - points[RIGID].mean(axis=0)
    _, _, vt = np.linalg.svd(rigid, full_matrices=False)
    _, py, pz = level(vt[2])
    pitch = _wrap(math.degrees(math.atan2(py, pz)) - pitch_offset)
    return Pose(yaw=yaw, pitch=pitch, roll=roll)


EarSpec = tuple[int, int, tuple[int, int], tuple[int, int]]


def eye_openness(points: np.ndarray, spec: EarSpec) -> float:
    """Eye aspect ratio: mean lid gap over the corner-to-corner width (open ≈ 0.25-0.35)."""
    outer, inner, (u1, l1), (u2, l2) = spec
    width = np.linalg.norm(points[outer, :2] - points[inner, :2]) + 1e-9
    gap = (np.linalg.norm(points[u1, :2] - points[l1, :2])
           + np.linalg.norm(points[u2, :2] - points[l2, :2]))
    return float(gap / (2.0 * width))


def mouth_gap(points: np.ndarray) -> float:
    """Largest inner-lip gap over the mouth width (closed ≈ 0-0.03)."""
    width = np.linalg.norm(points[MOUTH_CORNERS[0], :2] - points[MOUTH_CORNERS[1], :2]) + 1e-9
    gaps = [np.linalg.norm(points[u, :2] - points[lo, :2]) for u, lo in INNER_LIP_PAIRS]
    return float(max(gaps) / width)


def rotate_points(points: np.ndarray, centre: np.ndarray, degrees: float) -> np.ndarray:
    """Rotate 2-D points about ``centre`` by ``degrees`` (image coordinates, y down)."""
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    rel = points[..., :2] - centre
    out = np.empty_like(rel)
    out[..., 0] = c * rel[..., 0] - s * rel[..., 1]
    out[..., 1] = s * rel[..., 0] + c * rel[..., 1]
    return out + centre


def smile_lift(points: np.ndarray, inter_eye: float, roll: float) -> float:
    """How far the mouth corners sit above the lip centre, in inter-eye units (eye line level).

    A neutral mouth has its corners level with or below the centre of the lips; a smile lifts
    them.
    """
    centre = (points[CHIN, :2] + points[FOREHEAD, :2]) / 2.0
    idx = [MOUTH_CORNERS[0], MOUTH_CORNERS[1], 13, 14]
    lvl = rotate_points(points[idx, :2], centre, -roll)
    lip_centre_y = (lvl[2, 1] + lvl[3, 1]) / 2.0
    corners_y = (lvl[0, 1] + lvl[1, 1]) / 2.0
    return float((lip_centre_y - corners_y) / (inter_eye + 1e-9))


def gaze_offset(points: np.ndarray) -> float:
    """Largest horizontal iris offset from the eye-corner midpoint, as a fraction of eye width."""
    offsets = []
    for (outer, inner, *_), iris in ((RIGHT_EAR, RIGHT_IRIS), (LEFT_EAR, LEFT_IRIS)):
        a, b = points[outer, :2], points[inner, :2]
        axis = b - a
        width = np.linalg.norm(axis) + 1e-9
        t = float(np.dot(points[iris, :2] - (a + b) / 2.0, axis) / width)
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

    def corners(self) -> np.ndarray:
        """The four corners in source pixels (top-left, top-right, bottom-right, bottom-left)."""
        hw, hh = self.width / 2.0, self.height / 2.0
        rect = np.array([[-hw, -hh], [hw, -hh], [hw, hh], [-hw, hh]]) + [self.cx, self.cy]
        return rotate_points(rect, np.array([self.cx, self.cy]), self.angle)

    def outside_fraction(self, width: int, height: int) -> float:
        """How far the crop reaches outside a ``width`` x ``height`` frame (share of its size)."""
        c = self.corners()
        over_x = max(0.0, -c[:, 0].min(), c[:, 0].max() - width) / self.width
        over_y = max(0.0, -c[:, 1].min(), c[:, 1].max() - height) / self.height
        return float(max(over_x, over_y))


def token_crop(chin: np.ndarray, crown: np.ndarray, eye_mid: np.ndarray, roll: float,
               head_ratio: float, aspect: float = 35.0 / 45.0,
               top_margin: float | None = None) -> CropBox:
    """The crop whose chin-to-crown is ``head_ratio`` of its height, centred on the eyes.

    Along the face axis, the crown sits ``top_margin`` of the height below the top edge (by
    default the head is centred, equal margins above and below); across it, the box is centred
    on the eye midpoint. The box is rotated by the roll, so the eye line comes out level.
    """
    head = float(np.linalg.norm(chin - crown))
    height = head / head_ratio
    width = height * aspect
    if top_margin is None:
        top_margin = (1.0 - head_ratio) / 2.0
    axis = (chin - crown) / (head + 1e-9)
    across = np.array([axis[1], -axis[0]])
    along_centre = crown + axis * (height / 2.0 - top_margin * height)
    offset = float(np.dot(eye_mid - along_centre, across))
    centre = along_centre + across * offset
    return CropBox(cx=float(centre[0]), cy=float(centre[1]), width=width, height=height, angle=roll)
