"""Ridge enhancement and minutiae extraction: Gabor filtering, thinning and the crossing number."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray
from skimage.morphology import skeletonize

from kiosk.fingerprint.blocks import BLOCK, BlockView

#: Orientation bins of the enhancement filter bank. 8 bins were 2 ms faster but doubled the
#: comparison's false non-matches (FNMR at FMR <= 0.1 %: 7.5 % against 4.3 % with 12).
N_ORIENTATIONS = 12
#: Minutiae closer than this to each other are artefacts (a break, a spur, a bridge) and go.
MIN_SEPARATION = 5.0
#: Minutiae closer than this to the edge of the finger area are edge artefacts.
EDGE_MARGIN = 14
#: Radius (px) of the skeleton patch that tells which way the ridge runs from a minutia:
#: under one ridge period, so the neighbouring ridges stay out of it.
DIRECTION_RADIUS = 7
#: Side of the tiles the enhancement filters one by one (see :func:`enhance`).
_TILE = 64


@dataclass(frozen=True)
class Minutiae:
    """Minutiae of one image, as parallel arrays.

    Attributes:
        x: Column in pixels.
        y: Row in pixels.
        angle: Ridge orientation at the minutia in radians [0, pi), from the smoothed
            orientation field (steadier than the skeleton's own direction).
        kind: 1 for a ridge ending, 3 for a bifurcation.
        quality: Orientation certainty of the block the minutia lies in, in [0, 1].
        direction: ``angle`` or ``angle + pi``, whichever points along the ridge(s) leaving
            the minutia, in [0, 2 pi). The same for an ending and the bifurcation it turns
            into when it touches its neighbour (the neighbour's two arms cancel out).
    """

    x: NDArray[np.float32]
    y: NDArray[np.float32]
    angle: NDArray[np.float32]
    kind: NDArray[np.int16]
    quality: NDArray[np.float32]
    direction: NDArray[np.float32]

    def __len__(self) -> int:
        return int(self.x.size)


def pixel_orientation(view: BlockView, sigma: float = 9.0) -> NDArray[np.float32]:
    """Ridge direction per pixel from the Gaussian-smoothed gradient structure tensor.

    Finer than the 32 px blocks, which matters near the core where ridges turn fast.
    """
    gx, gy = view.gradients
    # The tensor is smoothed far more than a pixel, so it is smoothed at a quarter of the
    # resolution and brought back by linear interpolation (a quarter of the time, same field).
    height, width = gx.shape
    small = (max(1, width // 4), max(1, height // 4))
    gxx, gyy, gxy = (
        cv2.resize(
            cv2.GaussianBlur(
                cv2.resize(product, small, interpolation=cv2.INTER_AREA),
                (0, 0),
                sigma * small[0] / width,
            ),
            (width, height),
            interpolation=cv2.INTER_LINEAR,
        )
        for product in (gx * gx, gy * gy, gx * gy)
    )
    orientation: NDArray[np.float32] = (0.5 * np.arctan2(2 * gxy, gxx - gyy) + np.pi / 2) % np.pi
    return orientation


def enhance(
    view: BlockView,
    period: float,
    orientation: NDArray[np.float32] | None = None,
    mask: NDArray[np.bool_] | None = None,
) -> NDArray[np.float32]:
    """Contextual Gabor filtering: each pixel takes the response of the filter along its ridges.

    Returns a float image where ridges are negative and valleys positive. With ``mask``, only
    the pixels in it are filtered (the rest are 0): the responses are the same, the time is
    what the finger needs rather than the whole frame.
    """
    if orientation is None:
        orientation = pixel_orientation(view)
    return _gabor(view.image, period, orientation, mask)


def _gabor(
    image: NDArray[np.float32],
    period: float,
    orientation: NDArray[np.float32],
    mask: NDArray[np.bool_] | None,
) -> NDArray[np.float32]:
    """The filtering of :func:`enhance` on any image with its per-pixel orientation."""
    mean = cv2.blur(image, (15, 15))
    spread = np.sqrt(np.maximum(cv2.blur(image * image, (15, 15)) - mean * mean, 1.0))
    normal = (image - mean) / spread
    if mask is None:
        mask = np.ones(image.shape, bool)
    bins = np.round(orientation / np.pi * N_ORIENTATIONS).astype(np.int32) % N_ORIENTATIONS
    half = int(round(period))
    taps = np.arange(-half, half + 1, dtype=np.float64)
    sigma, wavenumber = 0.4 * period, 2 * np.pi / period
    envelope = np.exp(-(taps**2) / (2 * sigma**2))
    # The kernel of orientation theta, g(x) g(y) cos(k (y cos theta - x sin theta)), is the
    # difference of two separable kernels (cos(a + b) = cos a cos b - sin a sin b): "even"
    # minus "odd". Its mean over the square support is a box filter. So each response is the
    # full 2-D kernel's (made zero-mean, scaled to unit absolute sum) in a fraction of the
    # time; and orientation pi - theta has the same even part and the odd part negated.
    box = cv2.boxFilter(normal, cv2.CV_32F, (2 * half + 1,) * 2, normalize=False)
    group = np.minimum(bins, N_ORIENTATIONS - bins)  # theta and pi - theta share their filters
    sign = np.where(bins > N_ORIENTATIONS // 2, -1.0, 1.0).astype(np.float32)
    dc = np.zeros(N_ORIENTATIONS, np.float32)
    norm = np.ones(N_ORIENTATIONS, np.float32)
    kernels = []
    for index in range(N_ORIENTATIONS // 2 + 1):
        theta = np.pi * index / N_ORIENTATIONS
        phase_x, phase_y = -wavenumber * np.sin(theta) * taps, wavenumber * np.cos(theta) * taps
        cos_x, sin_x = envelope * np.cos(phase_x), envelope * np.sin(phase_x)
        cos_y, sin_y = envelope * np.cos(phase_y), envelope * np.sin(phase_y)
        for which, side in ((index, 1.0), ((N_ORIENTATIONS - index) % N_ORIENTATIONS, -1.0)):
            full = np.outer(cos_y, cos_x) - side * np.outer(sin_y, sin_x)
            dc[which] = full.mean()
            norm[which] = np.abs(full - full.mean()).sum()
        kernels.append((cos_x, cos_y, sin_x, sin_y))
    even = np.zeros_like(image)
    odd = np.zeros_like(image)
    # Each tile is filtered (with a margin of the kernel's reach, so the responses are exact)
    # only in the orientations its finger pixels have: ridge flow changes slowly, so a tile
    # needs two or three of the seven filter pairs, and background tiles none.
    height, width = image.shape
    for top in range(0, height, _TILE):
        for left in range(0, width, _TILE):
            inside = mask[top : top + _TILE, left : left + _TILE]
            if not inside.any():
                continue
            tile_group = group[top : top + _TILE, left : left + _TILE]
            y0, x0 = max(0, top - half), max(0, left - half)
            y1, x1 = min(height, top + _TILE + half), min(width, left + _TILE + half)
            patch = normal[y0:y1, x0:x1]
            rows, cols = tile_group.shape
            cut = (slice(top - y0, top - y0 + rows), slice(left - x0, left - x0 + cols))
            out = (slice(top, top + rows), slice(left, left + cols))
            present = np.flatnonzero(np.bincount(tile_group[inside], minlength=len(kernels)))
            for index in present:
                cos_x, cos_y, sin_x, sin_y = kernels[index]
                selected = tile_group == index
                response = cv2.sepFilter2D(patch, cv2.CV_32F, cos_x, cos_y)
                np.copyto(even[out], response[cut], where=selected)
                if 0 < index < N_ORIENTATIONS // 2:  # at 0 and 90 degrees the odd part vanishes
                    response = cv2.sepFilter2D(patch, cv2.CV_32F, sin_x, sin_y)
                    np.copyto(odd[out], response[cut], where=selected)
    out_image: NDArray[np.float32] = (even - dc[bins] * box - sign * odd) / norm[bins]
    return np.where(mask, out_image, 0.0).astype(np.float32, copy=False)


def _crossing_number(skeleton: NDArray[np.bool_]) -> NDArray[np.int16]:
    """Crossing number of every skeleton pixel (1 = ending, 3 = bifurcation)."""
    padded = np.pad(skeleton.astype(np.int8), 1)
    h, w = skeleton.shape
    ring = [(0, 1), (0, 2), (1, 2), (2, 2), (2, 1), (2, 0), (1, 0), (0, 0)]
    neighbours = [padded[dy : dy + h, dx : dx + w] for dy, dx in ring]
    total = np.zeros((h, w), np.int16)
    for index in range(8):
        total += np.abs(neighbours[index] - neighbours[(index + 1) % 8])
    crossing: NDArray[np.int16] = np.where(skeleton, total // 2, 0)
    return crossing


def _directions(
    skeleton: NDArray[np.bool_],
    xs: NDArray[np.intp],
    ys: NDArray[np.intp],
    angles: NDArray[np.float32],
) -> NDArray[np.float32]:
    """Which way of each orientation the skeleton around the minutia lies (see Minutiae)."""
    radius = DIRECTION_RADIUS
    oy, ox = np.mgrid[-radius : radius + 1, -radius : radius + 1]
    disk = ox**2 + oy**2 <= radius**2
    padded = np.pad(skeleton, radius)
    patches = padded[ys[:, None, None] + radius + oy, xs[:, None, None] + radius + ox] & disk
    # Ending: the centre of mass lies on its ridge; bifurcation: on the side of the fork
    # (the two branches' sideways parts cancel).
    vx, vy = (patches * ox).sum(axis=(1, 2)), (patches * oy).sum(axis=(1, 2))
    forward = vx * np.cos(angles) + vy * np.sin(angles) >= 0
    return np.where(forward, angles, angles + np.pi).astype(np.float32)


def extract(
    view: BlockView, enhanced: NDArray[np.float32], orientation: NDArray[np.float32] | None = None
) -> tuple[Minutiae, NDArray[np.bool_]]:
    """Minutiae from the enhanced image; also returns the ridge skeleton.

    Ridge endings and bifurcations by crossing number on the thinned ridges, then the
    usual clean-up: nothing near the edge of the finger area or in uncertain blocks,
    and no pairs closer than :data:`MIN_SEPARATION` (breaks and bridges).
    """
    # The image border is an edge too: ridges cut by it end there without being minutiae.
    inner = cv2.erode(
        view.pixel_mask.astype(np.uint8),
        np.ones((2 * EDGE_MARGIN + 1,) * 2, np.uint8),
        borderType=cv2.BORDER_CONSTANT,
        borderValue=(0,),
    )
    ridges = (enhanced < 0) & view.pixel_mask
    skeleton: NDArray[np.bool_] = skeletonize(ridges)
    crossing = _crossing_number(skeleton)
    ys, xs = np.nonzero(((crossing == 1) | (crossing == 3)) & (inner > 0))
    kinds = crossing[ys, xs]
    coherence = view.coherence[ys // BLOCK, xs // BLOCK]
    keep = coherence > 0.2
    ys, xs, kinds, coherence = ys[keep], xs[keep], kinds[keep], coherence[keep]
    if ys.size > 1:
        d = np.hypot(xs[:, None] - xs[None, :], ys[:, None] - ys[None, :])
        np.fill_diagonal(d, np.inf)
        keep = d.min(axis=1) >= MIN_SEPARATION
        ys, xs, kinds, coherence = ys[keep], xs[keep], kinds[keep], coherence[keep]
    if orientation is None:
        orientation = pixel_orientation(view)
    angles = orientation[ys, xs].astype(np.float32)
    directions = _directions(skeleton, xs, ys, angles)
    return Minutiae(
        xs.astype(np.float32), ys.astype(np.float32), angles, kinds, coherence, directions
    ), skeleton


def quality_minutiae(view: BlockView, period: float, orientation: NDArray[np.float32]) -> Minutiae:
    """Minutiae for the quality measures: the steps of :func:`extract` at half resolution.

    The quality score needs how many minutiae there are and where, not their exact positions:
    at 250 ppi the enhancement and the thinning take a third of the time, and the count ranks
    the reference images as the full-resolution count does (Spearman 0.987). Positions are
    returned in full-resolution pixels; ``direction`` is left equal to ``angle`` (the quality
    does not use it). The comparison keeps the full-resolution extraction.
    """
    height, width = view.image.shape
    size = (width // 2, height // 2)
    image = cv2.resize(view.image, size, interpolation=cv2.INTER_AREA).astype(np.float32)
    mask = view.pixel_mask[: 2 * size[1] : 2, : 2 * size[0] : 2]
    half_orientation = np.ascontiguousarray(orientation[: 2 * size[1] : 2, : 2 * size[0] : 2])
    enhanced = _gabor(image, period / 2, half_orientation, mask)
    skeleton: NDArray[np.bool_] = skeletonize((enhanced < 0) & mask)
    margin = EDGE_MARGIN // 2
    inner = cv2.erode(
        mask.astype(np.uint8),
        np.ones((2 * margin + 1,) * 2, np.uint8),
        borderType=cv2.BORDER_CONSTANT,
        borderValue=(0,),
    )
    crossing = _crossing_number(skeleton)
    ys, xs = np.nonzero(((crossing == 1) | (crossing == 3)) & (inner > 0))
    coherence = view.coherence[2 * ys // BLOCK, 2 * xs // BLOCK]
    keep = coherence > 0.2
    ys, xs, coherence = ys[keep], xs[keep], coherence[keep]
    if ys.size > 1:
        d = np.hypot(xs[:, None] - xs[None, :], ys[:, None] - ys[None, :])
        np.fill_diagonal(d, np.inf)
        keep = d.min(axis=1) >= MIN_SEPARATION / 2
        ys, xs, coherence = ys[keep], xs[keep], coherence[keep]
    kinds = crossing[ys, xs]
    angles = half_orientation[ys, xs].astype(np.float32)
    return Minutiae(
        (2 * xs).astype(np.float32),
        (2 * ys).astype(np.float32),
        angles,
        kinds,
        coherence,
        angles.copy(),
    )
