"""Same finger or not: cylinder-code pairs as alignment hypotheses, then global consolidation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

from kiosk.fingerprint.measures import Analysis, analyse
from kiosk.fingerprint.quality import NATIVE_PPI, to_native

#: Cylinder radius in pixels and its cells across (spatial) and around (directional).
RADIUS = 70.0
CELLS = 10
DIRECTIONS = 6
#: Spread of a neighbour's spatial and directional contribution.
SIGMA_S = 28.0 / 3.0
SIGMA_D = np.pi / 9.0
#: Sigmoid that turns summed contributions into a cell value.
MU_PSI, TAU_PSI = 0.01, 400.0
#: A cylinder needs this share of valid cells (inside the finger) to count.
MIN_VALID = 0.6
#: Alignment hypotheses tried: the most similar cylinder pairs, each taken as a correspondence.
HYPOTHESES = 12
#: Once aligned, two minutiae pair up within this distance (px) and orientation difference.
PAIR_DISTANCE = 10.0
PAIR_ANGLE = np.radians(25.0)
#: ... and their directions differ by less than this: only "not the opposite way", as the
#: direction comes from a few skeleton pixels; it still keeps out many chance pairs.
PAIR_DIRECTION = np.pi / 2
#: Fewer minutiae than this in the common area count as this many (few minutiae prove little).
MIN_COMMON = 12
#: Sampling step of the orientation field kept in a template, in pixels.
FIELD_STEP = 8
#: Power of the orientation agreement (cos 2 delta, mean over the overlap) in the score.
FIELD_POWER = 8
#: Fewer overlapping field samples than this: the alignment is not trusted (score 0).
MIN_OVERLAP = 20

_STEP = 2 * RADIUS / CELLS
_GRID = (np.arange(CELLS) - (CELLS - 1) / 2) * _STEP
_CX, _CY = (axis.ravel() for axis in np.meshgrid(_GRID, _GRID))
_IN_RADIUS = np.hypot(_CX, _CY) <= RADIUS
_BIN_ANGLES = -np.pi / 2 + (np.arange(DIRECTIONS) + 0.5) * np.pi / DIRECTIONS
#: Cell order of a cylinder turned by half a turn (the grid is point-symmetric).
_FLIP = np.arange(CELLS * CELLS * DIRECTIONS).reshape(CELLS * CELLS, DIRECTIONS)[::-1].ravel()


@dataclass(frozen=True)
class Template:
    """What a comparison needs of one impression.

    Attributes:
        points: (n, 2) minutia positions (x, y) in pixels.
        angles: (n,) minutia orientations in radians [0, pi).
        cylinders: (n, cells) cylinder values, zero where a cell is invalid.
        valid: (n, cells) 1.0 where a cell lies inside the finger, else 0.0.
        field: Ridge orientation sampled every FIELD_STEP pixels.
        field_mask: Where ``field`` lies on the finger.
        directions: (n,) which way the ridge leaves each minutia, radians [0, 2 pi).
    """

    points: NDArray[np.float64]
    angles: NDArray[np.float64]
    cylinders: NDArray[np.float32]
    valid: NDArray[np.float32]
    field: NDArray[np.float32]
    field_mask: NDArray[np.bool_]
    directions: NDArray[np.float64]

    def __len__(self) -> int:
        return int(self.angles.size)


def template_from_analysis(analysis: Analysis) -> Template:
    """The template of an already analysed image."""
    minutiae = analysis.minutiae
    points = np.stack([minutiae.x, minutiae.y], axis=1).astype(np.float64).reshape(-1, 2)
    angles = minutiae.angle.astype(np.float64)
    cylinders, valid = _cylinders(points, angles, analysis.view.pixel_mask)
    field = analysis.orientation[::FIELD_STEP, ::FIELD_STEP].astype(np.float32)
    field_mask = analysis.view.pixel_mask[::FIELD_STEP, ::FIELD_STEP].copy()
    directions = minutiae.direction.astype(np.float64)
    for array in (points, angles, cylinders, valid, field, field_mask, directions):
        array.setflags(write=False)
    return Template(points, angles, cylinders, valid, field, field_mask, directions)


def extract_template(pixels: NDArray[np.uint8], ppi: float = NATIVE_PPI) -> Template:
    """Analyse an image and return its template."""
    return template_from_analysis(analyse(to_native(pixels, ppi)))


def _wrap(angle: NDArray[np.float64]) -> NDArray[np.float64]:
    """Angle difference folded to [-pi, pi)."""
    folded: NDArray[np.float64] = (angle + np.pi) % (2 * np.pi) - np.pi
    return folded


def _wrap_half(angle: NDArray[np.float64]) -> NDArray[np.float64]:
    """Difference of undirected orientations folded to [-pi/2, pi/2)."""
    folded: NDArray[np.float64] = (angle + np.pi / 2) % np.pi - np.pi / 2
    return folded


def _cylinders(
    points: NDArray[np.float64], angles: NDArray[np.float64], mask: NDArray[np.bool_]
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """Cylinder values and cell validity of every minutia, all at once."""
    n = angles.size
    size = CELLS * CELLS * DIRECTIONS
    if n == 0:
        return np.zeros((0, size), np.float32), np.zeros((0, size), np.float32)
    cos, sin = np.cos(angles)[:, None], np.sin(angles)[:, None]
    # Cell centres in image coordinates: the grid turned with the minutia's direction.
    px = points[:, :1] + cos * _CX[None] - sin * _CY[None]
    py = points[:, 1:] + sin * _CX[None] + cos * _CY[None]
    height, width = mask.shape
    inside = (px >= 0) & (px < width) & (py >= 0) & (py < height)
    xi = np.clip(np.round(px).astype(int), 0, width - 1)
    yi = np.clip(np.round(py).astype(int), 0, height - 1)
    valid_cells = inside & mask[yi, xi] & _IN_RADIUS[None]
    dx = px[:, :, None] - points[None, None, :, 0]
    dy = py[:, :, None] - points[None, None, :, 1]
    spatial = np.exp(-(dx * dx + dy * dy) / (2 * SIGMA_S**2)) / (SIGMA_S * np.sqrt(2 * np.pi))
    spatial *= ~np.eye(n, dtype=bool)[:, None, :]  # a minutia does not count in its own cylinder
    relative = _wrap_half(angles[None, :] - angles[:, None])
    gap = _wrap_half(_BIN_ANGLES[None, None, :] - relative[:, :, None])
    directional = np.exp(-(gap**2) / (2 * SIGMA_D**2))
    directional *= (np.pi / DIRECTIONS) / (SIGMA_D * np.sqrt(2 * np.pi))
    summed = np.einsum("icm,imk->ick", spatial, directional)
    values = 1.0 / (1.0 + np.exp(-TAU_PSI * (summed - MU_PSI)))
    valid = np.repeat(valid_cells[:, :, None], DIRECTIONS, axis=2)
    usable = valid_cells.sum(axis=1) >= MIN_VALID * _IN_RADIUS.sum()
    valid &= usable[:, None, None]
    cylinders = np.where(valid, values, 0.0).reshape(n, size).astype(np.float32)
    return cylinders, valid.reshape(n, size).astype(np.float32)


def _similarities(a: Template, b: Template) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """(n_a, n_b) cylinder similarities, and whether b's minutia is taken turned by pi.

    Minutiae carry an orientation, not a direction (which end a ridge flows to is easily
    misjudged), so each pair is compared both ways round and keeps the better.
    """
    straight = _similarity(a.cylinders, a.valid, b.cylinders, b.valid)
    turned = _similarity(a.cylinders, a.valid, b.cylinders[:, _FLIP], b.valid[:, _FLIP])
    return np.maximum(straight, turned), turned > straight


def _similarity(
    a_cylinders: NDArray[np.float32],
    a_valid: NDArray[np.float32],
    b_cylinders: NDArray[np.float32],
    b_valid: NDArray[np.float32],
) -> NDArray[np.float64]:
    """Cylinder similarity over the cells valid in both, 0 when too few are."""
    both = a_valid @ b_valid.T
    aa = (a_cylinders * a_cylinders) @ b_valid.T
    bb = a_valid @ (b_cylinders * b_cylinders).T
    ab = a_cylinders @ b_cylinders.T
    norms = np.sqrt(aa) + np.sqrt(bb)
    distance = np.sqrt(np.maximum(aa + bb - 2 * ab, 0.0))
    enough = (both >= MIN_VALID * DIRECTIONS * _IN_RADIUS.sum()) & (norms > 0)
    similarity: NDArray[np.float64]
    similarity = np.where(enough, 1.0 - distance / np.maximum(norms, 1e-9), 0.0)
    return similarity


def _pairs(
    a: Template, b: Template, rotation: NDArray[np.float64], shift: NDArray[np.float64]
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """One-to-one minutia pairs that agree in place and orientation once b is moved onto a."""
    moved = b.points @ rotation.T + shift
    turn = np.arctan2(rotation[1, 0], rotation[0, 0])
    distance = np.hypot(
        moved[None, :, 0] - a.points[:, None, 0], moved[None, :, 1] - a.points[:, None, 1]
    )
    gap = np.abs(_wrap_half(a.angles[:, None] - (b.angles[None, :] + turn)))
    way = np.abs(_wrap(a.directions[:, None] - (b.directions[None, :] + turn)))
    agree = (distance < PAIR_DISTANCE) & (gap < PAIR_ANGLE) & (way < PAIR_DIRECTION)
    cost = np.where(agree, distance, np.inf)
    if not np.isfinite(cost).any():
        return np.zeros(0, int), np.zeros(0, int)
    rows, cols = linear_sum_assignment(np.where(np.isfinite(cost), cost, 1e6))
    keep = np.isfinite(cost[rows, cols])
    return rows[keep], cols[keep]


def _on_finger(template: Template, points: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Which points (in the template's own frame) lie on its finger area."""
    x = np.round(points[:, 0] / FIELD_STEP).astype(int)
    y = np.round(points[:, 1] / FIELD_STEP).astype(int)
    height, width = template.field_mask.shape
    inside: NDArray[np.bool_] = (x >= 0) & (x < width) & (y >= 0) & (y < height)
    inside[inside] &= template.field_mask[y[inside], x[inside]]
    return inside


