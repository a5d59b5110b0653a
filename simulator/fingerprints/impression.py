"""Impressions of a master print: placement, skin distortion, contact, skin and touch conditions."""

from __future__ import annotations

from typing import Literal

import cv2
import numpy as np
from numpy.typing import NDArray

from simulator.fingerprints.master import BACKGROUND, master_print

Condition = Literal["good", "dry", "wet", "partial", "smudge", "light", "dark"]
CONDITIONS: tuple[Condition, ...] = ("good", "dry", "wet", "partial", "smudge", "light", "dark")


def _skin_mask(master: NDArray[np.uint8]) -> NDArray[np.float32]:
    """Where the master has skin: everything not background, closed over the valleys."""
    skin = (master < BACKGROUND - 4).astype(np.uint8)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (15, 15))
    return np.asarray(cv2.morphologyEx(skin, cv2.MORPH_CLOSE, kernel), dtype=np.float32)


def _smooth_noise(
    rng: np.random.Generator, shape: tuple[int, int], scale: float
) -> NDArray[np.float32]:
    """Zero-mean, unit-spread noise with blobs about ``scale`` pixels wide."""
    noise = rng.standard_normal(shape).astype(np.float32)
    blurred = np.asarray(cv2.GaussianBlur(noise, (0, 0), scale), dtype=np.float32)
    return blurred / np.float32(blurred.std() + 1e-6)


def _warp(
    image: NDArray[np.float32],
    rng: np.random.Generator,
    displacement: tuple[float, float],
    rotation: float,
    distortion: float,
    border: float,
) -> NDArray[np.float32]:
    """Rotate about the centre, shift, and bend a little as elastic skin does on a flat platen."""
    height, width = image.shape
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    cx, cy = width / 2, height / 2
    angle = np.radians(rotation)
    cos, sin = np.cos(angle), np.sin(angle)
    # Inverse mapping: for each output pixel, where it comes from in the master.
    dx, dy = xs - cx - displacement[0], ys - cy - displacement[1]
    src_x = cos * dx + sin * dy + cx
    src_y = -sin * dx + cos * dy + cy
    if distortion > 0:
        src_x += distortion * _smooth_noise(rng, (height, width), 60.0)
        src_y += distortion * _smooth_noise(rng, (height, width), 60.0)
    warped = cv2.remap(
        image, src_x, src_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
        borderValue=(border, border, border, border),
    )
    return np.asarray(warped, dtype=np.float32)


def impression(
    master: NDArray[np.uint8],
    rng: np.random.Generator,
    condition: Condition = "good",
    displacement: tuple[float, float] | None = None,
    rotation: float | None = None,
    distortion: float = 2.5,
    noise: float = 4.0,
) -> NDArray[np.uint8]:
    """One flat impression of ``master`` as a sensor would capture it.

    Args:
        master: A master print from :func:`master_print` (uint8, white background).
        rng: Randomness of this one touch (placement, skin state, sensor noise).
        condition: The skin or touch condition to simulate: ``good``, ``dry`` (ridges
            break), ``wet`` (ridges merge), ``partial`` (only part of the finger
            touches), ``smudge`` (the finger moved), ``light`` (too little pressure)
            or ``dark`` (too much pressure).
        displacement: Shift (x, y) in pixels; random within +-20 px when None.
        rotation: Rotation in degrees; random within +-12 degrees when None.
        distortion: Amplitude in pixels of the smooth elastic skin distortion.
        noise: Standard deviation of the sensor noise in grey levels.

    Returns:
        uint8 grey image at 500 ppi, the same size as the master.
    """
    if condition not in CONDITIONS:
        raise ValueError(f"unknown condition {condition!r}; expected one of {CONDITIONS}")
    if displacement is None:
        displacement = (float(rng.uniform(-20, 20)), float(rng.uniform(-20, 20)))
    if rotation is None:
        rotation = float(rng.uniform(-12, 12))
    height, width = master.shape
    # Ridge-ness in [-1, 1] (1 = ridge) and the skin outline, moved together.
    ridges = (128.0 - master.astype(np.float32)) / 110.0
    skin = _skin_mask(master)
    ridges = _warp(ridges, rng, displacement, rotation, distortion, border=0.0)
    skin = _warp(skin, rng, displacement, rotation, 0.0, border=0.0)

    # Contact: the platen touches less of the finger's edge than the whole outline.
    contact = _contact(rng, skin, condition)
    ridge_level, valley_level = 40.0, 215.0
    if condition == "dry":
        # Dry skin: ridges touch only in places, so they come out thin and broken.
        breaks = _smooth_noise(rng, (height, width), 1.6) > -0.25
        ridges = np.where(breaks, -1.0, ridges - 0.3)
        ridge_level, valley_level = 60.0, 238.0
    elif condition == "wet":
        # Wet skin: moisture fills the valleys, ridges thicken and flow into each other.
        ridges = cv2.GaussianBlur(ridges, (0, 0), 1.8) + 0.55
        blots = _smooth_noise(rng, (height, width), 6.0) > 0.6
        ridges[blots] = 1.0
        ridge_level, valley_level = 25.0, 160.0
    elif condition == "smudge":
        # The finger slid: a blurred trail plus a ghost of the first touch half a ridge off.
        ghost = np.roll(ridges, (int(rng.integers(3, 7)), int(rng.integers(3, 7))), axis=(0, 1))
        ridges = _motion_blur(0.6 * ridges + 0.4 * ghost, rng)
    elif condition == "light":
        ridge_level, valley_level = 185.0, 235.0
    elif condition == "dark":
        ridges = ridges + 0.3
        ridge_level, valley_level = 8.0, 85.0

    ridges = np.clip(ridges, -1.0, 1.0)
    inside = valley_level + (ridge_level - valley_level) * (ridges + 1.0) / 2.0
    image = contact * inside + (1.0 - contact) * 250.0
    image += noise * rng.standard_normal((height, width)).astype(np.float32)
    image = np.asarray(cv2.GaussianBlur(image, (0, 0), 0.6), dtype=np.float32)
    return np.asarray(np.clip(image, 0, 255), dtype=np.uint8)


