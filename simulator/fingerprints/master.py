"""Synthetic master fingerprints grown by iterative Gabor filtering, in the manner of SFinGe."""

from __future__ import annotations

import threading
from functools import lru_cache

import cv2
import numpy as np
from numpy.typing import NDArray

from simulator.fingerprints.orientation import choose_layout, finger_mask, orientation_field

#: Size of a master print (width, height) in pixels at 500 ppi: 20 x 25 mm, a whole fingertip.
MASTER_SIZE = (400, 500)
#: Orientation bins of the filter bank; 16 keeps the quantisation error under 6 degrees.
N_BINS = 16
#: Growth iterations; by then the ridge pattern no longer changes visibly.
ITERATIONS = 10

#: Grey level of background (no skin) in a master print; inside the finger it never gets there.
BACKGROUND = 255


def _gabor_bank(period: float) -> list[NDArray[np.float32]]:
    """One even-symmetric Gabor kernel per orientation bin, tuned to the ridge period."""
    half = int(round(period * 0.9))
    ys, xs = np.mgrid[-half : half + 1, -half : half + 1].astype(np.float32)
    sigma = period * 0.45
    envelope = np.exp(-(xs**2 + ys**2) / (2 * sigma**2))
    kernels = []
    for index in range(N_BINS):
        theta = np.pi * index / N_BINS
        # Distance across the ridges: ridges run along theta, so measure along its normal.
        across = -xs * np.sin(theta) + ys * np.cos(theta)
        kernel = envelope * np.cos(2 * np.pi * across / period)
        kernel -= kernel.mean()
        kernels.append((kernel / np.abs(kernel).sum()).astype(np.float32))
    return kernels


def grow_ridges(
    orientation: NDArray[np.float32],
    period: float,
    rng: np.random.Generator,
    iterations: int = ITERATIONS,
) -> NDArray[np.float32]:
    """Grow a ridge pattern in [-1, 1] that follows ``orientation`` at the given period.

    Starts from sparse random seeds; each iteration filters with the Gabor kernel of
    the local orientation and saturates the result, so ridges grow outwards from the
    seeds and meet in ridge endings and bifurcations, the way SFinGe makes minutiae.
    """
    height, width = orientation.shape
    bins = np.round(orientation / np.pi * N_BINS).astype(np.int32) % N_BINS
    masks = [bins == index for index in range(N_BINS)]
    kernels = _gabor_bank(period)
    field = np.zeros((height, width), np.float32)
    seeds = rng.random((height, width)) < 1.0 / 2500.0
    field[seeds] = rng.choice(np.array([-1.0, 1.0], np.float32), size=int(seeds.sum()))
    for _ in range(iterations):
        grown = np.zeros_like(field)
        for index, kernel in enumerate(kernels):
            response = cv2.filter2D(field, cv2.CV_32F, kernel, borderType=cv2.BORDER_REFLECT)
            grown[masks[index]] = response[masks[index]]
        # Strong gain then clipping: a binary-like ridge pattern that keeps its sinusoidal edges.
        field = np.clip(grown * 12.0, -1.0, 1.0)
    return cv2.GaussianBlur(field, (0, 0), 0.8).astype(np.float32, copy=False)


def _render(field: NDArray[np.float32], mask: NDArray[np.bool_]) -> NDArray[np.uint8]:
    """Dark ridges on light valleys inside the finger, white outside, as on an optical sensor."""
    grey = 128.0 - 110.0 * field
    soft = cv2.GaussianBlur(mask.astype(np.float32), (0, 0), 2.0)
    out = soft * grey + (1.0 - soft) * BACKGROUND
    out[~mask & (soft < 0.02)] = BACKGROUND
    return np.asarray(np.clip(out, 0, 255), dtype=np.uint8)


_MASTER_LOCK = threading.Lock()


@lru_cache(maxsize=64)
def _master_cached(seed: int, finger_position: int) -> NDArray[np.uint8]:
    # One generator per (seed, finger) so every finger of a persona is a different finger,
    # and the same finger always comes out the same.
    rng = np.random.default_rng([seed, finger_position, 0x5F1])
    width, height = MASTER_SIZE
    layout = choose_layout(rng, width, height)
    orientation = orientation_field(layout, width, height)
    field = grow_ridges(orientation, layout.period, rng)
    master = _render(field, finger_mask(rng, width, height))
    master.setflags(write=False)
    return master


def master_print(seed: int, finger_position: int) -> NDArray[np.uint8]:
    """The master print of one finger of one persona: 400 x 500 uint8 grey at 500 ppi.

    Args:
        seed: The persona's seed; the same seed always gives the same person.
        finger_position: ISO/IEC 19794-4 finger position code (1-10).

    Returns:
        A read-only array, dark ridges on a white background, the core near the centre.
    """
    # One at a time: two threads asking for the same finger at once (the background
    # preparation and the citizen drawing ahead) would each grow it, at seconds of CPU each.
    with _MASTER_LOCK:
        return _master_cached(int(seed), int(finger_position))
