"""A neutral expression for the simulated citizen: close the lips and relax a smile.

The bundled public-domain portrait (scikit-image's astronaut) smiles with parted lips, which no
passport photo may show. A person at the kiosk would close their mouth when asked; the simulator
does the same to the portrait with a piecewise-affine warp driven by the face mesh: the lower lip
moves up onto the upper lip, and the mouth corners move down to the lips' centre line and a
little inwards. Everything else (eyes, nose, face outline, background) is held in place. The
displacement is a smooth thin-plate field through the landmarks, so nothing folds over.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

# Face-mesh indices (MediaPipe canonical face model).
INNER_UPPER = (78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308)
INNER_LOWER = (78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308)
OUTER_LOWER = (61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291)
LIP_POINTS = set(INNER_UPPER) | set(INNER_LOWER) | set(OUTER_LOWER) | {
    185, 40, 39, 37, 0, 267, 269, 270, 409}
#: Points that must not move: the face outline, eyes, brows, nose.
FACE_OVAL = (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378,
             400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54,
             103, 67, 109)
STILL = FACE_OVAL + (33, 133, 362, 263, 1, 4, 5, 195, 168, 98, 327, 2)

#: A BGR portrait.
Image = NDArray[np.uint8]
#: Face-mesh landmarks in pixels, shape (478, 2).
Points = NDArray[np.float64]


def mouth_targets(points: Points, inward: float = 0.10, overlap: float = 0.0) -> Points:
    """Where the lip landmarks go for a closed, neutral mouth (other points unchanged).

    Args:
        points: Face-mesh landmarks in pixels, shape (478, 2).
        inward: How far each corner moves towards the mouth centre, as a share of the width.
        overlap: How far past the upper lip's inner edge the lower lip rises, as a share of
            the gap: closed lips press together and hide the teeth.
    """
    target = points.copy()
    # Close the lips: every inner lower point rises past its upper partner; the outer lower
    # lip follows by the same amount (the chin stays, so the skin between them stretches).
    lift = {lower: (points[lower, 1] - points[upper, 1]) * (1.0 + overlap)
            for upper, lower in zip(INNER_UPPER, INNER_LOWER, strict=True)}
    for lower, dy in lift.items():
        target[lower, 1] -= dy
    for outer, inner in zip(OUTER_LOWER, INNER_LOWER, strict=True):
        target[outer, 1] -= lift[inner]
    # Relax the smile: flatten the lips' upward curve. Each lip point goes down (and in) in
    # proportion to its squared distance from the mouth's centre, so the corners drop most
    # and no point crosses its neighbour.
    centre_x = (points[61, 0] + points[291, 0]) / 2.0
    half_width = abs(points[291, 0] - points[61, 0]) / 2.0 + 1e-9
    lip_centre_y = (points[13, 1] + points[14, 1]) / 2.0
    corner_lift = lip_centre_y - (points[61, 1] + points[291, 1]) / 2.0
    drop = max(0.0, corner_lift) + 0.03 * half_width
    for index in LIP_POINTS:
        weight = min(1.0, ((points[index, 0] - centre_x) / half_width) ** 2)
        target[index, 1] += drop * weight
        target[index, 0] += (centre_x - points[index, 0]) * inward * weight
    return target


#: Points below the mouth that hold the chin in place.
CHIN = (152, 175, 199)


def neutralise_mouth(bgr: Image, points: Points, step: int = 4) -> Image:
    """The portrait with a closed, neutral mouth (``points``: mesh landmarks in pixels)."""
    target = mouth_targets(points)
    moving = sorted(LIP_POINTS)
    fixed = sorted(set(STILL) | set(CHIN))
    # Backward map: each output pixel near a moved landmark samples the input where that
    # landmark was, so the field is defined at the targets with value (source - target).
    # A ring of still points around the mouth keeps the thin-plate field from overshooting
    # into the cheeks and chin.
    centre = points[[61, 291]].mean(axis=0)
    radius = 1.4 * np.linalg.norm(points[291] - points[61])
    angles = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    ring = centre + radius * np.column_stack([np.cos(angles), 0.8 * np.sin(angles)])
    still = np.vstack([points[fixed], ring])
    where = np.vstack([target[moving], still])
    shift = np.vstack([points[moving] - target[moving], np.zeros((len(still), 2))])
    # Imported here: scipy.interpolate takes half a second to import, and only this warp,
    # done once per process in the background, needs it.
    from scipy.interpolate import RBFInterpolator

    field = RBFInterpolator(where, shift, kernel="thin_plate_spline", smoothing=1.0)
    x0, y0 = np.floor(points[list(FACE_OVAL)].min(axis=0)).astype(int)
    x1, y1 = np.ceil(points[list(FACE_OVAL)].max(axis=0)).astype(int)
    h, w = bgr.shape[:2]
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    # Evaluate on a coarse grid and upsample: the field is smooth.
    gx, gy = np.meshgrid(np.arange(x0, x1, step), np.arange(y0, y1, step))
    coarse = field(np.column_stack([gx.ravel(), gy.ravel()])).reshape(*gx.shape, 2)
    dense = cv2.resize(coarse.astype(np.float32), (x1 - x0, y1 - y0),
                       interpolation=cv2.INTER_CUBIC)
    # Fade the field out towards the crop's edge so the face outline cannot tear.
    fade = np.outer(_ramp(y1 - y0), _ramp(x1 - x0))[:, :, None].astype(np.float32)
    dense *= fade
    xs, ys = np.meshgrid(np.arange(x0, x1, dtype=np.float32), np.arange(y0, y1, dtype=np.float32))
    out = bgr.copy()
    out[y0:y1, x0:x1] = cv2.remap(bgr, xs + dense[:, :, 0], ys + dense[:, :, 1],
                                  cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)
    return out


def neutral_expression(bgr: Image) -> Image:
    """The portrait with its mouth closed and its smile relaxed (unchanged if no face is found)."""
    points = face_mesh_points(bgr)
    if points is None:
        return bgr
    closed = neutralise_mouth(bgr, points)
    after = face_mesh_points(closed)
    return closed if after is None else cover_teeth(closed, after)


def face_mesh_points(bgr: Image) -> Points | None:
    """The 478 face-mesh landmarks in pixels, or None without a face."""
    from kiosk.photo.mediapipe_solutions import solutions

    h, w = bgr.shape[:2]
    with solutions().face_mesh.FaceMesh(static_image_mode=True, refine_landmarks=True,
                                         max_num_faces=1) as mesh:
        faces = mesh.process(np.ascontiguousarray(bgr[:, :, ::-1])).multi_face_landmarks
    if not faces:
        return None
    return np.array([(point.x * w, point.y * h) for point in faces[0].landmark])


def cover_teeth(bgr: Image, points: Points) -> Image:
    """Paint what still shows between the lips with lip colour and a thin line where they meet.

    ``points`` are the mesh landmarks found on ``bgr`` (after the warp has nearly closed it).
    """
    inner = np.vstack([points[list(INNER_UPPER)], points[list(INNER_LOWER)][::-1]])
    outer_band = np.vstack([points[[61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291]],
                            points[[409, 270, 269, 267, 0, 37, 39, 40, 185]]])
    h, w = bgr.shape[:2]
    lips = np.zeros((h, w), np.uint8)
    cv2.fillPoly(lips, [np.round(outer_band).astype(np.int32)], (255,))
    hole = np.zeros((h, w), np.uint8)
    cv2.fillPoly(hole, [np.round(inner).astype(np.int32)], (255,))
    gap = np.asarray(cv2.dilate(hole, np.ones((3, 3), np.uint8)), dtype=np.uint8)
    band = (lips > 0) & (gap == 0)
    if not band.any():
        return bgr
    colour = np.median(bgr[band], axis=0)
    out = bgr.astype(np.float32)
    alpha = cv2.GaussianBlur(gap.astype(np.float32) / 255.0, (5, 5), 0)[:, :, None]
    out = out * (1 - alpha) + colour * alpha
    # Closed lips meet in a thin, darker line from corner to corner.
    seam = (points[list(INNER_UPPER)] + points[list(INNER_LOWER)]) / 2.0
    seam_line = np.zeros((h, w), np.float32)
    cv2.polylines(seam_line, [np.round(seam).astype(np.int32)], False, (1.0,), 1, cv2.LINE_AA)
    line = np.asarray(cv2.GaussianBlur(seam_line, (3, 3), 0), dtype=np.float32)[:, :, None]
    out = out * (1 - 0.45 * line)
    return np.asarray(np.clip(out, 0, 255), dtype=np.uint8)


def _ramp(n: int) -> NDArray[np.float64]:
    edge = max(1, n // 8)
    ramp = np.ones(n)
    ramp[:edge] = np.linspace(0, 1, edge)
    ramp[-edge:] = np.linspace(1, 0, edge)
    return ramp