def _contact(
    rng: np.random.Generator, skin: NDArray[np.float32], condition: Condition
) -> NDArray[np.float32]:
    """Soft 0-1 map of where skin meets the platen."""
    height, width = skin.shape
    erode = 25 if condition == "light" else 9
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (erode, erode))
    contact = cv2.erode(skin, kernel)
    if condition == "partial":
        # Only one side of the finger touches (tipped or slid off the platen): a half plane
        # whose edge passes near the centre, so about a third of the finger remains.
        angle = rng.uniform(0, 2 * np.pi)
        ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
        along = (xs - width / 2) * np.cos(angle) + (ys - height / 2) * np.sin(angle)
        contact = contact * (along > rng.uniform(0.05, 0.15) * min(width, height))
    # Pressure is never quite even, so the edge of the contact is ragged: cut at a depth
    # from the edge that wanders between 0 and about 12 px.
    depth = cv2.distanceTransform((contact > 0.5).astype(np.uint8), cv2.DIST_L2, 5)
    ragged = np.clip(5.0 + 3.0 * _smooth_noise(rng, (height, width), 12.0), 1.0, 12.0)
    touching = (depth > ragged).astype(np.float32)
    return np.asarray(cv2.GaussianBlur(touching, (0, 0), 1.5), dtype=np.float32)


def _motion_blur(ridges: NDArray[np.float32], rng: np.random.Generator) -> NDArray[np.float32]:
    """The finger slid during the capture: a linear blur of 10-16 px in a random direction."""
    length = int(rng.integers(10, 17))
    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2, :] = 1.0
    rotation = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), rng.uniform(0, 180), 1)
    turned = np.asarray(cv2.warpAffine(kernel, rotation, (length, length)), dtype=np.float32)
    return np.asarray(cv2.filter2D(ridges, cv2.CV_32F, turned / turned.sum()), dtype=np.float32)


def persona_finger(
    persona_seed: int, finger_position: int, condition: Condition = "good", attempt: int = 1
) -> NDArray[np.uint8]:
    """The ``attempt``-th impression of one finger of a persona: deterministic, 400 x 500.

    Args:
        persona_seed: The persona's seed (the same person for the same seed).
        finger_position: ISO/IEC 19794-4 finger position code (1-10).
        condition: See :func:`impression`.
        attempt: Attempt number; each attempt is a new touch of the same finger.
    """
    rng = np.random.default_rng([persona_seed, finger_position, attempt, 0xA77])
    return impression(master_print(persona_seed, finger_position), rng, condition)
