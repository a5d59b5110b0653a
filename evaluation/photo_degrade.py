"""Controlled degradations of compliant face photos, each with the defect code it must raise.

Used by ``evaluation/photo_generalise.py``. Everything is made in memory from the labelled
photos in ../shared/data/faces (never written into the repository). Each degradation is drawn
relative to the face mesh of the untouched photo (eye centres, face oval, mouth, chin), so it
lands on the face whatever the image size. Only defects that can be drawn honestly are made:
no expression is faked by warping (the real smiling photos of the set are used instead).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

Image = NDArray[np.uint8]
Points = NDArray[np.float64]

#: Face-mesh indices used to place the drawings (see kiosk/photo/geometry.py).
_OVAL = [10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400,
         377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109]
_RIGHT_IRIS, _LEFT_IRIS, _CHIN, _FOREHEAD, _NOSE_TIP = 468, 473, 152, 10, 1


@dataclass(frozen=True)
class Degradation:
    """One controlled change: its name, the code it must raise (``None``: must stay compliant)
    and the function that makes it from an image and its mesh points (source pixels)."""

    name: str
    code: str | None
    make: Callable[[Image, Points], Image]


def _frame(points: Points) -> tuple[NDArray[np.float64], NDArray[np.float64], float]:
    """Eye midpoint, unit vector along the eye line (towards the image right) and the IED."""
    right, left = points[_RIGHT_IRIS, :2], points[_LEFT_IRIS, :2]
    d = left - right
    ied = float(np.hypot(*d))
    return (right + left) / 2.0, d / (ied + 1e-9), ied


def side_light(strength: float, angle_deg: float) -> Callable[[Image, Points], Image]:
    """Light from one side of the face: a gain that falls linearly across the face from
    1 + strength/2 on the lit side to 1 - strength on the other, along ``angle_deg`` from
    the eye line (0: lit from the image left, 180: from the image right, -40: from the upper
    left...). The ramp spans the face oval and is applied over the head only (a soft ellipse
    round the oval), so that the background is left as it was."""

    def make(image: Image, points: Points) -> Image:
        mid, ex, ied = _frame(points)
        ey = np.array([-ex[1], ex[0]])
        a = math.radians(angle_deg)
        direction = math.cos(a) * ex + math.sin(a) * ey  # from the lit side to the dark side
        oval = points[_OVAL, :2]
        proj = (oval - mid) @ direction
        lo, hi = float(proj.min()), float(proj.max())
        h, w = image.shape[:2]
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        t = ((xx - mid[0]) * direction[0] + (yy - mid[1]) * direction[1] - lo) / (hi - lo)
        t = np.clip(t, 0.0, 1.0)
        gain = (1.0 + strength / 2.0) * (1.0 - t) + (1.0 - strength) * t
        head = np.zeros((h, w), np.uint8)
        hull = cv2.convexHull(np.round(oval).astype(np.int32))
        cv2.fillConvexPoly(head, hull, (255,))
        grow = max(3, int(0.5 * ied)) | 1
        head = cv2.dilate(head, np.ones((grow, grow), np.uint8))
        weight = cv2.GaussianBlur(head.astype(np.float32) / 255.0, (0, 0), 0.25 * ied)
        gain = 1.0 + (gain - 1.0) * weight
        out = image.astype(np.float32) * gain[..., None]
        return np.clip(out, 0, 255).astype(np.uint8)

    return make


def hat(colour: tuple[int, int, int], brim: bool) -> Callable[[Image, Points], Image]:
    """A hat: a filled dome over the whole top of the head, from above the crown down onto
    the upper forehead (and a brim across the forehead when ``brim``), in ``colour`` with a
    little shading so that it is not flat."""

    def make(image: Image, points: Points) -> Image:
        mid, ex, ied = _frame(points)
        ey = np.array([-ex[1], ex[0]])  # image down for an upright face
        out = image.copy()
        oval = points[_OVAL, :2]
        half = 0.5 * float(np.ptp((oval - mid) @ ex)) + 0.25 * ied
        edge = mid - ey * 0.55 * ied  # the lower edge: across the upper forehead
        axes = (int(half), int(2.0 * ied))  # the top about 2.5 IED above the eyes
        angle = math.degrees(math.atan2(ex[1], ex[0]))
        mask = np.zeros(image.shape[:2], np.uint8)
        cv2.ellipse(mask, (int(edge[0]), int(edge[1])), axes, angle, 180, 360, (255,), -1)
        if brim:
            p0, p1 = edge - ex * 1.3 * half, edge + ex * 1.3 * half
            q1, q0 = p1 + ey * 0.22 * ied, p0 + ey * 0.22 * ied
            cv2.fillPoly(mask, [np.round([p0, p1, q1, q0]).astype(np.int32)], (255,))
        h, w = image.shape[:2]
        rows = np.arange(h, dtype=np.float32)[:, None]
        shade = 0.8 + 0.2 * np.clip((rows - (edge[1] - axes[1])) / (axes[1] + 1), 0, 1)
        fill = np.array(colour, np.float32)[None, None, :] * shade[..., None]
        sel = mask > 0
        out[sel] = np.clip(np.broadcast_to(fill, (h, w, 3))[sel], 0, 255).astype(np.uint8)
        return out

    return make


def hand(image: Image, points: Points) -> Image:
    """A hand over the mouth and chin: the subject's own cheek colour, a little darker, with
    three finger gaps and a soft shadow along its upper edge."""
    mid, ex, ied = _frame(points)
    ey = np.array([-ex[1], ex[0]])
    out = image.astype(np.float32)
    nose = points[_NOSE_TIP, :2]
    chin = points[_CHIN, :2]
    cheek = points[205, :2]
    r = max(2, int(0.08 * ied))
    x0, y0 = int(cheek[0]), int(cheek[1])
    skin = image[max(0, y0 - r):y0 + r, max(0, x0 - r):x0 + r].reshape(-1, 3).mean(axis=0)
    centre = (nose + chin) / 2.0 + ey * 0.15 * ied + ex * 0.2 * ied
    axes = (int(0.95 * ied), int(0.55 * ied))
    angle = math.degrees(math.atan2(ex[1], ex[0])) - 10.0
    mask = np.zeros(image.shape[:2], np.uint8)
    cv2.ellipse(mask, (int(centre[0]), int(centre[1])), axes, angle, 0, 360, (255,), -1)
    soft = cv2.GaussianBlur(mask.astype(np.float32) / 255.0, (0, 0), max(1.0, 0.03 * ied))
    colour = skin * 0.92
    out = out * (1 - soft[..., None]) + colour[None, None, :] * soft[..., None]
    # Finger gaps: darker lines across the hand, along the face axis.
    gaps = np.zeros(image.shape[:2], np.uint8)
    for k in (-0.45, -0.15, 0.15, 0.45):
        a = centre + ex * k * ied - ey * 0.45 * ied
        b = centre + ex * k * ied + ey * 0.45 * ied
        cv2.line(gaps, (int(a[0]), int(a[1])), (int(b[0]), int(b[1])), (255,),
                 max(1, int(0.03 * ied)))
    gaps = cv2.GaussianBlur((gaps & mask).astype(np.float32) / 255.0, (0, 0),
                            max(1.0, 0.01 * ied))
    out *= 1.0 - 0.35 * gaps[..., None]
    # The hand's shadow on the face just above it.
    shadow = cv2.GaussianBlur(np.roll(mask, -int(0.12 * ied), axis=0).astype(np.float32) / 255,
                              (0, 0), max(1.0, 0.06 * ied))
    out *= 1.0 - 0.3 * np.clip(shadow - soft, 0, 1)[..., None]
    return np.clip(out, 0, 255).astype(np.uint8)


def glare(image: Image, points: Points) -> Image:
    """Glasses with reflections: thin dark rims round both eyes and a bright specular blob
    on each lens (a lamp reflected), the blob clipped white at its centre."""
    _, ex, ied = _frame(points)
    out = image.astype(np.float32)
    angle = math.degrees(math.atan2(ex[1], ex[0]))
    rims = np.zeros(image.shape[:2], np.uint8)
    blobs = np.zeros(image.shape[:2], np.float32)
    for idx in (_RIGHT_IRIS, _LEFT_IRIS):
        c = points[idx, :2]
        cv2.ellipse(rims, (int(c[0]), int(c[1])), (int(0.42 * ied), int(0.3 * ied)), angle, 0,
                    360, (255,), max(1, int(0.04 * ied)))
        b = c + np.array([-0.1, -0.08]) * ied
        cv2.ellipse(blobs, (int(b[0]), int(b[1])), (int(0.2 * ied), int(0.12 * ied)),
                    angle - 20, 0, 360, (1.0,), -1)
    a, b = points[133, :2], points[362, :2]
    cv2.line(rims, (int(a[0]), int(a[1])), (int(b[0]), int(b[1])), (255,),
             max(1, int(0.04 * ied)))
    out[rims > 0] *= 0.25
    blobs = cv2.GaussianBlur(blobs, (0, 0), max(1.0, 0.04 * ied))
    out = out + blobs[..., None] * 400.0
    return np.clip(out, 0, 255).astype(np.uint8)


def crop_chin(image: Image, points: Points) -> Image:
    """The frame cut just below the mouth: the chin is outside."""
    y = int((points[14, 1] + points[_CHIN, 1]) / 2.0)
    return np.ascontiguousarray(image[:y])


def crop_side(image: Image, points: Points) -> Image:
    """The frame cut through the face at the outer corner of one eye."""
    x = int(points[33, 0])
    return np.ascontiguousarray(image[:, x:])


def crop_top(image: Image, points: Points) -> Image:
    """The frame cut through the forehead, just above the brows."""
    _, _, ied = _frame(points)
    y = max(0, int(points[_RIGHT_IRIS, 1] - 0.55 * ied))
    return np.ascontiguousarray(image[y:])


def crop_tight_ok(image: Image, points: Points) -> Image:
    """A tighter but still sufficient frame: the head with about a head's width each side and
    half a head above and below (must stay compliant)."""
    _, _, ied = _frame(points)
    cx, cy = points[_NOSE_TIP, 0], points[_NOSE_TIP, 1]
    h, w = image.shape[:2]
    x0, x1 = max(0, int(cx - 3.2 * ied)), min(w, int(cx + 3.2 * ied))
    y0, y1 = max(0, int(cy - 4.2 * ied)), min(h, int(cy + 3.6 * ied))
    return np.ascontiguousarray(image[y0:y1, x0:x1])


def rescale(factor: float) -> Callable[[Image, Points], Image]:
    """The whole frame resized by ``factor`` (area averaging down, cubic up)."""

    def make(image: Image, points: Points) -> Image:
        inter = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
        return np.asarray(cv2.resize(image, None, fx=factor, fy=factor, interpolation=inter),
                          np.uint8)

    return make


def to_ied(target: float) -> Callable[[Image, Points], Image]:
    """The frame resized so that the eyes are ``target`` px apart."""

    def make(image: Image, points: Points) -> Image:
        return rescale(target / _frame(points)[2])(image, points)

    return make


#: Every degradation drawn from a compliant photo, with the code it must raise.
DEGRADATIONS: tuple[Degradation, ...] = (
    Degradation("light_left_strong", "uneven_lighting", side_light(0.6, 0.0)),
    Degradation("light_right_strong", "uneven_lighting", side_light(0.6, 180.0)),
    Degradation("light_left_medium", "uneven_lighting", side_light(0.45, 0.0)),
    Degradation("light_right_medium", "uneven_lighting", side_light(0.45, 180.0)),
    Degradation("light_upper_left", "uneven_lighting", side_light(0.6, -40.0)),
    Degradation("light_lower_right", "uneven_lighting", side_light(0.6, 140.0)),
    Degradation("hat_dark_dome", "head_covering", hat((40, 40, 45), brim=False)),
    Degradation("cap_navy_brim", "head_covering", hat((90, 40, 20), brim=True)),
    Degradation("hat_beige_brim", "head_covering", hat((150, 180, 200), brim=True)),
    Degradation("hand_over_mouth", "occlusion", hand),
    Degradation("glasses_glare", "glasses_glare", glare),
    Degradation("cut_below_mouth", "face_cut_off", crop_chin),
    Degradation("cut_through_eye", "face_cut_off", crop_side),
    Degradation("cut_through_forehead", "face_cut_off", crop_top),
    Degradation("low_resolution_ied60", "low_resolution", to_ied(60.0)),
    # Controls: changes that must not make a compliant photo fail.
    Degradation("mild_side_light", None, side_light(0.08, 0.0)),
    Degradation("tight_crop", None, crop_tight_ok),
    Degradation("resized_ied110", None, to_ied(110.0)),
    Degradation("upscaled_x1.5", None, rescale(1.5)),
)