def _consolidate(
    a: Template, b: Template, rotation: NDArray[np.float64], shift: NDArray[np.float64]
) -> float:
    """Score of one alignment: paired share of the minutiae in the common area, times flow."""
    rows, cols = _pairs(a, b, rotation, shift)
    if rows.size >= 3:  # refit on all agreeing pairs: one pair fixes the turn only roughly
        rotation, shift = _rigid(a.points[rows], b.points[cols], np.ones(rows.size))
        rows, cols = _pairs(a, b, rotation, shift)
    if rows.size < 2:
        return 0.0
    # Minutiae outside the other print's area could not have been paired: leave them out,
    # so a small common area is not punished a second time.
    common_a = _on_finger(b, (a.points - shift) @ rotation).sum()
    common_b = _on_finger(a, b.points @ rotation.T + shift).sum()
    paired = rows.size**2 / (max(common_a, MIN_COMMON) * max(common_b, MIN_COMMON))
    return float(paired * max(_field_agreement(a, b, rotation, shift), 0.0) ** FIELD_POWER)


def compare(a: Template, b: Template) -> float:
    """Similarity of two impressions in [0, 1]; compare with ``settings.match_threshold``.

    Templates with fewer than 4 minutiae score 0.
    """
    if len(a) < 4 or len(b) < 4:
        return 0.0
    similarity, turned = _similarities(a, b)
    best = 0.0
    for flat in np.argsort(similarity.ravel())[::-1][:HYPOTHESES]:
        i, j = divmod(int(flat), similarity.shape[1])
        if similarity[i, j] <= 0:
            break
        # The pair's own orientations (b's turned by pi when its cylinder was) fix the turn.
        turn = a.angles[i] - (b.angles[j] + np.pi * turned[i, j])
        rotation = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])
        shift = a.points[i] - rotation @ b.points[j]
        best = max(best, _consolidate(a, b, rotation, shift))
    return float(min(best, 1.0))


def _rigid(
    target: NDArray[np.float64], source: NDArray[np.float64], weights: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Weighted least-squares rotation and shift taking ``source`` points onto ``target``."""
    weights = weights / weights.sum()
    target_mean = weights @ target
    source_mean = weights @ source
    cross = ((source - source_mean) * weights[:, None]).T @ (target - target_mean)
    u, _, vt = np.linalg.svd(cross)
    if np.linalg.det(vt.T @ u.T) < 0:  # a reflection is no finger placement
        vt[-1] *= -1
    rotation = vt.T @ u.T
    return rotation, target_mean - rotation @ source_mean


def _field_agreement(
    a: Template, b: Template, rotation: NDArray[np.float64], shift: NDArray[np.float64]
) -> float:
    """Mean cos(2 x orientation difference) where both fields lie on finger, once aligned."""
    ys, xs = np.nonzero(a.field_mask)
    points = np.stack([xs, ys], axis=1).astype(np.float64) * FIELD_STEP
    # Each of a's samples, taken back into b's frame.
    back = (points - shift) @ rotation
    bx = np.round(back[:, 0] / FIELD_STEP).astype(int)
    by = np.round(back[:, 1] / FIELD_STEP).astype(int)
    height, width = b.field_mask.shape
    inside = (bx >= 0) & (bx < width) & (by >= 0) & (by < height)
    inside[inside] &= b.field_mask[by[inside], bx[inside]]
    if inside.sum() < MIN_OVERLAP:
        return 0.0
    turn = np.arctan2(rotation[1, 0], rotation[0, 0])
    difference = a.field[ys[inside], xs[inside]] - (b.field[by[inside], bx[inside]] + turn)
    return float(np.mean(np.cos(2 * difference)))
